"""Where a filing's findings show on its HTML page: each on the cell that prints what it is about.

A finding carries the YAML line and column it points at; every printed cell knows where the key or
value it prints is filed (header cells from the filing's positions, indicator cells from Row.places).
A finding goes to the cell on its line whose position is the last at or before its column (a key and
its value share a line); a finding on a line no cell prints is only listed. Every line that a cell
prints gets the anchor `L<line>` (on its cell with a finding, else on its value), so that `x.html#L12`
shows what line 12 of x.yaml says, as `jixiao check` names it; a listed finding holds its line's
anchor itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..common.findings import Finding, Severity
from ..filing.model import Filing, Position
from ..forms.definition import FormDefinition
from .grid import header_grid

_WORST_FIRST = {severity.value: rank for rank, severity in enumerate(Severity)}
_KEY_SOURCES = ("label", "level", "group", "name")  # cells that print a key: a value on the same spot wins


@dataclass(frozen=True)
class Mark:
    """What the page adds to one cell: its anchor and the findings about it."""

    id: str = ""  # "L<line>" on the one cell that holds the anchor of its line
    severity: str = ""  # the worst of its findings (error / warning / info), "" without findings
    findings: tuple[dict, ...] = ()


NO_MARK = Mark()


@dataclass
class _Spot:
    ref: tuple  # ("label" | "field" | "funds", key) or ("row", row index, column index)
    position: Position
    kind: str  # what the cell prints: a key kind (_KEY_SOURCES) or a value
    findings: list[dict]

    @property
    def rank(self) -> tuple[int, int]:
        return self.position.col, 0 if self.kind in _KEY_SOURCES else 1


def _header_spots(filing: Filing, form: FormDefinition) -> list[_Spot]:
    """The header grid's cells in print order, then the review and the indicator label, when filed."""
    funds, indicators = form.funds.key, form.indicators.key
    wanted = [(cell.source, cell.key) for row in header_grid(form) for cell in row if cell.source in ("label", "field", "funds")]
    if form.review:
        wanted += [("label", form.review.field.key), ("field", form.review.field.key)]
    if form.indicators.label_column:
        wanted.append(("label", indicators))
    spots = []
    for source, key in wanted:
        if source == "funds" or form.funds.item(key):
            path = (funds, key)
        elif key in (funds, indicators):
            path = (key,)
        else:
            path = filing.field_path(key)
        if path not in filing.positions:
            continue  # not filed: nothing on this cell has a line
        position = filing.positions[path] if source == "label" else filing.value_at(*path)
        spots.append(_Spot((source, key), position, source, []))
    return spots


def _row_spots(rows: list, form: FormDefinition) -> list[_Spot]:
    """The indicator cells the templates print: the merged 一级 and 二级 cells only on their first row."""
    columns = form.indicators.columns
    merged = {
        next((i for i, c in enumerate(columns) if c.show == show and not c.half), None): span
        for show, span in (("level", "l1_span"), ("group", "l2_span"))
    }
    spots = []
    for index, row in enumerate(rows):
        for column, place in enumerate(row.places):
            if place is None or (column in merged and not getattr(row, merged[column])):
                continue
            spots.append(_Spot(("row", index, column), place, columns[column].show, []))
    return spots


def _finding(finding: Finding) -> dict:
    return {
        "line": finding.line, "col": finding.col, "severity": finding.severity.value, "label": finding.severity.label,
        "rule": finding.rule, "message": finding.message, "anchor": f"L{finding.line}", "placed": False,
    }


def _mark(spot: _Spot, anchor: bool) -> Mark:
    worst = min((f["severity"] for f in spot.findings), key=_WORST_FIRST.get, default="")
    return Mark(f"L{spot.position.line}" if anchor else "", worst, tuple(spot.findings))


def page_context(context: dict, filing: Filing, form: FormDefinition, findings: list[Finding],
                 links: Sequence[dict] = ()) -> dict:
    """The context of layout.form_context with what the HTML page adds (templates/README.md): `marks` by
    label, field and amount, each header cell's and each indicator row's marks, every finding, and the
    page's links ({href, label}: the overview, the other version)."""
    rows = context["rows"]
    spots = _header_spots(filing, form) + _row_spots(rows, form)
    by_line: dict[int, list[_Spot]] = {}
    for spot in spots:
        by_line.setdefault(spot.position.line, []).append(spot)
    listed = [_finding(f) for f in findings]
    for item in listed:
        on_line = by_line.get(item["line"], [])
        before = [s for s in on_line if s.position.col <= item["col"]] or on_line
        if before:
            # The last cell at or before the column; on the same spot the value rather than its key, and
            # of cells that repeat a key on every row (an unmerged 一级), the first.
            max(before, key=lambda s: s.rank).findings.append(item)
            item["placed"] = True
    anchored = set()
    for on_line in by_line.values():
        flagged = [s for s in on_line if s.findings]
        anchored.add(id(max(flagged or on_line, key=lambda s: s.rank)))
    taken = set(by_line)
    for item in listed:  # a line no cell prints: its first listed finding holds the anchor
        item["id"] = "" if item["placed"] or item["line"] in taken else item["anchor"]
        taken.add(item["line"])

    marks: dict[str, dict[str, Mark]] = {"label": {}, "field": {}, "funds": {}}
    row_marks: dict[int, dict[int, Mark]] = {}
    for spot in spots:
        mark = _mark(spot, id(spot) in anchored)
        if spot.ref[0] == "row":
            row_marks.setdefault(spot.ref[1], {})[spot.ref[2]] = mark
        else:
            marks[spot.ref[0]][spot.ref[1]] = mark
    for source, texts in (("label", context["label"]), ("field", context["field"]), ("funds", context["funds"])):
        for key in texts:
            marks[source].setdefault(key, NO_MARK)
    if form.review:
        for source in ("label", "field"):
            marks[source].setdefault(form.review.field.key, NO_MARK)
    counts = {severity.value: sum(f["severity"] == severity.value for f in listed) for severity in Severity}
    return {
        **context,
        "header_rows": [
            [{**cell, "mark": marks[cell["source"]].get(cell["key"], NO_MARK) if cell["source"] in marks else NO_MARK}
             for cell in row]
            for row in context["header_rows"]
        ],
        "rows": [
            replace(row, marks=tuple(row_marks.get(index, {}).get(column, NO_MARK) for column in range(len(row.cells))))
            for index, row in enumerate(rows)
        ],
        "marks": marks,
        "indicator_label_mark": marks["label"].get(form.indicators.key, NO_MARK),
        "review_marks": {
            "label": marks["label"].get(form.review.field.key, NO_MARK) if form.review else NO_MARK,
            "value": marks["field"].get(form.review.field.key, NO_MARK) if form.review else NO_MARK,
        },
        "findings": listed,
        "finding_counts": counts,
        "links": list(links),
    }
