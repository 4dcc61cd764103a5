"""The filing as plain dataclasses, built from a schema-valid loaded tree.

Text stays exactly as typed; money becomes Decimal (万元). Every key keeps its position so
review rules can point at the line they are about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..common.yamlio import Document, key_position, value_position
from ..forms.definition import FormDefinition, GroupSpec


@dataclass(frozen=True)
class Position:
    line: int
    col: int


@dataclass(frozen=True)
class Indicator:
    """A 三级指标 row: its name and its 指标值 (extra columns such as 指标解释 stay in the YAML: no
    renderer or rule reads them)."""

    name: str
    value: str
    position: Position
    value_position: Position


@dataclass(frozen=True)
class Group:
    """A 二级指标 group as filed, under its 一级指标."""

    level: str
    name: str
    indicators: tuple[Indicator, ...]
    position: Position


@dataclass(frozen=True)
class Funds:
    total: Decimal
    fiscal: Decimal
    other: Decimal


@dataclass(frozen=True)
class Summary:
    """What the rules across files and the build's index need of a filing (small, cacheable)."""

    path: str
    form_id: str
    year: int
    name: str
    total: Decimal
    indicators: int
    name_position: Position


@dataclass(frozen=True)
class Filing:
    path: str
    form_id: str
    year: int
    fields: dict[str, str]  # header fields and 年度总体目标, by key, exactly as typed
    funds: Funds
    funds_text: dict[str, str]  # the amounts as typed, for messages
    groups: tuple[Group, ...]  # in file order
    grade: str
    positions: dict[tuple, Position] = field(repr=False)  # key positions by path
    value_positions: dict[tuple, Position] = field(repr=False)

    @property
    def name(self) -> str:
        return self.fields.get("项目名称", "")

    @property
    def summary(self) -> Summary:
        return Summary(self.path, self.form_id, self.year, self.name, self.funds.total, len(self.indicators), self.value_at("项目名称"))

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for g in self.groups for i in g.indicators)

    def group(self, level: str, name: str) -> Group | None:
        return next((g for g in self.groups if g.level == level and g.name == name), None)

    def at(self, *path: Any) -> Position:
        """Position of the key at `path`, or of its nearest filed ancestor."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.positions:
                return self.positions[path[:end]]
        return Position(1, 1)

    def value_at(self, *path: Any) -> Position:
        return self.value_positions.get(path) or self.at(*path)


def _positions(data: Any) -> tuple[dict[tuple, Position], dict[tuple, Position]]:
    keys: dict[tuple, Position] = {}
    values: dict[tuple, Position] = {}

    def visit(node: Any, path: tuple) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                keys[(*path, key)] = Position(*key_position(node, key))
                values[(*path, key)] = Position(*value_position(node, key))
                visit(value, (*path, key))

    visit(data, ())
    return keys, values


def _indicator(name: str, raw: Any, path: tuple, keys: dict, values: dict) -> Indicator:
    if isinstance(raw, dict):
        value_key = "指标值"
        return Indicator(name, str(raw[value_key]), keys[path], values.get((*path, value_key), values[path]))
    return Indicator(name, str(raw), keys[path], values[path])


def build_filing(document: Document, form: FormDefinition) -> Filing:
    """Model of a filing that passed schema validation."""
    data = document.data
    keys, values = _positions(data)
    funds_raw = data[form.funds.key]
    amounts = [Decimal(str(funds_raw[item.key])) for item in form.funds_items]
    groups = []
    for level_name, level in data[form.indicators.key].items():
        for group_name, indicators in level.items():
            group_path = (form.indicators.key, level_name, group_name)
            groups.append(Group(
                str(level_name), str(group_name),
                tuple(_indicator(str(n), v, (*group_path, n), keys, values) for n, v in indicators.items()),
                keys[group_path],
            ))
    text_fields = [*form.header, form.goal]
    return Filing(
        path=document.name,
        form_id=form.id,
        year=int(data["年度"]),
        fields={f.key: str(data[f.key]) for f in text_fields},
        funds=Funds(*amounts),
        funds_text={item.key: str(funds_raw[item.key]) for item in form.funds_items},
        groups=tuple(groups),
        grade=str(data.get(form.grade.key, "")),
        positions=keys,
        value_positions=values,
    )


def canonical_groups(filing: Filing, form: FormDefinition) -> list[tuple[str, GroupSpec, Group | None]]:
    """Every group of the form in canonical order, with what the filing has for it (or None)."""
    return [
        (level.name, spec, filing.group(level.name, spec.name))
        for level in form.levels
        for spec in level.groups
    ]
