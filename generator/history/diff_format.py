"""`jixiao diff` output: a terminal change list, a PR comment in Markdown, or JSON for tools."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import click

from ..review.rules.money import wan
from .diff import DiffReport, FilingChange


def delta(before: Decimal, after: Decimal) -> str:
    change = after - before
    return ("+" if change > 0 else "") + wan(change)


def money_line(report: DiffReport) -> str:
    unreadable = [f"{side}有 {len(paths)} 个" for side, paths in (("旧版本", report.unreadable_before), ("新版本", report.unreadable_after)) if paths]
    change = (f"{'、'.join(unreadable)}申报表无法读取，没有计入，增减不明" if unreadable
              else f"{delta(report.total_before, report.total_after)} 万元")
    return (
        f"部门{report.total_label}合计：{wan(report.total_before)} → {wan(report.total_after)} 万元（{change}）；"
        f"申报表 {report.count_before} → {report.count_after} 个"
    )


def shown_value(text: str) -> str:
    return text if text.strip() else "（空）"


def where(change: FilingChange) -> str:
    if change.old and change.new and change.old.path != change.new.path:
        return f"{change.old.path} → {change.new.path}"
    return (change.new or change.old).path


def change_lines(change: FilingChange) -> list[tuple[str, str]]:
    """(kind, text) lines of one filing's change; kind drives colour and Markdown markers."""
    lines: list[tuple[str, str]] = []
    for side, state in (("旧版本", change.old), ("新版本", change.new)):
        if state is not None and state.filing is None:
            lines.append(("error", f"{side}的 {state.path} 无法读取，它的变化和金额不明（{len(state.findings)} 个问题，运行 jixiao check 查看）"))
    if change.status in ("新增", "删除"):
        state = change.new or change.old
        if state.filing is not None:
            kind = "added" if change.status == "新增" else "removed"
            lines.append((kind, f"{change.status}申报表：{state.total_label} {wan(state.total)} 万元，{len(state.filing.indicators)} 个三级指标"))
    lines += [("change", f"{key}：{shown_value(old)} → {shown_value(new)}") for key, old, new in change.header]
    lines += [("change", f"{key}：{wan(old)} → {wan(new)} 万元（{delta(old, new)}）") for key, old, new in change.funds]
    lines += [("added", f"新增指标 {key}：{shown_value(value)}") for key, value in change.added]
    lines += [("removed", f"删除指标 {key}：{shown_value(value)}") for key, value in change.removed]
    lines += [("change", f"修改指标 {key}：{shown_value(old)} → {shown_value(new)}") for key, old, new in change.changed]
    lines += [
        ("change", f"移动指标 {source.name}：{source.level}/{source.group} → {target.level}/{target.group}"
                   + (f"，{shown_value(old)} → {shown_value(new)}" if old != new else ""))
        for source, target, old, new in change.moved
    ]
    lines += result_lines(change)
    lines += [("problem", f"新问题 {f.severity.label} [{f.rule}] 第 {f.line} 行：{f.message}") for f in change.new_findings]
    lines += [("fixed", f"已解决 {f.severity.label} [{f.rule}]：{f.message}") for f in change.fixed_findings]
    return lines


def result_lines(change: FilingChange) -> list[tuple[str, str]]:
    """The year-end results: added or removed as a whole, else what was filed and what it scores."""
    scores = dict((key, (old, new)) for key, old, new in change.scores)
    if change.results_status:
        kind = "added" if change.results_status == "新增" else "removed"
        total = next((old or new for key, (old, new) in scores.items() if key == _total_label(change)), "")
        return [(kind, f"{change.results_status}年终自评" + (f"：总分 {total}" if total else ""))]
    lines = [("change", f"自评 {key}：{shown_value(old)} → {shown_value(new)}") for key, old, new in change.results]
    lines += [("change", f"自评计算 {key}：{shown_value(old)} → {shown_value(new)}") for key, old, new in change.scores]
    return lines


def _total_label(change: FilingChange) -> str:
    filing = (change.new or change.old).filing
    pack = filing.results.pack if filing and filing.results else None
    return pack.total_label if pack else ""


def total_text(change: FilingChange) -> str:
    shown = [wan(state.total) if state.filing else "无法读取" for state in (change.old, change.new) if state is not None]
    return shown[0] if len(set(shown)) == 1 else " → ".join(shown)


_COLOURS = {"added": "green", "removed": "red", "change": "yellow", "error": "red", "problem": "red", "fixed": "green"}


