"""`jixiao diff`: what changed between two sets of filings, in the terms of the form.

Pure functions: two snapshots (path → checked filing) in, a list of per-filing changes out.
Formatting (comments, quoting, key order) never shows: filings are compared as models.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from ..common.findings import Finding
from ..filing.model import Filing
from .diff_results import result_changes

if TYPE_CHECKING:
    from .revisions import Source

RENAME_SIMILARITY = 0.5
GENERIC_TOTAL = "资金总额"  # filings of forms that name their total differently, taken together


@dataclass(frozen=True)
class FilingState:
    path: str
    filing: Filing | None  # None: the file could not be loaded
    findings: tuple[Finding, ...]
    total_label: str = GENERIC_TOTAL  # what its form calls the project's money of the year

    @property
    def name(self) -> str:
        return self.filing.name if self.filing else self.path

    @property
    def total(self) -> Decimal | None:
        """None when the file could not be read: its money is unknown, not zero."""
        return self.filing.total if self.filing else None


@dataclass(frozen=True)
class IndicatorKey:
    level: str
    group: str
    name: str

    def __str__(self) -> str:
        return f"{self.level}/{self.group}/{self.name}"


@dataclass
class FilingChange:
    status: str  # 新增 / 删除 / 改名 / 修改
    old: FilingState | None
    new: FilingState | None
    header: list[tuple[str, str, str]] = field(default_factory=list)
    funds: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)
    added: list[tuple[IndicatorKey, str]] = field(default_factory=list)
    removed: list[tuple[IndicatorKey, str]] = field(default_factory=list)
    changed: list[tuple[IndicatorKey, str, str]] = field(default_factory=list)
    moved: list[tuple[IndicatorKey, IndicatorKey, str, str]] = field(default_factory=list)
    new_findings: list[Finding] = field(default_factory=list)
    fixed_findings: list[Finding] = field(default_factory=list)
    # The year-end results (diff_results.py): 新增 / 删除 when only one side has them, then the filed
    # texts and the computed scores that changed, each (label, before, after)
    results_status: str = ""
    results: list[tuple[str, str, str]] = field(default_factory=list)
    scores: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The 项目名称 from a version that could be read (else the path)."""
        return next((s.name for s in (self.new, self.old) if s and s.filing), (self.new or self.old).path)

    @property
    def empty(self) -> bool:
        return self.status == "修改" and not any((
            self.header, self.funds, self.added, self.removed, self.changed, self.moved,
            self.new_findings, self.fixed_findings, self.results, self.scores,
        ))


@dataclass
class DiffReport:
    changes: list[FilingChange]
    total_before: Decimal  # of the filings that could be read
    total_after: Decimal
    count_before: int
    count_after: int
    unreadable_before: list[str] = field(default_factory=list)  # paths whose money and changes are unknown
    unreadable_after: list[str] = field(default_factory=list)
    total_label: str = GENERIC_TOTAL  # the forms' common name for the total, when they share one


def _indicators(filing: Filing | None) -> dict[IndicatorKey, str]:
    if filing is None:
        return {}
    return {IndicatorKey(g.level, g.name, i.name): i.value for g in filing.groups for i in g.indicators}


def _similarity(a: FilingState, b: FilingState) -> float:
    left, right = set(_indicators(a.filing).items()), set(_indicators(b.filing).items())
    return len(left & right) / len(left | right) if left | right else 0.0


def _pair(old: dict[str, FilingState], new: dict[str, FilingState]) -> list[tuple[FilingState | None, FilingState | None, bool]]:
    """(old, new, renamed): the same key pairs as a change; otherwise the same 项目名称 or mostly the same content."""
    pairs = [(old[p], new[p], False) for p in sorted(old.keys() & new.keys())]
    gone = [old[p] for p in sorted(old.keys() - new.keys())]
    came = [new[p] for p in sorted(new.keys() - old.keys())]
    for finder in (
        lambda a, b: bool(a.filing and b.filing and a.name == b.name),
        lambda a, b: _similarity(a, b) >= RENAME_SIMILARITY,
    ):
        for a in list(gone):
            match = next((b for b in came if finder(a, b)), None)
            if match is not None:
                pairs.append((a, match, True))
                gone.remove(a)
                came.remove(match)
    pairs += [(a, None, False) for a in gone] + [(None, b, False) for b in came]
    return pairs


