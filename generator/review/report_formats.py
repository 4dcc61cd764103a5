"""Report formats that need the rules' documentation: SARIF 2.1.0 (code scanning), GitLab's code-quality
report, and the Markdown table of a GitHub step summary. The plain formats live in common/findings.py."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from urllib.parse import quote

from .. import __version__
from ..common.findings import FORMATTERS, Finding, Severity
from .config import Config
from .explain import explain_rule
from .rules import REGISTRY, STAGES

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# A 错误 fails the gate (critical); GitLab's blocker is left for nothing we report.
_GITLAB_SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "minor", Severity.INFO: "info"}


def fingerprints(findings: list[Finding]) -> list[str]:
    """One fingerprint per finding, unique in the report and stable while the finding stays: made of the
    file, the rule and the message (not the line, which moves when lines are added above), and which
    occurrence of that triple it is."""
    seen: Counter[tuple[str, str, str]] = Counter()
    prints = []
    for finding in findings:
        key = (finding.file, finding.rule, finding.message)
        seen[key] += 1
        text = "\0".join((*key, str(seen[key])))
        prints.append(hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest())
    return prints


def _pascal_name(rule_id: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[.\-_]", rule_id) if part)


def _sarif_rule(rule_id: str, config: Config) -> dict:
    rule = REGISTRY.get(rule_id)
    if rule is None:  # not documented (should not happen: tests/test_rules.py); still a valid descriptor
        return {"id": rule_id, "name": _pascal_name(rule_id)}
    severity = config.severities.get(rule_id, rule.severity)
    help_text = explain_rule(rule_id, config).rstrip("\n")
    return {
        "id": rule.id,
        "name": _pascal_name(rule.id),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.explanation},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": _SARIF_LEVEL[severity], "enabled": rule_id not in config.disabled},
        "properties": {"tags": [STAGES[rule.stage]]},
    }


def _uri(name: str) -> str:
    """A file's name as a URI reference: relative ones resolve against the repository root (%SRCROOT%)."""
    return quote(name.encode("utf-8", "surrogateescape"), safe="/")


def format_sarif(findings: list[Finding], config: Config | None = None) -> str:
    """SARIF 2.1.0: every rule a check can report, with its Chinese documentation, and every finding."""
    config = config or Config()
    rule_ids = [rule.id for rule in REGISTRY.values() if rule.stage != "build"]
    rule_ids += sorted({f.rule for f in findings} - set(rule_ids))
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    results = []
    for finding, fingerprint in zip(findings, fingerprints(findings)):
        location: dict = {"uri": _uri(finding.file)}
        if not finding.file.startswith("/"):
            location["uriBaseId"] = "%SRCROOT%"
        else:
            location["uri"] = "file://" + location["uri"]
        results.append({
            "ruleId": finding.rule,
            "ruleIndex": index[finding.rule],
            "level": _SARIF_LEVEL[finding.severity],
            "message": {"text": finding.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": location,
                "region": {"startLine": max(finding.line, 1), "startColumn": max(finding.col, 1)},
            }}],
            "partialFingerprints": {"jixiaoFinding/v1": fingerprint},
        })
    report = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "jixiao",
                "version": __version__,
                "rules": [_sarif_rule(rule_id, config) for rule_id in rule_ids],
            }},
            # Our columns count characters (code points), as an editor shows them.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def format_gitlab(findings: list[Finding], config: Config | None = None) -> str:
    """GitLab's code-quality report (a subset of the Code Climate issue format)."""
    return json.dumps([
        {
            "description": f"[{finding.rule}] {finding.message}",
            "check_name": finding.rule,
            "fingerprint": fingerprint,
            "severity": _GITLAB_SEVERITY[finding.severity],
            "location": {"path": finding.file, "lines": {"begin": max(finding.line, 1)}},
        }
        for finding, fingerprint in zip(findings, fingerprints(findings))
    ], ensure_ascii=False, indent=2) + "\n"


_WITH_RULES = {"sarif": format_sarif, "gitlab": format_gitlab}
# Every output format of `jixiao check`: the plain ones and those that document the rules.
REPORT_FORMATS = [*FORMATTERS, *_WITH_RULES]


def format_report(name: str, findings: list[Finding], config: Config | None = None) -> str:
    """The findings in the named format; the configuration gives SARIF the rules' levels as configured."""
    if name in _WITH_RULES:
        return _WITH_RULES[name](findings, config)
    return FORMATTERS[name](findings)


# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them all keeps text
# (a filing's own words) from becoming links, emphasis, HTML or a table's column separator.
_MARKDOWN_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")


def markdown_cell(text: str) -> str:
    """Text as one cell of a GitHub Markdown table: punctuation escaped, each line break as <br>."""
    lines = re.split(r"\r\n|\r|\n", text)
    return "<br>".join(_MARKDOWN_PUNCTUATION.sub(r"\\\1", line) for line in lines)


def counts_line(findings: list[Finding], files: int) -> str:
    counts = Counter(f.severity for f in findings)
    return (f"检查了 {files} 个文件：{counts[Severity.ERROR]} 个错误，"
            f"{counts[Severity.WARNING]} 个警告，{counts[Severity.INFO]} 个提示")


def step_summary(findings: list[Finding], files: int, scope: str = "") -> str:
    """The full findings table for a GitHub step summary ($GITHUB_STEP_SUMMARY): GitHub shows at most
    10 annotations of each level per step, the summary shows them all. `scope` says which files were
    reported when not all were."""
    out = ["## jixiao check", "", counts_line(findings, files) + (f"（{scope}）" if scope else ""), ""]
    if findings:
        out += ["| 文件 | 行 | 列 | 级别 | 规则 | 说明 |", "|---|---:|---:|---|---|---|"]
        out += [
            f"| {markdown_cell(f.file)} | {f.line} | {f.col} | {f.severity.label} | {markdown_cell(f.rule)} | {markdown_cell(f.message)} |"
            for f in findings
        ]
        out.append("")
    return "\n".join(out) + "\n"
