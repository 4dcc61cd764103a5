"""Read a Word document as the importer needs it: paragraphs and table rows in document order.

Tables are read at the XML level: merged cells (`w:vMerge`, `w:gridSpan`) and rows that start
late (`w:gridBefore`) are resolved into grid positions, so that a cell merged over several rows
is one `Cell` object seen from each row it covers.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from lxml import etree

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc and encrypted .docx files


class UnreadableDocument(Exception):
    """The file is not a Word document we can read; the message is for the user."""


@dataclass(eq=False)
class Cell:
    text: str
    col: int  # first grid column
    span: int  # grid columns covered
    top_row: int  # row where the cell starts


@dataclass(frozen=True)
class RowCell:
    cell: Cell
    continued: bool  # covered by a cell that started in a row above (vertical merge)


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Paragraph:
    number: int  # 1-based paragraph number in the body
    text: str


@dataclass
class DocumentContent:
    blocks: list[Paragraph | TableRow] = field(default_factory=list)
    nested_tables: int = 0


def element_text(element) -> str:
    """Text of a paragraph-holding element: runs, tabs and line breaks kept, paragraphs joined by newlines."""
    paragraphs = []
    for paragraph in element.iter(qn("w:p")):
        parts = []
        for node in paragraph.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")):
            if node.tag == qn("w:t"):
                parts.append(node.text or "")
            elif node.tag == qn("w:tab"):
                parts.append("\t")
            else:
                parts.append("\n")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def _table_rows(tbl, number: int) -> tuple[list[TableRow], int]:
    grid = tbl.find(qn("w:tblGrid"))
    width = len(grid.findall(qn("w:gridCol"))) if grid is not None else 0
    rows: list[TableRow] = []
    above: dict[int, Cell] = {}  # grid column → cell still open for vertical merge
    nested = 0
    for row_number, tr in enumerate(tbl.findall(qn("w:tr")), start=1):
        trpr = tr.find(qn("w:trPr"))
        before = trpr.find(qn("w:gridBefore")) if trpr is not None else None
        col = int(before.get(qn("w:val"), "0")) if before is not None else 0
        cells: list[RowCell] = []
        for tc in tr.findall(qn("w:tc")):
            tcpr = tc.find(qn("w:tcPr"))
            span_el = tcpr.find(qn("w:gridSpan")) if tcpr is not None else None
            span = int(span_el.get(qn("w:val"), "1")) if span_el is not None else 1
            merge = tcpr.find(qn("w:vMerge")) if tcpr is not None else None
            merge_value = None if merge is None else (merge.get(qn("w:val")) or "continue")
            nested += len(tc.findall(qn("w:tbl")))
            if merge_value == "continue" and col in above:
                cells.append(RowCell(above[col], True))
            else:
                cell = Cell(element_text(tc), col, span, row_number)
                cells.append(RowCell(cell, False))
                if merge_value == "restart":
                    above[col] = cell
                else:
                    above.pop(col, None)
            col += span
        rows.append(TableRow(number, row_number, tuple(cells), max(width, col)))
    return rows, nested


def read_document(path: Path) -> DocumentContent:
    if not path.is_file():
        raise UnreadableDocument(f"{path} 不存在或不是文件")
    with path.open("rb") as stream:
        head = stream.read(8)
    if not head:
        raise UnreadableDocument(f"{path} 是空文件")
    if head.startswith(_OLE_SIGNATURE):
        raise UnreadableDocument(f"{path} 是加密的 Word 文件或旧版 .doc 格式；请在 Word 中取消密码后另存为 .docx")
    if not zipfile.is_zipfile(path):
        raise UnreadableDocument(f"{path} 不是 Word（.docx）文件")
    try:
        document = Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, etree.XMLSyntaxError) as error:
        raise UnreadableDocument(f"{path} 无法作为 Word 文件打开：{error}") from None
    content = DocumentContent()
    paragraphs = tables = 0
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            paragraphs += 1
            content.blocks.append(Paragraph(paragraphs, element_text(child)))
        elif child.tag == qn("w:tbl"):
            tables += 1
            rows, nested = _table_rows(child, tables)
            content.blocks.extend(rows)
            content.nested_tables += nested
    return content
