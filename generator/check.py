"""`jixiao check`: load → validate (schema, rules) → model, for many files in one process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import resources
from .findings import Finding, Severity, sort_findings
from .forms import FormDefinition, load_forms
from .model import Filing, build_filing
from .rules import run_collection_rules, run_filing_rules
from .schema import load_schema
from .validate import schema_findings, text_findings
from .yamlio import YamlRejected, load_document, make_yaml


@dataclass(frozen=True)
class Checked:
    """What checking one file produced: its findings, and its model when it could be built."""

    findings: list[Finding]
    filing: Filing | None


def display_name(path: Path) -> str:
    return path.as_posix()


def read_bytes(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise YamlRejected([Finding(name, 1, 1, Severity.ERROR, "file.unreadable", "这是一个文件夹，不是申报表文件")]) from None
    except OSError as error:
        raise YamlRejected([Finding(name, 1, 1, Severity.ERROR, "file.unreadable", f"无法读取文件：{error.strerror}")]) from None


def check_file(path: Path, forms: dict[str, FormDefinition], schema: dict, yaml=None) -> Checked:
    name = display_name(path)
    try:
        document = load_document(name, read_bytes(path, name), yaml)
    except YamlRejected as rejected:
        return Checked(rejected.findings, None)
    findings = schema_findings(document, schema) + text_findings(document)
    if any(f.severity is Severity.ERROR for f in findings):
        return Checked(findings, None)
    form = forms[str(document.data["表样"])]
    filing = build_filing(document, form)
    findings.extend(run_filing_rules(filing, form))
    return Checked(findings, filing)


def check_paths(paths: list[Path]) -> tuple[list[Finding], list[Filing]]:
    """Findings of every file (sorted), and the models of the files that could be built."""
    forms = load_forms()
    schema = load_schema(resources.schema_path())
    yaml = make_yaml()
    findings: list[Finding] = []
    filings: list[Filing] = []
    for path in paths:
        checked = check_file(path, forms, schema, yaml)
        findings.extend(checked.findings)
        if checked.filing:
            filings.append(checked.filing)
    findings.extend(run_collection_rules(filings))
    return sort_findings(findings), filings
