"""Build template.docx for the yinchuan-2024 form (run: python templates/yinchuan-2024/make_template.py).

The template is an ordinary Word file with docxtpl tags (documented in templates/README.md): open
and restyle it in Word or WPS if you like, keeping the tags. This script is how the committed file
was made; tests/test_template.py checks that the committed file is exactly what it produces.
"""

from __future__ import annotations

import io
import sys
from datetime import datetime, timezone
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from generator.render.word import normalize_zip

HERE = Path(__file__).resolve().parent
FIXED_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)

# Five grid columns: the left label column, then 一级 / 二级 / 三级 / 指标值. Total = text width (160 mm).
COLUMNS_MM = (22, 24, 30, 48, 36)
BODY_FONT, TITLE_FONT, LABEL_FONT, LATIN_FONT = "仿宋_GB2312", "宋体", "黑体", "Times New Roman"


def _set_fonts(rpr, east_asia: str, size_pt: float | None = None, bold: bool = False) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        del fonts.attrib[attribute]
    for name in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(name), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)
    if bold:
        rpr.append(OxmlElement("w:b"))
    if size_pt:
        for tag in ("w:sz", "w:szCs"):
            element = OxmlElement(tag)
            element.set(qn("w:val"), str(int(size_pt * 2)))
            rpr.append(element)


def _document_defaults(document) -> None:
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(defaults):
        defaults.remove(child)
    _set_fonts(defaults, BODY_FONT, 12)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "en-US")
    language.set(qn("w:eastAsia"), "zh-CN")
    language.set(qn("w:bidi"), "ar-SA")
    defaults.append(language)
    normal = document.styles["Normal"]
    normal_rpr = normal.element.get_or_add_rPr()
    for child in list(normal_rpr):
        normal_rpr.remove(child)
    _set_fonts(normal_rpr, BODY_FONT, 12)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0


def _paragraph(container, text: str, *, align, east_asia: str, size: float, bold: bool = False, space_after: float = 0):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(space_after)
    run = paragraph.add_run(text)
    _set_fonts(run._element.get_or_add_rPr(), east_asia, size, bold)
    return paragraph


