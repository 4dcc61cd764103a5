"""The Word template of a pack without its own template.docx, generated from its definition.

Every printed text is a docxtpl tag into the context of layout.form_context, so the same template
serves every filing of the pack: the header grid cell by cell (`header_rows`), the indicator table
as a header row and a `{%tr for row in rows %}` loop (word.py sets the vertical merges after
rendering, from the cells that print `row.l1` and `row.l2` and the label cell that starts a merge),
the review row, note and footer.
The building blocks (fonts, widths, row properties) are shared with the hand-made yinchuan
template's script, templates/yinchuan-2024/make_template.py.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone
from functools import cache

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ..forms.definition import COLUMN_PARTS, FormDefinition
from .grid import UNITS, GridCell, header_grid
from .word import normalize_zip

FIXED_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)  # document dates of a template: fixed, for the same bytes
BODY_FONT, TITLE_FONT, LABEL_FONT, LATIN_FONT = "仿宋_GB2312", "宋体", "黑体", "Times New Roman"
MARGIN_MM = 25
PAGE_MM = {"portrait": (210, 297), "landscape": (297, 210)}  # A4 (width, height)
TEXT_WIDTH_MM = {orientation: width - 2 * MARGIN_MM for orientation, (width, _) in PAGE_MM.items()}
MIN_COLUMN_MM = 8  # what a column without a width keeps when the widths given take the whole page
# Line pitch as a multiple of the font size, fixed ("exactly") on every paragraph: what Word's single spacing
# gives 仿宋_GB2312, 宋体 and 黑体 (1.3 × their one-em ascent + descent). Left to the font, LibreOffice takes
# the metrics of its stand-in Noto CJK (1.44 em) and a table that fits one page in Word runs onto a second.
LINE_PITCH = 1.3
CELL_SIZE = 11  # points: the text of every table cell
LEFT, CENTER = WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER


# Building blocks, shared with make_template.py ------------------------------------------------------

def set_fonts(rpr, east_asia: str, size_pt: float | None = None, bold: bool = False) -> None:
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


def document_defaults(document) -> None:
    """Fonts in the styles, with Chinese as the East Asian language: without it LibreOffice shows
    some characters with Japanese glyphs."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(defaults):
        defaults.remove(child)
    set_fonts(defaults, BODY_FONT, 12)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "en-US")
    language.set(qn("w:eastAsia"), "zh-CN")
    language.set(qn("w:bidi"), "ar-SA")
    defaults.append(language)
    normal = document.styles["Normal"]
    normal_rpr = normal.element.get_or_add_rPr()
    for child in list(normal_rpr):
        normal_rpr.remove(child)
    set_fonts(normal_rpr, BODY_FONT, 12)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0


def exact_lines(added, size_pt: float) -> None:
    """The paragraph's lines LINE_PITCH × its font size apart, whatever font the office substitutes."""
    added.paragraph_format.line_spacing = Pt(size_pt * LINE_PITCH)


def paragraph(container, text: str, *, align, east_asia: str, size: float, bold: bool = False, space_after: float = 0):
    added = container.add_paragraph()
    added.alignment = align
    added.paragraph_format.space_after = Pt(space_after)
    exact_lines(added, size)
    run = added.add_run(text)
    set_fonts(run._element.get_or_add_rPr(), east_asia, size, bold)
    return added


def hidden_paragraph(document) -> None:
    """A paragraph that prints nothing (hidden paragraph mark, 1 pt). Between two tables that print as
    one grid it keeps them two tables: with nothing between them Word and LibreOffice join them, and
    the second table's header row, no longer the top row of a table, is not repeated on later pages.
    After a table that ends the document it is the paragraph Word requires there, taking no room
    that could push it onto a page of its own."""
    added = document.add_paragraph()
    added.paragraph_format.line_spacing = Pt(1)
    mark = OxmlElement("w:rPr")
    mark.append(OxmlElement("w:vanish"))
    for tag in ("w:sz", "w:szCs"):
        size = OxmlElement(tag)
        size.set(qn("w:val"), "2")
        mark.append(size)
    added._p.get_or_add_pPr().append(mark)


def cell_text(cell, text: str, *, align=LEFT, size: float = CELL_SIZE) -> None:
    first = cell.paragraphs[0]
    first.alignment = align
    run = first.add_run(text)
    set_fonts(run._element.get_or_add_rPr(), BODY_FONT, size)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def cell_paragraph(cell, text: str, *, align=LEFT) -> None:
    added = cell.add_paragraph()
    added.alignment = align
    exact_lines(added, CELL_SIZE)
    run = added.add_run(text)
    set_fonts(run._element.get_or_add_rPr(), BODY_FONT, CELL_SIZE)


