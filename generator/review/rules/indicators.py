"""Shared helpers of the indicator rules: walk the filed indicators with their form group."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ...filing.model import Filing, Group, Indicator
from ...filing.values import Value, looks_like_excel_serial, parse_value, split_target
from ...forms.definition import FormDefinition, GroupSpec

PLACEHOLDERS = frozenset({"0", "无", "/", "-", "—", "－", "——", "暂无", "没有", "无此项", "不涉及"})


@dataclass(frozen=True)
class Placed:
    group: Group
    spec: GroupSpec
    level_role: str  # what the 一级 is for (output, cost, benefit, satisfaction), from the form pack
    indicator: Indicator
    is_placeholder: bool  # a row filled with 0 / 无 / / instead of a real indicator or value

    @property
    def role(self) -> str:
        """What the 二级 is for (quantity, cost, timeliness, satisfaction ...), from the form pack."""
        return self.spec.role

    @property
    def value(self) -> Value:
        return parsed(self.indicator.value)


@lru_cache(maxsize=4096)  # values repeat within a form, not across thousands of filings
def parsed(text: str) -> Value:
    return parse_value(text)


_LAST: list = [None, []]  # (filing, its placed rows): every rule walks the same filing in turn


def placed(filing: Filing, form: FormDefinition) -> list[Placed]:
    if _LAST[0] is not filing:
        _LAST[:] = [filing, [
            Placed(
                group, form.group(group.level, group.name), form.level(group.level).role, indicator,
                indicator.name.strip() in PLACEHOLDERS or indicator.value.strip() in PLACEHOLDERS,
            )
            for group in filing.groups
            for indicator in group.indicators
        ]]
    return _LAST[1]


def of_role(filing: Filing, form: FormDefinition, role: str) -> list[Placed]:
    """Rows of every group the form gives this role (the cost groups, wherever the form puts them)."""
    return [p for p in placed(filing, form) if p.role == role]


def real(items: list[Placed]) -> list[Placed]:
    """Rows with a value that is neither empty nor a placeholder."""
    return [p for p in items if p.indicator.value.strip() and not p.is_placeholder]


def excel_serial(indicator: Indicator) -> str | None:
    """The number of a target that is an Excel date serial (44561, 45,657) pasted where a date belongs:
    alone, after an operator, or repeated in the unit cell as the export prints it; None otherwise."""
    _, number, unit = indicator.parts or split_target(indicator.value) or ("", "", "")
    return number if looks_like_excel_serial(number) and unit.strip() in ("", number.strip()) else None
