"""`jixiao build`: every filing → the official Word table and an HTML preview (and PDF), per year.

Per run: read and hash every filing → remove the outputs of filings that are gone (from the folders
or files given, or from the disk) → check and render the filings whose outputs are not current (in
worker processes) and write them atomically, only outputs whose bytes changed → PDF in one
LibreOffice process → index.html of every year the run touched → 汇总表.xlsx per year (workbook.py) →
manifest. A filing that cannot be
rendered is reported and the others still build; an output folder that cannot be written (disk
full, read-only) stops the build with a sentence (OutputFault), leaving whole files only.
"""

from __future__ import annotations

import os
import re
import sys
from collections import Counter, defaultdict
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache, partial
from pathlib import Path
from typing import Callable
from urllib.parse import quote

import click

from ..common import resources
from ..common.atomic import write_bytes_atomic, write_error
from ..common.caching import content_digest
from ..common.findings import Finding, Severity
from ..common.gitinfo import Provenance, describe, provenance
from ..common.libreoffice import convert_to_pdf, find_soffice
from ..common.locking import FileLock
from ..common.names import clash_key, safe_stem
from ..common.parallel import PARALLEL_FROM, parallel_map, worker_pool
from ..common.yamlio import YamlRejected, make_reading_yaml
from ..forms.pack import FormShelf
from ..forms.schema import load_schema
from ..render.problem import TemplateProblem
from ..review.cache import CheckCache
from ..review.check import Checked, check_source, conclude, own_findings, pack_problems, read_bytes, read_source
from ..review.config import Config
from ..review.rules.money import wan
from .manifest import MANIFEST_NAME, SELFEVAL_FOLDER, SELFEVAL_MARK, Manifest, output_key, output_path
from .workbook import Packed, Workbooks, pack_record

FORMATS = ("docx", "html", "xlsx")
PER_FILING = ("docx", "html")  # formats with a file per filing; xlsx is one workbook per year
INDEX_STEM = "index"  # <年度>/index.html is the year's index page, never a filing's preview
# A filing's links on the index page: its own outputs, then its 自评表's
INDEX_LINKS = ((".html", "预览"), (".docx", "Word"), (".pdf", "PDF"),
               (SELFEVAL_MARK + ".html", "自评表"), (SELFEVAL_MARK + ".docx", "自评表 Word"), (SELFEVAL_MARK + ".pdf", "自评表 PDF"))
Progress = Callable[[int, int], None]


class OutputFault(Exception):
    """The output folder cannot be written (disk full, read-only, not a folder): the build stops."""


@dataclass
class BuildReport:
    findings: list[Finding]  # everything check found, plus build problems
    written: int = 0  # outputs written
    unchanged: int = 0  # outputs that were already up to date
    removed: list[str] = field(default_factory=list)  # outputs of filings that are gone, or made from an older version
    failed: list[str] = field(default_factory=list)  # files that produced no output
    unwritten: list[str] = field(default_factory=list)  # pages of the whole year that could not be made
    pdf_note: str = ""


@dataclass(frozen=True, slots=True)
class _Task:
    """One filing to build; small, as thousands of them wait for a worker."""

    name: str
    origin: Provenance  # for the document properties


@dataclass(frozen=True, slots=True)
class _Result:
    name: str
    digest: str | None  # of the bytes checked and rendered (None: the file could not be read)
    checked: Checked  # without the full model
    at: str | None  # "<年度>/<stem>" when outputs were made
    made: tuple[str, ...]  # outputs of the filing, relative to the output folder
    written: tuple[str, ...]  # those whose bytes changed
    problem: Finding | None
    record: Packed | None = None  # the filing's rows of the year's workbook (xlsx)


def _render_outputs(task: _Task, formats: tuple[str, ...], checked: Checked, config: Config | None = None) -> dict[str, bytes]:
    """`config` decides which findings the HTML page shows, and how severe."""
    # Imported here: a build with nothing to render should not pay for loading docxtpl.
    from ..render.layout import form_context
    from ..render.marks import page_context
    from ..render.pages import render_preview
    from ..render.word import DocumentInfo, render_docx

    filing = checked.filing
    form = FormShelf()[filing.form_id]
    context = form_context(filing, form)
    source = describe(task.name, task.origin)
    outputs = {}
    if "docx" in formats:
        outputs[".docx"] = render_docx(form, context, DocumentInfo(filing.name, source, task.origin.timestamp))
    selfeval = _selfeval_outputs(task, formats, checked)
    if "html" in formats:
        findings = own_findings(task.name, checked, config)
        links = _page_links(filing.year, output_stem(task.name), formats, bool(selfeval))
        page = page_context(context, filing, form, findings, links)
        outputs[".html"] = render_preview(form, page, source).encode("utf-8")
    return {**outputs, **selfeval}