def keep_row_on_one_page(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def repeat_on_every_page(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def table(document, rows: int, widths_mm: tuple[float, ...], size: float = CELL_SIZE):
    """A bordered, centred table of fixed column widths whose rows do not break across pages, its
    cells' lines (empty ones too) at the cell text's pitch."""
    added = document.add_table(rows=rows, cols=len(widths_mm))
    added.style = document.styles["Table Grid"]
    added.alignment = WD_TABLE_ALIGNMENT.CENTER
    added.autofit = False
    width = added._tbl.tblPr.find(qn("w:tblW"))
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(int(sum(widths_mm) * 1440 / 25.4)))
    for grid_col, mm in zip(added._tbl.tblGrid.gridCol_lst, widths_mm):
        grid_col.w = Mm(mm)
    for row in added.rows:
        for cell, mm in zip(row.cells, widths_mm):
            cell.width = Mm(mm)
            exact_lines(cell.paragraphs[0], size)
        keep_row_on_one_page(row)
    return added


def merge(grid_table, row: int, first: int, last: int):
    return grid_table.cell(row, first).merge(grid_table.cell(row, last))


# What may follow w:tcBorders in w:tcPr (CT_TcPr's schema order).
_AFTER_BORDERS = (
    "w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign",
    "w:hideMark", "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange",
)


def open_side(cell, side: str) -> None:
    """No border on one side of the cell (`top` or `bottom`), whatever the table's borders."""
    borders = OxmlElement("w:tcBorders")
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), "nil")
    borders.append(line)
    cell._tc.get_or_add_tcPr().insert_element_before(borders, *_AFTER_BORDERS)


def label_column(header_cell, row_cell, text: str) -> None:
    """The indicator table's left label (绩效指标), printed as one cell from the header row down to the
    last indicator row. The header row repeats on every page, and LibreOffice repeats it only when
    no cell of it is merged into the rows below: so the header row's cell is empty and open at the
    bottom, and the cell of the loop's row, open at the top, prints the label in the first indicator
    row and starts a merge that jixiao continues down every indicator row (word.py)."""
    open_side(header_cell, "bottom")
    row_cell._tc.vMerge = "restart"
    open_side(row_cell, "top")
    cell_text(row_cell, f"{{% if loop.first %}}{text}{{% endif %}}", align=CENTER)


USED_STYLES = {"TableGrid"}  # besides the defaults (Normal, TableNormal, ...)
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
UNUSED_PARTS = {STYLES_WITH_EFFECTS, RT.CUSTOM_XML, RT.NUMBERING}


def slim(document) -> None:
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


def new_document(orientation: str = "portrait"):
    """An empty A4 document with the form's fonts and margins."""
    document = Document()
    slim(document)
    document_defaults(document)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE if orientation == "landscape" else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(mm) for mm in PAGE_MM[orientation])
    section.left_margin = section.right_margin = Mm(MARGIN_MM)
    section.top_margin = section.bottom_margin = Mm(MARGIN_MM)
    body = document.paragraphs[0] if document.paragraphs else None
    if body is not None:
        body._element.getparent().remove(body._element)
    return document


def package(document) -> bytes:
    """The template's bytes: fixed document properties and zip timestamps, so the same form gives the same bytes."""
    properties = document.core_properties
    properties.author = "jixiao"
    properties.title = "{{ form.title }}"
    properties.created = properties.modified = FIXED_TIME
    properties.last_modified_by = "jixiao"
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return normalize_zip(buffer.getvalue())


# The generated template --------------------------------------------------------------------------

_CENTRED_SHOWS = {"level", "group", "value", *COLUMN_PARTS}
_CENTRED_KINDS = {"label", "heading", "amount"}


def _placed(grid: tuple[tuple[GridCell, ...], ...]):
    """(row, index in the row, grid column, cell) of every cell, skipping the columns that a cell
    spanning down from a row above covers."""
    covered: set[tuple[int, int]] = set()
    for row_number, row in enumerate(grid):
        column = 0
        for index, cell in enumerate(row):
            while (row_number, column) in covered:
                column += 1
            yield row_number, index, column, cell
            covered.update(
                (row_number + down, column + across) for down in range(cell.rowspan) for across in range(cell.colspan)
            )
            column += cell.colspan


def _header_table(document, form: FormDefinition, width: float) -> None:
    grid = header_grid(form)
    unit = (width - form.label_width) / UNITS
    grid_table = table(document, len(grid), (form.label_width, *([unit] * UNITS)))
    for row, index, column, cell in _placed(grid):
        target = grid_table.cell(row, column)
        if cell.colspan > 1 or cell.rowspan > 1:
            target = target.merge(grid_table.cell(row + cell.rowspan - 1, column + cell.colspan - 1))
        # The text through header_rows rather than label[...]/field[...]: no pack key ever sits inside a tag.
        cell_text(target, f"{{{{ header_rows[{row}][{index}].text }}}}", align=CENTER if cell.kind in _CENTRED_KINDS else LEFT)


