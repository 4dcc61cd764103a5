"""`jixiao new` and `jixiao rollover`: start a filing from the form, or next year's from this year's."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from ..common.yamlio import dump_text, load_document, make_yaml
from ..filing.draft import MARKER_LINE
from ..filing.modeline import modeline_for, with_modeline_first
from ..filing.values import parse_day, parse_period
from ..forms.definition import FormDefinition
from ..forms.selfeval import RESULTS_KEY


_NEED = {"required": "必填：", "recommended": "应填：", "optional": "选填："}


def new_filing_text(form: FormDefinition, name: str, year: int, modeline: str) -> str:
    """A draft filing (filing/draft.py: its marker line right below the modeline) with every field and group of
    the form; each to be filled in is explained by a comment."""
    data = CommentedMap()
    notes: list[tuple[CommentedMap, str, str, int]] = []  # (mapping, key, comment, indent)
    data["表样"] = form.id
    data["年度"] = str(year)
    for field in form.fields:
        if field.items:
            data[field.key] = CommentedMap((item.key, "") for item in field.items)
            for item in field.items:
                notes.append((data[field.key], item.key, _NEED[item.need] + item.description, 2))
            continue
        data[field.key] = name if field.key == form.name_field else ""
        if field.key != form.name_field:
            notes.append((data, field.key, _NEED[field.need] + field.description, 0))
    data[form.funds.key] = CommentedMap((item.key, "0") for item in form.funds.items)
    notes.append((data, form.funds.key, f"{form.funds.description}", 0))
    for goal in form.goals:
        data[goal.key] = ""
        notes.append((data, goal.key, _NEED[goal.need] + goal.description, 0))
    indicators = CommentedMap()
    for level in form.levels:
        groups = CommentedMap()
        for group in level.groups:
            groups[group.name] = CommentedMap()
            example = f"，例如“{group.examples[0]}”" if group.examples else ""
            notes.append((groups, group.name, f"【{group.requirement}】每行写“三级指标: 指标值”{example}", 4))
        indicators[level.name] = groups
    data[form.indicators.key] = indicators
    if form.review:
        data[form.review.field.key] = ""
        notes.append((data, form.review.field.key, form.review.field.description, 0))
    for key in form.top_level_keys:  # fmt's order (a field printed inside the money rows comes after the money)
        if key in data:
            data.move_to_end(key)
    for mapping, key, comment, indent in notes:
        mapping.yaml_set_comment_before_after_key(key, before=comment, indent=indent)
    return modeline + "\n" + MARKER_LINE + "\n" + dump_text(data)


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def _shift_years(text: str, shift: int) -> str:
    return _YEAR.sub(lambda m: str(int(m.group()) + shift), text)


def next_period(period: str, old_year: int, new_year: int) -> str:
    """A period for the new year: kept while it still covers the new year; one that covers the old
    year moved on by the years between (2024年 → 2025年, 2023.07-2024.01 → 2024.07-2025.01); anything
    else (a length such as "3年", a period of some other year) left for a person to decide."""
    span = parse_period(period)
    if span is None or span.covers(new_year) or not span.covers(old_year):
        return period
    return _shift_years(period, new_year - old_year)


@dataclass(frozen=True)
class Rolled:
    source: Path
    target: Path


def rollover_text(text: str, name: str, old_year: int, new_year: int, forms: dict[str, FormDefinition]) -> str:
    """The filing moved to the next year, comments kept: 年度 moved on, the form's periods and dates
    moved on where they no longer cover the new year, the finance department's review cleared, the
    year-end results (自评) left behind."""
    return rolled_over(text, name, old_year, new_year, forms)[0]


def rolled_over(text: str, name: str, old_year: int, new_year: int, forms: dict[str, FormDefinition]) -> tuple[str, bool]:
    """rollover_text, and whether the old year's results (the 自评 section) were left behind: the new
    year starts with targets only; its results are filed after it ends."""
    yaml = make_yaml()
    data = load_document(name, text.encode("utf-8"), yaml).data
    data["年度"] = str(new_year)
    dropped = RESULTS_KEY in data
    data.pop(RESULTS_KEY, None)
    return _moved_on(data, yaml, name, old_year, new_year, forms), dropped


def _moved_on(data, yaml, name: str, old_year: int, new_year: int, forms: dict[str, FormDefinition]) -> str:
    """The rest of rollover_text: the form's periods and dates, the review, the text written."""
    form = forms.get(str(data.get("表样")))
    if form is not None:
        for field in form.header:
            container = data.get(field.parent) if field.parent else data
            if not isinstance(container, dict) or field.key not in container:
                continue
            value = str(container[field.key])
            if field.type == "period":
                container[field.key] = next_period(value, old_year, new_year)
            elif field.type == "date" and parse_day(value) is not None:
                container[field.key] = _shift_years(value, new_year - old_year)
        if form.review and form.review.field.key in data:
            data[form.review.field.key] = ""
    return with_modeline_first(dump_text(data, yaml), modeline_for(Path(name)))
