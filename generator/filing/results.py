"""The year-end results of a filing (its 自评 section) as plain dataclasses.

Built from a schema-valid tree, like the filing model: text exactly as typed, amounts as Decimal
(万元, the same parsing as the filing's money), every entry with the path of its key so that rules
point at its line. Which keys mean what comes from the 自评 pack. See docs/selfeval.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ..forms.definition import FormDefinition
from ..forms.selfeval import PACK_KEY, RESULTS_KEY, SelfEvaluation

if TYPE_CHECKING:
    from .model import Filing


@dataclass(frozen=True)
class MoneyResult:
    """One money item of the target pack in the 项目资金 grid: its amounts by role, as typed and parsed."""

    key: str  # the money item's key (年度资金总额 ...), as in the filing's 项目资金
    texts: dict[str, str]  # amount key of the pack (年初预算数 ...) → as typed; absent keys are missing
    amounts: dict[str, Decimal | None]  # amount key → 万元; None for a blank or what is not an amount
    path: tuple[str, ...]  # of the item's key in the filing

    def amount(self, key: str) -> Decimal | None:
        return self.amounts.get(key)


@dataclass(frozen=True)
class IndicatorResult:
    """The result of one 三级指标, addressed by the same 一级/二级/三级 path as its target."""

    level: str
    group: str
    name: str
    actual: str  # 实际完成值 as typed ("" when not filed)
    reason: str  # 偏差原因分析及改进措施
    points: str  # 分值 as typed ("" when the weights are spread)
    score: str  # the filer's 得分 ("" when not stated)
    band: str  # 评价档次 of a qualitative indicator ("" when not stated)
    filed: frozenset[str]  # the roles (RESULT_ROLES) whose keys were written
    path: tuple[str, ...]  # of the 三级 key in the filing

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.level, self.group, self.name)


@dataclass(frozen=True)
class Results:
    """A filing's 自评 section. `pack` is None when no usable 自评 pack applies (`problem` says why)."""

    pack: SelfEvaluation | None
    problem: str  # why there is no pack ("" when there is one)
    pack_named: str  # the 表样 written in the section ("" when the target pack's pairing applies)
    fields: dict[str, str]  # the pack's own header fields filed in the section, as typed
    money: tuple[MoneyResult, ...]  # in the section's order
    achieved: str | None  # 实际完成情况 as typed; None when not filed
    indicators: tuple[IndicatorResult, ...]  # in file order
    total: str  # the filer's 总分 ("" when not stated)

    def money_item(self, key: str) -> MoneyResult | None:
        return next((m for m in self.money if m.key == key), None)

    def indicator(self, level: str, group: str, name: str) -> IndicatorResult | None:
        return next((r for r in self.indicators if r.key == (level, group, name)), None)


def parse_decimal(text: str) -> Decimal | None:
    """A number as typed (分值, 得分, 总分): None for a blank or anything that is not a finite number."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _amount(text: str) -> Decimal | None:
    from .model import parse_amount  # the filing's own money parsing: 150, 52.5, 20万元

    try:
        return parse_amount(text)
    except InvalidOperation:
        return None


def _indicator(level: str, group: str, name: str, raw: Any, pack: SelfEvaluation, path: tuple) -> IndicatorResult:
    keys = pack.indicators.result_keys
    if not isinstance(raw, dict):  # a bare value is the 实际完成值
        raw = {keys["actual"]: "" if raw is None else raw}
    texts = {role: str(raw.get(key, "")) for role, key in keys.items()}
    return IndicatorResult(
        level, group, name, texts["actual"], texts["reason"], texts["points"], texts["score"], texts["band"],
        frozenset(role for role, key in keys.items() if key in raw), path,
    )


def build_results(data: dict, form: FormDefinition, pack: SelfEvaluation | None, problem: str = "") -> Results:
    """The results of a schema-valid filing tree that has a RESULTS_KEY section."""
    section = data.get(RESULTS_KEY)
    section = section if isinstance(section, dict) else {}
    named = str(section.get(PACK_KEY, "") or "")
    if pack is None:
        return Results(None, problem, named, {}, (), None, (), "")
    root = (RESULTS_KEY,)
    fields = {f.key: str(section[f.key]) for f in pack.fields if f.key in section}
    money_raw = section.get(pack.funds.key)
    money = tuple(
        MoneyResult(
            str(key),
            {k: str(v) for k, v in value.items()} if isinstance(value, dict) else {},
            {k: _amount(str(v)) for k, v in value.items()} if isinstance(value, dict) else {},
            (*root, pack.funds.key, str(key)),
        )
        for key, value in (money_raw.items() if isinstance(money_raw, dict) else ())
    )
    indicators = []
    tree = section.get(pack.indicators.key)
    for level, groups in (tree.items() if isinstance(tree, dict) else ()):
        for group, rows in (groups.items() if isinstance(groups, dict) else ()):
            for name, raw in (rows.items() if isinstance(rows, dict) else ()):
                path = (*root, pack.indicators.key, str(level), str(group), str(name))
                indicators.append(_indicator(str(level), str(group), str(name), raw, pack, path))
    achieved = str(section[pack.goal.key]) if pack.goal.key in section else None
    return Results(
        pack, "", named, fields, money, achieved, tuple(indicators), str(section.get(pack.total_label, "") or ""),
    )


def header_values(filing: Filing, form: FormDefinition) -> dict[str, str]:
    """What the 自评表 prints in each of its pack's header fields: the section's value, else the filing's
    field its `source` names (name / department / unit: the target pack's fields for them), as typed."""
    results = filing.results
    if results is None or results.pack is None:
        return {}
    roles = {"name": form.name_field, "department": form.department_field, "unit": form.unit_field}
    values = {}
    for spec in results.pack.fields:
        source = results.pack.sources.get(spec.key, "")
        own = results.fields.get(spec.key, "")
        taken = filing.fields.get(roles.get(source, source), "") if source else ""
        values[spec.key] = taken if source in roles else own if own.strip() or not source else taken
    return values
