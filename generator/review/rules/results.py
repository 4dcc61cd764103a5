"""Rules on the year-end results (the 自评 section): what is missing, what does not add up, and where
the filer's scores differ from the rules (docs/selfeval.md §4–5). Silent for a filing without results."""

from __future__ import annotations

from decimal import Decimal

from ...common.findings import Severity
from ...filing.model import Filing, Position
from ...filing.results import parse_decimal
from ...filing.scoring import QUALITATIVE, Scorecard, plain, score_filing
from ...forms.definition import FormDefinition
from ...forms.selfeval import PACK_KEY, RESULTS_KEY
from ...forms.selfeval_pack import uncovered
from . import Hit, rule

_LAST: list = [None, None]  # (filing, its scorecard): every rule of this module scores the same filing


def scorecard(filing: Filing, form: FormDefinition) -> Scorecard | None:
    if _LAST[0] is not filing:
        _LAST[:] = [filing, score_filing(filing, form)]
    return _LAST[1]


def _scored(filing, form):
    """(scorecard, pack) of a filing whose results can be scored; nothing otherwise."""
    card = scorecard(filing, form) if filing.results is not None else None
    return (card, card.pack) if card else (None, None)


def _indicator_scores(filing, form):
    """(score, pack) of each indicator of a filing whose results can be scored."""
    card, pack = _scored(filing, form)
    for score in card.indicators if card else ():
        yield score, pack


def _value_at(filing: Filing, path: tuple, key: str = "") -> Position:
    """The value of `key` under `path` (a bare value at `path` itself), else the nearest key."""
    full = (*path, key) if key else path
    return filing.value_positions.get(full) or filing.value_positions.get(path) or filing.at(*full)


@rule(
    "result.pack",
    Severity.ERROR,
    "自评结果无法计分：没有可用的自评表样",
    "申报表的“自评”部分按自评表样计分：“自评”下写的“表样”，否则申报表表样在 form.yaml 里配对的自评表样（self_evaluation）。"
    "两者都没有、写的不是自评表样，或自评表样的定义有误时，无法计分。",
)
def result_pack(filing, form):
    results = filing.results
    if results is not None and results.pack is None:
        position = filing.value_at(RESULTS_KEY, PACK_KEY) if results.pack_named else filing.at(RESULTS_KEY)
        yield Hit(position, results.problem)


@rule(
    "result.actual-missing",
    Severity.ERROR,
    "指标没有实际完成值",
    "自评时每个申报的三级指标都要写实际完成值：在“自评 → 绩效指标”下按同样的一级、二级、三级指标写"
    "“三级指标: 实际完成值”（或写成映射，含“实际完成值”）。没有结果的指标无法计分。",
    draft_tolerant=True,
)
def actual_missing(filing, form):
    for score, pack in _indicator_scores(filing, form):
        key = pack.indicators.result_key("actual")
        result = score.result
        if result is None:
            yield Hit(
                filing.at(form.indicators.key, score.level, score.group, score.name),
                f"“{score.name}”（{score.group}）没有自评结果；请在“{RESULTS_KEY} → {pack.indicators.key} → {score.level} → {score.group}”下写它的{key}",
            )
        elif not result.actual.strip():
            yield Hit(_value_at(filing, result.path, key), f"“{score.name}”的{key}是空的")


@rule(
    "result.unknown-indicator",
    Severity.ERROR,
    "自评结果对应不到申报的指标",
    "“自评 → 绩效指标”下的每个结果都要对应一个申报的三级指标（同样的一级、二级、三级指标名称）。"
    "对应不到的结果不计分，多半是指标名称改了字或放错了分组。",
)
def unknown_indicator(filing, form):
    card, _ = _scored(filing, form)
    if card is None:
        return
    for result in card.unmatched:
        elsewhere = [f"{g.level} → {g.name}" for g in filing.groups if any(i.name == result.name for i in g.indicators)]
        hint = f"；申报的“{result.name}”在“{elsewhere[0]}”下" if elsewhere else ""
        yield Hit(filing.at(*result.path), f"“{result.name}”不是申报的“{result.level} → {result.group}”下的三级指标{hint}")


