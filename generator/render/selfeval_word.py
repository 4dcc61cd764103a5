"""The 自评表 as a Word file, drawn with python-docx from a Sheet (selfeval_sheet.py).

The same building blocks as the generated templates of target packs (word_template.py: fonts, A4
pages, fixed-width tables whose rows do not break, exact line pitch), but no template: the sheet is
already the filing's text, so it is written straight into the tables. Four tables stacked as one
grid (header, 项目资金, 年度总体目标, indicators), kept apart by hidden paragraphs like the header
and indicator tables of a target pack; merged cells are real merges (gridSpan, vMerge). The package
has fixed document properties and zip timestamps: the same filing and time give the same bytes.
"""

from __future__ import annotations

import io

from docx.shared import Mm

from .selfeval_sheet import SELFEVAL_SUBJECT, Sheet
from .word import DocumentInfo, normalize_zip, set_properties
from .word_template import (
    BODY_FONT,
    CENTER,
    LEFT,
    PAGE_MM,
    TITLE_FONT,
    cell_text,
    hidden_paragraph,
    merge,
    new_document,
    paragraph,
    repeat_on_every_page,
    spread_line,
    table,
)

SIDE_MARGIN_MM, TOP_MARGIN_MM = 20, 12  # narrower than a target form's: the 自评表 is a wide, long grid
LABEL_MM = 30  # the left label column of the header, 项目资金 and 年度总体目标 rows
ITEM_MM = 38  # the money item column
# Indicator columns by what they show; 偏差原因分析及改进措施 (reason) takes what is left.
INDICATOR_MM = {"level": 22, "group": 26, "name": 38, "target": 36, "actual": 38, "points": 12, "score": 14, "band": 26}
CELL_PT = 10  # a point below a target form's cells: the whole 自评表 of a usual project fits one landscape page
MIN_REASON_MM = 30
_CENTRED = {"level", "group", "points", "score", "band"}


def _text(cell, text: str, *, align=LEFT) -> None:
    cell_text(cell, text, align=align, size=CELL_PT)


def _table(document, rows: int, widths_mm: tuple[float, ...]):
    return table(document, rows, widths_mm, size=CELL_PT)


def text_width(orientation: str) -> float:
    return PAGE_MM[orientation][0] - 2 * SIDE_MARGIN_MM


def _header(document, pairs_rows, width: float) -> None:
    value = (width - 2 * LABEL_MM) / 2
    grid = _table(document, len(pairs_rows), (LABEL_MM, value, LABEL_MM, value))
    for number, pairs in enumerate(pairs_rows):
        for index, (label, text) in enumerate(pairs[:2]):
            _text(grid.cell(number, 2 * index), label, align=CENTER)
            target = grid.cell(number, 2 * index + 1)
            if len(pairs) == 1:
                target = merge(grid, number, 1, 3)
            _text(target, text)


def _funds(document, sheet: Sheet, width: float) -> None:
    count = len(sheet.funds_columns)
    share = (width - LABEL_MM - ITEM_MM) / count
    grid = _table(document, len(sheet.funds_rows) + 1, (LABEL_MM, ITEM_MM, *([share] * count)))
    for index, heading in enumerate(sheet.funds_columns):
        _text(grid.cell(0, 2 + index), heading, align=CENTER)
    for number, row in enumerate(sheet.funds_rows, start=1):
        _text(grid.cell(number, 1), row.label, align=CENTER)
        for index, text in enumerate(row.cells):
            _text(grid.cell(number, 2 + index), text, align=CENTER)
    label = grid.cell(0, 0).merge(grid.cell(len(sheet.funds_rows), 0))
    _text(label, sheet.funds_label, align=CENTER)


def _goal(document, sheet: Sheet, width: float) -> None:
    label, target_heading, actual_heading, target, actual = sheet.goal
    half = (width - LABEL_MM) / 2
    grid = _table(document, 2, (LABEL_MM, half, half))
    _text(grid.cell(0, 1), target_heading, align=CENTER)
    _text(grid.cell(0, 2), actual_heading, align=CENTER)
    _text(grid.cell(1, 1), target)
    _text(grid.cell(1, 2), actual)
    _text(grid.cell(0, 0).merge(grid.cell(1, 0)), label, align=CENTER)


