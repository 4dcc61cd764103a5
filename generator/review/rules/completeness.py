"""Completeness (完整性): every required group filled, no empty or placeholder rows."""

from __future__ import annotations

from ...common.findings import Severity
from . import Hit, rule
from .indicators import placed


@rule(
    "group.required-empty",
    Severity.ERROR,
    "必填的二级指标没有填写",
    "表上标注“必填量化”或“必填”的二级指标（数量、质量、时效、成本、社会效益、可持续影响、服务对象满意度）"
    "至少要有一个带指标值的三级指标。漏填的分组是最常见的退回原因之一。",
    draft_tolerant=True,
)
def required_empty(filing, form):
    for level in form.levels:
        for spec in level.groups:
            if not spec.required:
                continue
            group = filing.group(level.name, spec.name)
            if group is None:
                yield Hit(filing.at(form.indicators.key, level.name), f"缺少【{spec.requirement}】的二级指标“{spec.name}”")
            elif not any(i.value.strip() for i in group.indicators):
                yield Hit(group.position, f"【{spec.requirement}】的二级指标“{spec.name}”没有填写任何指标值")


@rule(
    "indicator.empty-value",
    Severity.ERROR,
    "指标值为空",
    "每个三级指标都要有指标值；没有目标值的指标无法在年底评价是否完成。",
    draft_tolerant=True,
)
def empty_value(filing, form):
    for item in placed(filing, form):
        if not item.indicator.value.strip() and item.indicator.name.strip():
            yield Hit(item.indicator.value_position, f"三级指标“{item.indicator.name}”（{item.group.name}）没有指标值")


@rule(
    "indicator.empty-name",
    Severity.ERROR,
    "三级指标名称为空",
    "指标值必须对应一个有名称的三级指标。",
)
def empty_name(filing, form):
    for item in placed(filing, form):
        if not item.indicator.name.strip() and item.indicator.value.strip():
            yield Hit(item.indicator.position, f"“{item.group.name}”中有一个指标值“{item.indicator.value}”没有三级指标名称")


def _placeholders(filing, form, required: bool):
    for item in placed(filing, form):
        if item.spec.required == required and item.is_placeholder:
            yield Hit(
                item.indicator.position,
                f"“{item.group.name}”中的“{item.indicator.name}: {item.indicator.value}”是占位内容，不是指标"
                + ("；这是【" + item.spec.requirement + "】分组，请填写真实的指标和指标值" if required else "；选填分组没有指标时写 {}"),
            )


@rule(
    "indicator.placeholder",
    Severity.ERROR,
    "必填分组里用 0、无、/ 占位",
    "在必填的二级指标里写“0”“无”“/”等占位内容，等于没有填写，审核时会退回。",
)
def placeholder_required(filing, form):
    yield from _placeholders(filing, form, required=True)


@rule(
    "indicator.placeholder-optional",
    Severity.WARNING,
    "选填分组里用 0、无、/ 占位",
    "选填的二级指标（经济效益、生态效益）没有合适指标时应留空（写 {}），打印出来是空行；"
    "写“0”“无”会被当作一个名为“0”的指标。",
)
def placeholder_optional(filing, form):
    yield from _placeholders(filing, form, required=False)