@rule(
    "result.goal-missing",
    Severity.WARNING,
    "没有写年度总体目标的实际完成情况",
    "自评表的“年度总体目标”一行对照预期目标写实际完成情况；没有写时这一格是空的。",
    draft_tolerant=True,
)
def goal_missing(filing, form):
    card, pack = _scored(filing, form)
    if card is None:
        return
    achieved = filing.results.achieved
    if achieved is None:
        yield Hit(filing.at(RESULTS_KEY), f"“{RESULTS_KEY}”下没有“{pack.goal.key}”（{pack.goal.label}的实际完成情况）")
    elif not achieved.strip():
        yield Hit(filing.value_at(RESULTS_KEY, pack.goal.key), f"“{pack.goal.key}”是空的")


@rule(
    "result.money-missing",
    Severity.ERROR,
    "项目资金缺少预算数或执行数",
    "自评表的项目资金每一项都要写全年预算数和全年执行数（万元）：执行率 = 全年执行数 / 全年预算数。"
    "缺少时无法计算预算执行率的得分。",
    draft_tolerant=True,
)
def money_missing(filing, form):
    card, pack = _scored(filing, form)
    if card is None:
        return
    results = filing.results
    needed = [pack.funds.amount_key("budget"), pack.funds.amount_key("spent")]
    for item in form.funds.items:
        found = results.money_item(item.key)
        if found is None:
            yield Hit(
                filing.at(RESULTS_KEY, pack.funds.key), f"“{RESULTS_KEY} → {pack.funds.key}”下没有“{item.key}”（写{'、'.join(needed)}）",
            )
            continue
        for key in needed:
            if key not in found.texts:
                yield Hit(filing.at(*found.path), f"“{item.key}”没有写{key}")
            elif found.amount(key) is None:
                yield Hit(_value_at(filing, found.path, key), f"“{item.key}”的{key}是空的")


def _total_item(form):
    return form.funds.total[0] if len(form.funds.total) == 1 else ""


@rule(
    "result.over-budget",
    Severity.ERROR,
    "全年执行数超过全年预算数",
    "一项资金的全年执行数不能超过它的全年预算数：多支出的部分没有预算。多半是数字写错，或预算调整后没有改全年预算数。"
    "（资金总额的执行率超过 100% 由 result.rate-over 报告。）",
)
def over_budget(filing, form):
    card, pack = _scored(filing, form)
    if card is None:
        return
    budget_key, spent_key = pack.funds.amount_key("budget"), pack.funds.amount_key("spent")
    for item in filing.results.money:
        if item.key == _total_item(form):
            continue
        budget, spent = item.amount(budget_key), item.amount(spent_key)
        if budget is not None and spent is not None and spent > budget:
            yield Hit(
                _value_at(filing, item.path, spent_key),
                f"“{item.key}”的{spent_key} {plain(spent)} 万元超过{budget_key} {plain(budget)} 万元",
            )


@rule(
    "result.rate-over",
    Severity.ERROR,
    "预算执行率超过 100%",
    "预算执行率 = 全年执行数 / 全年预算数（项目资金总额），不会超过 100%；超过时多半是全年预算数没有按调整后的预算填写。"
    "得分最多为预算执行率的分值。",
)
def rate_over(filing, form):
    card, pack = _scored(filing, form)
    if card is None:
        return
    execution = card.execution
    if execution.rate is not None and execution.spent > execution.budget:
        item = filing.results.money_item(form.funds.total[0])
        position = _value_at(filing, item.path, pack.funds.amount_key("spent")) if item else filing.at(RESULTS_KEY)
        yield Hit(
            position,
            f"执行率 {plain(execution.rate)}% 超过 100%（{form.funds.total_label}：全年执行数 {plain(execution.spent)} 万元，"
            f"全年预算数 {plain(execution.budget)} 万元）",
        )


