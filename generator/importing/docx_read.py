"""Read a Word document as the importer needs it: paragraphs and table rows in document order.

The main document streams through an lxml parser target (package.py opens the zip with limits), so
no tree of it is ever held and a document of a million empty cells is refused as it is counted.
Tables are read at the XML level: merged cells (`w:vMerge`, `w:gridSpan`) and rows that start late
(`w:gridBefore`) are resolved into grid positions, so that a cell merged over several rows is one
`Cell` object seen from each row it covers.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from docx.oxml.ns import qn

from .package import MAX_DOCUMENT_BYTES, DtdRefused, UnreadableDocument, check_directory, check_office_file, main_part, parse

MAX_PIECES = 200_000  # paragraphs and cells: a few hundred per form
MAX_GRID = 1000  # far above the 63 columns Word allows: a larger span is nonsense, not a table
_GRID_NUMBER = re.compile(r"[0-9]{1,4}")

W_DOCUMENT, W_BODY, W_P, W_R, W_T = qn("w:document"), qn("w:body"), qn("w:p"), qn("w:r"), qn("w:t")
W_TBL, W_TBLGRID, W_GRIDCOL, W_TR, W_TRPR, W_TC, W_TCPR = (
    qn("w:tbl"), qn("w:tblGrid"), qn("w:gridCol"), qn("w:tr"), qn("w:trPr"), qn("w:tc"), qn("w:tcPr"),
)
W_GRIDBEFORE, W_GRIDSPAN, W_VMERGE, W_VAL = qn("w:gridBefore"), qn("w:gridSpan"), qn("w:vMerge"), qn("w:val")
_RUN_BREAKS = {qn("w:tab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n"}


@dataclass(eq=False, slots=True)
class Cell:
    text: str
    col: int  # first grid column
    span: int  # grid columns covered
    top_row: int  # row where the cell starts


@dataclass(frozen=True, slots=True)
class RowCell:
    cell: Cell
    continued: bool  # covered by a cell that started in a row above (vertical merge)


@dataclass(frozen=True, slots=True)
class TableRow:
    table: int  # 1-based table number in the document
    number: int  # 1-based row number in its table
    cells: tuple[RowCell, ...]
    grid_width: int  # grid columns of the table

    @property
    def texts(self) -> list[str]:
        return [c.cell.text for c in self.cells]

    @property
    def full_width(self) -> bool:
        return bool(self.cells) and self.cells[0].cell.col == 0 and self.cells[-1].cell.col + self.cells[-1].cell.span >= self.grid_width


@dataclass(frozen=True, slots=True)
class Paragraph:
    number: int  # 1-based paragraph number in the body
    text: str


@dataclass
class DocumentContent:
    blocks: list[Paragraph | TableRow] = field(default_factory=list)
    nested_tables: int = 0
    problems: list[str] = field(default_factory=list)  # properties read as their defaults, with their place


class _Text:
    """The text of a body paragraph or a table cell: runs, tabs and line breaks kept, its paragraphs
    (a paragraph in a text box inside it too) joined by newlines. Text belongs to the innermost open
    paragraph only, so that nested paragraphs cannot repeat it."""

    def __init__(self):
        self.paragraphs: list[list[str]] = []
        self.open: list[int] = []

    def open_paragraph(self) -> None:
        self.open.append(len(self.paragraphs))
        self.paragraphs.append([])

    def close_paragraph(self) -> None:
        if self.open:
            self.open.pop()

    def add(self, piece: str) -> None:
        if self.open:
            self.paragraphs[self.open[-1]].append(piece)

    def value(self) -> str:
        return "\n".join("".join(pieces) for pieces in self.paragraphs)


@dataclass
class _RawCell:
    text: _Text = field(default_factory=_Text)
    span: str | None = None  # w:gridSpan as written
    merge: str | None = None  # w:vMerge: None, "restart" or "continue"
    nested: int = 0  # tables directly inside the cell


@dataclass
class _RawRow:
    before: str | None = None  # w:gridBefore as written
    cells: list[_RawCell] = field(default_factory=list)


@dataclass
class _RawTable:
    width: int = 0  # w:gridCol count
    rows: list[_RawRow] = field(default_factory=list)


class _TooManyPieces(Exception):
    pass


class _NotWord(Exception):
    pass


class _BodyReader:
    """lxml parser target: body paragraphs and tables as the XML streams past. Depths are fixed by
    the schema (document 1, body 2, body paragraph or table 3, row 4, cell 5, cell properties 6), and
    only what the importer needs is kept."""

    def __init__(self):
        self.content = DocumentContent()
        self.stack: list[str] = []
        self.text: _Text | None = None  # the body paragraph or cell being read
        self.table: _RawTable | None = None
        self.paragraphs = self.tables = self.pieces = 0

    def _count(self) -> None:
        self.pieces += 1
        if self.pieces > MAX_PIECES:
            raise _TooManyPieces

    def start(self, tag, attrib):
        stack = self.stack
        stack.append(tag)
        depth = len(stack)
        if depth == 1 and tag != W_DOCUMENT:
            raise _NotWord
        if depth == 3 and stack[1] == W_BODY:
            if tag == W_P:
                self.text = _Text()
            elif tag == W_TBL:
                self.table = _RawTable()
        elif self.table is not None and 4 <= depth <= 7:
            self._table_start(tag, attrib, depth)
        if self.text is not None:
            if tag == W_P:
                self._count()
                self.text.open_paragraph()
            elif tag in _RUN_BREAKS and stack[-2] == W_R:
                self.text.add(_RUN_BREAKS[tag])

    def _table_start(self, tag, attrib, depth: int) -> None:
        table, parent = self.table, self.stack[-2]
        if depth == 4 and tag == W_TR:
            table.rows.append(_RawRow())
        elif depth == 5 and parent == W_TBLGRID and tag == W_GRIDCOL:
            table.width += 1
        elif depth == 5 and parent == W_TR and tag == W_TC:
            self._count()
            cell = _RawCell()
            table.rows[-1].cells.append(cell)
            self.text = cell.text
        elif self.stack[3] != W_TR:
            return
        elif depth == 6 and parent == W_TRPR and tag == W_GRIDBEFORE and table.rows[-1].before is None:
            table.rows[-1].before = attrib.get(W_VAL)
        elif depth == 6 and parent == W_TC and tag == W_TBL:
            table.rows[-1].cells[-1].nested += 1
        elif depth == 7 and self.stack[4] == W_TC and parent == W_TCPR:
            cell = table.rows[-1].cells[-1]
            if tag == W_GRIDSPAN and cell.span is None:
                cell.span = attrib.get(W_VAL)
            elif tag == W_VMERGE and cell.merge is None:
                cell.merge = attrib.get(W_VAL) or "continue"

    def data(self, text):
        # All of a w:t's text, also after a comment or processing instruction inside it.
        if self.text is not None and self.stack[-1] == W_T and self.stack[-2] == W_R:
            self.text.add(text)

    def end(self, tag):
        depth = len(self.stack)
        self.stack.pop()
        if self.text is not None and tag == W_P:
            self.text.close_paragraph()
        if depth == 3 and self.text is not None and tag == W_P:
            self.paragraphs += 1
            self.content.blocks.append(Paragraph(self.paragraphs, self.text.value()))
            self.text = None
        elif depth == 3 and self.table is not None and tag == W_TBL:
            self.tables += 1
            self.content.blocks.extend(_table_rows(self.table, self.tables, self.content))
            self.table = None
        elif depth == 5 and self.table is not None and tag == W_TC and self.stack[-1] == W_TR:
            self.text = None

    def doctype(self, *_):
        raise DtdRefused

    def close(self):
        return self.content


def _grid_number(value: str | None, default: int, least: int, what: str, place: str, problems: list[str]) -> int:
    """A w:gridSpan or w:gridBefore value; a nonsense one is read as `default` and reported."""
    if value is None:
        return default
    text = value.strip()
    if _GRID_NUMBER.fullmatch(text) and least <= int(text) <= MAX_GRID:
        return int(text)
    shown = value if len(value) <= 20 else value[:20] + "…"
    problems.append(f"{place}：{what}“{shown}”无效，按 {default} 读取，这一行各格的位置可能不对")
    return default


def _table_rows(table: _RawTable, number: int, content: DocumentContent) -> list[TableRow]:
    rows: list[TableRow] = []
    above: dict[int, Cell] = {}  # grid column → cell still open for vertical merge
    for row_number, raw in enumerate(table.rows, start=1):
        place = f"表格 {number} 第 {row_number} 行"
        col = _grid_number(raw.before, 0, 0, "行首空出的列数（w:gridBefore）", place, content.problems)
        cells: list[RowCell] = []
        for raw_cell in raw.cells:
            span = _grid_number(raw_cell.span, 1, 1, "单元格占的列数（w:gridSpan）", place, content.problems)
            content.nested_tables += raw_cell.nested
            if raw_cell.merge == "continue" and col in above:
                cells.append(RowCell(above[col], True))
            else:
                cell = Cell(raw_cell.text.value(), col, span, row_number)
                cells.append(RowCell(cell, False))
                if raw_cell.merge == "restart":
                    above[col] = cell
                else:
                    above.pop(col, None)
            col += span
        rows.append(TableRow(number, row_number, tuple(cells), max(table.width, col)))
    return rows


def read_document(path: Path) -> DocumentContent:
    check_office_file(path, "Word", ".docx", ".doc")
    try:
        check_directory(path)
        with zipfile.ZipFile(path) as archive:
            name = main_part(archive, path)
            reader = _BodyReader()
            parse(archive, path, name, MAX_DOCUMENT_BYTES, reader)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnreadableDocument(f"{path} 无法作为 Word 文件打开：{error}") from None
    except _NotWord:
        raise UnreadableDocument(f"{path} 无法作为 Word 文件打开：正文不是 Word 文档（可能是 Excel 或 PowerPoint 文件）") from None
    except _TooManyPieces:
        raise UnreadableDocument(
            f"{path} 的段落和单元格超过 {MAX_PIECES} 个，不像是申报表，没有读取；如果确实是申报表，请拆成几个较小的文档再导入"
        ) from None
    return reader.content
