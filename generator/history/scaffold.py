"""`jixiao new` and `jixiao rollover`: start a filing from the form, or next year's from this year's."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from ..common.yamlio import dump_text, load_document, make_yaml
from ..filing.modeline import modeline_for, with_modeline_first
from ..forms.definition import FormDefinition


def new_filing_text(form: FormDefinition, name: str, year: int, modeline: str) -> str:
    """A filing with every field and group of the form; each to be filled in is explained by a comment."""
    data = CommentedMap()
    notes: list[tuple[CommentedMap, str, str, int]] = []  # (mapping, key, comment, indent)
    data["表样"] = form.id
    data["年度"] = str(year)
    for field in form.header:
        data[field.key] = name if field.key == "项目名称" else ""
        if field.key != "项目名称":
            notes.append((data, field.key, ("必填：" if field.required else "应填：") + field.description, 0))
    data[form.funds.key] = CommentedMap((item.key, "0") for item in form.funds_items)
    notes.append((data, form.funds.key, f"{form.funds.description}", 0))
    data[form.goal.key] = ""
    notes.append((data, form.goal.key, "必填：" + form.goal.description, 0))
    indicators = CommentedMap()
    for level in form.levels:
        groups = CommentedMap()
        for group in level.groups:
            groups[group.name] = CommentedMap()
            example = f"，例如“{group.examples[0]}”" if group.examples else ""
            notes.append((groups, group.name, f"【{group.requirement}】每行写“三级指标: 指标值”{example}", 4))
        indicators[level.name] = groups
    data[form.indicators.key] = indicators
    data[form.grade.key] = ""
    notes.append((data, form.grade.key, form.grade.description, 0))
    for mapping, key, comment, indent in notes:
        mapping.yaml_set_comment_before_after_key(key, before=comment, indent=indent)
    return modeline + "\n" + dump_text(data)


_SINGLE_YEAR = re.compile(r"^(?P<year>\d{4})(?P<rest>\s*年?度?)$")
_RANGE = re.compile(r"^(?P<start>\d{4})(?P<middle>\s*年?\s*[-—－~～至到]\s*)(?P<end>\d{4})(?P<rest>\s*年?)$")


def next_period(period: str, old_year: int, new_year: int) -> str:
    """项目期 for the new year: a single year moves on; a range that no longer covers it shifts."""
    text = period.strip()
    if (match := _SINGLE_YEAR.match(text)) and int(match["year"]) == old_year:
        return f"{new_year}{match['rest']}"
    if match := _RANGE.match(text):
        start, end = int(match["start"]), int(match["end"])
        if not start <= new_year <= end:
            shift = new_year - old_year
            return f"{start + shift}{match['middle']}{end + shift}{match['rest']}"
    return period


@dataclass(frozen=True)
class Rolled:
    source: Path
    target: Path


def rollover_text(text: str, name: str, old_year: int, new_year: int, grade_key: str) -> str:
    """The filing moved to the next year: 年度 and 项目期 moved on, 综合评定等级 cleared, comments kept."""
    yaml = make_yaml()
    data = load_document(name, text.encode("utf-8"), yaml).data
    data["年度"] = str(new_year)
    if "项目期" in data:
        data["项目期"] = next_period(str(data["项目期"]), old_year, new_year)
    if grade_key in data:
        data[grade_key] = ""
    return with_modeline_first(dump_text(data, yaml), modeline_for(Path(name)))
