"""An imported form as filing YAML, in the canonical style of `jixiao fmt`, with the importer's notes as comments.

Keys follow the pack (the order the form prints them): 表样, 年度, header fields (a field group's
sub-fields nested under it), money, goals, indicators, the long-term half, the review. Indicators are in the form's order, or in the
filer's order where the pack prints them as filed.
"""

from __future__ import annotations

from ruamel.yaml.comments import CommentedMap

from ..common.yamlio import dump_text
from ..forms.definition import FormDefinition
from ..forms.selfeval import RESULTS_KEY
from .reader import ImportedForm, Indicator


def _tree(groups: dict[tuple[str, str], list[Indicator]], form: FormDefinition) -> CommentedMap:
    if form.indicators.order == "form":
        keys = [(level.name, group.name) for level in form.levels for group in level.groups if (level.name, group.name) in groups]
    else:
        keys = list(groups)  # as read; the levels in the order they first appear
        levels = list(dict.fromkeys(level for level, _ in keys))
        keys.sort(key=lambda key: levels.index(key[0]))
    tree = CommentedMap()
    for level, group in keys:
        rows = CommentedMap()
        for indicator in groups[(level, group)]:
            rows[indicator.name] = CommentedMap(indicator.entry) if isinstance(indicator.entry, dict) else indicator.entry
        tree.setdefault(level, CommentedMap())[group] = rows
    return tree


def filing_data(imported: ImportedForm, year: int) -> CommentedMap:
    form = imported.form
    values: dict = {"表样": form.id, "年度": str(year)}
    for spec in form.fields:
        if spec.items:
            values[spec.key] = CommentedMap((item.key, imported.fields.get(item.key, "")) for item in spec.items)
        else:
            values[spec.key] = imported.fields.get(spec.key, "")
    blank = "" if form.funds.blank_is_zero else "0"
    values[form.funds.key] = CommentedMap((item.key, imported.funds.get(item.key, blank)) for item in form.funds.items)
    for goal in form.goals:
        values[goal.key] = imported.fields.get(goal.key, "")
    values[form.indicators.key] = _tree(imported.groups, form)
    if form.indicators.long_term and imported.long_term:
        values[form.indicators.long_term.key] = _tree(imported.long_term, form)
    review = form.review
    if review and review.kind == "grade" and imported.grade:
        values[review.field.key] = imported.grade
    elif review and review.kind == "text":
        values[review.field.key] = imported.fields.get(review.field.key, "")  # a row of the form, blank in a draft
    return CommentedMap((key, values[key]) for key in form.top_level_keys if key in values)


def filing_text(imported: ImportedForm, year: int, modeline: str, source: str, results: CommentedMap | None = None) -> str:
    """`results`: the year-end 自评 section, read from a 自评表 (selfeval_import.py)."""
    data = filing_data(imported, year)
    if results is not None:
        data[RESULTS_KEY] = results
    comments = [f"由 jixiao import 从 {source}（{imported.place}）导入；{imported.recognition}"]
    comments += [f"导入说明：{note}" for note in imported.notes]
    comments += [f"未能导入（请人工处理）：{problem}" for problem in imported.problems]
    data.yaml_set_start_comment("\n".join(line.replace("\n", " ⏎ ") for line in comments))
    return modeline + "\n" + dump_text(data)
