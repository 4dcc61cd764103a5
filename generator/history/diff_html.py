"""`jixiao diff --format html`: the review pages of a pull request, as files for the --out folder.

index.html shows every changed filing as its form's tables (the header grid and the indicator table)
with changed fields, money with its change, and added, removed, changed and moved indicator rows
marked, then its new and resolved findings; each version that could be read is also rendered as its
own page with its findings (old/… and new/…), and the review links to both. Pages are bytes here;
the command writes them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath
from urllib.parse import quote

from ..common import resources
from ..common.findings import Finding
from ..common.names import safe_stem
from ..filing.model import Filing, Group
from ..forms.definition import FormDefinition
from ..forms.pack import FormShelf
from ..render.layout import form_context
from ..render.marks import page_context
from ..render.pages import render_preview, render_review
from ..render.problem import TemplateProblem
from ..review.rules.money import wan
from .diff import DiffReport, FilingChange, FilingState, IndicatorKey
from .diff_format import change_lines, delta, money_line, shown_value, total_text, where

SIDES = {"old": "旧版本", "new": "新版本"}


def _page_path(side: str, path: str, taken: set[str]) -> str:
    """old/<path>.html for a filing's page: every part of its path made a safe file name, so that
    nothing leaves the folder, whatever the path (a file outside the repository, `..`)."""
    parts = [safe_stem(part) for part in PurePosixPath(path).parts]
    parts[-1] = safe_stem(PurePosixPath(path).stem)
    candidate, number = "/".join([side, *parts]), 1
    while f"{candidate}.html" in taken:  # two paths that make the same safe name
        number += 1
        candidate = "/".join([side, *parts[:-1], f"{parts[-1]}-{number}"])
    taken.add(f"{candidate}.html")
    return f"{candidate}.html"


def _href(target: str, start: str = "") -> str:
    """A link from the page at `start` (relative to the folder) to `target`, URL-encoded."""
    depth = start.count("/")
    return "../" * depth + quote(target)


def _with_removed(shown: Filing, old: Filing, removed: list[IndicatorKey], form: FormDefinition) -> Filing:
    """The new version with the removed indicators put back into their groups (the group of the old
    version where the new one has none), so that one table shows both; not those of a group the new
    version's form does not have (its form changed): the list of changes names them."""
    old_indicators = {(g.level, g.name, i.name): (g, i) for g in old.groups for i in g.indicators}
    extra: dict[tuple[str, str], list] = {}
    for key in removed:
        group, indicator = old_indicators[(key.level, key.group, key.name)]
        if form.group(group.level, group.name):
            extra.setdefault((group.level, group.name), []).append(indicator)
    groups = [replace(g, indicators=g.indicators + tuple(extra.pop((g.level, g.name), ()))) for g in shown.groups]
    for (level, name), indicators in extra.items():
        position = next(g.position for g in old.groups if (g.level, g.name) == (level, name))
        groups.append(Group(level, name, tuple(indicators), position))
    return replace(shown, groups=tuple(groups))


def _row_marks(change: FilingChange) -> dict[IndicatorKey, tuple[str, str]]:
    """Indicator → (status, what the review says about it): added, removed, changed, moved."""
    marks = {key: ("added", "新增") for key, _ in change.added}
    marks |= {key: ("removed", "删除") for key, _ in change.removed}
    marks |= {key: ("changed", f"修改：原为 {shown_value(old)}") for key, old, _ in change.changed}
    for source, target, old, new in change.moved:
        was = f"，原为 {shown_value(old)}" if old != new else ""
        marks[target] = ("moved", f"移动：原在 {source.level}/{source.group}{was}")
    return marks


def _tables(change: FilingChange, forms: FormShelf) -> dict | None:
    """The form's tables of the change: the new version (the old one for a deleted filing) with the
    changes marked on its cells and rows; None when neither version could be read."""
    new, old = (change.new.filing if change.new else None), (change.old.filing if change.old else None)
    shown = new or old
    if shown is None:
        return None
    form = forms[shown.form_id]
    every = {"删除": ("removed", "删除"), "新增": ("added", "新增")}.get(change.status)  # each row of the filing
    filing = _with_removed(new, old, [key for key, _ in change.removed], form) if new and old else shown
    context = form_context(filing, form)
    fields = {key: (before, after) for key, before, after in change.header}
    funds = {key: (before, after) for key, before, after in change.funds}
    header = []
    for row in context["header_rows"]:
        cells = []
        for cell in row:
            was, change_text = "", ""
            if cell["source"] == "field" and cell["key"] in fields:
                was = shown_value(fields[cell["key"]][0])
            elif cell["source"] == "funds" and cell["key"] in funds:
                before, after = funds[cell["key"]]
                was, change_text = wan(before), delta(before, after)
            cells.append({**cell, "was": was, "delta": change_text, "status": "changed" if was else ""})
        header.append(cells)
    marks = _row_marks(change)
    rows = []
    for row in context["rows"]:
        filed = bool(row.l3 or row.value)
        status, note = every if every and filed else marks.get(IndicatorKey(row.level, row.group, row.l3), ("", ""))
        rows.append({"row": row, "status": status if filed else "", "note": note if filed else ""})
    return {**context, "header_rows": header, "rows": rows}


def _findings(findings: list[Finding], page: str) -> list[dict]:
    return [
        {**f.as_dict(), "label": f.severity.label, "href": f"{_href(page)}#L{f.line}" if page else ""}
        for f in findings
    ]


def _filing_page(state: FilingState, forms: FormShelf, links: list[dict]) -> bytes:
    filing = state.filing
    form = forms[filing.form_id]
    context = page_context(form_context(filing, form), filing, form, list(state.findings), links)
    return render_preview(form, context, state.path).encode("utf-8")


def review_site(report: DiffReport, base: str, head: str) -> tuple[dict[str, bytes], list[str]]:
    """The files of the review (path in the folder → bytes), and what could not be rendered."""
    forms = FormShelf()
    files: dict[str, bytes] = {}
    problems: list[str] = []
    taken: set[str] = set()
    changes = []
    for number, change in enumerate(report.changes, start=1):
        states = {"old": change.old, "new": change.new}
        pages = {
            side: _page_path(side, state.path, taken)
            for side, state in states.items() if state is not None and state.filing is not None
        }
        for side, page in list(pages.items()):
            links = [{"href": _href("index.html", page) + f"#c{number}", "label": "返回变更审核"}]
            links += [{"href": _href(other_page, page), "label": SIDES[other]} for other, other_page in pages.items() if other != side]
            try:
                files[page] = _filing_page(states[side], forms, links)
            except TemplateProblem as problem:
                problems.append(str(problem))
                del pages[side]
        changes.append({
            "id": f"c{number}",
            "status": change.status,
            "name": change.name,
            "where": where(change),
            "total": total_text(change),
            "links": [{"href": _href(page), "label": SIDES[side]} for side, page in pages.items()],
            # findings have lists of their own, with links
            "lines": [(kind, text) for kind, text in change_lines(change) if kind not in ("problem", "fixed")],
            "tables": _tables(change, forms),
            "new_findings": _findings(change.new_findings, pages.get("new", "")),
            "fixed_findings": _findings(change.fixed_findings, pages.get("old", "")),
        })
    context = {"base": base, "head": head, "money_line": money_line(report), "changes": changes}
    files["index.html"] = render_review(resources.templates_dir(), context).encode("utf-8")
    return files, problems
