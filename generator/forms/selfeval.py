"""Self-evaluation packs (项目支出绩效自评表, templates/<id>/form.yaml with `kind: self-evaluation`) as dataclasses.

A 自评 pack describes the printed 自评表 and how its scores are computed: the money grid's columns
and the points of budget execution (预算执行率), the weights of the indicators per 一级, the bands of
qualitative indicators, the rounding. It pairs with target packs (a target pack names it in
`self_evaluation`); the filing's results sit under one top-level key, RESULTS_KEY. `selfeval_pack.py`
reads and validates the file; this module only holds the result. See docs/selfeval.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path

from .definition import Field

KIND = "self-evaluation"  # the `kind` of a 自评 pack's form.yaml; target packs have none
# The filing's section with the results. One name for every 自评 pack: the section names its pack
# (表样 inside it), so the key must be known before the pack is.
RESULTS_KEY = "自评"
PACK_KEY = "表样"  # inside the section: another 自评 pack than the target pack's pairing
ROUNDINGS = {"half-up": ROUND_HALF_UP, "half-even": ROUND_HALF_EVEN, "down": ROUND_DOWN}
# What a field of the 自评表 header takes from the filing when the section does not give it.
SOURCES = ("name", "department", "unit")
AMOUNT_ROLES = ("planned", "budget", "spent")  # 年初预算数, 全年预算数 (A), 全年执行数 (B)
FUNDS_SHOWS = ("amount", "points", "rate", "score")
INDICATOR_SHOWS = ("level", "group", "name", "target", "actual", "points", "score", "reason", "band")
RESULT_ROLES = ("actual", "reason", "points", "score", "band")  # the keys of one indicator's result
DEFAULT_RESULT_KEYS = {
    "actual": "实际完成值", "reason": "偏差原因分析及改进措施", "points": "分值", "score": "得分", "band": "评价档次",
}
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class FundsColumn:
    label: str  # printed heading
    show: str  # one of FUNDS_SHOWS
    key: str = ""  # for an amount: the key of the amount in the filing (年初预算数 ...)
    role: str = ""  # for an amount: one of AMOUNT_ROLES


@dataclass(frozen=True)
class FundsGrid:
    """The 项目资金(万元) grid of the 自评表: one row per money item of the target pack, these columns."""

    key: str  # the section's key holding the amounts (项目资金)
    label: str  # the printed row label
    columns: tuple[FundsColumn, ...]
    total_label: str  # the row printed when the target's total is a sum of items (合计)

    def amount_key(self, role: str) -> str:
        return next((c.key for c in self.columns if c.role == role), "")


@dataclass(frozen=True)
class GoalRow:
    """年度总体目标 | 预期目标 | 实际完成情况: the target's annual goal beside the filed outcome."""

    key: str  # the section's key of the outcome (实际完成情况)
    label: str  # the row label (年度总体目标)
    target_label: str  # heading of the target's goal (预期目标)
    actual_label: str  # heading of the outcome (实际完成情况)


@dataclass(frozen=True)
class Weight:
    """Points of a part of the indicators. An indicator belongs to the first weight naming its 二级's
    role, else the first naming its 一级's role (roles of the target pack: output, cost, satisfaction ...)."""

    label: str  # printed (产出指标)
    roles: tuple[str, ...]
    points: Decimal


@dataclass(frozen=True)
class Band:
    """A qualitative band: scored between `low` and `high` percent of the indicator's 分值."""

    label: str
    low: Decimal
    high: Decimal
    default: Decimal | None = None  # percent scored when the filer states no score; None: the filer must

    def contains(self, score: Decimal, points: Decimal) -> bool:
        return self.low * points / HUNDRED <= score <= self.high * points / HUNDRED


@dataclass(frozen=True)
class IndicatorGrid:
    key: str  # the section's key of the indicator results (绩效指标)
    label: str  # the label cell left of the grid
    columns: tuple[tuple[str, str], ...]  # (heading, show) with show in INDICATOR_SHOWS
    level_label: str  # how a 一级 cell prints: "{name}({points}分)"
    result_keys: dict[str, str]  # role (RESULT_ROLES) → the key in the filing (实际完成值 ...)

    def result_key(self, role: str) -> str:
        return self.result_keys[role]


@dataclass(frozen=True)
class Scoring:
    decimals: int  # scores are rounded to this many decimals (default 2)
    rounding: str  # a key of ROUNDINGS

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.decimals)

    def round(self, value: Decimal) -> Decimal:
        return value.quantize(self.quantum, rounding=ROUNDINGS[self.rounding])


@dataclass(frozen=True)
class SelfEvaluation:
    id: str
    name: str
    office: str
    years: str
    features: tuple[str, ...]
    directory: Path
    orientation: str
    title: str
    year_line: str
    above_grid: tuple[str, str]
    fields: tuple[Field, ...]  # the header fields of the 自评表 (see `sources`)
    sources: dict[str, str]  # field key → SOURCES entry or a target field key its value comes from
    boxes: dict[str, tuple[str, str]]  # option field key → (unticked, ticked) when it prints as tick boxes
    layout: tuple[tuple[str, ...], ...]  # header rows: field keys, or ("funds",) / ("goal",)
    funds: FundsGrid
    execution_label: str  # 预算执行率
    execution_points: Decimal
    goal: GoalRow
    indicators: IndicatorGrid
    weights: tuple[Weight, ...]
    total_label: str  # 总分
    total_points: Decimal
    bands: tuple[Band, ...]  # best first
    scoring: Scoring
    note: str
    footer: tuple[str, ...]  # lines below the grid; {field key} placeholders
    signature: tuple[str, ...]  # the signature block, one label each (单位负责人签字: ...)

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)

    def band(self, label: str) -> Band | None:
        return next((b for b in self.bands if b.label == label), None)

    def weight_for(self, level_role: str, group_role: str) -> Weight | None:
        return next((w for w in self.weights if group_role in w.roles), None) or next(
            (w for w in self.weights if level_role in w.roles), None,
        )

    def printed(self, text: str, year: int, fields: dict[str, str]) -> str:
        values = {**fields, "年度": str(year), "year": str(year)}
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)

    @property
    def result_key_order(self) -> tuple[str, ...]:
        """One indicator's result keys in the order of the indicator columns (fmt's order); a key the pack
        prints no column for (评价档次 in the shipped packs) just before 得分, the score it decides."""
        printed = [show for _, show in self.indicators.columns if show in RESULT_ROLES]
        at = printed.index("score")
        roles = [*printed[:at], *(role for role in RESULT_ROLES if role not in printed), *printed[at:]]
        return tuple(self.indicators.result_key(role) for role in roles)

    @property
    def section_keys(self) -> tuple[str, ...]:
        """The keys the results section may have, in the order the 自评表 prints them."""
        own = [f.key for f in self.fields if self.sources.get(f.key) not in SOURCES]
        return (PACK_KEY, *own, self.funds.key, self.goal.key, self.indicators.key, self.total_label)


_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
