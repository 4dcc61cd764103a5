"""What a filing looks like on its form: the values every renderer prints, as plain data.

The header is a grid of label and value cells computed from the pack's layout (grid.py); the
indicator grid is flattened into rows with precomputed spans, so the Word table (vMerge) and the
HTML table (rowspan) are drawn from the same rows: on a merged form a 一级 cell spans all rows of
its 二级 groups and a 二级 cell spans its 三级 rows; a group without indicators still takes a row
where the form prints empty groups. Every printed text is the filing's own text.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..filing.model import Filing, Group, Indicator, Position, ordered_groups
from ..forms.definition import COLUMN_PARTS, Column, FormDefinition
from .grid import header_grid


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
    cells: tuple[str, ...] = ()  # the text of every indicator column, in the form's order
    places: tuple[Position | None, ...] = ()  # where in the YAML each cell's text is filed (None: not filed)
    marks: tuple = ()  # the page's marks of each cell (findings, anchor): set for the HTML page only (marks.py)

    @property
    def l2_lines(self) -> tuple[str, str]:
        """The 二级 label as two lines (name, requirement), for templates that print them as paragraphs."""
        first, _, second = self.l2.partition("\n")
        return first, second


def _cell(column: Column, indicator: Indicator | None, level: str, label: str) -> str:
    if column.show == "level":
        return level
    if column.show == "group":
        return label
    if indicator is None:
        return ""
    if column.show == "name":
        return indicator.name
    if column.show == "value":
        return indicator.value
    if column.show in COLUMN_PARTS:
        parts = indicator.parts or ("", indicator.value, "")
        return parts[COLUMN_PARTS.index(column.show)]
    return indicator.detail(column.show)


def _place(filing: Filing, column: Column, tree: str, level: str, group: Group | None, indicator: Indicator | None,
           spec) -> Position | None:
    """Where the text of one indicator cell is filed: the key of its 一级, 二级 or 三级, or its value."""
    if column.show == "level":
        return filing.positions.get((tree, level))
    if column.show == "group":
        return group.position if group else None
    if indicator is None:
        return None
    if column.show == "name":
        return indicator.position
    path = (tree, level, group.name, indicator.name)
    if column.show in COLUMN_PARTS:
        return filing.value_positions.get((*path, spec.part_label(column.show))) or indicator.value_position
    if column.show == "value":
        return indicator.value_position
    return filing.value_positions.get((*path, column.show))


def _group_rows(group: Group | None, long_term: Group | None) -> list[tuple[Indicator | None, Indicator | None]]:
    annual = list(group.indicators) if group else []
    later = list(long_term.indicators) if long_term else []
    count = max(len(annual), len(later), 1)
    return [(annual[i] if i < len(annual) else None, later[i] if i < len(later) else None) for i in range(count)]


def indicator_rows(filing: Filing, form: FormDefinition) -> list[Row]:
    spec = form.indicators
    merged = spec.merge == "vertical"
    long_term_key = spec.long_term.key if spec.long_term else ""
    chosen = ordered_groups(filing, form)
    rows: list[Row] = []
    for level_name in dict.fromkeys(level for level, _, _, _ in chosen):
        planned = [
            (group_spec, group, long_term, _group_rows(group, long_term))
            for name, group_spec, group, long_term in chosen if name == level_name
        ]
        level_span = sum(len(pairs) for *_, pairs in planned)
        first_in_level = True
        for group_spec, group, long_term, pairs in planned:
            label = spec.group_label.format(name=group_spec.printed_name, requirement=group_spec.requirement)
            for index, (annual, later) in enumerate(pairs):
                l1_shown = first_in_level or not merged
                l2_shown = index == 0 or not merged
                cells = tuple(
                    _cell(column, later if column.half else annual, level_name if l1_shown else "", label if l2_shown else "")
                    for column in spec.columns
                )
                places = tuple(
                    _place(filing, column, long_term_key, level_name, long_term, later, spec) if column.half
                    else _place(filing, column, spec.key, level_name, group, annual, spec)
                    for column in spec.columns
                )
                rows.append(Row(
                    l1=level_name if l1_shown else "",
                    l1_span=(level_span if merged else 1) if l1_shown else 0,
                    l2=label if l2_shown else "",
                    l2_span=(len(pairs) if merged else 1) if l2_shown else 0,
                    l3=annual.name if annual else "",
                    value=annual.value if annual else "",
                    level=level_name,
                    group=group_spec.name,
                    cells=cells,
                    places=places,
                ))
                first_in_level = False
    return rows


def unplaced_groups(filing: Filing, form: FormDefinition) -> list[str]:
    """Groups of the filing that the form has no place for (schema validation prevents this)."""
    return [f"{g.level}/{g.name}" for g in (*filing.groups, *filing.long_term) if form.group(g.level, g.name) is None]


def _score(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip()) if text.strip() else None
    except InvalidOperation:
        return None


def weights(filing: Filing, form: FormDefinition) -> dict[str, str]:
    """Points per 一级 (and 合计) added up from the indicators' scores, for a label that prints them."""
    key = form.indicators.score
    totals = {level.name: Decimal(0) for level in form.levels}
    for group in filing.groups:
        for indicator in group.indicators:
            if key and (points := _score(indicator.detail(key))) is not None and group.level in totals:
                totals[group.level] += points
    text = {name: format(value.normalize(), "f") for name, value in totals.items()}
    text["合计"] = format(sum(totals.values(), Decimal(0)).normalize(), "f")
    return text


def form_context(filing: Filing, form: FormDefinition) -> dict:
    """The template context: documented in templates/README.md."""
    if unplaced := unplaced_groups(filing, form):
        raise ValueError(f"groups not on form {form.id}: {unplaced}")
    fields = dict(filing.fields)
    review = form.review
    unticked, ticked = review.boxes if review else ("", "")
    grade_options = [
        {"name": name, "checked": name == filing.grade, "box": ticked if name == filing.grade else unticked}
        for name in (review.field.enum if review and review.kind == "grade" else ())
    ]
    texts = {"label": form.labels(), "field": fields, "funds": dict(filing.funds_text)}
    return {
        "form": {
            "id": form.id,
            "attachment": form.printed(form.attachment, filing.year, fields),
            "title": form.printed(form.title, filing.year, fields),
            "year_line": form.printed(form.year_line, filing.year, fields),
            "note": form.note,
            "above_grid": {"left": form.printed(form.above_grid[0], filing.year, fields), "right": form.above_grid[1]},
            "footer": list(form.footer),
            "caption": form.indicators.caption,
            "orientation": form.orientation,
            "label_width": form.label_width,
        },
        "year": filing.year,
        **texts,
        "columns": [column.label for column in form.indicators.columns],
        "indicator_label": form.printed(form.indicators.label, filing.year, weights(filing, form)),
        "label_column": form.indicators.label_column,
        "indicator_columns": [
            {"label": c.label, "show": c.show, "half": c.half, "width": c.width} for c in form.indicators.columns
        ],
        "header_rows": [
            [{**cell.as_dict(), "text": texts[cell.source][cell.key] if cell.source in texts else cell.key} for cell in row]
            for row in header_grid(form)
        ],
        "rows": indicator_rows(filing, form),
        "grade_options": grade_options,
        "review": {
            "kind": review.kind if review else "",
            "label": review.field.label if review else "",
            "text": fields.get(review.field.key, "") if review and review.kind == "text" else "",
        },
    }
