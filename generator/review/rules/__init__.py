"""Review rules: each rule is a small unit with an id, a default severity, Chinese docs and a check.

A rule checks one filing (`check`) or the summaries of all filings of a run together (`check_all`,
for things like two files with the same 项目名称). Rule modules register themselves with `@rule(...)`. The checks
that loading, schema validation, suppression comments and the build make themselves are
registered with `describe(...)` so that `jixiao rules` and docs/rules.md list every id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from ...common.findings import Finding, Severity
from ...filing.model import Filing, Position, Summary
from ...forms.definition import FormDefinition


@dataclass(frozen=True)
class Hit:
    position: Position
    message: str


FilingCheck = Callable[[Filing, FormDefinition], Iterable[Hit]]
CollectionCheck = Callable[[list[Summary]], Iterable[tuple[Summary, Hit]]]


STAGES = {
    "load": "读取与格式（不能关闭或忽略）",
    "review": "审核规则",
    "suppression": "忽略注释",
    "build": "生成文件（不能关闭或忽略）",
}


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str
    explanation: str
    stage: str = "review"
    check: FilingCheck | None = None
    check_all: CollectionCheck | None = None
    # Says only that something is not filled in yet: in a draft (filing/draft.py) a warning, marked DRAFT_MARK.
    draft_tolerant: bool = False

    @property
    def configurable(self) -> bool:
        """Review and suppression findings can be re-graded, disabled and suppressed; load errors cannot."""
        return self.stage in ("review", "suppression")


REGISTRY: dict[str, Rule] = {}


def _register(entry: Rule) -> None:
    if entry.id in REGISTRY:
        raise ValueError(f"rule {entry.id} registered twice")
    REGISTRY[entry.id] = entry


def rule(id: str, severity: Severity, title: str, explanation: str, *, collection: bool = False,
         draft_tolerant: bool = False):
    """Register the decorated function as the check of a new review rule."""

    def register(function):
        _register(Rule(
            id, severity, title, explanation,
            check=None if collection else function,
            check_all=function if collection else None,
            draft_tolerant=draft_tolerant,
        ))
        return function

    return register


def describe(id: str, severity: Severity, title: str, explanation: str, *, stage: str) -> None:
    """Document a check that another stage of the pipeline makes (loading, schema, build)."""
    _register(Rule(id, severity, title, explanation, stage=stage))


DRAFT_MARK = "（草稿）"  # ends the message of a draft-tolerant finding in a draft
DRAFT_NOTE = "申报表是草稿（带“# jixiao: 草稿”标记行）时，这条规则的问题只报告为警告。"


def _finding(rule_: Rule, filing: Filing | Summary, hit: Hit) -> Finding:
    return Finding(filing.path, hit.position.line, hit.position.col, rule_.severity, rule_.id, hit.message)


def _in_draft(finding: Finding) -> Finding:
    """A draft-tolerant finding of a draft: at most a warning, and saying why."""
    severity = Severity.WARNING if finding.severity is Severity.ERROR else finding.severity
    return Finding(finding.file, finding.line, finding.col, severity, finding.rule, finding.message + DRAFT_MARK)


def run_filing_rules(filing: Filing, form: FormDefinition) -> Iterator[Finding]:
    for rule_ in REGISTRY.values():
        if rule_.check:
            for hit in rule_.check(filing, form):
                finding = _finding(rule_, filing, hit)
                yield _in_draft(finding) if rule_.draft_tolerant and filing.draft is not None else finding


def run_collection_rules(summaries: list[Summary]) -> Iterator[Finding]:
    for rule_ in REGISTRY.values():
        if rule_.check_all:
            for summary, hit in rule_.check_all(summaries):
                yield _finding(rule_, summary, hit)


from . import builtin, completeness, cost, details, draft, funds, header, project, quantities, results, wording  # noqa: E402,F401  (register)