@rule(
    "result.unit",
    Severity.ERROR,
    "实际完成值的单位与指标值不同",
    "定量指标按实际完成值与指标值的比例计分，两者的单位必须相同（万元和元可以换算）。"
    "“个”和“项”、“次”和“人次”、只写数字没有单位，都无法比较，这个指标不计分。请按指标值的单位填写实际完成值。",
)
def unit(filing, form):
    for score, pack in _indicator_scores(filing, form):
        if score.unit_mismatch:
            yield Hit(_value_at(filing, score.result.path, pack.indicators.result_key("actual")),
                      f"“{score.name}”：{score.reason}（指标值“{score.target}”，实际完成值“{score.actual}”）")


@rule(
    "result.unscored",
    Severity.WARNING,
    "指标的得分无法计算",
    "jixiao 按自评表样的规则计算得分：定量指标按比例，完成时限按是否按时，定性指标按评价档次。"
    "无法计算、填报人也没有写“得分”时（实际完成值不是数值、定性指标没有评价档次、档次的得分要由填报人确定……）"
    "说明原因，总分缺这一项；写了得分时按填报的得分计。",
)
def unscored(filing, form):
    for score, pack in _indicator_scores(filing, form):
        result = score.result
        if result is None or not result.actual.strip() or score.unit_mismatch or score.score is not None:
            continue  # no result and unit mismatches have rules of their own; a stated score is the filer's call
        yield Hit(_value_at(filing, result.path, pack.indicators.result_key("actual")), f"“{score.name}”：{score.reason}")


@rule(
    "result.score-over-points",
    Severity.ERROR,
    "得分超过分值",
    "一个指标的得分在 0 和它的分值之间；超过分值（或是负数、不是数字）的得分不计入总分。",
)
def score_over_points(filing, form):
    for score, pack in _indicator_scores(filing, form):
        key = pack.indicators.result_key("score")
        result = score.result
        if result is None or not result.score.strip():
            continue
        stated = parse_decimal(result.score)
        if stated is None or not Decimal(0) <= stated <= score.points:
            yield Hit(_value_at(filing, result.path, key), f"“{score.name}”的{key}“{result.score}”不在 0 到分值 {plain(score.points)} 之间")


@rule(
    "result.score-outside-band",
    Severity.ERROR,
    "定性指标的得分不在评价档次的范围内",
    "定性指标按完成情况分三档（如达成年度指标 / 部分达成年度指标并具有一定效果 / 未达成年度指标且效果较差），"
    "每一档的得分在分值的一定比例之间（如 100%–80%、80%–60%、60%–0%）。填写的得分要落在所选档次的范围内。",
)
def score_outside_band(filing, form):
    for score, pack in _indicator_scores(filing, form):
        key = pack.indicators.result_key("score")
        band = pack.band(score.band) if score.band else None
        if score.method != QUALITATIVE or band is None or score.stated is None or score.stated > score.points:
            continue
        if not band.contains(score.stated, score.points):
            yield Hit(_value_at(filing, score.result.path, key), f"“{score.name}”：{score.reason}")


@rule(
    "result.band-differs",
    Severity.WARNING,
    "评价档次与计算出的得分不符",
    "定量指标和完成时限按规则计分，不用评价档次；写了评价档次而计算出的得分不在这一档的范围内时，档次或实际完成值可能写错了。",
)
def band_differs(filing, form):
    for score, pack in _indicator_scores(filing, form):
        band = pack.band(score.band) if score.band else None
        if score.method == QUALITATIVE or band is None or score.computed is None:
            continue
        if not band.contains(score.computed, score.points):
            yield Hit(
                _value_at(filing, score.result.path, pack.indicators.result_key("band")),
                f"“{score.name}”按规则得 {plain(score.computed)} 分（{score.method}），不在评价档次“{band.label}”的范围内",
            )


