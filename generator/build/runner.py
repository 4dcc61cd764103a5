"""`jixiao build`: every filing → the official Word table and an HTML preview (and PDF), per year.

Per run: stat every filing (reading and hashing only those that changed) → check and render (unchanged
files from the cache, the changed ones in worker processes) → write atomically, only outputs whose bytes changed →
PDF in one LibreOffice process → index.html per year → remove the outputs of deleted filings →
manifest. A filing that cannot be rendered is reported; the others still build.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable
from urllib.parse import quote

import click

from ..common import resources
from ..common.atomic import write_bytes_atomic
from ..common.caching import content_digest, file_stat
from ..common.findings import Finding, Severity
from ..common.gitinfo import describe, provenance
from ..common.libreoffice import convert_to_pdf, find_soffice
from ..common.names import safe_stem
from ..common.parallel import PARALLEL_FROM, parallel_map
from ..common.yamlio import make_reading_yaml
from ..filing.model import Summary
from ..forms.pack import FormShelf
from ..forms.schema import load_schema
from ..render.problem import TemplateProblem
from ..review.cache import CheckCache
from ..review.check import Checked, check_source, conclude, display_name, own_findings, pack_problems, read_source
from ..review.config import Config
from ..review.rules.money import wan
from .manifest import Manifest, output_key

FORMATS = ("docx", "html")
Progress = Callable[[int, int], None]


@dataclass
class BuildReport:
    findings: list[Finding]  # everything check found, plus build problems
    written: list[Path] = field(default_factory=list)
    unchanged: int = 0  # outputs that were already up to date
    removed: list[Path] = field(default_factory=list)  # outputs of filings that no longer exist
    failed: list[str] = field(default_factory=list)  # files that produced no output
    pdf_note: str = ""


@dataclass(frozen=True)
class _Task:
    name: str
    raw: bytes
    out_dir: Path
    formats: tuple[str, ...]
    source: str
    timestamp: str  # ISO, for the document properties
    config: Config | None = None  # decides which findings the HTML page shows, and how severe


@dataclass(frozen=True)
class _Result:
    name: str
    checked: Checked  # without the full model
    stem_path: Path | None  # out/<年度>/<stem>, when outputs were made
    written: tuple[Path, ...]
    unchanged: int
    problem: Finding | None


def _render_outputs(task: _Task, checked: Checked) -> dict[str, bytes]:
    # Imported here: a build with nothing to render should not pay for loading docxtpl.
    from datetime import datetime

    from ..render.layout import form_context
    from ..render.marks import page_context
    from ..render.pages import render_preview
    from ..render.word import DocumentInfo, render_docx

    filing = checked.filing
    form = FormShelf()[filing.form_id]
    context = form_context(filing, form)
    outputs = {}
    if "docx" in task.formats:
        info = DocumentInfo(filing.name, task.source, datetime.fromisoformat(task.timestamp))
        outputs[".docx"] = render_docx(form, context, info)
    if "html" in task.formats:
        findings = own_findings(task.name, checked, task.config)
        page = page_context(context, filing, form, findings, _page_links(filing.year, output_stem(task.name), task.formats))
        outputs[".html"] = render_preview(form, page, task.source).encode("utf-8")
    return outputs


def _page_links(year: int, stem: str, formats: tuple[str, ...]) -> list[dict]:
    """A filing page's links: the year's index beside it, and its Word file when this build makes one."""
    links = [{"href": "index.html", "label": f"{year}年度总览"}]
    if "docx" in formats:
        links.append({"href": quote(f"{stem}.docx"), "label": "Word 文件"})
    return links


def _write_outputs(stem_path: Path, outputs: dict[str, bytes]) -> tuple[list[Path], int]:
    """Write each output whose bytes changed (atomically); leave identical ones untouched."""
    written, unchanged = [], 0
    for suffix, data in outputs.items():
        target = output_path(stem_path, suffix)
        if target.is_file() and target.read_bytes() == data:
            unchanged += 1
        else:
            write_bytes_atomic(target, data, durable=False)
            written.append(target)
    return written, unchanged


def _build_one(task: _Task, forms, schema, yaml, taken: dict[Path, str] | None = None) -> _Result:
    """Check one filing and, if it loads, render and write its outputs (unless `taken` has its names)."""
    checked = check_source(task.name, task.raw, forms, schema, yaml)
    light = Checked(checked.findings, checked.summary, checked.suppressions)
    if checked.filing is None:
        return _Result(task.name, light, None, (), 0, None)
    stem_path = task.out_dir / str(checked.filing.year) / output_stem(task.name)
    if taken is not None and stem_path in taken:
        problem = Finding(
            task.name, 1, 1, Severity.ERROR, "build.name-clash",
            f"输出文件名与 {taken[stem_path]} 冲突，未生成；请给其中一个文件改名",
        )
        return _Result(task.name, light, None, (), 0, problem)
    try:
        outputs = _render_outputs(task, checked)
    except TemplateProblem as error:
        return _Result(task.name, light, None, (), 0, Finding(task.name, 1, 1, Severity.ERROR, "build.template", str(error)))
    except Exception as error:  # noqa: BLE001 - one filing must not stop the others
        problem = Finding(task.name, 1, 1, Severity.ERROR, "build.render", f"无法生成：{type(error).__name__}: {error}")
        return _Result(task.name, light, None, (), 0, problem)
    written, unchanged = _write_outputs(stem_path, outputs)
    return _Result(task.name, light, stem_path, tuple(written), unchanged, None)


def _build_chunk(tasks: list[_Task]) -> list[_Result]:
    """Check, render and write filings (in a worker process, or in this one for small builds)."""
    forms, schema, yaml = FormShelf(), load_schema(resources.schema_path()), make_reading_yaml()
    return [_build_one(task, forms, schema, yaml) for task in tasks]


_FORM_LINE = re.compile("^表样:".encode() + rb"\s*[\"']?([\w.-]+)", re.M)


def _prepare_renderers(tasks: list[_Task]) -> None:
    """Prepare the templates of the forms these filings name before worker processes fork, so that
    each worker inherits them. The names are only a guess from the raw text (the filings are
    checked later): a form not prepared here is prepared by the worker that needs it, and a broken
    template is reported with the filings that use it."""
    from ..render.word import prepared

    forms = FormShelf()
    named = {match.group(1).decode() for task in tasks if (match := _FORM_LINE.search(task.raw))}
    for form in filter(None, map(forms.get, sorted(named))):
        try:
            prepared(form)
        except TemplateProblem:
            continue


def _run(tasks: list[_Task], jobs: int, progress: Progress | None):
    """Results in input order, as they become available."""
    if jobs > 1 and len(tasks) >= PARALLEL_FROM:
        _prepare_renderers(tasks)
        size = max(1, min(32, len(tasks) // (jobs * 4)))
        chunks = [tasks[i:i + size] for i in range(0, len(tasks), size)]
        done = 0
        for results in parallel_map(_build_chunk, chunks, jobs):
            done += len(results)
            if progress:
                progress(done, len(tasks))
            yield from results
    else:
        for done, task in enumerate(tasks, start=1):
            yield from _build_chunk([task])
            if progress:
                progress(done, len(tasks))


def output_path(stem_path: Path, suffix: str) -> Path:
    """out/<年度>/<stem><suffix>; not with_suffix, which would cut a stem such as "经费.v2" short."""
    return stem_path.with_name(stem_path.name + suffix)


def output_stem(name: str) -> str:
    """The output file name (without extension) of a filing: its own file name, made safe."""
    return safe_stem(os.path.splitext(os.path.basename(name))[0])


def _expected(year: int, stem: str, formats: tuple[str, ...], pdf: bool) -> list[str]:
    """Outputs of a filing, relative to the output folder: <年度>/<stem>.<ext>."""
    suffixes = [f".{f}" for f in formats] + ([".pdf"] if pdf and "docx" in formats else [])
    return [f"{year}/{stem}{suffix}" for suffix in suffixes]


def build(paths: list[Path], out_dir: Path, formats: tuple[str, ...], pdf: bool, config: Config | None = None, *,
          jobs: int = 1, cache: CheckCache | None = None, progress: Progress | None = None) -> BuildReport:
    manifest = Manifest(out_dir)
    checked: dict[str, Checked] = {}
    names: list[str] = []  # every input, in order
    keys, digests, stats, tasks, pending = {}, {}, {}, [], []
    not_built: list[str] = []  # unreadable, or known from the cache to fail the check
    up_to_date = 0  # outputs of filings that need no rebuild
    for path in paths:
        name = display_name(path)
        names.append(name)
        stats[name] = file_stat(path)
        digest = cache.known_digest(name, stats[name]) if cache else None
        raw = None
        if digest is None:
            name, raw, failed = read_source(path)
            if failed is not None:
                checked[name] = failed
                not_built.append(name)
                continue
            digest = content_digest(raw)
        digests[name] = digest
        pending.append((path, name, raw))
    sources = provenance([name for _, name, _ in pending])
    for path, name, raw in pending:
        origin = sources[name]
        source, timestamp = describe(name, origin), origin.timestamp.isoformat()
        keys[name] = output_key(digests[name], formats, source, timestamp, (config or Config()).findings_key)
        cached = cache.get(name, digests[name]) if cache else None
        if cached is not None:
            checked[name] = Checked(*cached)  # a rebuild below replaces it with the fresh result
            summary = cached[1]
            if summary is None:
                not_built.append(name)
                continue
            expected = _expected(summary.year, output_stem(name), formats, pdf)
            if manifest.fresh(name, keys[name], expected):
                up_to_date += len(expected)
                continue
        if raw is None:
            name, raw, failed = read_source(path)
            if failed is not None:
                checked[name] = failed
                not_built.append(name)
                continue
        tasks.append(_Task(name, raw, out_dir, formats, source, timestamp, config))
    # Files whose output names coincide are built one after the other here, so that no two
    # processes ever write the same file; every other file can be built anywhere.
    stems = Counter(output_stem(task.name) for task in tasks)
    shared = [task for task in tasks if stems[output_stem(task.name)] > 1]
    separate = [task for task in tasks if stems[output_stem(task.name)] == 1]

    report = BuildReport(findings=[], failed=not_built, unchanged=up_to_date)
    rendered: list[tuple[str, Path]] = []  # (source name, stem path) built or confirmed this run
    taken: dict[Path, str] = {}
    for result in _run(separate, jobs, progress):
        _collect(result, report, rendered, taken)
        checked[result.name] = result.checked
    for task in shared:  # rare: loaded per file, so that a build with none of them loads nothing
        result = _build_one(task, FormShelf(), load_schema(resources.schema_path()), make_reading_yaml(), taken)
        _collect(result, report, rendered, taken)
        checked[task.name] = result.checked
    problems = pack_problems(cache)
    if cache is not None:
        for task in tasks:
            cache.put(task.name, digests[task.name], checked[task.name], stats[task.name])
        cache.save()

    ordered = [checked[name] for name in names]
    report.findings = conclude(ordered, config, problems) + report.findings
    summaries = [c.summary for c in ordered if c.summary]
    if pdf and "docx" in formats:
        report.pdf_note = _make_pdfs(rendered, report)
    for name, stem_path in rendered:
        expected = _expected(int(stem_path.parent.name), stem_path.name, formats, pdf)
        manifest.record(name, keys[name], [out_dir / p for p in expected if (out_dir / p).exists()])
    if "html" in formats:
        pages = {name: own_findings(name, checked[name], config) for name in names if checked[name].summary}
        _write_indexes(out_dir, summaries, report, pages)
    _remove_stale(manifest, set(names), report)
    manifest.save()
    return report


def _collect(result: _Result, report: BuildReport, rendered: list, taken: dict[Path, str]) -> None:
    if result.problem:
        report.findings.append(result.problem)
    if result.stem_path is None:
        report.failed.append(result.name)
        return
    taken[result.stem_path] = result.name
    report.written.extend(result.written)
    report.unchanged += result.unchanged
    rendered.append((result.name, result.stem_path))


def _make_pdfs(rendered: list[tuple[str, Path]], report: BuildReport) -> str:
    stale = []
    for _, stem_path in rendered:
        if not _current(output_path(stem_path, ".pdf")):
            stale.append(output_path(stem_path, ".docx"))
    if not stale:
        return "PDF 都是最新的"
    soffice = find_soffice()
    if soffice is None:
        return "未找到 LibreOffice（soffice），没有生成 PDF；其他文件已生成。安装：apt-get install libreoffice-writer-nogui fonts-noto-cjk"
    converted, failed = convert_to_pdf(stale, soffice)
    report.written.extend(converted.values())
    note = f"已生成 {len(converted)} 个 PDF" + (f"，{len(failed)} 个转换失败：" if failed else "")
    return "\n".join([note, *(f"{docx}: {why}" for docx, why in failed.items())])


LOCK_NAME = ".jixiao-build.lock"
RUNNING_NAME = ".jixiao-build.running"


@contextmanager
def output_lock(out_dir: Path, quiet: bool = False):
    """One build at a time per output folder: a second one waits for the first, then sees its results.

    A marker file stands while a build runs; finding it at the start means the last build was
    killed, and the temporary files it may have left are removed (under the lock, so none is in use)."""
    from filelock import FileLock, Timeout

    out_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out_dir / LOCK_NAME))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not quiet:
            click.echo(f"另一个 jixiao build 正在写 {out_dir}/，等它完成……", err=True)
        lock.acquire()
    marker = out_dir / RUNNING_NAME
    try:
        if marker.exists():
            for folder, _, files in os.walk(out_dir):
                for leftover in (f for f in files if f.startswith(".jixiao-") and f.endswith(".tmp")):
                    os.unlink(os.path.join(folder, leftover))
        marker.touch()
        yield
        marker.unlink()
    finally:
        lock.release()


def _remove_stale(manifest: Manifest, present: set[str], report: BuildReport) -> None:
    """The outputs of filings that are no longer among the inputs."""
    current = {p.relative_to(manifest.out_dir).as_posix() for p in report.written}
    for name in list(manifest.entries):
        if name in present:
            continue
        for relative in manifest.forget(name).outputs:
            path = manifest.out_dir / relative
            if relative not in current and path.is_file() and path.resolve().is_relative_to(manifest.out_dir.resolve()):
                path.unlink()
                report.removed.append(path)


def _current(output: Path) -> bool:
    """The output exists and, for a PDF, was made from the Word file as it is now."""
    if not output.exists():
        return False
    if output.suffix == ".pdf":
        document = output.with_suffix(".docx")
        return document.exists() and output.stat().st_mtime_ns >= document.stat().st_mtime_ns
    return True


def _write_indexes(out_dir: Path, summaries: list[Summary], report: BuildReport, pages: dict[str, list[Finding]]) -> None:
    """index.html per year; `pages` holds the findings each filing's page shows (those of the file alone)."""
    by_year: dict[int, list[Summary]] = defaultdict(list)
    for summary in summaries:
        by_year[summary.year].append(summary)
    by_file = defaultdict(list)
    for finding in report.findings:
        by_file[finding.file].append(finding)
    for year, items in sorted(by_year.items()):
        index = out_dir / str(year) / "index.html"
        data = _index_page(out_dir, year, items, by_file, pages).encode("utf-8")
        if index.is_file() and index.read_bytes() == data:
            report.unchanged += 1
        else:
            write_bytes_atomic(index, data, durable=False)
            report.written.append(index)


