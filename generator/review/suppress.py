"""Inline suppression: `# jixiao: ignore[rule-id, ...]` at the end of the line a finding is on."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..common.findings import Finding
from .rules import REGISTRY

_COMMENT = re.compile(r"(?:^|\s)#\s*jixiao:\s*ignore(?P<ids>\[[^\]]*\])?")


@dataclass(frozen=True)
class Suppression:
    line: int
    col: int
    ids: tuple[str, ...]  # empty for a bare `# jixiao: ignore`


def find_suppressions(text: str) -> list[Suppression]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if match := _COMMENT.search(line):
            ids = tuple(part.strip() for part in (match["ids"] or "[]")[1:-1].split(",") if part.strip())
            found.append(Suppression(number, match.start() + (1 if line[match.start()] == "#" else 2), ids))
    return found


def _meta(name: str, suppression: Suppression, rule_id: str, message: str) -> Finding:
    return Finding(name, suppression.line, suppression.col, REGISTRY[rule_id].severity, rule_id, message)


def apply_suppressions(name: str, findings: list[Finding], suppressions: list[Suppression]) -> list[Finding]:
    """The findings of one file with suppressed ones removed, plus findings about the comments themselves."""
    by_line = {s.line: s for s in suppressions}
    used: set[tuple[int, str]] = set()
    kept = []
    for finding in findings:
        suppression = by_line.get(finding.line)
        rule = REGISTRY.get(finding.rule)
        if suppression and finding.rule in suppression.ids and rule is not None and rule.configurable:
            used.add((suppression.line, finding.rule))
            continue
        kept.append(finding)
    for suppression in suppressions:
        if not suppression.ids:
            kept.append(_meta(name, suppression, "suppression.bare",
                              "忽略注释必须写明规则 id，例如“# jixiao: ignore[vague.value]”；这条注释不起作用"))
        for rule_id in suppression.ids:
            rule = REGISTRY.get(rule_id)
            if rule is None or not rule.configurable:
                reason = "不存在" if rule is None else "是读取与格式检查，不能忽略"
                kept.append(_meta(name, suppression, "suppression.unknown", f"忽略注释中的规则“{rule_id}”{reason}"))
            elif (suppression.line, rule_id) not in used:
                kept.append(_meta(name, suppression, "suppression.unused", f"这一行没有“{rule_id}”的问题，忽略注释可以删除"))
    return kept