def format_text(report: DiffReport, colour: bool) -> str:
    if not report.changes:
        return "申报表没有实质变化（格式、注释、引号和键的顺序不算变化）。\n" + money_line(report) + "\n"
    out = []
    for change in report.changes:
        out.append(click.style(f"{change.status} {change.name}（{where(change)}）", bold=True) if colour
                   else f"{change.status} {change.name}（{where(change)}）")
        for kind, text in change_lines(change):
            out.append("  " + (click.style(text, fg=_COLOURS[kind]) if colour else text))
    out.append(money_line(report))
    return "\n".join(out) + "\n"


_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
# Every character that starts or ends Markdown syntax (CommonMark, and GitHub's tables, strikethrough,
# autolinks and math), backslash-escaped as CommonMark allows for any ASCII punctuation. With ":"
# escaped no "https://" autolink forms; with a "." between letters escaped, no domain name
# ("www.example.com", "example.com") is left whole for an autolink to find.
_MARKDOWN_SYNTAX = re.compile(r"[\\`*_\[\]<>!|~&$:]|(?<=[A-Za-z0-9])\.(?=[A-Za-z])")
# GitHub's mentions, issue references and e-mail autolinks are found in the rendered text, where an
# escape is gone: a zero-width space after the sign breaks them, as bots commonly do.
_SIGILS = re.compile(r"[@#]")


def _md(text: str) -> str:
    """Text (a filing's name and values, a finding's message) as Markdown that renders as exactly that
    text on one line: no HTML, link, image, mention, emphasis or table cell comes out of it."""
    escaped = _MARKDOWN_SYNTAX.sub(lambda m: "\\" + m.group(), _LINE_BREAKS.sub(" ", text))
    return _SIGILS.sub(lambda m: m.group() + "\u200b", escaped)


def _code(text: str) -> str:
    """Text as a code span: a fence longer than any run of backticks inside, padded when the text
    starts or ends with a backtick or a space (CommonMark strips one space from each side)."""
    text = _LINE_BREAKS.sub(" ", text)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def format_markdown(report: DiffReport) -> str:
    """A PR comment. Every piece of text is escaped (filings are written by whoever opens the pull
    request); only the markup added here is Markdown."""
    out = ["## 申报表变更", ""]
    if not report.changes:
        return "\n".join(out + ["申报表没有实质变化。", "", _md(money_line(report)), ""])
    out += [f"| 申报表 | 变更 | {_md(report.total_label)}（万元） | 新问题 | 已解决 |", "|---|---|---|---|---|"]
    for change in report.changes:
        out.append(
            f"| {_md(change.name)} | {change.status} | {_md(total_text(change))} | "
            f"{len(change.new_findings)} | {len(change.fixed_findings)} |"
        )
    out += ["", f"**{_md(money_line(report))}**", ""]
    markers = {"added": "➕", "removed": "➖", "change": "✏️", "error": "⚠️", "problem": "❌", "fixed": "✅"}
    for change in report.changes:
        out += [f"### {change.status}：{_md(change.name)}", "", _code(where(change)), ""]
        out += [f"- {markers[kind]} {_md(text)}" for kind, text in change_lines(change)] or ["- （无实质变化）"]
        out.append("")
    return "\n".join(out)


def format_json(report: DiffReport) -> str:
    def finding(f):
        return f.as_dict()

    return json.dumps({
        "total_before": wan(report.total_before),
        "total_after": wan(report.total_after),
        "filings_before": report.count_before,
        "filings_after": report.count_after,
        "unreadable_before": report.unreadable_before,
        "unreadable_after": report.unreadable_after,
        "changes": [
            {
                "status": c.status,
                "name": c.name,
                "old_path": c.old.path if c.old else None,
                "new_path": c.new.path if c.new else None,
                "total_before": wan(c.old.total) if c.old and c.old.filing else None,
                "total_after": wan(c.new.total) if c.new and c.new.filing else None,
                "header": [{"field": k, "old": o, "new": n} for k, o, n in c.header],
                "funds": [{"field": k, "old": wan(o), "new": wan(n)} for k, o, n in c.funds],
                "added": [{"indicator": str(k), "value": v} for k, v in c.added],
                "removed": [{"indicator": str(k), "value": v} for k, v in c.removed],
                "changed": [{"indicator": str(k), "old": o, "new": n} for k, o, n in c.changed],
                "moved": [{"from": str(a), "to": str(b), "old": o, "new": n} for a, b, o, n in c.moved],
                "results_status": c.results_status,
                "results": [{"field": k, "old": o, "new": n} for k, o, n in c.results],
                "scores": [{"field": k, "old": o, "new": n} for k, o, n in c.scores],
                "new_findings": [finding(f) for f in c.new_findings],
                "fixed_findings": [finding(f) for f in c.fixed_findings],
            }
            for c in report.changes
        ],
    }, ensure_ascii=False, indent=2) + "\n"