def _index_page(out_dir: Path, year: int, items: list[Summary], by_file: dict[str, list[Finding]],
                pages: dict[str, list[Finding]]) -> str:
    # One column per money item of any form used this year, in the order the forms list them.
    money = list(dict.fromkeys(key for summary in items for key, _ in summary.amounts))
    rows = []
    for summary in sorted(items, key=lambda s: s.path):
        stem_path = out_dir / str(year) / output_stem(summary.path)
        own = by_file[summary.path]
        counts = Counter(f.severity.value for f in own)
        links = [
            {"href": quote(output_path(stem_path, suffix).name), "label": label}
            for suffix, label in ((".html", "预览"), (".docx", "Word"), (".pdf", "PDF"))
            if _current(output_path(stem_path, suffix))
        ]
        page = links[0]["href"] if links and links[0]["label"] == "预览" else ""
        shown = set(pages.get(summary.path, ()))
        amounts = dict(summary.amounts)
        rows.append({
            "name": summary.name,
            "href": page,
            "unit": summary.unit,
            "form": summary.form_id,
            "amounts": [wan(amounts[key]) if amounts.get(key) is not None else "" for key in money],
            "total": wan(summary.total),
            "indicators": summary.indicators,
            "counts": {s.value: counts.get(s.value, 0) for s in Severity},
            # A finding about this file alone links to its cell; one across files (not on the page) to the page.
            "findings": [
                {**f.as_dict(), "label": f.severity.label,
                 "href": (f"{page}#L{f.line}" if f in shown else page) if page else ""}
                for f in own
            ],
            "links": links,
        })
    context = {
        "year": year,
        "filings": rows,
        "money": [
            {"key": key, "total": wan(sum((dict(s.amounts).get(key) or Decimal(0) for s in items), Decimal(0)))}
            for key in money
        ],
        "units": sorted({row["unit"] for row in rows if row["unit"]}),
        "forms": sorted({row["form"] for row in rows}),
        "total": wan(sum((s.total for s in items), Decimal(0))),
        "indicator_total": sum(row["indicators"] for row in rows),
        "counts": {s.value: sum(row["counts"][s.value] for row in rows) for s in Severity},
    }
    from ..render.pages import render_index  # Jinja only when there is an index to write

    return render_index(resources.templates_dir(), context)
