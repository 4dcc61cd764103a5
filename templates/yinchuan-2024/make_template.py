"""Build template.docx for the yinchuan-2024 form (run: python templates/yinchuan-2024/make_template.py).

The template is an ordinary Word file with docxtpl tags (documented in templates/README.md): open
and restyle it in Word or WPS if you like, keeping the tags. This script is how the committed file
was made; tests/test_template.py checks that the committed file is exactly what it produces.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH

from generator.render.word_template import (
    BODY_FONT,
    LABEL_FONT,
    TITLE_FONT,
    cell_paragraph,
    cell_text,
    hidden_paragraph,
    label_column,
    merge,
    new_document,
    package,
    paragraph,
    repeat_on_every_page,
    table,
)

HERE = Path(__file__).resolve().parent

# Five grid columns: the left label column, then 一级 / 二级 / 三级 / 指标值. Total = text width (160 mm).
COLUMNS_MM = (22, 24, 30, 48, 36)


def _vmerge(cell, value: str) -> None:
    cell._tc.vMerge = value


def build_header_table(document) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    grid = table(document, 7, COLUMNS_MM)
    cell_text(grid.cell(0, 0), "{{ label['项目名称'] }}", align=center)
    cell_text(merge(grid, 0, 1, 4), "{{ field['项目名称'] }}")
    for row, (left, right) in enumerate((("主管部门及代码", "实施单位"), ("项目属性", "项目期")), start=1):
        cell_text(grid.cell(row, 0), f"{{{{ label['{left}'] }}}}", align=center)
        cell_text(merge(grid, row, 1, 2), f"{{{{ field['{left}'] }}}}")
        cell_text(grid.cell(row, 3), f"{{{{ label['{right}'] }}}}", align=center)
        cell_text(grid.cell(row, 4), f"{{{{ field['{right}'] }}}}")
    for offset, key in enumerate(("年度资金总额", "财政拨款", "其他资金")):
        row = 3 + offset
        label_cell = grid.cell(row, 0)
        _vmerge(label_cell, "restart" if offset == 0 else "continue")
        if offset == 0:
            cell_text(label_cell, "{{ label['项目资金'] }}", align=center)
        cell_text(merge(grid, row, 1, 2), f"{{{{ label['{key}'] }}}}")
        cell_text(merge(grid, row, 3, 4), f"{{{{ funds['{key}'] }}}}", align=center)
    cell_text(grid.cell(6, 0), "{{ label['年度总体目标'] }}", align=center)
    cell_text(merge(grid, 6, 1, 4), "{{ field['年度总体目标'] }}")


def build_indicator_table(document) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    grid = table(document, 5, COLUMNS_MM)
    header, loop_start, data, loop_end, grade = grid.rows
    repeat_on_every_page(header)
    label_column(header.cells[0], data.cells[0], "{{ label['绩效指标'] }}")
    for index in range(4):
        cell_text(header.cells[index + 1], f"{{{{ columns[{index}] }}}}", align=center)
    cell_text(loop_start.cells[0], "{%tr for row in rows %}")
    cell_text(data.cells[1], "{{ row.l1 }}", align=center)
    # Two paragraphs rather than a line break inside one: nothing to post-process in most renders.
    # The second is left out where there is no second line (the rows a merged cell covers).
    cell_text(data.cells[2], "{{ row.l2_lines[0] }}", align=center)
    cell_paragraph(data.cells[2], "{%p if row.l2_lines[1] %}", align=center)
    cell_paragraph(data.cells[2], "{{ row.l2_lines[1] }}", align=center)
    cell_paragraph(data.cells[2], "{%p endif %}", align=center)
    cell_text(data.cells[3], "{{ row.l3 }}")
    cell_text(data.cells[4], "{{ row.value }}", align=center)
    cell_text(loop_end.cells[0], "{%tr endfor %}")
    cell_text(grade.cells[0], "{{ label['综合评定等级'] }}", align=center)
    cell_text(
        merge(grid, 4, 1, 4),
        "{% for option in grade_options %}{{ option.name }} {{ option.box }}{% if not loop.last %}    {% endif %}{% endfor %}",
    )


def build(target: Path) -> bytes:
    document = new_document()
    paragraph(document, "{{ form.attachment }}", align=WD_ALIGN_PARAGRAPH.LEFT, east_asia=LABEL_FONT, size=14)
    paragraph(document, "{{ form.title }}", align=WD_ALIGN_PARAGRAPH.CENTER, east_asia=TITLE_FONT, size=18, bold=True, space_after=6)
    paragraph(document, "{{ form.year_line }}", align=WD_ALIGN_PARAGRAPH.CENTER, east_asia=BODY_FONT, size=14, space_after=6)
    build_header_table(document)
    hidden_paragraph(document)
    build_indicator_table(document)
    paragraph(document, "{{ form.note }}", align=WD_ALIGN_PARAGRAPH.LEFT, east_asia=BODY_FONT, size=11)
    data = package(document)  # fixed properties and zip timestamps: the same script, the same bytes
    target.write_bytes(data)
    return data


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "template.docx")
