"""Form packs (templates/<form-id>/form.yaml) as plain dataclasses.

A form definition describes the whole printed form as data: title lines, the header grid of
label/value cells, the money block with the relations its labels imply, the goal fields, the
indicator taxonomy (any 一级/二级, with per-group requirement and role), the printed indicator
columns, the review block and the footer. Adding an official form means adding a folder, not
changing code. `pack.py` reads and validates the file; this module only holds the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

REQUIREMENTS = ("必填量化", "必填", "选填")
FIELD_TYPES = ("text", "long-text", "date", "period", "option", "code")
NEEDS = ("required", "recommended", "optional")
# What an indicator column prints: the 一级/二级 name, the 三级 name, the whole target (as filed or
# joined from its parts), one part of a split target, or any other per-indicator field by its key.
COLUMN_PARTS = ("operator", "number", "unit")
COLUMN_SHOWS = ("level", "group", "name", "value", *COLUMN_PARTS)
# Roles tell the rules what a group is for, whatever the form calls it.
GROUP_ROLES = (
    "quantity", "quality", "timeliness", "cost", "other-cost", "economic", "social", "ecological",
    "sustainable", "satisfaction", "other",
)
LEVEL_ROLES = ("output", "cost", "benefit", "satisfaction", "other")
RELATION_OPERATORS = {"=": "=", ">=": "≥", "<=": "≤", "≥": "≥", "≤": "≤"}


@dataclass(frozen=True)
class Field:
    """A labelled value of the form: a header field, a money item, a goal, the review row."""

    key: str  # the key in the filing: the label as the form prints it, without "其中:" and colons
    label: str  # printed text (may hold a line break)
    description: str = ""
    examples: tuple[str, ...] = ()
    type: str = "text"
    need: str = "required"  # required: blank is an error; recommended: a warning; optional: fine
    enum: tuple[str, ...] = ()  # the only values the schema accepts
    options: tuple[str, ...] = ()  # the values the form expects; others are a warning
    aliases: tuple[str, ...] = ()  # other labels real forms print for it (import, and a hint in check)
    items: tuple["Field", ...] = ()  # sub-fields of a field group (项目实施计划: 组织实施单位, ...)
    parent: str = ""  # the group's key, for a sub-field

    @property
    def required(self) -> bool:
        return self.need == "required"

    @property
    def path(self) -> tuple[str, ...]:
        """Where the value sits in the filing."""
        return (self.parent, self.key) if self.parent else (self.key,)


@dataclass(frozen=True)
class Relation:
    """`left op sum(right)` between money items, e.g. 年度资金总额 = 财政拨款 + 其他资金."""

    left: str
    operator: str  # "=", "≥" or "≤"
    right: tuple[str, ...]
    severity: str  # "error" or "warning"
    text: str  # as written in the pack, for messages

    def holds(self, left: Decimal, right: Decimal) -> bool:
        return {"=": left == right, "≥": left >= right, "≤": left <= right}[self.operator]


@dataclass(frozen=True)
class FundsSpec:
    key: str
    label: str
    unit: str
    description: str
    aliases: tuple[str, ...]
    items: tuple[Field, ...]
    rows: tuple[tuple[str, ...], ...]  # item keys as printed: one row each, or side by side (whole period | 当年)
    headings: tuple[str, ...]  # a heading row above the items (资金来源 | 年初安排金额(万元)), or none
    relations: tuple[Relation, ...]
    total: tuple[str, ...]  # the items whose sum is the project's money for the year
    blank_is_zero: bool  # the form leaves an amount blank when there is none

    def item(self, key: str) -> Field | None:
        return next((item for item in self.items if item.key == key), None)

    @property
    def total_label(self) -> str:
        return " + ".join(self.total)


@dataclass(frozen=True)
class GroupSpec:
    """A 二级指标 of the form."""

    name: str
    requirement: str
    description: str
    examples: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    role: str = "other"
    label: str = ""  # printed name when it differs from the key

    @property
    def required(self) -> bool:
        return self.requirement in ("必填量化", "必填")

    @property
    def quantified(self) -> bool:
        return self.requirement == "必填量化"

    @property
    def printed_name(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class LevelSpec:
    """A 一级指标 of the form with its 二级 groups in canonical order."""

    name: str
    description: str
    groups: tuple[GroupSpec, ...]
    role: str = "other"
    weight: Decimal | None = None  # points of the 一级 on a scored form (产出 50 ...)


@dataclass(frozen=True)
class Column:
    label: str  # the printed heading
    show: str  # one of COLUMN_SHOWS, or the key of a per-indicator field (指标解释, 分值, ...)
    half: str = ""  # on a form with a long-term half: "" for the annual columns, else the half's key
    width: float = 0  # mm; 0: share what is left


@dataclass(frozen=True)
class IndicatorsSpec:
    key: str
    label: str  # the label cell left of the grid; may name weights: {合计}, {产出指标} ...
    description: str
    label_column: bool  # whether that label cell is printed
    caption: str  # a line above the indicator table (a separate table on the form)
    columns: tuple[Column, ...]
    merge: str  # "vertical": 一级/二级 cells merged over their rows; "none": repeated on every row
    order: str  # "form": canonical order; "as-filed": the filer's order of 一级 and 二级
    empty_groups: str  # "print": a group without indicators still takes a row; "omit"
    group_label: str  # how a 二级 cell is printed: "{name}" or "{name}\n({requirement})"
    levels: tuple[LevelSpec, ...]
    details: tuple[Field, ...]  # keys an indicator written as a mapping may have besides 指标值
    long_term: Field | None  # the tree of long-term indicators printed beside the annual ones
    qualitative_mark: str  # printed in the operator column for a target that is text (定性)
    score: str  # the per-indicator field holding its points (分值), or ""

    def part_label(self, part: str) -> str:
        """The heading of the column that prints one part of a split target ("" if not split)."""
        return next((c.label for c in self.columns if c.show == part), "")

    @property
    def split(self) -> bool:
        return any(c.show in COLUMN_PARTS for c in self.columns)

    @property
    def value_keys(self) -> tuple[str, ...]:
        """The keys an indicator mapping may use for its target: 指标值 and the split parts' headings."""
        keys = ["指标值"]
        for part in COLUMN_PARTS:
            label = self.part_label(part)
            if label and label not in keys:
                keys.append(label)
        return tuple(keys)


