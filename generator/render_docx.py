"""Render a filing into the form's Word template (docxtpl), byte for byte reproducible.

docxtpl fills the tags (autoescape on, StrictUndefined); the two-level vertical merges of the
indicator grid are then set on the rendered table with python-docx, from the spans in the rows.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from .forms import FormDefinition
from .layout import Row

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
TEMPLATE_NAME = "template.docx"
CORE_PROPERTY_LIMIT = 255


@dataclass(frozen=True)
class DocumentInfo:
    """Document properties: what the file is and where it came from."""

    title: str
    source: str  # e.g. "projects/2024/x.yaml @ 1a2b3c4 (有未提交的修改)"
    timestamp: datetime


class TemplateProblem(Exception):
    """A template that cannot be rendered; the message names the template and the tag."""


def _environment() -> SandboxedEnvironment:
    # Templates are user-editable files: sandboxed, strict about unknown names, escaping everything.
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


def _indicator_table(document, columns: list[str]):
    for table in document.tables:
        for index, tr in enumerate(table._tbl.tr_lst):
            texts = ["".join(t.text or "" for t in tc.iter("{*}t")) for tc in tr.tc_lst]
            if texts[-len(columns):] == columns:
                return table, index + 1
    raise TemplateProblem(f"模板中找不到表头为“{' | '.join(columns)}”的指标表格")


def _apply_vertical_merges(table, first_row: int, rows: list[Row]) -> None:
    trs = table._tbl.tr_lst
    for offset, row in enumerate(rows):
        for grid_col, span in ((1, row.l1_span), (2, row.l2_span)):
            if span > 1:
                for covered in range(span):
                    tc = trs[first_row + offset + covered].tc_at_grid_offset(grid_col)
                    tc.vMerge = "restart" if covered == 0 else "continue"


def normalize_zip(data: bytes) -> bytes:
    """Fixed member timestamps and attributes, member order kept: same input, same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, source.read(item.filename))
    return out.getvalue()


def render_docx(form: FormDefinition, context: dict, info: DocumentInfo) -> bytes:
    template_path = form.directory / TEMPLATE_NAME
    template = DocxTemplate(template_path)
    try:
        template.render(context, jinja_env=_environment(), autoescape=True)
    except Exception as error:  # jinja2 and docxtpl raise many kinds; all mean a broken template
        raise TemplateProblem(_template_error_message(template_path, error)) from None
    table, first_row = _indicator_table(template.docx, context["columns"])
    _apply_vertical_merges(table, first_row, context["rows"])
    properties = template.docx.core_properties
    # Word's core properties hold at most 255 characters each.
    properties.title = info.title[:CORE_PROPERTY_LIMIT]
    properties.subject = context["form"]["title"][:CORE_PROPERTY_LIMIT]
    properties.comments = f"由 jixiao 生成，来源：{info.source}"[:CORE_PROPERTY_LIMIT]
    properties.identifier = info.source[:CORE_PROPERTY_LIMIT]
    properties.created = properties.modified = info.timestamp
    properties.last_printed = info.timestamp
    buffer = io.BytesIO()
    template.save(buffer)
    return normalize_zip(buffer.getvalue())


def _template_error_message(template_path, error: Exception) -> str:
    where = ""
    context_lines = [line.strip() for line in getattr(error, "docx_context", []) if line.strip()]
    if context_lines:
        where = "，附近的内容：" + " / ".join(context_lines)[:200]
    return f"模板 {template_path} 无法渲染：{type(error).__name__}: {error}{where}"
