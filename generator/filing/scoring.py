"""Scores of a filing's year-end results (自评), computed exactly as docs/selfeval.md §4 states.

Pure functions over the filing model and its 自评 pack: Decimal throughout, every score rounded once
as the pack says, the total the exact sum of the rounded parts. Where a score cannot be computed the
reason is said in Chinese and the filer's stated score is used if there is one.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from ..forms.definition import FormDefinition
from ..forms.selfeval import HUNDRED, Band, Scoring, SelfEvaluation, Weight
from .model import Filing
from .results import IndicatorResult, Results, parse_decimal
from .values import EQ, LE, LT, MONEY_UNITS, Quantity, Timing, Value, parse_value

ZERO = Decimal(0)
ONE = Decimal(1)
SCALES = {"万": Decimal(10000), "千": Decimal(1000), "百": Decimal(100), "亿": Decimal(100000000)}
FORWARD, BACKWARD, DEADLINE, QUALITATIVE = "正向", "反向", "时效", "定性"
POINTS_FILED, POINTS_TARGET, POINTS_SPREAD = "分值", "指标分值", "分配"
_WITHIN = ("内", "以内", "之内")


@dataclass(frozen=True)
class ExecutionScore:
    budget: Decimal | None  # A: 全年预算数 summed over the target's total items
    spent: Decimal | None  # B: 全年执行数, likewise
    rate: Decimal | None  # B/A in percent, rounded as the pack says
    points: Decimal
    score: Decimal | None  # None when it cannot be computed
    reason: str  # why not ("" when computed)
    items: tuple[str, ...]  # the money items summed


@dataclass(frozen=True)
class IndicatorScore:
    level: str
    group: str
    name: str
    target: str  # the 指标值 as filed
    actual: str  # the 实际完成值 as filed ("" when none)
    points: Decimal  # the indicator's 分值
    points_from: str  # POINTS_FILED / POINTS_TARGET / POINTS_SPREAD
    method: str  # FORWARD / BACKWARD / DEADLINE / QUALITATIVE
    computed: Decimal | None  # the rule's score
    stated: Decimal | None  # the filer's 得分 when it is a number
    score: Decimal | None  # what counts: computed, else a usable stated score, else None
    band: str
    reason: str  # why the rule gave no score ("" when it did)
    unit_mismatch: bool  # the actual's unit is not the target's (reason says which)
    result: IndicatorResult | None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.level, self.group, self.name)


@dataclass(frozen=True)
class WeightShare:
    weight: Weight
    points: Decimal  # the 分值 its indicators got, added up
    indicators: int
    filed: Decimal  # the part of `points` given by the filer or the target (not spread)


@dataclass(frozen=True)
class Scorecard:
    pack: SelfEvaluation
    execution: ExecutionScore
    indicators: tuple[IndicatorScore, ...]  # the targets, in file order
    weights: tuple[WeightShare, ...]
    unmatched: tuple[IndicatorResult, ...]  # results for no target
    total: Decimal  # execution + indicators, the known parts
    stated_total: Decimal | None
    complete: bool  # every part known

    def level_points(self, level: str) -> Decimal:
        """The 分值 of a 一级's indicators added up (printed in its cell: 产出指标(50分))."""
        return sum((s.points for s in self.indicators if s.level == level), ZERO)

    def indicator(self, level: str, group: str, name: str) -> IndicatorScore | None:
        return next((s for s in self.indicators if s.key == (level, group, name)), None)


def plain(value: Decimal) -> str:
    """A Decimal as printed, without an exponent: 50, 16.67, 0.50."""
    return format(value, "f")


def printed_total(card: Scorecard) -> str:
    """The 总分 the 自评表, the index and the 汇总表 print: the computed total when every part is known,
    else the filer's stated 总分, else nothing."""
    if card.complete:
        return plain(card.total)
    return plain(card.stated_total) if card.stated_total is not None else ""


# -- execution ---------------------------------------------------------------------------------------


