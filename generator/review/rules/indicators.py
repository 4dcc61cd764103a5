"""Shared helpers of the indicator rules: walk the filed indicators with their form group."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ...filing.model import Filing, Group, Indicator
from ...filing.values import Value, parse_value
from ...forms.definition import FormDefinition, GroupSpec

PLACEHOLDERS = frozenset({"0", "无", "/", "-", "—", "－", "——", "暂无", "没有", "无此项", "不涉及"})
PRODUCT, EFFECT, SATISFACTION = "产出指标", "效益指标", "满意度指标"
COST, TIMELINESS = "成本指标", "时效指标"


@dataclass(frozen=True)
class Placed:
    group: Group
    spec: GroupSpec
    indicator: Indicator
    is_placeholder: bool  # a row filled with 0 / 无 / / instead of a real indicator or value

    @property
    def value(self) -> Value:
        return parsed(self.indicator.value)


@cache
def parsed(text: str) -> Value:
    return parse_value(text)


_LAST: list = [None, []]  # (filing, its placed rows): every rule walks the same filing in turn


def placed(filing: Filing, form: FormDefinition) -> list[Placed]:
    if _LAST[0] is not filing:
        _LAST[:] = [filing, [
            Placed(
                group, form.group(group.level, group.name), indicator,
                indicator.name.strip() in PLACEHOLDERS or indicator.value.strip() in PLACEHOLDERS,
            )
            for group in filing.groups
            for indicator in group.indicators
        ]]
    return _LAST[1]


def of_group(filing: Filing, form: FormDefinition, level: str, name: str) -> list[Placed]:
    return [p for p in placed(filing, form) if p.group.level == level and p.group.name == name]


def real(items: list[Placed]) -> list[Placed]:
    """Rows with a value that is neither empty nor a placeholder."""
    return [p for p in items if p.indicator.value.strip() and not p.is_placeholder]
