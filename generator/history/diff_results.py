"""`jixiao diff` of the year-end results (自评): what was filed, and the scores computed from it.

Each side's 自评 section is flattened into labelled texts (the 自评 pack's own labels: 项目资金/年度资金总额/
全年执行数, 产出指标/数量指标/受理来电数量/实际完成值 ...) and compared as typed; the scorecards of both
sides give the computed 执行率, its 得分, every indicator's 得分 and the 总分 before → after.
"""

from __future__ import annotations

from ..filing.model import Filing
from ..filing.results import parse_decimal
from ..filing.scoring import plain, printed_total, score_filing
from ..forms.pack import FormShelf

ADDED, REMOVED = "新增", "删除"


def _filed(filing: Filing) -> dict[str, str]:
    """What the 自评 section holds, by label; {} without one."""
    results = filing.results
    if results is None:
        return {}
    pack = results.pack
    texts = {"表样": pack.id if pack else results.pack_named}
    if pack is None:
        return texts
    texts.update(results.fields)
    for item in results.money:
        texts.update({f"{pack.funds.key}/{item.key}/{key}": text for key, text in item.texts.items()})
    if results.achieved is not None:
        texts[pack.goal.key] = results.achieved
    keys = pack.indicators.result_keys
    for result in results.indicators:
        values = {"actual": result.actual, "reason": result.reason, "points": _number(result.points),
                  "score": _number(result.score), "band": result.band}
        texts.update({f"{result.level}/{result.group}/{result.name}/{keys[role]}": values[role]
                      for role in keys if role in result.filed})
    if results.total:
        texts[pack.total_label] = _number(results.total)
    return texts


def _number(text: str) -> str:
    """A stated 分值, 得分 or 总分 by its value (10 and 10.00 are the same score); other text as typed."""
    value = parse_decimal(text) if text.strip() else None
    return text if value is None else plain(value.normalize() if value != value.to_integral_value() else value.quantize(1))


def _scores(filing: Filing, forms: FormShelf) -> dict[str, str]:
    """The computed scores, by label; {} without a scorecard."""
    form = forms.get(filing.form_id) if filing.results is not None else None
    card = score_filing(filing, form) if form is not None else None
    if card is None:
        return {}
    execution = card.execution
    scores = {
        "执行率": "" if execution.rate is None else f"{plain(execution.rate)}%",
        f"{card.pack.execution_label}得分": "" if execution.score is None else plain(execution.score),
    }
    for score in card.indicators:
        scores[f"{score.level}/{score.group}/{score.name}/得分"] = "" if score.score is None else plain(score.score)
    scores[card.pack.total_label] = printed_total(card)
    return scores


def _changes(before: dict[str, str], after: dict[str, str]) -> list[tuple[str, str, str]]:
    return [(key, before.get(key, ""), after.get(key, "")) for key in dict.fromkeys([*before, *after])
            if before.get(key, "") != after.get(key, "")]


def result_changes(old: Filing, new: Filing, forms: FormShelf | None = None) -> tuple[str, list, list]:
    """(ADDED / REMOVED / "" when both or neither side has results, filed changes, score changes):
    changes are (label, before, after), texts as typed; a side without results has none."""
    if old.results is None and new.results is None:
        return "", [], []
    forms = forms or FormShelf()
    status = ADDED if old.results is None else REMOVED if new.results is None else ""
    return status, _changes(_filed(old), _filed(new)), _changes(_scores(old, forms), _scores(new, forms))
