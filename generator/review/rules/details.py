"""Rules on an indicator's other columns (details): the form's expected values and the points (分值)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ...common.findings import Severity
from . import Hit, rule
from .money import wan


def _halves(filing, form):
    """(key of the indicator tree, its groups): the annual indicators, and a long-term half if the form has one."""
    yield form.indicators.key, filing.groups
    if form.indicators.long_term:
        yield form.indicators.long_term.key, filing.long_term


@rule(
    "indicator.option",
    Severity.WARNING,
    "指标栏目的值不是表样的选项",
    "有的表样为三级指标的某一栏列出通常的写法，例如绩效标准写“计划标准”“行业标准”“历史标准”“预算支出标准”或“其他标准”。"
    "写成别的说法，汇总时会被当成另一类；确有需要时可以忽略。（只能从中选择的栏目由 schema.enum 报告为错误。）",
)
def detail_option(filing, form):
    for spec in form.indicators.details:
        if not spec.options:
            continue
        for root, groups in _halves(filing, form):
            for group in groups:
                for indicator in group.indicators:
                    value = indicator.detail(spec.key).strip()
                    if value and value not in spec.options:
                        yield Hit(
                            filing.value_at(root, group.level, group.name, indicator.name, spec.key),
                            f"“{indicator.name}”的{spec.key}“{value}”不是表样的选项（{'、'.join(spec.options)}）",
                        )


def _points(text: str) -> Decimal | None:
    """A score as the printed weights add it up: a plain non-negative number; None otherwise."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() and value >= 0 else None


@rule(
    "score.weights",
    Severity.ERROR,
    "分值与一级指标的权重不符",
    "赋分的表样给每个一级指标一个权重分值（例如产出指标 50 分、效益指标 30 分、满意度指标 10 分），"
    "一个一级指标下各三级指标的分值加起来必须等于它的权重；分值只写数字。申报表没有填写任何分值时不检查。",
)
def score_weights(filing, form):
    key = form.indicators.score
    if not key:
        return
    rows = [(group, indicator, indicator.detail(key)) for group in filing.groups for indicator in group.indicators]
    if not any(text.strip() for _, _, text in rows):
        return
    totals: dict[str, Decimal] = {}
    unreadable: set[str] = set()
    for group, indicator, text in rows:
        if not text.strip():
            continue
        if (value := _points(text)) is None:
            unreadable.add(group.level)
            yield Hit(
                filing.value_at(form.indicators.key, group.level, group.name, indicator.name, key),
                f"“{indicator.name}”（{group.name}）的{key}“{text}”不是数字",
            )
        else:
            totals[group.level] = totals.get(group.level, Decimal(0)) + value
    for level in form.levels:
        if level.weight is None or level.name in unreadable:
            continue  # a score that is not a number is reported above; the sum would only repeat it
        total = totals.get(level.name, Decimal(0))
        if total != level.weight:
            gap = f"多 {wan(total - level.weight)}" if total > level.weight else f"少 {wan(level.weight - total)}"
            yield Hit(
                filing.at(form.indicators.key, level.name),
                f"“{level.name}”下三级指标的{key}合计 {wan(total)} 分，应等于{level.name}的权重 {wan(level.weight)} 分（{gap} 分）",
            )