def execution_score(budget: Decimal | None, spent: Decimal | None, points: Decimal, scoring: Scoring,
                    items: tuple[str, ...] = ()) -> ExecutionScore:
    """执行率 = B/A; score = min(B/A, 1) × points."""
    def without(reason: str) -> ExecutionScore:
        return ExecutionScore(budget, spent, None, scoring.round(points), None, reason, items)

    if budget is None:
        return without("没有填写全年预算数，无法计算执行率")
    if spent is None:
        return without("没有填写全年执行数，无法计算执行率")
    if budget <= 0:
        return without(f"全年预算数为 {plain(budget)} 万元，无法计算执行率")
    if spent < 0:
        return without(f"全年执行数 {plain(spent)} 万元是负数")
    ratio = spent / budget
    return ExecutionScore(
        budget, spent, scoring.round(ratio * HUNDRED), scoring.round(points), scoring.round(min(ratio, ONE) * points), "", items,
    )


def _execution(results: Results, form: FormDefinition, pack: SelfEvaluation) -> ExecutionScore:
    budget_key, spent_key = pack.funds.amount_key("budget"), pack.funds.amount_key("spent")
    budget = spent = ZERO
    missing_budget = missing_spent = False
    for key in form.funds.total:
        item = results.money_item(key)
        amount_a = item.amount(budget_key) if item else None
        amount_b = item.amount(spent_key) if item else None
        missing_budget |= amount_a is None
        missing_spent |= amount_b is None
        budget += amount_a or ZERO
        spent += amount_b or ZERO
    return execution_score(
        None if missing_budget else budget, None if missing_spent else spent, pack.execution_points, pack.scoring,
        tuple(form.funds.total),
    )


# -- points --------------------------------------------------------------------------------------------


def spread(points: Decimal, count: int, scoring: Scoring) -> list[Decimal]:
    """`points` shared equally by `count` indicators: each the share rounded down to the pack's decimals,
    the remainder one unit of the last decimal each to the first ones. Adds up to `points` exactly."""
    if count <= 0:
        return []
    quantum = scoring.quantum
    share = (points / count).quantize(quantum, rounding=ROUND_DOWN)
    if share < 0:
        share = ZERO
    left = points - share * count
    units = int((left / quantum).to_integral_value(rounding=ROUND_DOWN)) if left > 0 else 0
    return [share + quantum if index < units else share for index in range(count)]


# -- one indicator ---------------------------------------------------------------------------------------


def _unit_factor(target_unit: str, actual_unit: str) -> Decimal | None:
    """What multiplies an actual in `actual_unit` into `target_unit`; None when they are not the same kind."""
    if target_unit == actual_unit:
        return ONE
    base_t, base_a = target_unit.split("/")[0], actual_unit.split("/")[0]
    rest_t, rest_a = target_unit[len(base_t):], actual_unit[len(base_a):]
    if rest_t != rest_a:
        return None
    if base_t in MONEY_UNITS and base_a in MONEY_UNITS:
        return MONEY_UNITS[base_a] / MONEY_UNITS[base_t]

    def scaled(unit: str) -> tuple[Decimal, str]:
        return (SCALES[unit[0]], unit[1:]) if len(unit) > 1 and unit[0] in SCALES else (ONE, unit)

    (scale_t, plain_t), (scale_a, plain_a) = scaled(base_t), scaled(base_a)
    return scale_a / scale_t if plain_t == plain_a and plain_t else None


def _as_quantity(value: Value) -> Quantity | None:
    """A quantity, or a duration (20日内, 12个月) read as one: 内 is an upper bound."""
    if isinstance(value, Quantity):
        return value
    if isinstance(value, Timing) and value.kind == "duration" and value.amount is not None:
        operator = LE if value.operator in _WITHIN else value.operator
        return Quantity(operator, value.amount, value.unit)
    return None