@rule(
    "result.score-differs",
    Severity.WARNING,
    "填写的得分与按规则计算的不同",
    "定量指标的得分 = 实际完成值 / 指标值 × 分值（反向指标为指标值 / 实际完成值 × 分值），最多为分值；按时完成得满分，"
    "逾期得 0 分。填写的得分与计算结果不同时，总分按计算结果；确有理由时可以忽略这一条。",
)
def score_differs(filing, form):
    for score, pack in _indicator_scores(filing, form):
        key = pack.indicators.result_key("score")
        if score.method == QUALITATIVE or score.computed is None or score.stated is None or score.stated == score.computed:
            continue
        if not Decimal(0) <= score.stated <= score.points:
            continue  # result.score-over-points says so
        yield Hit(
            _value_at(filing, score.result.path, key),
            f"“{score.name}”填写的{key} {plain(score.stated)} 与按规则计算的 {plain(score.computed)} 不同"
            f"（{score.method}：指标值“{score.target}”，实际完成值“{score.actual}”，分值 {plain(score.points)}）",
        )


@rule(
    "result.reason-missing",
    Severity.WARNING,
    "得分低于分值但没有写偏差原因",
    "自评表要求对没有达到目标的指标写明“偏差原因分析及改进措施”；得分低于分值的指标这一栏不能空着。",
    draft_tolerant=True,
)
def reason_missing(filing, form):
    for score, pack in _indicator_scores(filing, form):
        key = pack.indicators.result_key("reason")
        result = score.result
        if result is not None and score.score is not None and score.score < score.points and not result.reason.strip():
            yield Hit(
                filing.at(*result.path),
                f"“{score.name}”得 {plain(score.score)} 分，低于分值 {plain(score.points)} 分，请写{key}",
            )


@rule(
    "result.weights",
    Severity.ERROR,
    "指标的分值与自评表样的权重不符",
    "自评表样给各部分指标一个分值（如产出指标 50 分、效益指标 30 分、满意度指标 10 分），没有写分值的指标平均分配剩下的分值。"
    "写了的分值加起来超过权重，或全部写了却不等于权重，或某一部分没有任何指标时，总分不再是表样的满分。",
)
def weights(filing, form):
    card, pack = _scored(filing, form)
    if card is None:
        return
    position = filing.at(RESULTS_KEY, pack.indicators.key)
    if message := uncovered(form, pack):  # a pack named in the section, not checked as a pairing
        yield Hit(filing.at(RESULTS_KEY), f"{message}；这些指标不计分")
    for share in card.weights:
        weight = share.weight
        if share.indicators == 0:
            yield Hit(position, f"{weight.label}的 {plain(weight.points)} 分没有指标可以分配；总分最多 {plain(pack.total_points - weight.points)} 分")
        elif share.filed > weight.points or share.points != weight.points:
            yield Hit(position, f"{weight.label}下各指标的分值合计 {plain(share.points)} 分，应为 {plain(weight.points)} 分")


@rule(
    "result.total-differs",
    Severity.ERROR,
    "填写的总分与计算的不同",
    "总分 = 预算执行率的得分 + 各指标的得分。填写的总分与 jixiao 按规则算出的不同时，请核对各项得分。"
    "（有指标的得分无法计算时不比较。）",
)
def total_differs(filing, form):
    card, pack = _scored(filing, form)
    if card is None or card.stated_total is None or not card.complete:
        return
    if card.stated_total != card.total:
        yield Hit(
            filing.value_at(RESULTS_KEY, pack.total_label),
            f"{pack.total_label} {plain(card.stated_total)} 与计算的 {plain(card.total)} 不同"
            f"（{pack.execution_label} {plain(card.execution.score)} + 各指标 {plain(card.total - card.execution.score)}）",
        )
