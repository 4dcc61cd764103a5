"""`jixiao score`: check filings, score their year-end results, print the scorecards (text or JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..common.findings import Finding, Severity
from ..filing.model import Filing
from ..filing.scoring import Scorecard, plain
from ..forms.pack import FormShelf
from .check import check_paths
from .config import Config
from .rules.results import scorecard

LOAD_RULES = ("file.", "yaml.", "schema.", "text.", "form.")


@dataclass(frozen=True)
class Scored:
    """One file: its scorecard, or why there is none."""

    file: str
    filing: Filing | None
    card: Scorecard | None
    problem: str  # "" when scored

    @property
    def name(self) -> str:
        return self.filing.name if self.filing else ""


def score_files(paths: list[Path], config: Config | None = None) -> tuple[list[Finding], list[Scored]]:
    """What the files' checks say about loading and results (findings), and each file's scorecard."""
    findings, filings = check_paths(paths, config)
    by_path = {filing.path: filing for filing in filings}
    forms = FormShelf()
    shown = [f for f in findings if f.rule.startswith("result.") or f.rule.startswith(LOAD_RULES) and f.file not in by_path]
    scored = []
    for path in paths:
        name = path.as_posix()
        filing = by_path.get(name)
        if filing is None:
            scored.append(Scored(name, None, None, "文件无法读取或不符合表样，没有计分（见上面的错误）"))
        elif filing.results is None:
            scored.append(Scored(name, filing, None, "没有年终自评结果（申报表里没有“自评”部分）"))
        elif filing.results.pack is None:
            scored.append(Scored(name, filing, None, filing.results.problem))
        else:
            scored.append(Scored(name, filing, scorecard(filing, forms[filing.form_id]), ""))
    return shown, scored


def failed(findings: list[Finding], scored: list[Scored]) -> bool:
    """Exit 1: a file without a complete scorecard, or an error in its results."""
    return any(s.card is None or not s.card.complete for s in scored) or any(f.severity is Severity.ERROR for f in findings)


def _number(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)


def _shown(value: Decimal | None) -> str:
    return "—" if value is None else plain(value)


def format_text(scored: list[Scored]) -> str:
    lines = []
    for entry in scored:
        if entry.card is None:
            lines += [f"{entry.file}：{entry.problem}", ""]
            continue
        card, pack = entry.card, entry.card.pack
        execution = card.execution
        lines.append(f"{entry.file}  {entry.name}（{pack.name}）")
        rate = f"{plain(execution.rate)}%" if execution.rate is not None else "—"
        lines.append(
            f"  {pack.execution_label}：全年预算数 {_shown(execution.budget)} 万元，全年执行数 {_shown(execution.spent)} 万元，"
            f"执行率 {rate}，分值 {plain(execution.points)}，得分 {_shown(execution.score)}"
            + (f"（{execution.reason}）" if execution.reason else "")
        )
        for score in card.indicators:
            stated = f"，填写 {plain(score.stated)}" if score.stated is not None and score.stated != score.score else ""
            why = f"（{score.reason}）" if score.reason else ""
            lines.append(
                f"  {score.level} / {score.group} / {score.name}：{score.target or '（空）'} → {score.actual or '（未填）'}，"
                f"{score.method}，分值 {plain(score.points)}，得分 {_shown(score.score)}{stated}{why}"
            )
        for result in card.unmatched:
            lines.append(f"  {result.level} / {result.group} / {result.name}：不是申报的指标，不计分")
        stated = f"（填写的{pack.total_label} {plain(card.stated_total)}）" if card.stated_total is not None else ""
        missing = "" if card.complete else "；有得分无法计算，总分不完整"
        lines += [f"  {pack.total_label}：{plain(card.total)}{stated}{missing}", ""]
    return "\n".join(lines)


def _record(entry: Scored) -> dict:
    record: dict = {"file": entry.file, "name": entry.name, "form": entry.filing.form_id if entry.filing else None}
    if entry.card is None:
        return {**record, "pack": None, "problem": entry.problem}
    card = entry.card
    execution = card.execution
    return {
        **record,
        "pack": card.pack.id,
        "problem": None,
        "total": plain(card.total),
        "stated_total": _number(card.stated_total),
        "complete": card.complete,
        "execution": {
            "budget": _number(execution.budget), "spent": _number(execution.spent), "rate": _number(execution.rate),
            "points": plain(execution.points), "score": _number(execution.score), "reason": execution.reason,
        },
        "indicators": [
            {
                "level": s.level, "group": s.group, "name": s.name, "target": s.target, "actual": s.actual,
                "points": plain(s.points), "points_from": s.points_from, "method": s.method,
                "computed": _number(s.computed), "stated": _number(s.stated), "score": _number(s.score),
                "band": s.band, "reason": s.reason,
            }
            for s in card.indicators
        ],
        "unmatched": [{"level": r.level, "group": r.group, "name": r.name} for r in card.unmatched],
    }


def format_json(scored: list[Scored]) -> str:
    return json.dumps([_record(entry) for entry in scored], ensure_ascii=False, indent=2) + "\n"


FORMATS = {"text": format_text, "json": format_json}
