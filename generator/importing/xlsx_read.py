"""Read an Excel workbook (.xlsx) as the importer needs it: each sheet's rows of cells, with limits.

The zip is checked before openpyxl opens it (package.py's checks: the size of its directory, then
every part's declared size against a limit, which zipfile also holds while inflating, and no DTD
in any XML part). openpyxl then reads in read-only mode, which streams each sheet's XML. Only rows
with something in them are kept, and at most MAX_ROWS of them: a workbook of a million rows is
refused as it is counted. Merged ranges, which read-only mode does not report, come from a second
streaming pass over each sheet's XML that keeps only its <mergeCell> elements.
"""

from __future__ import annotations

import posixpath
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .package import DtdRefused, UnreadableDocument, check_directory, check_office_file, main_part, parse, too_big

MAX_PART_BYTES = 64 << 20  # a sheet of about 250,000 rows as Excel writes them
MAX_TOTAL_BYTES = 256 << 20
MAX_ROWS = 200_000  # rows with content, all sheets together: a few thousand filings
MAX_CELLS = 2_000_000
MAX_MERGED_CELLS = 2_000_000  # cells covered by merged ranges, all sheets together
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]{1,7})$")


@dataclass(frozen=True, slots=True)
class XCell:
    value: object  # str, int, float, bool, datetime, time, timedelta or None, as openpyxl reads it
    number_format: str


@dataclass
class SheetRows:
    name: str
    hidden: bool
    rows: dict[int, list[XCell]] = field(default_factory=dict)  # 1-based row number → cells from column A
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # first row, first col, last row, last col (1-based)


@dataclass
class Workbook:
    sheets: list[SheetRows]
    epoch: datetime  # day 0 of its date serials (1899-12-30, or 1904-01-01 in a 1904 workbook)
    title: str = ""  # the document's title property (jixiao's says the year: 2024年度项目支出绩效目标汇总表)


class _TooMuch(Exception):
    pass


def _blank(value) -> bool:
    return value is None or isinstance(value, str) and not value.strip()


def _check_package(path: Path) -> dict[str, str]:
    """Refuse what openpyxl must not be given; the worksheet part of each sheet, by name."""
    check_directory(path, "Excel")
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        total = 0
        for info in infos:
            if info.file_size > MAX_PART_BYTES:
                raise too_big(path, info.filename, MAX_PART_BYTES)
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise too_big(path, "全部内容", MAX_TOTAL_BYTES)
        for info in infos:
            if info.filename.endswith((".xml", ".rels", ".vml")):
                try:
                    parse(archive, path, info.filename, MAX_PART_BYTES, _FirstElement(), "Excel")
                except _Stop:
                    pass
        return _sheet_parts(archive, path)


class _Stop(Exception):
    pass


class _FirstElement:
    """Parser target that stops at the root element: a DTD comes before it, so this is where it shows."""

    def start(self, tag, attrib):
        raise _Stop

    def doctype(self, *_):
        raise DtdRefused

    def close(self):
        return None


class _Collect:
    """Parser target keeping what one kind of element says: (tag, attributes) of the wanted tags."""

    def __init__(self, *tags: str):
        self.tags, self.found = set(tags), []

    def start(self, tag, attrib):
        if tag in self.tags:
            self.found.append((tag, dict(attrib)))

    def close(self):
        return self.found