def _cell_text(cell, text: str, *, align=WD_ALIGN_PARAGRAPH.LEFT, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    run = paragraph.add_run(text)
    _set_fonts(run._element.get_or_add_rPr(), LABEL_FONT if bold else BODY_FONT, 11)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _cell_paragraph(cell, text: str, *, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    paragraph = cell.add_paragraph()
    paragraph.alignment = align
    run = paragraph.add_run(text)
    _set_fonts(run._element.get_or_add_rPr(), BODY_FONT, 11)


def _keep_row_on_one_page(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _repeat_on_every_page(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _table(document, rows: int):
    table = document.add_table(rows=rows, cols=len(COLUMNS_MM))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    width = table._tbl.tblPr.find(qn("w:tblW"))
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(int(sum(COLUMNS_MM) * 1440 / 25.4)))
    for grid_col, mm in zip(table._tbl.tblGrid.gridCol_lst, COLUMNS_MM):
        grid_col.w = Mm(mm)
    for row in table.rows:
        for cell, mm in zip(row.cells, COLUMNS_MM):
            cell.width = Mm(mm)
        _keep_row_on_one_page(row)
    return table


def _merge(table, row: int, first: int, last: int):
    return table.cell(row, first).merge(table.cell(row, last))


def _vmerge(cell, value: str) -> None:
    cell._tc.vMerge = value


def build_header_table(document) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    table = _table(document, 7)
    _cell_text(table.cell(0, 0), "{{ label['项目名称'] }}", align=center)
    _cell_text(_merge(table, 0, 1, 4), "{{ field['项目名称'] }}")
    for row, (left, right) in enumerate((("主管部门及代码", "实施单位"), ("项目属性", "项目期")), start=1):
        _cell_text(table.cell(row, 0), f"{{{{ label['{left}'] }}}}", align=center)
        _cell_text(_merge(table, row, 1, 2), f"{{{{ field['{left}'] }}}}")
        _cell_text(table.cell(row, 3), f"{{{{ label['{right}'] }}}}", align=center)
        _cell_text(table.cell(row, 4), f"{{{{ field['{right}'] }}}}")
    for offset, key in enumerate(("年度资金总额", "财政拨款", "其他资金")):
        row = 3 + offset
        label_cell = table.cell(row, 0)
        _vmerge(label_cell, "restart" if offset == 0 else "continue")
        if offset == 0:
            _cell_text(label_cell, "{{ label['项目资金'] }}", align=center)
        _cell_text(_merge(table, row, 1, 2), f"{{{{ label['{key}'] }}}}")
        _cell_text(_merge(table, row, 3, 4), f"{{{{ funds['{key}'] }}}}", align=center)
    _cell_text(table.cell(6, 0), "{{ label['年度总体目标'] }}", align=center)
    _cell_text(_merge(table, 6, 1, 4), "{{ field['年度总体目标'] }}")


def build_indicator_table(document) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    table = _table(document, 5)
    header, loop_start, data, loop_end, grade = table.rows
    _repeat_on_every_page(header)
    _vmerge(header.cells[0], "restart")
    _cell_text(header.cells[0], "{{ label['绩效指标'] }}", align=center)
    for index in range(4):
        _cell_text(header.cells[index + 1], f"{{{{ columns[{index}] }}}}", align=center)
    _cell_text(loop_start.cells[0], "{%tr for row in rows %}")
    _vmerge(data.cells[0], "continue")
    _cell_text(data.cells[1], "{{ row.l1 }}", align=center)
    # Two paragraphs rather than a line break inside one: nothing to post-process in most renders.
    # The second is left out where there is no second line (the rows a merged cell covers).
    _cell_text(data.cells[2], "{{ row.l2_lines[0] }}", align=center)
    _cell_paragraph(data.cells[2], "{%p if row.l2_lines[1] %}", align=center)
    _cell_paragraph(data.cells[2], "{{ row.l2_lines[1] }}", align=center)
    _cell_paragraph(data.cells[2], "{%p endif %}", align=center)
    _cell_text(data.cells[3], "{{ row.l3 }}")
    _cell_text(data.cells[4], "{{ row.value }}", align=center)
    _cell_text(loop_end.cells[0], "{%tr endfor %}")
    _cell_text(grade.cells[0], "{{ label['综合评定等级'] }}", align=center)
    _cell_text(
        _merge(table, 4, 1, 4),
        "{% for option in grade_options %}{{ option.name }} {{ option.box }}{% if not loop.last %}    {% endif %}{% endfor %}",
    )


USED_STYLES = {"TableGrid"}  # besides the defaults (Normal, TableNormal, ...)
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
UNUSED_PARTS = {STYLES_WITH_EFFECTS, RT.CUSTOM_XML, RT.NUMBERING}


def _slim(document) -> None:
    """Drop what python-docx's sample document carries but the form never uses: every render
    re-compresses the package, and 800 KB of unused styles would dominate the cost of a build."""
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # the sample thumbnail would show a wrong preview
            del package.rels[rel_id]
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype in UNUSED_PARTS:
            del document.part.rels[rel_id]
    styles = document.styles.element
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:default")) != "1" and style.get(qn("w:styleId")) not in USED_STYLES:
            styles.remove(style)


def build(target: Path) -> bytes:
    document = Document()
    _slim(document)
    _document_defaults(document)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(25)
    body = document.paragraphs[0] if document.paragraphs else None
    if body is not None:
        body._element.getparent().remove(body._element)
    _paragraph(document, "{{ form.attachment }}", align=WD_ALIGN_PARAGRAPH.LEFT, east_asia=LABEL_FONT, size=14)
    _paragraph(document, "{{ form.title }}", align=WD_ALIGN_PARAGRAPH.CENTER, east_asia=TITLE_FONT, size=18, bold=True, space_after=6)
    _paragraph(document, "{{ form.year_line }}", align=WD_ALIGN_PARAGRAPH.CENTER, east_asia=BODY_FONT, size=14, space_after=6)
    build_header_table(document)
    build_indicator_table(document)
    _paragraph(document, "{{ form.note }}", align=WD_ALIGN_PARAGRAPH.LEFT, east_asia=BODY_FONT, size=11)
    properties = document.core_properties
    properties.author = "jixiao"
    properties.title = "{{ form.title }}"
    properties.created = properties.modified = FIXED_TIME
    properties.last_modified_by = "jixiao"
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    data = normalize_zip(buffer.getvalue())  # fixed zip timestamps: the same script, the same bytes
    target.write_bytes(data)
    return data


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "template.docx")
