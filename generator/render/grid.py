"""The header grid of a form: label and value cells with their spans, from the pack's layout.

The grid is a label column plus UNITS equal units; every layout row fills the units exactly, so
the Word table and the HTML table of any pack are regular grids. A cell names where its text comes
from (a label, a header field or goal, an amount, or fixed text), so the same grid serves the
generated Word template (as tags) and the HTML preview (as text).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache

from ..forms.definition import FormDefinition

UNITS = 12


@dataclass(frozen=True)
class GridCell:
    source: str  # "label", "field", "funds" (the context mapping that holds the text) or "text" (key is the text)
    key: str
    colspan: int
    rowspan: int = 1
    kind: str = "value"  # label / value / amount / heading (a printed sub-heading)

    def as_dict(self) -> dict:
        return asdict(self)


def _split(total: int, parts: int) -> list[int]:
    """`total` units over `parts` cells, the first ones taking what does not divide evenly."""
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)]


def _pairs(form: FormDefinition, keys: tuple[str, ...]) -> list[GridCell]:
    """One row of label/value pairs: the first label in the label column, the others inside the units."""
    label_units = 3 if len(keys) == 2 else 2
    values = _split(UNITS - label_units * (len(keys) - 1), len(keys))
    cells = []
    for index, key in enumerate(keys):
        if index:
            cells.append(GridCell("label", key, label_units, kind="label"))
        else:
            cells.append(GridCell("label", key, 1, kind="label"))
        is_amount = form.funds.item(key) is not None
        cells.append(GridCell("funds" if is_amount else "field", key, values[index], kind="amount" if is_amount else "value"))
    return cells


def _funds(form: FormDefinition) -> list[list[GridCell]]:
    funds = form.funds
    rows = [list(row) for row in funds.rows]
    height = len(rows) + (1 if funds.headings else 0)
    grid: list[list[GridCell]] = []
    if funds.headings:
        spans = [5, 7] if len(funds.headings) == 2 else _split(UNITS, len(funds.headings))
        grid.append([GridCell("text", heading, span, kind="heading") for heading, span in zip(funds.headings, spans)])
    for keys in rows:
        spans = [5, 7] if len(keys) == 1 else _split(UNITS, 2 * len(keys))
        cells = []
        for index, key in enumerate(keys):
            cells.append(GridCell("label", key, spans[2 * index], kind="label"))
            cells.append(GridCell("funds", key, spans[2 * index + 1], kind="amount"))
        grid.append(cells)
    grid[0].insert(0, GridCell("label", funds.key, 1, height, kind="label"))
    return grid


def _group(form: FormDefinition, key: str) -> list[list[GridCell]]:
    group = form.field(key)
    grid = [[GridCell("label", item.key, 4, kind="label"), GridCell("field", item.key, 8)] for item in group.items]
    grid[0].insert(0, GridCell("label", key, 1, len(group.items), kind="label"))
    return grid


def _side_by_side(keys: tuple[str, ...], label: str) -> list[list[GridCell]]:
    spans = _split(UNITS, len(keys))
    return [
        [GridCell("text", label, 1, 2, kind="label"), *(GridCell("label", key, span, kind="heading") for key, span in zip(keys, spans))],
        [GridCell("field", key, span) for key, span in zip(keys, spans)],
    ]


@cache
def header_grid(form: FormDefinition) -> tuple[tuple[GridCell, ...], ...]:
    grid: list[list[GridCell]] = []
    for row in form.layout:
        if row.kind == "fields":
            grid.append(_pairs(form, row.keys))
        elif row.kind == "funds":
            grid.extend(_funds(form))
        elif row.kind == "group":
            grid.extend(_group(form, row.keys[0]))
        else:
            grid.extend(_side_by_side(row.keys, row.label))
    return tuple(tuple(row) for row in grid)
