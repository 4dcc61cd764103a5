"""Form definitions (templates/<form-id>/form.yaml) as plain dataclasses.

A form definition is data: the header fields, the 项目资金 block, the indicator taxonomy with
the requirement printed beside each 二级 (必填量化 / 必填 / 选填), the grade options and the
printed texts. Adding an official form means adding a folder, not changing code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..common import resources
from ..common.yamlio import load_trusted

REQUIREMENTS = ("必填量化", "必填", "选填")


class FormError(Exception):
    """A form definition under templates/ that cannot be used; the message is for the user."""


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    description: str
    examples: tuple[str, ...] = ()
    required: bool = True  # False: the form asks for it, but a blank is only a warning
    enum: tuple[str, ...] = ()  # the only values the schema accepts
    options: tuple[str, ...] = ()  # the values the form expects; others are a warning
    aliases: tuple[str, ...] = ()  # other labels real forms print for it (used by import)


@dataclass(frozen=True)
class GroupSpec:
    """A 二级指标 of the form."""

    name: str
    requirement: str
    description: str
    examples: tuple[str, ...]
    aliases: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return self.requirement in ("必填量化", "必填")

    @property
    def quantified(self) -> bool:
        return self.requirement == "必填量化"


@dataclass(frozen=True)
class LevelSpec:
    """A 一级指标 of the form with its 二级 groups in canonical order."""

    name: str
    description: str
    groups: tuple[GroupSpec, ...]


@dataclass(frozen=True)
class FormDefinition:
    id: str
    name: str
    directory: Path
    attachment: str
    title: str
    year_line: str
    note: str
    header: tuple[Field, ...]
    funds: Field
    funds_unit: str
    funds_items: tuple[Field, ...]
    goal: Field
    indicators: Field
    columns: tuple[str, ...]
    group_label: str
    levels: tuple[LevelSpec, ...]
    details: tuple[Field, ...]
    grade: Field
    grade_boxes: tuple[str, str]

    def labels(self) -> dict[str, str]:
        """Printed label of every field, by key."""
        fields = [*self.header, self.funds, *self.funds_items, self.goal, self.indicators, self.grade]
        return {field.key: field.label for field in fields}

    def level(self, name: str) -> LevelSpec | None:
        return next((level for level in self.levels if level.name == name), None)

    def group(self, level_name: str, group_name: str) -> GroupSpec | None:
        level = self.level(level_name)
        return next((g for g in level.groups if g.name == group_name), None) if level else None

    @property
    def top_level_keys(self) -> tuple[str, ...]:
        header = tuple(f.key for f in self.header)
        return ("表样", "年度", *header, self.funds.key, self.goal.key, self.indicators.key, self.grade.key)


def _field(raw: dict) -> Field:
    return Field(
        key=raw["key"],
        label=raw.get("label", raw["key"]),
        description=raw.get("description", ""),
        examples=tuple(str(e) for e in raw.get("examples", ())),
        required=bool(raw.get("required", True)),
        enum=tuple(raw.get("enum", ())),
        options=tuple(raw.get("options", ())),
        aliases=tuple(raw.get("aliases", ())),
    )


def _group(raw: dict) -> GroupSpec:
    if raw["requirement"] not in REQUIREMENTS:
        raise ValueError(f"unknown requirement {raw['requirement']!r} for {raw['name']}")
    return GroupSpec(
        raw["name"], raw["requirement"], raw.get("description", ""), tuple(raw.get("examples", ())),
        tuple(raw.get("aliases", ())),
    )


def parse_form(raw: dict, directory: Path) -> FormDefinition:
    funds = raw["funds"]
    indicators = raw["indicators"]
    grade = raw["grade"]
    return FormDefinition(
        id=raw["id"],
        name=raw["name"],
        directory=directory,
        attachment=raw["attachment"],
        title=raw["title"],
        year_line=raw["year_line"],
        note=raw["note"],
        header=tuple(_field(f) for f in raw["header"]),
        funds=_field(funds),
        funds_unit=funds["unit"],
        funds_items=tuple(_field(f) for f in funds["items"]),
        goal=_field(raw["goal"]),
        indicators=_field(indicators),
        columns=tuple(indicators["columns"]),
        group_label=indicators["group_label"],
        levels=tuple(
            LevelSpec(level["name"], level.get("description", ""), tuple(_group(g) for g in level["groups"]))
            for level in indicators["levels"]
        ),
        details=tuple(_field(f) for f in raw["indicator_details"]),
        grade=Field(
            grade["key"], grade["label"], grade.get("description", ""), enum=tuple(grade["options"]), required=False,
            aliases=tuple(grade.get("aliases", ())),
        ),
        grade_boxes=tuple(grade["boxes"]),
    )


@cache
def load_forms(directory: Path | None = None) -> dict[str, FormDefinition]:
    """Every form under templates/, by id (the value of 表样 in a filing)."""
    from ruamel.yaml.error import YAMLError  # loading forms is the first use of the YAML parser

    directory = directory or resources.templates_dir()
    forms = {}
    for form_file in sorted(directory.glob("*/form.yaml")):
        try:
            form = parse_form(load_trusted(form_file), form_file.parent)
        except (YAMLError, KeyError, TypeError, ValueError, AttributeError) as error:
            raise FormError(f"表样定义 {form_file} 有误：{error}") from None
        if form.id != form_file.parent.name:
            raise FormError(f"表样定义 {form_file} 的 id“{form.id}”与所在文件夹名不一致")
        forms[form.id] = form
    if not forms:
        raise FormError(f"{directory} 下没有任何表样定义（*/form.yaml）")
    return forms