def _sheet_parts(archive: zipfile.ZipFile, path: Path) -> dict[str, str]:
    workbook = main_part(archive, path, "Excel")
    sheets = _Collect(f"{_MAIN}sheet")
    parse(archive, path, workbook, MAX_PART_BYTES, sheets, "Excel")
    rels_name = posixpath.join(posixpath.dirname(workbook), "_rels", posixpath.basename(workbook) + ".rels")
    targets: dict[str, str] = {}
    if rels_name in archive.namelist():
        rels = _Collect(f"{_RELS}Relationship")
        parse(archive, path, rels_name, MAX_PART_BYTES, rels, "Excel")
        for _, attrib in rels.found:
            target = attrib.get("Target", "")
            base = "/" if target.startswith("/") else posixpath.dirname(workbook)
            targets[attrib.get("Id", "")] = posixpath.normpath(posixpath.join(base, target)).lstrip("/")
    return {attrib.get("name", ""): targets.get(attrib.get(_R_ID, ""), "") for _, attrib in sheets.found}


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _merges(archive: zipfile.ZipFile, path: Path, part: str, budget: list[int]) -> list[tuple[int, int, int, int]]:
    if part not in archive.namelist():
        return []
    collected = _Collect(f"{_MAIN}mergeCell")
    parse(archive, path, part, MAX_PART_BYTES, collected, "Excel")
    merges = []
    for _, attrib in collected.found:
        corners = [_CELL_REF.match(piece) for piece in attrib.get("ref", "").upper().split(":")]
        if len(corners) != 2 or None in corners:
            continue
        (col1, row1), (col2, row2) = ((_column(m[1]), int(m[2])) for m in corners)
        top, left, bottom, right = min(row1, row2), min(col1, col2), max(row1, row2), max(col1, col2)
        budget[0] -= (bottom - top + 1) * (right - left + 1)
        if budget[0] < 0:
            raise _TooMuch(f"合并单元格覆盖的单元格超过 {MAX_MERGED_CELLS} 个")
        merges.append((top, left, bottom, right))
    return merges


def read_workbook(path: Path) -> Workbook:
    """Every worksheet's non-blank rows; UnreadableDocument (for the user) when the file cannot or must not be read."""
    check_office_file(path, "Excel", ".xlsx", ".xls")
    try:
        parts = _check_package(path)
        return _read(path, parts)
    except UnreadableDocument:
        raise
    except _TooMuch as too_much:
        raise UnreadableDocument(
            f"{path} 的{too_much}，不像是申报表，没有读取；如果确实是申报表，请拆成几个较小的工作簿再导入"
        ) from None
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds on a broken file; none may escape as a traceback
        raise UnreadableDocument(f"{path} 无法作为 Excel 文件打开：{type(error).__name__}: {error}") from None


def _read(path: Path, parts: dict[str, str]) -> Workbook:
    import openpyxl  # only for an import from Excel

    rows_left, cells_left, merged_left = [MAX_ROWS], [MAX_CELLS], [MAX_MERGED_CELLS]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about parts it skips (data validation, images); not ours to say
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
        try:
            sheets = []
            with zipfile.ZipFile(path) as archive:
                for sheet in book.worksheets:
                    rows = SheetRows(sheet.title, sheet.sheet_state != "visible")
                    rows.merges = _merges(archive, path, parts.get(sheet.title, ""), merged_left)
                    sheet.reset_dimensions()  # a stale dimension must not add a million empty rows
                    _rows(sheet, rows, rows_left, cells_left)
                    sheets.append(rows)
            return Workbook(sheets, book.epoch, book.properties.title or "")
        finally:
            book.close()


def _rows(sheet, into: SheetRows, rows_left: list[int], cells_left: list[int]) -> None:
    from openpyxl.utils.escape import unescape

    for number, row in enumerate(sheet.iter_rows(), start=1):
        if all(_blank(cell.value) for cell in row):
            continue
        rows_left[0] -= 1
        cells_left[0] -= len(row)
        if rows_left[0] < 0:
            raise _TooMuch(f"有内容的行超过 {MAX_ROWS} 行")
        if cells_left[0] < 0:
            raise _TooMuch(f"单元格超过 {MAX_CELLS} 个")
        # openpyxl leaves Excel's escapes in text (_x000D_ for a carriage return, _x005F_ for a "_" that
        # starts one): unescaped here, so that a text reads as Excel shows it.
        cells = [XCell(unescape(cell.value) if isinstance(cell.value, str) else cell.value,
                       getattr(cell, "number_format", None) or "General") for cell in row]
        while cells and _blank(cells[-1].value):
            cells.pop()
        into.rows[number] = cells