def quantity_score(target: Quantity | Timing, actual: Quantity | Timing, points: Decimal, cost: bool,
                   scoring: Scoring) -> tuple[Decimal | None, str, str, bool]:
    """(score, method, reason, unit mismatch) of a quantified target (or a duration): 正向 min(B/A,1) × 分值,
    反向 min(A/B,1) × 分值."""
    target, actual = _as_quantity(target), _as_quantity(actual)
    backward = target.operator in (LE, LT) or (not target.operator and cost) or (target.operator == EQ and target.number == 0)
    method = BACKWARD if backward else FORWARD
    factor = _unit_factor(target.unit, actual.unit)
    if factor is None:
        got = f"“{actual.unit}”" if actual.unit else "没有单位"
        want = f"“{target.unit}”" if target.unit else "没有单位"
        return None, method, f"实际完成值的单位{got}与指标值的单位{want}不同，无法比较", True
    goal, done = target.number, actual.number * factor
    if goal < 0 or done < 0:
        return None, method, "指标值或实际完成值是负数，无法按比例计分", False
    if backward:
        ratio = ONE if done == 0 else goal / done
    else:
        ratio = ONE if goal == 0 else done / goal
    return scoring.round(min(ratio, ONE) * points), method, "", False


def _last_day(year: int, month: int, day: int | None) -> datetime.date:
    return datetime.date(year, month, day or calendar.monthrange(year, month)[1])


def deadline_score(target: Timing, actual: Value, points: Decimal, year: int) -> tuple[Decimal | None, str]:
    """(score, reason) of a deadline: done on or before it = full 分值, late = 0."""
    if not isinstance(actual, Timing) or actual.kind not in ("date", "month"):
        return None, "实际完成值不是日期，无法与完成时限比较"
    due = _last_day(target.year or year, target.month, target.day)
    done_year = actual.year or year
    if actual.kind == "date":
        done = datetime.date(done_year, actual.month, actual.day)
        return (points if done <= due else ZERO), ""
    # An actual month: on time when the month ends by the deadline, late when it starts after it.
    if _last_day(done_year, actual.month, None) <= due:
        return points, ""
    if datetime.date(done_year, actual.month, 1) > due:
        return ZERO, ""
    return None, "实际完成值只写到月份，与完成时限在同一个月，无法判断是否按时；请写明日期"


def band_score(band: Band, points: Decimal, stated: Decimal | None, scoring: Scoring) -> tuple[Decimal | None, str]:
    """(score, reason) of a qualitative indicator in `band`: the stated score if it lies in the band,
    else the band's default percent of the 分值; None (and why) otherwise."""
    low, high = band.low * points / HUNDRED, band.high * points / HUNDRED
    if stated is not None:
        if low <= stated <= high:
            return stated, ""
        return None, f"得分 {plain(stated)} 不在评价档次“{band.label}”的范围 {plain(scoring.round(low))}–{plain(scoring.round(high))} 分之内"
    if band.default is not None:
        return scoring.round(band.default * points / HUNDRED), ""
    return None, (f"评价档次“{band.label}”的得分由填报人确定：请在 {plain(scoring.round(low))} 到 "
                  f"{plain(scoring.round(high))} 分（分值的 {plain(band.low)}%–{plain(band.high)}%）之间填写得分")


def _rule_score(target_text: str, result: IndicatorResult | None, points: Decimal, cost: bool, pack: SelfEvaluation,
                year: int) -> tuple[Decimal | None, str, str, bool]:
    """(computed, method, reason, unit mismatch) of one indicator."""
    actual_text = result.actual if result else ""
    stated = parse_decimal(result.score) if result and result.score.strip() else None  # inside a band, it is the score
    band = pack.band(result.band) if result and result.band.strip() else None
    target = parse_value(target_text)
    quantity = _as_quantity(target)
    method = QUALITATIVE
    if quantity is not None or (isinstance(target, Timing) and target.kind in ("date", "month")):
        if not actual_text.strip():
            method = DEADLINE if quantity is None else (BACKWARD if quantity.operator in (LE, LT) else FORWARD)
            return None, method, "没有填写实际完成值", False
        actual = parse_value(actual_text)
        if quantity is not None:
            actual_quantity = _as_quantity(actual)
            if actual_quantity is not None:
                return quantity_score(quantity, actual_quantity, points, cost, pack.scoring)
            method = BACKWARD if quantity.operator in (LE, LT) or (cost and not quantity.operator) else FORWARD
            reason = f"实际完成值“{actual_text}”不是数值，无法与指标值“{target_text}”比较"
        else:
            method = DEADLINE
            score, reason = deadline_score(target, actual, points, year)
            if score is not None:
                return score, method, "", False
        if band is None:
            return None, method, reason, False
        # The filer judged it by a band instead: scored like a qualitative indicator.
    if band is None:
        if result and result.band.strip():
            return None, QUALITATIVE, f"“{result.band}”不是评价档次", False
        kind = "是期间" if isinstance(target, Timing) else "是文字（定性）"
        return None, QUALITATIVE, f"指标值“{target_text}”{kind}，请填写评价档次（{'、'.join(b.label for b in pack.bands)}）", False
    score, reason = band_score(band, points, stated, pack.scoring)
    return score, QUALITATIVE, reason, False


