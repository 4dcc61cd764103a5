"""`jixiao check`: load → validate (schema, rules) → model, for many files in one process."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from . import resources
from .config import Config
from .findings import Finding, Severity, sort_findings
from .forms import FormDefinition, load_forms
from .model import Filing, build_filing
from .rules import run_collection_rules, run_filing_rules
from .schema import load_schema
from .suppress import Suppression, apply_suppressions, find_suppressions
from .validate import schema_findings, text_findings
from .yamlio import YamlRejected, load_document, make_reading_yaml


@dataclass(frozen=True)
class Checked:
    """What checking one file produced: its findings, its model when it could be built, its suppressions."""

    findings: list[Finding]
    filing: Filing | None
    suppressions: list[Suppression] = field(default_factory=list)


def display_name(path: Path) -> str:
    return path.as_posix()


def read_bytes(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise YamlRejected([Finding(name, 1, 1, Severity.ERROR, "file.unreadable", "这是一个文件夹，不是申报表文件")]) from None
    except OSError as error:
        raise YamlRejected([Finding(name, 1, 1, Severity.ERROR, "file.unreadable", f"无法读取文件：{error.strerror}")]) from None


def check_source(name: str, raw: bytes, forms: dict[str, FormDefinition], schema: dict, yaml=None) -> Checked:
    """Check one filing's bytes (from disk or from a git revision)."""
    try:
        document = load_document(name, raw, yaml)
    except YamlRejected as rejected:
        return Checked(rejected.findings, None)
    findings = schema_findings(document, schema) + text_findings(document)
    if any(f.severity is Severity.ERROR for f in findings):
        return Checked(findings, None)
    form = forms[str(document.data["表样"])]
    filing = build_filing(document, form)
    findings.extend(run_filing_rules(filing, form))
    return Checked(findings, filing, find_suppressions(document.text))


def check_file(path: Path, forms: dict[str, FormDefinition], schema: dict, yaml=None) -> Checked:
    name = display_name(path)
    try:
        raw = read_bytes(path, name)
    except YamlRejected as rejected:
        return Checked(rejected.findings, None)
    return check_source(name, raw, forms, schema, yaml)


def check_sources(sources: list[tuple[str, bytes]], config: Config | None = None) -> tuple[list[Finding], list[Filing]]:
    """Findings of every named source (suppressed and configured, sorted), and the models that could be built."""
    forms = load_forms()
    schema = load_schema(resources.schema_path())
    yaml = make_reading_yaml()
    return _conclude([check_source(name, raw, forms, schema, yaml) for name, raw in sources], config)


def check_paths(paths: list[Path], config: Config | None = None) -> tuple[list[Finding], list[Filing]]:
    """Findings of every file (suppressed and configured, sorted), and the models that could be built."""
    forms = load_forms()
    schema = load_schema(resources.schema_path())
    yaml = make_reading_yaml()
    return _conclude([check_file(path, forms, schema, yaml) for path in paths], config)


def _conclude(checked: list[Checked], config: Config | None) -> tuple[list[Finding], list[Filing]]:
    """Run the rules across files, apply suppression comments and the configuration."""
    filings = [c.filing for c in checked if c.filing]
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in [f for c in checked for f in c.findings] + list(run_collection_rules(filings)):
        by_file[finding.file].append(finding)
    suppressions = {c.filing.path: c.suppressions for c in checked if c.filing}
    names = list(dict.fromkeys([*by_file, *suppressions]))  # a clean file may still have stale comments
    findings = [
        finding
        for name in names
        for finding in apply_suppressions(name, by_file.get(name, []), suppressions.get(name, []))
    ]
    return sort_findings((config or Config()).applied(findings)), filings
