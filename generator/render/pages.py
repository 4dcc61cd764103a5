"""Render the HTML preview of a filing and the index page of a year, with Jinja2 (escaped, sandboxed)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from ..forms.definition import FormDefinition
from .problem import TemplateProblem

PREVIEW_TEMPLATE = "preview.html.j2"
INDEX_TEMPLATE = "index.html.j2"


def _lines(text: str) -> Markup:
    """Escaped text with its line breaks kept."""
    return Markup("<br>").join(escape(line) for line in str(text).split("\n"))


@cache
def _environment(directory: Path) -> SandboxedEnvironment:
    environment = SandboxedEnvironment(
        loader=FileSystemLoader([str(directory), str(directory.parent)]),
        undefined=StrictUndefined,
        autoescape=True,
        keep_trailing_newline=True,
    )
    environment.filters["lines"] = _lines
    return environment


def _render(directory: Path, name: str, context: dict) -> str:
    try:
        return _environment(directory).get_template(name).render(context)
    except TemplateError as error:
        where = f" 第 {error.lineno} 行" if getattr(error, "lineno", None) else ""
        raise TemplateProblem(f"模板 {directory / name}{where} 无法渲染：{type(error).__name__}: {error}") from None


def render_preview(form: FormDefinition, context: dict, source: str) -> str:
    """The pack's own HTML template, or the generic one in templates/ that prints any pack."""
    name = form.html_template.name if form.html_template else PREVIEW_TEMPLATE
    return _render(form.directory, name, {**context, "source": source})


def render_index(templates_root: Path, context: dict) -> str:
    return _render(templates_root, INDEX_TEMPLATE, context)
