"""Findings: what `jixiao check` reports, and how each output format prints it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return {"error": "错误", "warning": "警告", "info": "提示"}[self.value]


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    file: str
    line: int
    col: int
    severity: Severity
    rule: str
    message: str

    def as_dict(self) -> dict:
        # Spelled out: dataclasses.asdict copies every field deeply, and a build turns every finding into JSON.
        return {"file": self.file, "line": self.line, "col": self.col, "severity": self.severity.value,
                "rule": self.rule, "message": self.message}


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.file, f.line, f.col, f.rule, f.message))


def format_text(findings: list[Finding]) -> str:
    return "".join(
        f"{f.file}:{f.line}:{f.col}: {f.severity.label} [{f.rule}] {f.message}\n" for f in findings
    )


def format_json(findings: list[Finding]) -> str:
    return json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2) + "\n"


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _github_escape(text: str, *, property_value: bool = False) -> str:
    # GitHub workflow-command escaping: data needs %, CR, LF; properties also need : and ,
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


_LEVEL_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def format_github(findings: list[Finding]) -> str:
    """Workflow commands, errors first, then warnings, then notices: GitHub shows at most 10 annotations of
    each level per step, and the errors are the ones that must not be lost among the warnings."""
    findings = sorted(findings, key=lambda f: _LEVEL_ORDER[f.severity])  # stable: file order within a level
    return "".join(
        f"::{_GITHUB_LEVEL[f.severity]} file={_github_escape(f.file, property_value=True)},"
        f"line={f.line},col={f.col},title={_github_escape(f.rule, property_value=True)}"
        f"::{_github_escape(f.message)}\n"
        for f in findings
    )


FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}
