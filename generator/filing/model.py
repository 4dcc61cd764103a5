"""The filing as plain dataclasses, built from a schema-valid loaded tree.

Text stays exactly as typed; money becomes Decimal (万元). Every key keeps its position so
review rules can point at the line they are about. What a form calls its fields, money items
and groups comes from the form pack; nothing here knows one office's labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..common.yamlio import Document, key_position, value_position
from ..forms.definition import FormDefinition, GroupSpec, IndicatorsSpec
from ..forms.selfeval import PACK_KEY, RESULTS_KEY
from .draft import draft_line
from .results import Results, build_results
from .values import split_target

AMOUNT_SUFFIXES = ("万元", "万")  # allowed after the digits of an amount in a 万元 field


@dataclass(frozen=True, slots=True)
class Position:
    line: int
    col: int


@dataclass(frozen=True)
class Indicator:
    """A 三级指标 row: its name, its target as one text, and every other column as filed."""

    name: str
    value: str  # the target as typed, or joined from its parts (operator + number + unit)
    position: Position
    value_position: Position
    details: tuple[tuple[str, str], ...] = ()  # other keys of a mapping, as typed (指标解释, 分值 ...)
    parts: tuple[str, str, str] | None = None  # (operator, number, unit) as filed or split from the value

    def detail(self, key: str) -> str:
        return next((text for name, text in self.details if name == key), "")


@dataclass(frozen=True)
class Group:
    """A 二级指标 group as filed, under its 一级指标."""

    level: str
    name: str
    indicators: tuple[Indicator, ...]
    position: Position


@dataclass(frozen=True, slots=True)
class Summary:
    """What the rules across files and the build's index need of a filing (small, cacheable)."""

    path: str
    form_id: str
    year: int
    name: str
    total: Decimal
    indicators: int
    name_position: Position
    unit: str = ""  # the implementing unit (实施单位), "" when the form has no such field
    amounts: tuple[tuple[str, Decimal | None], ...] = ()  # every money item of the form, in its order
    # The 自评表's 总分 as printed (scoring.printed_total): None when the filing has no 自评表 (no results,
    # or no usable 自评 pack), "" when its total is neither computed nor stated
    self_score: str | None = None


@dataclass(frozen=True)
class Filing:
    path: str
    form_id: str
    year: int
    name_field: str
    unit_field: str  # the field that names the implementing unit, or ""
    fields: dict[str, str]  # header fields (sub-fields of a group too), goals, a free-text review: by key, as typed
    amounts: dict[str, Decimal | None]  # money items by key; None for a blank the form allows
    funds_text: dict[str, str]  # the amounts as typed, for messages and printing
    total: Decimal  # the project's money for the year, as the form defines it
    groups: tuple[Group, ...]  # in file order
    long_term: tuple[Group, ...]  # the long-term half of a two-halves form, in file order
    grade: str  # a ticked review option ("" if none or not on the form)
    field_paths: dict[str, tuple[str, ...]] = field(repr=False)
    positions: dict[tuple, Position] = field(repr=False)  # key positions by path
    value_positions: dict[tuple, Position] = field(repr=False)
    results: Results | None = None  # the year-end 自评 section, when the filing has one (filing/results.py)
    draft: Position | None = None  # where the draft marker is, when the filing is a draft (filing/draft.py)

    @property
    def name(self) -> str:
        return self.fields.get(self.name_field, "")

    @property
    def summary(self) -> Summary:
        return Summary(
            self.path, self.form_id, self.year, self.name, self.total, len(self.indicators), self.field_at(self.name_field),
            self.fields.get(self.unit_field, "") if self.unit_field else "", tuple(self.amounts.items()),
        )

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for g in self.groups for i in g.indicators)

    def group(self, level: str, name: str) -> Group | None:
        return next((g for g in self.groups if g.level == level and g.name == name), None)

    def field_path(self, key: str) -> tuple[str, ...]:
        """The path of a text field's value (a sub-field sits under its group)."""
        return self.field_paths.get(key, (key,))

    def field_at(self, key: str) -> Position:
        return self.value_at(*self.field_path(key))

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


def parse_amount(text: str) -> Decimal | None:
    """An amount in 万元 as typed ("150", "52.5", "20万元", "20万"); None for a blank."""
    text = text.strip()
    for suffix in AMOUNT_SUFFIXES:
        if text.endswith(suffix):
            text = text[: -len(suffix)].strip()
            break
    return Decimal(text) if text else None


def target_parts(value: str, spec: IndicatorsSpec) -> tuple[str, str, str] | None:
    """What a form with split columns prints for a target: its pieces, or the whole text as a 定性 value."""
    if not spec.split:
        return None
    return split_target(value) or (spec.qualitative_mark if value.strip() else "", value, "")


