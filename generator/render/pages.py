"""Render the HTML preview of a filing, the index page of a year and the review page of a diff, with Jinja2
(escaped, sandboxed)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import BaseLoader, StrictUndefined, TemplateError, TemplateNotFound
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from ..forms.definition import FormDefinition
from .problem import TemplateProblem

PREVIEW_TEMPLATE = "preview.html.j2"
INDEX_TEMPLATE = "index.html.j2"
REVIEW_TEMPLATE = "review.html.j2"
SELFEVAL_TEMPLATE = "selfeval.html.j2"


def _lines(text: str) -> Markup:
    """Escaped text with its line breaks kept (markup a template made, such as a {% set %} block, as it is)."""
    return Markup("<br>").join(escape(line) for line in (text if isinstance(text, Markup) else str(text)).split("\n"))


class _FolderLoader(BaseLoader):
    """A pack's HTML templates: files in its own folder (at any depth), then the shared files directly
    in templates/ (the generic preview.html.j2, index.html.j2). Templates are user-editable, so a name
    that leads anywhere else, through `..` or through a symbolic link, is not read."""

    def __init__(self, pack: Path | None, shared: Path):
        self.places = ([(pack.resolve(), True)] if pack else []) + [(shared.resolve(), False)]

    def get_source(self, environment, template):
        pieces = split_template_path(template)  # refuses ".." (an absolute name is taken as relative)
        for folder, nested in self.places:
            if len(pieces) > 1 and not nested:
                continue
            path = folder.joinpath(*pieces)
            if not path.is_file():
                continue
            real = path.resolve()
            if not (real.is_relative_to(folder) if nested else real.parent == folder):
                where = "表样文件夹" if nested else "templates 文件夹"
                raise TemplateNotFound(template, f"模板“{template}”是指向{where}之外的符号链接，没有读取")
            try:
                source, mtime = real.read_text(encoding="utf-8"), real.stat().st_mtime_ns
            except (OSError, UnicodeDecodeError) as error:
                raise TemplateError(f"模板“{template}”无法读取（{error}）") from None
            return source, str(path), lambda: real.is_file() and real.stat().st_mtime_ns == mtime
        raise TemplateNotFound(template)


@cache
def _environment(pack: Path | None, shared: Path) -> SandboxedEnvironment:
    environment = SandboxedEnvironment(
        loader=_FolderLoader(pack, shared),
        undefined=StrictUndefined,
        autoescape=True,
        keep_trailing_newline=True,
    )
    environment.filters["lines"] = _lines
    return environment


def _render(pack: Path | None, shared: Path, name: str, context: dict) -> str:
    try:
        return _environment(pack, shared).get_template(name).render(context)
    except TemplateError as error:
        where = f" 第 {error.lineno} 行" if getattr(error, "lineno", None) else ""
        path = pack / name if pack and (pack / name).is_file() else shared / name
        raise TemplateProblem(f"模板 {path}{where} 无法渲染：{type(error).__name__}: {error}") from None


def render_preview(form: FormDefinition, context: dict, source: str) -> str:
    """The pack's own HTML template, or the generic one in templates/ that prints any pack."""
    name = form.html_template.name if form.html_template else PREVIEW_TEMPLATE
    return _render(form.directory, form.directory.parent, name, {**context, "source": source})


def render_index(templates_root: Path, context: dict) -> str:
    return _render(None, templates_root, INDEX_TEMPLATE, context)


def render_review(templates_root: Path, context: dict) -> str:
    """The review page of `jixiao diff --format html`; like the index, it reads only templates/ itself."""
    return _render(None, templates_root, REVIEW_TEMPLATE, context)


def render_selfeval(templates_root: Path, sheet, name: str, source: str, links: list[dict]) -> str:
    """The 自评表 page of a filing (`sheet`: render/selfeval_sheet.py), with the Word file's column widths."""
    from .selfeval_word import ITEM_MM, LABEL_MM, indicator_widths, text_width

    width = text_width(sheet.orientation)
    shows = sheet.shows
    numbers = [index for index, show in enumerate(shows) if show in ("points", "score")]
    context = {
        "sheet": sheet, "name": name, "source": source, "links": links, "width": width,
        "label_mm": LABEL_MM, "item_mm": ITEM_MM,
        "indicator_mm": [round(mm, 1) for mm in indicator_widths(shows, width)],
        "total_span": min(numbers) if numbers else len(shows),  # the 总分 label spans the columns before 分值
    }
    return _render(None, templates_root, SELFEVAL_TEMPLATE, context)
