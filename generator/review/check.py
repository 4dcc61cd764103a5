"""`jixiao check`: load → validate (schema, rules) → model, for many files in one process or several."""

from __future__ import annotations

import errno
import os
import stat
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..common import resources
from ..common.caching import content_digest
from ..common.discover import escapes_through_link
from ..common.findings import Finding, Severity, sort_findings
from ..common.names import name_problem, printable_path
from ..common.parallel import PARALLEL_FROM, parallel_map
from ..common.yamlio import YamlRejected, load_document, locate, make_reading_yaml
from ..filing.model import Filing, Summary, build_filing
from ..filing.scoring import printed_total
from ..filing.validate import schema_findings, text_findings
from ..forms.definition import FormDefinition
from ..forms.pack import FormShelf, form_problems
from ..forms.schema import load_schema
from .cache import CheckCache
from .config import Config
from .rules import run_collection_rules, run_filing_rules
from .rules.results import scorecard
from .suppress import Suppression, apply_suppressions, find_suppressions


@dataclass(frozen=True, slots=True)
class Checked:
    """What checking one file produced: its own findings, its summary and suppression comments when it loaded."""

    findings: list[Finding]
    summary: Summary | None = None
    suppressions: list[Suppression] = field(default_factory=list)
    filing: Filing | None = None  # the full model; not kept by the cache or sent between processes


def display_name(path: Path) -> str:
    """The name a file is reported and cached under (a name that is not UTF-8 is shown escaped)."""
    return printable_path(path.as_posix())


_OS_ERRORS = {
    errno.ENOENT: "文件不存在（可能是指向已删除文件的符号链接）",
    errno.EACCES: "没有读取这个文件的权限",
    errno.EPERM: "没有读取这个文件的权限",
    errno.ELOOP: "符号链接绕成了一个圈，找不到真正的文件",
    errno.EISDIR: "这是一个文件夹，不是申报表文件",
}


def _unreadable(name: str, message: str) -> YamlRejected:
    return YamlRejected([Finding(name, 1, 1, Severity.ERROR, "file.unreadable", message)])


def read_bytes(path: Path | str, name: str, inside: Path | None = None, where: str = "当前文件夹") -> bytes:
    """A filing's bytes; YamlRejected when it is not a regular file, or a link leads out of `inside`
    (the current folder by default; `where` names it in the message)."""
    try:
        mode = os.lstat(path).st_mode  # one call for most files: only a link needs another look
        if stat.S_ISLNK(mode):
            mode = os.stat(path).st_mode  # a broken link or a loop says so here
        if escapes_through_link(path, inside or os.getcwd()):
            # The target is not named: the message may end up in a PR comment.
            raise YamlRejected([Finding(
                name, 1, 1, Severity.ERROR, "file.outside",
                f"这是一个指向{where}之外的符号链接（或在这样的链接所指的文件夹里），没有读取；申报表应放在仓库里",
            )])
        if not stat.S_ISREG(mode):
            raise _unreadable(name, _OS_ERRORS[errno.EISDIR] if stat.S_ISDIR(mode) else "这不是普通文件（管道、设备等），没有读取")
        with open(path, "rb") as stream:
            return stream.read()
    except RuntimeError:  # Path.resolve on a symlink loop
        raise _unreadable(name, _OS_ERRORS[errno.ELOOP]) from None
    except OSError as error:
        raise _unreadable(name, _OS_ERRORS.get(error.errno, f"无法读取文件（{error.strerror}）")) from None


def check_source(name: str, raw: bytes, forms: dict[str, FormDefinition] | FormShelf, schema: dict, yaml=None) -> Checked:
    """Check one filing's bytes (from disk or from a git revision)."""
    try:
        document = load_document(name, raw, yaml)
    except YamlRejected as rejected:
        return Checked(rejected.findings)
    findings = schema_findings(document, schema) + text_findings(document)
    if any(f.severity is Severity.ERROR for f in findings):
        return Checked(findings)
    form = forms.get(str(document.data["表样"]))
    if form is None:  # named in schema.json, but its pack is broken now
        line, col = locate(document.data, ["表样"])
        return Checked([Finding(
            name, line, col, Severity.ERROR, "form.broken",
            f"表样“{document.data['表样']}”的定义有误，这张申报表无法检查；请先改正表样定义（见 form.invalid 的报告）",
        )])
    filing = build_filing(document, form)
    findings.extend(run_filing_rules(filing, form))
    return Checked(findings, _summary(filing, form), find_suppressions(document.text), filing)


def _summary(filing: Filing, form: FormDefinition) -> Summary:
    """The filing's summary, with the 总分 of its 自评表 when it has one (scored once: the result rules' scorecard)."""
    summary = filing.summary
    if filing.results is None:
        return summary
    card = scorecard(filing, form)
    return summary if card is None else replace(summary, self_score=printed_total(card))


def _check_all(sources: list[tuple[str, bytes]]) -> list[Checked]:
    if not sources:
        return []  # everything came from the cache: no need to read the packs and the schema
    forms = FormShelf()
    schema = load_schema(resources.schema_path())
    yaml = make_reading_yaml()
    return [check_source(name, raw, forms, schema, yaml) for name, raw in sources]


def _check_chunk(sources: list[tuple[str, bytes]]) -> list[Checked]:
    """Worker side: the results without the full models (they are not needed across processes)."""
    return [Checked(c.findings, c.summary, c.suppressions) for c in _check_all(sources)]