def _selfeval_outputs(task: _Task, formats: tuple[str, ...], checked: Checked) -> dict[str, bytes]:
    """The 自评表 of a filing with results (-自评表.docx, -自评表.html), beside its 申报表; none without."""
    filing = checked.filing
    if filing.results is None or not {"docx", "html"} & set(formats):
        return {}
    from ..render.selfeval_sheet import selfeval_sheet

    sheet = selfeval_sheet(filing, FormShelf()[filing.form_id])
    if sheet is None:  # no usable 自评 pack: result.pack says why
        return {}
    source = describe(task.name, task.origin)
    outputs = {}
    if "docx" in formats:
        from ..render.selfeval_word import render_selfeval_docx
        from ..render.word import DocumentInfo

        outputs[SELFEVAL_MARK + ".docx"] = render_selfeval_docx(sheet, DocumentInfo(filing.name, source, task.origin.timestamp))
    if "html" in formats:
        from ..render.pages import render_selfeval

        stem = output_stem(task.name)
        links = [{"href": "../index.html", "label": f"{filing.year}年度总览"},
                 {"href": quote(f"../{stem}.html"), "label": "申报表"}]
        if "docx" in formats:
            links.append({"href": quote(f"{stem}{SELFEVAL_MARK}.docx"), "label": "Word 文件"})
        outputs[SELFEVAL_MARK + ".html"] = render_selfeval(resources.templates_dir(), sheet, filing.name, source, links).encode("utf-8")
    return outputs


def _page_links(year: int, stem: str, formats: tuple[str, ...], selfeval: bool = False) -> list[dict]:
    """A filing page's links: the year's index beside it, its Word file when this build makes one, and its 自评表."""
    links = [{"href": "index.html", "label": f"{year}年度总览"}]
    if "docx" in formats:
        links.append({"href": quote(f"{stem}.docx"), "label": "Word 文件"})
    if selfeval:
        extension = "html" if "html" in formats else "docx"
        beside = output_path(f"{year}/{stem}", f"{SELFEVAL_MARK}.{extension}").partition("/")[2]  # from the year's folder
        links.append({"href": quote(beside), "label": "自评表"})
    return links