def _column_widths(form: FormDefinition) -> tuple[float, ...]:
    """Widths (mm) of the indicator table: the label column if printed, then each column's own
    width or an equal share of what is left."""
    spec = form.indicators
    label = (form.label_width,) if spec.label_column else ()
    given = sum(column.width for column in spec.columns)
    shared = sum(1 for column in spec.columns if not column.width)
    share = max((TEXT_WIDTH_MM[form.orientation] - sum(label) - given) / shared, MIN_COLUMN_MM) if shared else 0
    return (*label, *(column.width or share for column in spec.columns))


def _row_tag(form: FormDefinition, index: int) -> str:
    """What an indicator column prints in the loop's row: the 一级 and annual 二级 columns through
    row.l1 / row.l2, which word.py looks for to merge them; the others their cell."""
    columns = form.indicators.columns
    first_of = {show: next(i for i, c in enumerate(columns) if c.show == show and not c.half) for show in ("level", "group")}
    if index == first_of["level"]:
        return "{{ row.l1 }}"
    if index == first_of["group"]:
        return "{{ row.l2 }}"
    return f"{{{{ row.cells[{index}] }}}}"


def _indicator_table(document, form: FormDefinition) -> None:
    spec = form.indicators
    review = form.review
    grid_table = table(document, 5 if review else 4, _column_widths(form))
    header, loop_start, data, loop_end = grid_table.rows[:4]
    repeat_on_every_page(header)
    first = 0
    if spec.label_column:
        label_column(header.cells[0], data.cells[0], "{{ indicator_label }}")
        first = 1
    for index, column in enumerate(spec.columns):
        cell_text(header.cells[first + index], f"{{{{ columns[{index}] }}}}", align=CENTER)
        cell_text(data.cells[first + index], _row_tag(form, index), align=CENTER if column.show in _CENTRED_SHOWS else LEFT)
    cell_text(loop_start.cells[0], "{%tr for row in rows %}")
    cell_text(loop_end.cells[0], "{%tr endfor %}")
    if review:
        last = len(grid_table.columns) - 1
        cell_text(grid_table.cell(4, 0), "{{ review.label }}", align=CENTER)
        if review.kind == "grade":
            text = "{% for option in grade_options %}{{ option.name }} {{ option.box }}{% if not loop.last %}    {% endif %}{% endfor %}"
        else:
            text = "{{ review.text }}"
        cell_text(merge(grid_table, 4, 1, last), text)


def spread_line(document, tags: list[str], width: float, align_last_right: bool) -> None:
    """One line of items spaced across the text width by tab stops: left and right ends
    (above the grid), or evenly (the footer's items)."""
    line = document.add_paragraph()
    exact_lines(line, 12)
    stops = line.paragraph_format.tab_stops
    if align_last_right:
        stops.add_tab_stop(Mm(width), WD_TAB_ALIGNMENT.RIGHT)
    else:
        for number in range(1, len(tags)):
            stops.add_tab_stop(Mm(width * number / len(tags)), WD_TAB_ALIGNMENT.LEFT)
    for number, tag in enumerate(tags):
        if number:
            run = line.add_run()
            run.add_tab()
            set_fonts(run._element.get_or_add_rPr(), BODY_FONT, 12)
        run = line.add_run(tag)
        set_fonts(run._element.get_or_add_rPr(), BODY_FONT, 12)


def build_template(form: FormDefinition) -> bytes:
    """The template's bytes, built anew (generated_template keeps them per process)."""
    document = new_document(form.orientation)
    width = TEXT_WIDTH_MM[form.orientation]
    if form.attachment:
        paragraph(document, "{{ form.attachment }}", align=LEFT, east_asia=LABEL_FONT, size=14)
    paragraph(document, "{{ form.title }}", align=CENTER, east_asia=TITLE_FONT, size=18, bold=True, space_after=6)
    if form.year_line:
        paragraph(document, "{{ form.year_line }}", align=CENTER, east_asia=BODY_FONT, size=14, space_after=6)
    if any(form.above_grid):
        spread_line(document, ["{{ form.above_grid.left }}", "{{ form.above_grid.right }}"], width, align_last_right=True)
    _header_table(document, form, width)
    if form.indicators.caption:
        paragraph(document, "{{ form.caption }}", align=CENTER, east_asia=TITLE_FONT, size=14, bold=True, space_after=6)
    else:
        hidden_paragraph(document)
    _indicator_table(document, form)
    if form.note:
        paragraph(document, "{{ form.note }}", align=LEFT, east_asia=BODY_FONT, size=11)
    if form.footer:
        spread_line(document, [f"{{{{ form.footer[{index}] }}}}" for index in range(len(form.footer))], width, align_last_right=False)
    if not form.note and not form.footer:
        hidden_paragraph(document)
    return package(document)


@cache
def generated_template(form: FormDefinition) -> bytes:
    """The docxtpl template of a pack that has no template.docx, made once per form and process."""
    return build_template(form)