def indicator_widths(shows: tuple[str, ...], width: float) -> tuple[float, ...]:
    given = sum(INDICATOR_MM.get(show, 0) for show in shows)
    reasons = sum(1 for show in shows if show == "reason")
    rest = max((width - given) / reasons, MIN_REASON_MM) if reasons else 0
    widths = [INDICATOR_MM[show] if show in INDICATOR_MM else rest for show in shows]
    scale = min(1.0, width / sum(widths))  # a pack with more columns: all narrower, never wider than the page
    return tuple(w * scale for w in widths)


def _indicators(document, sheet: Sheet, width: float) -> None:
    shows = sheet.shows
    grid = _table(document, len(sheet.rows) + 2, indicator_widths(shows, width))
    repeat_on_every_page(grid.rows[0])
    for index, heading in enumerate(sheet.columns):
        _text(grid.cell(0, index), heading, align=CENTER)
    for number, row in enumerate(sheet.rows, start=1):
        for index, (show, text) in enumerate(zip(shows, row.cells)):
            span = row.level_span if show == "level" else row.group_span if show == "group" else 1
            if span == 0:
                continue  # covered by the merged cell above
            target = grid.cell(number, index)
            if span > 1:
                target = target.merge(grid.cell(number + span - 1, index))
            _text(target, text, align=CENTER if show in _CENTRED else LEFT)
    last = len(sheet.rows) + 1
    label, points, score = sheet.total
    points_at, score_at = shows.index("points") if "points" in shows else None, shows.index("score")
    first_number = min(i for i in (points_at, score_at) if i is not None)
    _text(merge(grid, last, 0, first_number - 1) if first_number > 0 else grid.cell(last, 0), label, align=CENTER)
    if points_at is not None:
        _text(grid.cell(last, points_at), points, align=CENTER)
    _text(grid.cell(last, score_at), score, align=CENTER)
    after = max(i for i in (points_at, score_at) if i is not None) + 1
    if after < len(shows) - 1:
        merge(grid, last, after, len(shows) - 1)


def render_selfeval_docx(sheet: Sheet, info: DocumentInfo) -> bytes:
    document = new_document(sheet.orientation)
    section = document.sections[0]
    section.left_margin = section.right_margin = Mm(SIDE_MARGIN_MM)
    section.top_margin = section.bottom_margin = Mm(TOP_MARGIN_MM)
    width = text_width(sheet.orientation)
    paragraph(document, sheet.title, align=CENTER, east_asia=TITLE_FONT, size=16, bold=True, space_after=0)
    if sheet.year_line:
        paragraph(document, sheet.year_line, align=CENTER, east_asia=BODY_FONT, size=12, space_after=3)
    if any(sheet.above_grid):
        spread_line(document, list(sheet.above_grid), width, align_last_right=True)
    pending = []  # consecutive header rows: one table
    for part in [*sheet.order, "end"]:
        if part.startswith("fields:"):
            pending.append(sheet.header[int(part.partition(":")[2])])
            continue
        if pending:
            _header(document, pending, width)
            hidden_paragraph(document)
            pending = []
        if part != "end":
            (_funds if part == "funds" else _goal)(document, sheet, width)
            hidden_paragraph(document)
    _indicators(document, sheet, width)
    if sheet.note:
        paragraph(document, sheet.note, align=LEFT, east_asia=BODY_FONT, size=9)
    if sheet.footer:
        spread_line(document, list(sheet.footer), width, align_last_right=False)
    if sheet.signature:
        spread_line(document, list(sheet.signature), width, align_last_right=False)
    if not (sheet.note or sheet.footer or sheet.signature):
        hidden_paragraph(document)
    properties = document.core_properties
    properties.author = properties.last_modified_by = "jixiao"
    properties.revision = 1
    set_properties(properties, {"form": {"title": SELFEVAL_SUBJECT}}, info)
    buffer = io.BytesIO()
    document.save(buffer)
    return normalize_zip(buffer.getvalue())
