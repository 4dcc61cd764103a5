"""What a filing looks like on the form: the values every renderer prints, as plain data.

The indicator grid is flattened into rows with precomputed spans, so the Word table (vMerge)
and the HTML table (rowspan) are drawn from the same rows: a 一级 cell spans all rows of its
二级 groups, a 二级 cell spans its 三级 rows, and a group without indicators still takes a row.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..filing.model import Filing, canonical_groups
from ..forms.definition import FormDefinition


@dataclass(frozen=True)
class Row:
    l1: str  # printed only on the first row of its span, "" on the rows it covers
    l1_span: int  # rows the 一级 cell covers; 0 on covered rows
    l2: str  # the printed label, its lines joined by newlines
    l2_span: int
    l3: str
    value: str
    level: str  # the 一级 and 二级 names of the row, on every row (for tools and tests)
    group: str

    @property
    def l2_lines(self) -> tuple[str, str]:
        """The 二级 label as two lines (name, requirement), for templates that print them as paragraphs."""
        first, _, second = self.l2.partition("\n")
        return first, second


def indicator_rows(filing: Filing, form: FormDefinition) -> list[Row]:
    rows: list[Row] = []
    groups = canonical_groups(filing, form)
    for level in form.levels:
        level_groups = [(spec, group) for name, spec, group in groups if name == level.name]
        level_span = sum(max(len(group.indicators) if group else 0, 1) for _, group in level_groups)
        first_in_level = True
        for spec, group in level_groups:
            cells = [(i.name, i.value) for i in group.indicators] if group and group.indicators else [("", "")]
            label = form.group_label.format(name=spec.name, requirement=spec.requirement)
            for index, (name, value) in enumerate(cells):
                rows.append(Row(
                    l1=level.name if first_in_level else "",
                    l1_span=level_span if first_in_level else 0,
                    l2=label if index == 0 else "",
                    l2_span=len(cells) if index == 0 else 0,
                    l3=name,
                    value=value,
                    level=level.name,
                    group=spec.name,
                ))
                first_in_level = False
    return rows


def unplaced_groups(filing: Filing, form: FormDefinition) -> list[str]:
    """Groups of the filing that the form has no place for (schema validation prevents this)."""
    return [f"{g.level}/{g.name}" for g in filing.groups if form.group(g.level, g.name) is None]


def form_context(filing: Filing, form: FormDefinition) -> dict:
    """The template context: documented in templates/README.md."""
    if unplaced := unplaced_groups(filing, form):
        raise ValueError(f"groups not on form {form.id}: {unplaced}")
    unticked, ticked = form.grade_boxes
    return {
        "form": {
            "id": form.id,
            "attachment": form.attachment,
            "title": form.title,
            "year_line": form.year_line.format(year=filing.year),
            "note": form.note,
        },
        "year": filing.year,
        "label": form.labels(),
        "columns": list(form.columns),
        "field": dict(filing.fields),
        "funds": dict(filing.funds_text),
        "rows": indicator_rows(filing, form),
        "grade_options": [
            {"name": name, "checked": name == filing.grade, "box": ticked if name == filing.grade else unticked}
            for name in form.grade.enum
        ],
    }