def _indicator(name: str, raw: Any, path: tuple, keys: dict, values: dict, spec: IndicatorsSpec) -> Indicator:
    if not isinstance(raw, dict):
        text = str(raw)
        return Indicator(name, text, keys[path], values[path], (), target_parts(text, spec))
    operator_key, number_key, unit_key = (spec.part_label(part) for part in ("operator", "number", "unit"))
    as_parts = any(k in raw for k in (operator_key, unit_key) if k) or (number_key not in ("", "指标值") and number_key in raw)
    value_keys = set(spec.value_keys)
    details = tuple((str(k), str(v)) for k, v in raw.items() if str(k) not in value_keys)
    if as_parts:
        operator, number, unit = (str(raw.get(k, "")) if k else "" for k in (operator_key, number_key or "指标值", unit_key))
        if number_key and number_key not in raw:
            number = str(raw.get("指标值", ""))
        qualitative = bool(spec.qualitative_mark) and operator == spec.qualitative_mark
        value = number if qualitative else f"{operator}{number}{unit}"
        value_key = next((k for k in (number_key, "指标值", operator_key) if k and k in raw), None)
        position = values.get((*path, value_key), values[path]) if value_key else values[path]
        return Indicator(name, value, keys[path], position, details, (operator, number, unit))
    text = str(raw.get("指标值", ""))
    return Indicator(name, text, keys[path], values.get((*path, "指标值"), values[path]), details, target_parts(text, spec))


def _groups(tree: Any, root: str, keys: dict, values: dict, spec: IndicatorsSpec) -> tuple[Group, ...]:
    groups = []
    for level_name, level in (tree or {}).items():
        for group_name, indicators in level.items():
            group_path = (root, level_name, group_name)
            groups.append(Group(
                str(level_name), str(group_name),
                tuple(_indicator(str(n), v, (*group_path, n), keys, values, spec) for n, v in indicators.items()),
                keys[group_path],
            ))
    return tuple(groups)


def build_filing(document: Document, form: FormDefinition) -> Filing:
    """Model of a filing that passed schema validation."""
    data = document.data
    keys, values = _positions(data)
    funds_raw = data[form.funds.key]
    amounts = {item.key: parse_amount(str(funds_raw.get(item.key, ""))) for item in form.funds.items}
    fields = {}
    for spec in form.text_fields:
        container = data.get(spec.parent, {}) if spec.parent else data
        fields[spec.key] = str(container.get(spec.key, "")) if isinstance(container, dict) else ""
    review = form.review
    long_term = form.indicators.long_term
    return Filing(
        path=document.name,
        form_id=form.id,
        year=int(data["年度"]),
        name_field=form.name_field,
        unit_field=form.unit_field,  # the pack's (forms/pack.py): the year's index and workbook list it
        fields=fields,
        amounts=amounts,
        funds_text={item.key: str(funds_raw.get(item.key, "")) for item in form.funds.items},
        total=sum((amounts[key] or Decimal(0) for key in form.funds.total), Decimal(0)),
        groups=_groups(data[form.indicators.key], form.indicators.key, keys, values, form.indicators),
        long_term=_groups(data.get(long_term.key), long_term.key, keys, values, form.indicators) if long_term else (),
        grade=str(data.get(review.field.key, "")) if review and review.kind == "grade" else "",
        field_paths={spec.key: spec.path for spec in form.text_fields},
        positions=keys,
        value_positions=values,
        results=_results(data, form),
        draft=None if (line := draft_line(document.text)) is None else Position(line, 1),
    )


def _results(data: Any, form: FormDefinition) -> Results | None:
    if RESULTS_KEY not in data:
        return None  # a filing without results is checked exactly as before
    from ..forms.pack import self_evaluation_for

    section = data[RESULTS_KEY]
    named = str(section.get(PACK_KEY, "") or "") if isinstance(section, dict) else ""
    pack, problem = self_evaluation_for(form, named)
    return build_results(data, form, pack, problem)


def ordered_groups(filing: Filing, form: FormDefinition) -> list[tuple[str, GroupSpec, Group | None, Group | None]]:
    """The groups as the form prints them, each as (一级, its spec, the annual group, the long-term group):
    every group of the form in canonical order, or in the filer's order (groups of the form not filed
    follow at the end of their 一级, in the form's order); groups with no indicator in either half left
    out where the form does not print empty groups."""
    def filed(level: str, name: str, groups: tuple[Group, ...]) -> Group | None:
        return next((g for g in groups if g.level == level and g.name == name), None)

    if form.indicators.order == "form":
        keys = [(level.name, spec.name) for level in form.levels for spec in level.groups]
    else:
        filed_keys = [(g.level, g.name) for g in (*filing.groups, *filing.long_term) if form.group(g.level, g.name)]
        level_order = list(dict.fromkeys([level for level, _ in filed_keys] + [level.name for level in form.levels]))
        keys = []
        for level_name in level_order:
            keys += [key for key in dict.fromkeys(filed_keys) if key[0] == level_name]
            keys += [(level_name, spec.name) for spec in form.level(level_name).groups if (level_name, spec.name) not in keys]
    chosen = [
        (level, form.group(level, name), filed(level, name, filing.groups), filed(level, name, filing.long_term))
        for level, name in keys
    ]
    if form.indicators.empty_groups == "omit":
        chosen = [entry for entry in chosen if any(group and group.indicators for group in entry[2:])]
    return chosen