def _write_outputs(out_dir: Path, at: str, outputs: dict[str, bytes]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Write each output whose bytes changed (atomically); leave identical ones untouched."""
    made, written = [], []
    for suffix, data in outputs.items():
        relative = output_path(at, suffix)
        target = out_dir / relative
        made.append(relative)
        try:
            if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
                continue
            write_bytes_atomic(target, data, durable=False)
        except OSError as error:
            raise OutputFault(write_error(target, error)) from None
        written.append(relative)
    return tuple(made), tuple(written)


class _Claims:
    """Which filing has each output place `<年度>/<stem>` (by clash key), for filings whose names may clash."""

    def __init__(self, manifest: Manifest):
        self.owners = {clash_key(entry.at): (source, entry.name) for source, entry in manifest.entries.items()}

    def claim(self, name: str, at: str) -> Finding | None:
        stem = at.partition("/")[2]
        if clash_key(stem) == INDEX_STEM:
            return _clash(name, f"输出文件名 {stem}.html 是年度索引页的名字")
        source = source_key(name)
        owner = self.owners.get(clash_key(at))
        if owner is not None and owner[0] != source:
            return _clash(name, f"输出文件 {at}.* 已经是 {owner[1]} 的输出（两个文件名只差在大小写、全角半角、"
                                f"Unicode 写法或文件名里不能用的字符）")
        for key in [k for k, (s, _) in self.owners.items() if s == source]:
            del self.owners[key]  # a filing that moved to another year frees its old place
        self.owners[clash_key(at)] = (source, name)
        return None

    def holder(self, at: str) -> str | None:
        owner = self.owners.get(clash_key(at))
        return owner[0] if owner else None


def _clash(name: str, why: str) -> Finding:
    return Finding(name, 1, 1, Severity.ERROR, "build.name-clash", f"{why}，没有生成这个申报表的文件；请给文件改名")


def _build_one(task: _Task, out_dir: Path, formats: tuple[str, ...], tools, claims: _Claims | None = None,
               config: Config | None = None) -> _Result:
    """Check one filing and, if it loads (and its output place is free), render and write its outputs."""
    try:
        raw = read_bytes(task.name, task.name)
    except YamlRejected as rejected:  # gone or changed into something unreadable since the scan
        return _Result(task.name, None, Checked(rejected.findings), None, (), (), None)
    digest = content_digest(raw)
    checked = check_source(task.name, raw, *tools)
    light = Checked(checked.findings, checked.summary, checked.suppressions)
    if checked.filing is None:
        return _Result(task.name, digest, light, None, (), (), None)
    at = f"{checked.filing.year}/{output_stem(task.name)}"
    problem = claims.claim(task.name, at) if claims is not None else None
    if problem is not None:
        return _Result(task.name, digest, light, None, (), (), problem)
    try:
        outputs = _render_outputs(task, formats, checked, config)
        record = pack_record(checked.filing, tools[0][checked.filing.form_id]) if "xlsx" in formats else None
    except TemplateProblem as error:
        return _Result(task.name, digest, light, None, (), (), Finding(task.name, 1, 1, Severity.ERROR, "build.template", str(error)))
    except Exception as error:  # noqa: BLE001 - one filing must not stop the others
        problem = Finding(task.name, 1, 1, Severity.ERROR, "build.render", f"无法生成：{type(error).__name__}: {error}")
        return _Result(task.name, digest, light, None, (), (), problem)
    made, written = _write_outputs(out_dir, at, outputs)
    return _Result(task.name, digest, light, at, made, written, None, record)


def _tools():
    return _tools_for(resources.templates_dir(), resources.schema_path())


@cache
def _tools_for(templates: Path, schema: Path):
    """The packs, the schema and the YAML loader, once per process (and templates folder): a new schema
    for every chunk of filings cost milliseconds each time, and each stayed in the validator cache."""
    return FormShelf(templates), load_schema(schema), make_reading_yaml()


def _build_chunk(tasks: list[_Task], out_dir: Path, formats: tuple[str, ...], config: Config | None = None) -> list[_Result]:
    """Check, render and write filings (in a worker process, or in this one for small builds)."""
    tools = _tools()
    return [_build_one(task, out_dir, formats, tools, None, config) for task in tasks]


_FORM_LINE = re.compile("^表样:".encode() + rb"\s*[\"']?([\w.-]+)", re.M)


def _prepare_renderers(form_ids: set[str]) -> None:
    """Prepare the templates of the forms the filings name before worker processes fork, so that
    each worker inherits them. The names are only a guess from the raw text (the filings are
    checked later): a form not prepared here is prepared by the worker that needs it, and a broken
    template is reported with the filings that use it."""
    from ..render.word import prepared

    forms = FormShelf()
    for form in filter(None, map(forms.get, sorted(form_ids))):
        try:
            prepared(form)
        except TemplateProblem:
            continue


class _Workers:
    """Worker processes started before the work is known (for a build into an empty folder), let go as
    soon as the rendering is done: the end of a build should not hold them too."""

    def __init__(self):
        self.pool = None
        self._stack = ExitStack()

    def start(self, jobs: int) -> None:
        self.pool = self._stack.enter_context(worker_pool(jobs))

    def close(self) -> None:
        self.pool = None
        self._stack.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _run(tasks: list[_Task], out_dir: Path, formats: tuple[str, ...], jobs: int, form_ids: set[str],
         progress: Progress | None, workers: _Workers, config: Config | None = None):
    """Results in input order, as they become available."""
    work = partial(_build_chunk, out_dir=out_dir, formats=formats, config=config)
    pool = workers.pool
    if jobs > 1 and len(tasks) >= PARALLEL_FROM:
        if pool is None:
            _prepare_renderers(form_ids)
        size = max(1, min(32, len(tasks) // (jobs * 4)))
        chunks = [tasks[i:i + size] for i in range(0, len(tasks), size)]
        done = 0
        for results in parallel_map(work, chunks, jobs, pool):
            done += len(results)
            if progress:
                progress(done, len(tasks))
            yield from results
    else:
        workers.close()  # not worth it after all
        for done, task in enumerate(tasks, start=1):
            yield from work([task])
            if progress:
                progress(done, len(tasks))


def output_stem(name: str) -> str:
    """The output file name (without extension) of a filing: its own file name, made safe."""
    return safe_stem(os.path.splitext(os.path.basename(name))[0])


def _expected(at: str, formats: tuple[str, ...], pdf: bool, selfeval: bool = False) -> list[str]:
    """Outputs of a filing, relative to the output folder: <年度>/<stem>.<ext>, and its 自评表 when it has one."""
    suffixes = [f".{f}" for f in formats if f in PER_FILING] + ([".pdf"] if pdf and "docx" in formats else [])
    own = [at + suffix for suffix in suffixes]
    return own + [output_path(at, SELFEVAL_MARK + suffix) for suffix in suffixes] if selfeval else own


def source_key(name: str) -> str:
    """Whose outputs they are: the filing's path relative to the working folder, however it was typed
    (usually the name itself, so that 20,000 filings need no second string each)."""
    return Path(os.path.relpath(name)).as_posix() if os.path.isabs(name) else name


def _within(roots: list[str], source: str) -> bool:
    outside = source == ".." or source.startswith("../")
    return any(not outside if root == "." else source == root or source.startswith(root + "/") for root in roots)


def build(paths: list[str | Path], out_dir: Path, formats: tuple[str, ...], pdf: bool, config: Config | None = None, *,
          scope: list[Path] | None = None, jobs: int = 1, cache: CheckCache | None = None,
          progress: Progress | None = None) -> BuildReport:
    """Build `paths` into `out_dir`. `scope` is what was asked for (folders and files, default `paths`):
    outputs of filings that are gone from it, or from the disk, are removed; others are left alone."""
    try:
        with _Workers() as workers:
            if jobs > 1 and len(paths) >= PARALLEL_FROM and not (out_dir / MANIFEST_NAME).exists():
                # Into an empty folder everything is built: the workers start before the bookkeeping of
                # thousands of filings exists, with the templates of the forms the first filings name.
                _prepare_renderers(_forms_named(paths[:PARALLEL_FROM]))
                workers.start(jobs)
            return _build(paths, out_dir, formats, pdf, config, scope if scope is not None else paths, jobs, cache,
                          progress, workers)
    except OSError as error:  # the output folder, or a file in it, cannot be written or removed
        raise OutputFault(write_error(error.filename or out_dir, error)) from None


def _forms_named(paths: list[str | Path]) -> set[str]:
    named = set()
    for path in paths:
        try:
            if match := _FORM_LINE.search(Path(path).read_bytes()):
                named.add(match.group(1).decode("utf-8", "replace"))
        except OSError:
            continue  # reported when the file is read for real
    return named


def _build(paths, out_dir, formats, pdf, config, scope, jobs, cache, progress, workers: _Workers) -> BuildReport:
    manifest = Manifest(out_dir)
    report = BuildReport(findings=[])
    workbooks = Workbooks(out_dir, cached=cache is not None) if "xlsx" in formats else None
    if workbooks is not None:
        # A filing of the output folder whose workbook rows are not stored (cache lost, jixiao changed) is
        # built again with the others, so that the year's workbook lists it in full.
        given = {source_key(os.path.abspath(path)) for path in paths}
        paths = list(paths) + [Path(source) for source, entry in manifest.entries.items()
                               if entry.row is not None and source not in given and not workbooks.stored(source)
                               and os.path.isfile(source)]
    findings_key = (config or Config()).findings_key  # the filing pages show the configured findings
    checked: dict[str, Checked] = {}
    names: list[str] = []  # every input, in order
    scanned: list[tuple[str, str]] = []  # (name, digest) of every readable input
    form_ids: set[str] = set()
    for path in paths:
        name, raw, failed = read_source(path)
        names.append(name)
        if failed is not None:
            checked[name] = failed
            report.failed.append(name)
            continue
        scanned.append((name, content_digest(raw)))
        if match := _FORM_LINE.search(raw):
            form_ids.add(match.group(1).decode("utf-8", "replace"))

    touched: set[str] = set()  # years whose index may have changed
    sources = {name: source_key(name) for name in names if os.path.isabs(name)}  # the others are their own key
    present = {sources.get(name, name) for name in names} if manifest.entries else set()
    roots = [source_key(os.path.abspath(root)) for root in scope]
    for source, entry in list(manifest.entries.items()):
        if source not in present and (_within(roots, source) or not os.path.lexists(source)):
            _remove(manifest, manifest.forget(source).outputs, report)
            touched.add(entry.year)

    origins = provenance([name for name, _ in scanned])
    tasks: list[_Task] = []
    for name, digest in scanned:
        source = sources.get(name, name)
        cached = cache.get(name, digest) if cache else None
        if cached is not None:
            checked[name] = Checked(*cached)  # a rebuild below replaces it with the fresh result
            summary = cached[1]
            if summary is None:
                report.failed.append(name)
                continue
            expected = _expected(f"{summary.year}/{output_stem(name)}", formats, pdf, summary.self_score is not None)
            origin = origins[name]
            key = output_key(digest, describe(name, origin), origin.timestamp.isoformat(), findings_key)
            if manifest.fresh(source, key, expected) and (workbooks is None or workbooks.has(source, digest)):
                report.unchanged += len(expected)
                continue
        tasks.append(_Task(name, origins[name]))
    del scanned, origins

    # A filing whose output name may coincide with another's (in this run, or already in the output
    # folder) is built in this process, one after the other, and takes a place only if it is free;
    # every other filing has a name of its own and can be built anywhere.
    stems = Counter(clash_key(output_stem(task.name)) for task in tasks)
    held = defaultdict(set)
    for source, entry in manifest.entries.items():
        held[clash_key(entry.at.partition("/")[2])].add(source)

    def shared(task: _Task) -> bool:
        stem = clash_key(output_stem(task.name))
        return stems[stem] > 1 or stem == INDEX_STEM or bool(held.get(stem, set()) - {sources.get(task.name, task.name)})

    queued = [task for task in tasks if shared(task)]
    separate = [task for task in tasks if not shared(task)]
    del tasks
    built: list[tuple[str, str]] = []  # (source, "<年度>/<stem>") of filings whose Word files were made this run, for PDFs

    def collect(result: _Result, task: _Task, claims: _Claims | None) -> None:
        checked[task.name] = _shared_names(result.checked, task.name)
        if result.problem:
            report.findings.append(result.problem)
        if result.digest is not None and cache is not None:
            cache.put(result.name, result.digest, result.checked)
        if result.at is None:
            report.failed.append(result.name)
            return
        source = sources.get(task.name, task.name)
        key = output_key(result.digest, describe(task.name, task.origin), task.origin.timestamp.isoformat(),
                         findings_key)
        for relative in manifest.record(source, task.name, key, result.at, list(result.made)):
            touched.add(relative.partition("/")[0])
            if claims is None or claims.holder(relative.rpartition(".")[0]) in (None, source):
                _remove(manifest, [relative], report)
        report.written += len(result.written)
        report.unchanged += len(result.made) - len(result.written)
        if workbooks is not None and result.record is not None:  # stored now: the parent keeps no rows
            workbooks.put(source, result.digest, result.record, task.origin.timestamp.isoformat())
        if pdf and "docx" in formats:
            built.append((source, result.at))

    for task, result in zip(separate, _run(separate, out_dir, formats, jobs, form_ids, progress, workers, config)):
        collect(result, task, None)
    workers.close()  # now, not when the build ends: its last steps need memory of their own
    if queued:  # rare: loaded here, so that a build with none of them loads nothing
        claims, tools = _Claims(manifest), _tools()
        queued.sort(key=lambda task: sources.get(task.name, task.name) not in manifest.entries)  # owners first
        for task in queued:
            collect(_build_one(task, out_dir, formats, tools, claims, config), task, claims)
    del separate, queued, present
    problems = pack_problems(cache)
    if cache is not None:
        cache.save()

    ordered = [checked[name] for name in names]
    report.findings = conclude(ordered, config, problems) + report.findings
    if pdf and "docx" in formats:
        report.pdf_note = _make_pdfs(manifest, built, report)
    by_file = defaultdict(list)
    for finding in report.findings:
        by_file[finding.file].append(finding)
    for name, result in zip(names, ordered):
        source = sources.get(name, name)
        if source in manifest.entries:
            shown = own_findings(name, result, config) if result.summary is not None else []
            manifest.set_row(source, _row(result, by_file[name], shown))
            touched.add(manifest.entries[source].year)
    _write_indexes(manifest, touched, "html" in formats, report)
    if workbooks is not None:
        _write_workbooks(workbooks, manifest, report)
    manifest.save()
    return report


def _write_workbooks(workbooks: Workbooks, manifest: Manifest, report: BuildReport) -> None:
    """汇总表.xlsx of each year: every filing with outputs in it (built this run or earlier), as the index lists them."""
    outcome = workbooks.write(manifest)
    report.written += len(outcome.written)
    report.unchanged += outcome.unchanged
    report.removed += outcome.removed
    report.findings += outcome.notes


def _shared_names(checked: Checked, name: str) -> Checked:
    """The result with the one copy of the file's name (and of each rule id and form): from a worker, each
    finding and the summary bring their own, and 20,000 filings' results stay in memory until the end."""
    findings = [replace(f, file=name, rule=sys.intern(f.rule)) if f.file == name else f for f in checked.findings]
    summary = checked.summary
    if summary is not None and summary.path == name:
        summary = replace(summary, path=name, form_id=sys.intern(summary.form_id))
    return Checked(findings, summary, checked.suppressions or ())  # () is shared; an empty list each is not


def _row(checked: Checked, findings: list[Finding], shown: list[Finding]) -> list | None:
    """A filing's line in its year's index.html (kept in the manifest: a later build of other filings writes it too):
    [项目名称, 年度资金总额, 三级指标数, findings, 实施单位, 表样, money items, 自评得分]. Each finding ends with whether the
    filing's own page shows it (a finding of the file alone; one across files is not on the page)."""
    summary = checked.summary
    if summary is None:
        return None
    on_page = set(shown)
    return [summary.name, str(summary.total), summary.indicators,
            [[f.line, f.col, f.severity.value, f.rule, f.message, f in on_page] for f in findings],
            summary.unit, summary.form_id,
            [[key, None if amount is None else str(amount)] for key, amount in summary.amounts], summary.self_score]


def _remove(manifest: Manifest, outputs, report: BuildReport) -> None:
    """Remove outputs the build made (listed in the manifest), never anything outside the output folder."""
    folder = manifest.out_dir.resolve()
    for relative in outputs:
        path = manifest.out_dir / relative
        if path.is_file() and path.resolve().is_relative_to(folder):
            path.unlink()
            report.removed.append(relative)
            if path.parent.name == SELFEVAL_FOLDER and not any(path.parent.iterdir()):
                path.parent.rmdir()  # the year's last 自评表 gone: no empty folder left behind


def _make_pdfs(manifest: Manifest, built: list[tuple[str, str]], report: BuildReport) -> str:
    """PDFs of the Word files made this run whose PDF is not one made from the same version."""
    stale = {}
    for source, at in built:
        outputs = manifest.entries[source].outputs
        for docx, pdf in ((at + ".docx", at + ".pdf"), *_selfeval_pdf(at)):
            if docx in outputs and pdf not in outputs:
                stale[manifest.out_dir / docx] = (source, pdf)
    if not stale:
        return "PDF 都是最新的"
    soffice = find_soffice()
    if soffice is None:
        return "未找到 LibreOffice（soffice），没有生成 PDF；其他文件已生成。安装：apt-get install libreoffice-writer-nogui fonts-noto-cjk"
    converted, failed = convert_to_pdf(list(stale), soffice)
    for document in converted:
        source, relative = stale[document]
        manifest.add_output(source, relative)
        report.written += 1
    note = f"已生成 {len(converted)} 个 PDF" + (f"，{len(failed)} 个转换失败：" if failed else "")
    return "\n".join([note, *(f"{docx}: {why}" for docx, why in failed.items())])


def _selfeval_pdf(at: str) -> tuple[tuple[str, str]]:
    """The 自评表's Word file and its PDF (made when the Word file is)."""
    return ((output_path(at, SELFEVAL_MARK + ".docx"), output_path(at, SELFEVAL_MARK + ".pdf")),)


LOCK_NAME = ".jixiao-build.lock"
RUNNING_NAME = ".jixiao-build.running"


@contextmanager
def output_lock(out_dir: Path, quiet: bool = False):
    """One build at a time per output folder: a second one waits for the first, then sees its results.

    A marker file stands while a build runs; finding it at the start means the last build was
    killed, and the temporary files it may have left are removed (under the lock, so none is in use)."""
    lock_path = out_dir / LOCK_NAME
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(lock_path)
    except OSError as error:
        raise OutputFault(write_error(out_dir if error.filename is None else error.filename, error)) from None
    if not lock.try_acquire():
        if not quiet:
            click.echo(f"另一个 jixiao build 正在写 {out_dir}/，等它完成……", err=True)
        lock.acquire()
    marker = out_dir / RUNNING_NAME
    try:
        try:
            if marker.exists():
                for folder, _, files in os.walk(out_dir):
                    for leftover in (f for f in files if f.startswith(".jixiao-") and f.endswith(".tmp")):
                        os.unlink(os.path.join(folder, leftover))
            marker.touch()
        except OSError as error:
            raise OutputFault(write_error(error.filename or out_dir, error)) from None
        yield
        marker.unlink()
    finally:
        lock.release()


def _write_indexes(manifest: Manifest, years: set[str], wanted: bool, report: BuildReport) -> None:
    """index.html of each year the run touched, from every filing with outputs in that year (built this
    run or earlier), linking only to outputs that exist; written when HTML is built or the year already
    has one, removed when no filing of the year is left."""
    rows: dict[str, list] = {year: [] for year in years}
    for entry in manifest.entries.values():
        if entry.year in rows and entry.row is not None:
            rows[entry.year].append(entry)
    for year, entries in sorted(rows.items()):
        relative = f"{year}/index.html"
        index = manifest.out_dir / relative
        if not entries:
            if year in manifest.indexes:
                _remove(manifest, [relative], report)
                manifest.indexes.discard(year)
                manifest.changed = True
            continue
        if not (wanted or year in manifest.indexes):
            continue
        try:
            data = _index_page(manifest, year, entries).encode("utf-8")
        except TemplateProblem as problem:
            # The old index would list an older state as current: it goes, and the build fails.
            page = (manifest.out_dir / relative).as_posix()
            report.findings.append(Finding(page, 1, 1, Severity.ERROR, "build.template", str(problem)))
            report.unwritten.append(page)
            if year in manifest.indexes:
                _remove(manifest, [relative], report)
                manifest.indexes.discard(year)
                manifest.changed = True
            continue
        if index.is_file() and index.read_bytes() == data:
            report.unchanged += 1
        else:
            write_bytes_atomic(index, data, durable=False)
            report.written += 1
        if year not in manifest.indexes:
            manifest.indexes.add(year)
            manifest.changed = True


def _index_page(manifest: Manifest, year: str, entries: list) -> str:
    rows = []
    # One column per money item of any form used this year, in the order the forms list them.
    money = list(dict.fromkeys(key for entry in entries for key, _ in entry.row[6]))
    money_totals = dict.fromkeys(money, Decimal(0))
    total = Decimal(0)
    for entry in sorted(entries, key=lambda e: e.name):
        name, amount, indicators, findings, unit, form, items, self_score = entry.row
        counts = Counter(finding[2] for finding in findings)
        total += Decimal(amount)
        amounts = {key: None if value is None else Decimal(value) for key, value in items}
        for key, value in amounts.items():
            money_totals[key] += value or Decimal(0)
        links = [
            {"href": quote(output_path(entry.at, suffix).partition("/")[2]), "label": label}
            for suffix, label in INDEX_LINKS
            if output_path(entry.at, suffix) in entry.outputs and (manifest.out_dir / output_path(entry.at, suffix)).is_file()
        ]
        page = links[0]["href"] if links and links[0]["label"] == "预览" else ""
        rows.append({
            "name": name,
            "href": page,
            "unit": unit,
            "form": form,
            "amounts": [wan(amounts[key]) if amounts.get(key) is not None else "" for key in money],
            "total": wan(Decimal(amount)),
            "indicators": indicators,
            "self_score": self_score or "",
            "counts": {s.value: counts.get(s.value, 0) for s in Severity},
            # A finding about this file alone links to its cell; one across files (not on the page) to the page.
            "findings": [
                {"file": entry.name, "line": line, "col": col, "severity": severity, "rule": rule, "message": message,
                 "label": Severity(severity).label, "href": (f"{page}#L{line}" if on_page else page) if page else ""}
                for line, col, severity, rule, message, on_page in findings
            ],
            "links": links,
        })
    context = {
        "year": int(year),
        "filings": rows,
        "money": [{"key": key, "total": wan(money_totals[key])} for key in money],
        "units": sorted({row["unit"] for row in rows if row["unit"]}),
        "forms": sorted({row["form"] for row in rows}),
        "total": wan(total),
        "indicator_total": sum(row["indicators"] for row in rows),
        "counts": {s.value: sum(row["counts"][s.value] for row in rows) for s in Severity},
    }
    from ..render.pages import render_index  # Jinja only when there is an index to write

    return render_index(resources.templates_dir(), context)