def _finding_key(finding: Finding) -> tuple[str, str]:
    return finding.rule, finding.message  # lines shift with every edit; rule and message do not


def _unmatched(findings: tuple[Finding, ...], others: tuple[Finding, ...]) -> list[Finding]:
    """Findings with no counterpart among `others` (each counterpart used once)."""
    remaining = Counter(_finding_key(f) for f in others)
    unmatched = []
    for finding in findings:
        key = _finding_key(finding)
        if remaining[key]:
            remaining[key] -= 1
        else:
            unmatched.append(finding)
    return unmatched


def _finding_changes(old: FilingState | None, new: FilingState | None) -> tuple[list[Finding], list[Finding]]:
    before, after = (old.findings if old else ()), (new.findings if new else ())
    if new is not None and new.filing is None:
        return _unmatched(after, before), []  # what an unreadable file still has is unknown: nothing is fixed
    return _unmatched(after, before), _unmatched(before, after)


def _compare(old: FilingState | None, new: FilingState | None, renamed: bool) -> FilingChange:
    if old is None:
        status = "新增"
    elif new is None:
        status = "删除"
    else:
        status = "改名" if renamed else "修改"
    change = FilingChange(status, old, new)
    a, b = (old.filing if old else None), (new.filing if new else None)
    if a and b:
        for key in dict.fromkeys([*a.fields, *b.fields]):
            if a.fields.get(key, "") != b.fields.get(key, ""):
                change.header.append((key, a.fields.get(key, ""), b.fields.get(key, "")))
        for key, label in (("year", "年度"), ("form_id", "表样"), ("grade", "综合评定等级")):
            if getattr(a, key) != getattr(b, key):
                change.header.append((label, str(getattr(a, key)), str(getattr(b, key))))
        for key in dict.fromkeys([*a.amounts, *b.amounts]):
            before, after = a.amounts.get(key) or Decimal(0), b.amounts.get(key) or Decimal(0)
            if before != after:
                change.funds.append((key, before, after))
    if a and b:  # a side that could not be read has no indicators to compare
        before, after = _indicators(a), _indicators(b)
        removed = {k: v for k, v in before.items() if k not in after}
        added = {k: v for k, v in after.items() if k not in before}
        for key, value in list(removed.items()):
            target = next((k for k in added if k.name == key.name), None)
            if target is not None:
                change.moved.append((key, target, value, added.pop(target)))
                del removed[key]
        change.removed = list(removed.items())
        change.added = list(added.items())
        change.changed = [(k, before[k], after[k]) for k in before if k in after and before[k] != after[k]]
        change.results_status, change.results, change.scores = result_changes(a, b)
    change.new_findings, change.fixed_findings = _finding_changes(old, new)
    return change


def diff_snapshots(old: dict[str, FilingState], new: dict[str, FilingState]) -> DiffReport:
    changes = [c for c in (_compare(a, b, renamed) for a, b, renamed in _pair(old, new)) if not c.empty]
    changes.sort(key=lambda c: ((c.new or c.old).path, c.status))
    return DiffReport(
        changes,
        sum((s.total for s in old.values() if s.filing), Decimal(0)),
        sum((s.total for s in new.values() if s.filing), Decimal(0)),
        len(old),
        len(new),
        sorted(path for path, s in old.items() if s.filing is None),
        sorted(path for path, s in new.items() if s.filing is None),
        _common_label([s for side in (old, new) for s in side.values() if s.filing]),
    )


def _common_label(states: list[FilingState]) -> str:
    labels = {s.total_label for s in states}
    return labels.pop() if len(labels) == 1 else GENERIC_TOTAL


def analyze(sources: dict[str, Source], config=None) -> dict[str, FilingState]:
    """Check every source (bytes, or why the file was not read) and keep, per path, its model and its findings."""
    from ..forms.pack import FormShelf
    from ..review.check import check_sources

    findings, filings = check_sources(sorted(sources.items()), config)
    by_path = {f.path: f for f in filings}
    shelf = FormShelf()
    labels = {f.form_id: shelf[f.form_id].funds.total_label for f in filings}
    return {
        path: FilingState(path, by_path.get(path), tuple(f for f in findings if f.file == path),
                          labels[by_path[path].form_id] if path in by_path else GENERIC_TOTAL)
        for path in sources
    }
