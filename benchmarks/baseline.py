"""The plain way to use docxtpl, as a competent user would write it: the benchmark's baseline.

For each filing: a fresh DocxTemplate, render(context, autoescape=True), jixiao's vertical merges
and document properties, save(), and the zip normalised to fixed timestamps. tests/test_render.py
checks that jixiao's prepared renderer produces the same .docx content as this.
"""

from __future__ import annotations

import io

from docxtpl import DocxTemplate

from generator.render.word import TEMPLATE_NAME, DocumentInfo, apply_vertical_merges, environment, indicator_table, normalize_zip, set_properties


def render_plain(form, context: dict, info: DocumentInfo) -> bytes:
    template = DocxTemplate(form.directory / TEMPLATE_NAME)
    template.render(context, jinja_env=environment(), autoescape=True)
    document = template.docx.element
    apply_vertical_merges(document, indicator_table(document, context["columns"]), context["rows"])
    set_properties(template.docx.core_properties, context, info)
    buffer = io.BytesIO()
    template.save(buffer)
    return normalize_zip(buffer.getvalue())