@dataclass(frozen=True)
class ReviewSpec:
    """The finance department's block: tick boxes for a grade, or a free-text opinion."""

    kind: str  # "grade" or "text"
    field: Field
    boxes: tuple[str, str] = ("☐", "☑")


@dataclass(frozen=True)
class LayoutRow:
    """One entry of the header grid, top to bottom."""

    kind: str  # "fields": label/value pairs in a row; "funds": the money block; "group": a field group; "side-by-side"
    keys: tuple[str, ...] = ()
    label: str = ""  # the label cell of a side-by-side block


@dataclass(frozen=True)
class FormDefinition:
    id: str
    name: str
    office: str
    years: str
    features: tuple[str, ...]
    directory: Path
    word_template: Path | None  # a hand-made template.docx that overrides the generated one
    html_template: Path | None
    orientation: str
    attachment: str
    title: str
    year_line: str
    above_grid: tuple[str, str]
    note: str
    footer: tuple[str, ...]
    fields: tuple[Field, ...]
    funds: FundsSpec
    goals: tuple[Field, ...]
    annual_goal: str
    indicators: IndicatorsSpec
    review: ReviewSpec | None
    layout: tuple[LayoutRow, ...]
    label_width: float
    name_field: str  # the header field that names the project (项目名称, 项目支出名称, 二级项目名称 ...)
    default: bool = False
    # The header fields a department summary lists as the filing's department and implementing unit
    # ("" when the form has none): 主管部门及代码, 预算部门 ...; 实施单位 ...
    department_field: str = ""
    unit_field: str = ""
    self_evaluation: str = ""  # the 自评 pack its filings' results are scored with (forms/selfeval.py)
    _by_key: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def levels(self) -> tuple[LevelSpec, ...]:
        return self.indicators.levels

    @property
    def header(self) -> tuple[Field, ...]:
        """Header fields with the sub-fields of a group in place of the group."""
        return tuple(sub for f in self.fields for sub in (f.items or (f,)))

    @property
    def text_fields(self) -> tuple[Field, ...]:
        """Every text value of the form: header fields, goals, a free-text review."""
        review = (self.review.field,) if self.review and self.review.kind == "text" else ()
        return (*self.header, *self.goals, *review)

    def field(self, key: str) -> Field | None:
        if not self._by_key:
            fields = [*self.fields, *self.header, *self.funds.items, *self.goals]
            if self.review:
                fields.append(self.review.field)
            self._by_key.update({f.key: f for f in fields})
        return self._by_key.get(key)

    def labels(self) -> dict[str, str]:
        """Printed label of every field, by key."""
        fields = [*self.fields, *self.header, *self.funds.items, *self.goals]
        labels = {f.key: f.label for f in fields}
        labels[self.funds.key] = self.funds.label
        labels[self.indicators.key] = self.indicators.label
        if self.review:
            labels[self.review.field.key] = self.review.field.label
        return labels

    def level(self, name: str) -> LevelSpec | None:
        return next((level for level in self.levels if level.name == name), None)

    def group(self, level_name: str, group_name: str) -> GroupSpec | None:
        level = self.level(level_name)
        return next((g for g in level.groups if g.name == group_name), None) if level else None

    def groups_with_role(self, *roles: str) -> list[tuple[str, GroupSpec]]:
        return [(level.name, g) for level in self.levels for g in level.groups if g.role in roles]

    @property
    def top_level_keys(self) -> tuple[str, ...]:
        """The filing's keys in the order the form prints them: fields printed in the lines above the
        grid first, then the header grid top to bottom (money items under the money key), the indicators."""
        printed = []
        for row in self.layout:
            for key in (item.key for item in self.funds.items) if row.kind == "funds" else row.keys:
                printed.append(self.funds.key if self.funds.item(key) else key)
        known = [f.key for f in self.fields] + [g.key for g in self.goals] + [self.funds.key]
        keys = ["表样", "年度", *(k for k in known if k not in printed), *dict.fromkeys(printed), self.indicators.key]
        if self.indicators.long_term:
            keys.append(self.indicators.long_term.key)
        if self.review:
            keys.append(self.review.field.key)
        return tuple(keys)

    @property
    def optional_top_level_keys(self) -> tuple[str, ...]:
        """Keys a filing may leave out: the review (filled in by the finance department) and the long-term half."""
        keys = [self.review.field.key] if self.review else []
        if self.indicators.long_term:
            keys.append(self.indicators.long_term.key)
        return tuple(keys)

    def printed(self, text: str, year: int, fields: dict[str, str]) -> str:
        """A title or year line with {年度} (or {year}) and {<field key>} filled in."""
        values = {**fields, "年度": str(year), "year": str(year)}
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def placeholders(text: str) -> list[str]:
    return _PLACEHOLDER.findall(text)