def read_source(path: Path | str) -> tuple[str, bytes | None, Checked | None]:
    """The file's name (as display_name gives it), and its bytes or why they cannot be checked."""
    posix = path if isinstance(path, str) and os.sep == "/" else Path(path).as_posix()
    problem = name_problem(posix)
    name = posix if problem is None else printable_path(posix)
    if problem is not None:
        return name, None, Checked([Finding(name, 1, 1, Severity.ERROR, "file.name", problem)])
    try:
        return name, read_bytes(path, name), None
    except YamlRejected as rejected:
        return name, None, Checked(rejected.findings)


def check_files(paths: list[Path], config: Config | None = None, *, cache: CheckCache | None = None,
                jobs: int = 1, context: list[Path] = ()) -> tuple[list[Finding], list[Summary]]:
    """`jixiao check`: every file, unchanged ones (the same bytes) from the cache, the rest in `jobs` processes.

    `context` (other filings of the repository, see discover.other_filings) is checked the same way, only
    for the rules across files: what is found in a context file itself is not reported, what the rules
    across files find is reported only on `paths` (a staged copy of a 项目名称 gets the error)."""
    given = {display_name(path) for path in paths}
    context = [path for path in context if display_name(path) not in given]  # a file is never its own duplicate
    results: dict[str, Checked] = {}
    pending: list[tuple[str, bytes]] = []
    digests: dict[str, str] = {}
    for path in [*paths, *context]:
        name, raw, failed = read_source(path)
        if failed is not None:
            results[name] = failed
            continue
        digests[name] = content_digest(raw)
        cached = cache.get(name, digests[name]) if cache else None
        if cached is not None:
            results[name] = Checked(*cached)
        else:
            pending.append((name, raw))
    if len(pending) >= PARALLEL_FROM and jobs > 1:
        chunks = [pending[i::jobs * 4] for i in range(jobs * 4)]
        for chunk, checked in zip(chunks, parallel_map(_check_chunk, chunks, jobs)):
            results.update((name, c) for (name, _), c in zip(chunk, checked))
    else:
        results.update((name, c) for (name, _), c in zip(pending, _check_chunk(pending)))
    problems = pack_problems(cache)
    if cache is not None:
        for name, _ in pending:
            cache.put(name, digests[name], results[name])
        cache.save()
    ordered = [results[display_name(path)] for path in paths]
    around = [results[display_name(path)] for path in context]
    return conclude(ordered, config, problems, around), [c.summary for c in ordered if c.summary]


def check_sources(sources: list[tuple[str, bytes | YamlRejected]], config: Config | None = None) -> tuple[list[Finding], list[Filing]]:
    """Findings of every named source (suppressed and configured, sorted), and the models that could be built.
    A source that could not be read comes as the YamlRejected that says why."""
    loaded = iter(_check_all([(name, raw) for name, raw in sources if not isinstance(raw, YamlRejected)]))
    checked = [Checked(raw.findings) if isinstance(raw, YamlRejected) else next(loaded) for _, raw in sources]
    return conclude(checked, config, pack_problems(None)), [c.filing for c in checked if c.filing]


def check_paths(paths: list[Path], config: Config | None = None) -> tuple[list[Finding], list[Filing]]:
    """Findings of every file (suppressed and configured, sorted), and the models that could be built."""
    read = [read_source(path) for path in paths]
    loaded = iter(_check_all([(name, raw) for name, raw, failed in read if failed is None]))
    checked = [failed if failed is not None else next(loaded) for _, _, failed in read]
    return conclude(checked, config, pack_problems(None)), [c.filing for c in checked if c.filing]


def pack_problems(cache: CheckCache | None) -> list[Finding]:
    """What is wrong with the form packs (from the cache while nothing that decides it changed)."""
    return cache.pack_problems() if cache is not None else list(form_problems())


def own_findings(name: str, checked: Checked, config: Config | None) -> list[Finding]:
    """What `jixiao check` reports for this file checked on its own: its findings with its suppression
    comments and the configuration applied, without the rules across files."""
    return sort_findings((config or Config()).applied(apply_suppressions(name, checked.findings, checked.suppressions)))


def conclude(checked: list[Checked], config: Config | None, pack_problems: list[Finding],
             context: list[Checked] = ()) -> list[Finding]:
    """Run the rules across files (on `checked` and `context` together, reporting on `checked` only), add
    what is wrong with the form packs, apply suppression comments and the configuration."""
    summaries = [c.summary for c in checked if c.summary]
    across = list(run_collection_rules(summaries + [c.summary for c in context if c.summary]))
    if context:
        reported = {summary.path for summary in summaries}
        across = [finding for finding in across if finding.file in reported]
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in [f for c in checked for f in c.findings] + across + pack_problems:
        by_file[finding.file].append(finding)
    suppressions = {c.summary.path: c.suppressions for c in checked if c.summary}
    names = list(dict.fromkeys([*by_file, *suppressions]))  # a clean file may still have stale comments
    findings = [
        finding
        for name in names
        for finding in apply_suppressions(name, by_file.get(name, []), suppressions.get(name, []))
    ]
    return sort_findings((config or Config()).applied(findings))


def check_stdin(name: str, raw: bytes, context: list[Path], config: Config | None = None) -> list[Finding]:
    """`jixiao check - --stdin-filename NAME`: the findings of the filing read from standard input, reported
    under NAME. The rules across files compare it with the filings in `context`, in which it takes the
    place of the file NAME (the editor's unsaved text of that file)."""
    replaced = os.path.normpath(name)
    sources: list[tuple[str, bytes | YamlRejected]] = []
    for path in context:
        other, other_raw, failed = read_source(path)
        if failed is None and os.path.normpath(other) != replaced:  # one that cannot be read compares with nothing
            sources.append((other, other_raw))
    sources.append((name, raw))
    findings, _ = check_sources(sources, config)
    return [finding for finding in findings if finding.file == name]
