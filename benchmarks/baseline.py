"""The plain way to use docxtpl, as a competent user would write it: the benchmark's baseline.

For each filing: a fresh DocxTemplate, render(context, autoescape=True), jixiao's vertical merges
and document properties, save(), and the zip normalised to fixed timestamps. tests/test_render.py
checks that jixiao's prepared renderer produces the same .docx content as this.
"""

from __future__ import annotations

import io

from docxtpl import DocxTemplate

from generator.render.word import W_BODY, W_T, W_TBL, W_TC, W_TR, DocumentInfo, apply_vertical_merges, environment, normalize_zip, set_properties

L1_CELL, L2_CELL = 1, 2  # in the indicator rows of the yinchuan-2024 template: the label column comes first


def indicator_table(document, columns: list[str]) -> tuple[int, int]:
    """The number of the table whose header row is the indicator columns, and its first data row."""
    for number, tbl in enumerate(document.find(W_BODY).iterchildren(W_TBL)):
        for index, tr in enumerate(tbl.iterchildren(W_TR)):
            texts = ["".join(t.text or "" for t in tc.iter(W_T)) for tc in tr.iterchildren(W_TC)]
            if texts[-len(columns):] == columns:
                return number, index + 1
    raise ValueError(f"no indicator table with the columns {columns}")


def render_plain(form, context: dict, info: DocumentInfo) -> bytes:
    template = DocxTemplate(form.word_template)
    template.render(context, jinja_env=environment(), autoescape=True)
    document = template.docx.element
    apply_vertical_merges(document, indicator_table(document, context["columns"]), (L1_CELL, L2_CELL), context["rows"])
    set_properties(template.docx.core_properties, context, info)
    buffer = io.BytesIO()
    template.save(buffer)
    return normalize_zip(buffer.getvalue())