# -- the filing -------------------------------------------------------------------------------------


def score_filing(filing: Filing, form: FormDefinition) -> Scorecard | None:
    """The scorecard of a filing with results and a usable 自评 pack; None otherwise."""
    results = filing.results
    if results is None or results.pack is None:
        return None
    pack = results.pack
    rows = []  # (group, indicator, level role, group role, result)
    for group in filing.groups:
        level_spec, group_spec = form.level(group.level), form.group(group.level, group.name)
        for indicator in group.indicators:
            rows.append((group, indicator, level_spec.role if level_spec else "other",
                         group_spec.role if group_spec else "other", results.indicator(group.level, group.name, indicator.name)))
    # 分值: the result's, else the target's own column, else spread over what is left of the weight.
    given: list[tuple[Decimal | None, str]] = []
    for group, indicator, _, _, result in rows:
        filed = parse_decimal(result.points) if result and result.points.strip() else None
        if filed is not None and filed >= 0:
            given.append((filed, POINTS_FILED))
            continue
        own = parse_decimal(indicator.detail(form.indicators.score)) if form.indicators.score else None
        given.append((own, POINTS_TARGET) if own is not None and own >= 0 else (None, POINTS_SPREAD))
    points: list[Decimal] = [ZERO] * len(rows)
    shares = []
    for weight in pack.weights:
        members = [i for i, (_, _, level_role, group_role, _) in enumerate(rows) if pack.weight_for(level_role, group_role) is weight]
        fixed = sum((given[i][0] for i in members if given[i][0] is not None), ZERO)
        open_ = [i for i in members if given[i][0] is None]
        for i in members:
            if given[i][0] is not None:
                points[i] = pack.scoring.round(given[i][0])
        for i, share in zip(open_, spread(max(weight.points - fixed, ZERO), len(open_), pack.scoring)):
            points[i] = share
        shares.append(WeightShare(weight, sum((points[i] for i in members), ZERO), len(members), fixed))
    scores = []
    for index, (group, indicator, _, group_role, result) in enumerate(rows):
        cost = group_role == "cost"
        computed, method, reason, mismatch = _rule_score(indicator.value, result, points[index], cost, pack, filing.year)
        computed = None if computed is None else pack.scoring.round(computed)
        stated = parse_decimal(result.score) if result and result.score.strip() else None
        usable = stated if stated is not None and ZERO <= stated <= points[index] else None
        scores.append(IndicatorScore(
            group.level, group.name, indicator.name, indicator.value, result.actual if result else "",
            points[index], given[index][1], method, computed, stated, computed if computed is not None else usable,
            result.band if result else "", reason, mismatch, result,
        ))
    targets = {(g.level, g.name, i.name) for g, i, *_ in rows}
    unmatched = tuple(r for r in results.indicators if r.key not in targets)
    execution = _execution(results, form, pack)
    parts = [execution.score, *(s.score for s in scores)]
    total = sum((p for p in parts if p is not None), ZERO)
    stated_total = parse_decimal(results.total) if results.total.strip() else None
    return Scorecard(pack, execution, tuple(scores), tuple(shares), unmatched, total, stated_total,
                     all(p is not None for p in parts))

