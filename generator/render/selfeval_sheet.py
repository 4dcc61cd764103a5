"""What a filing's 项目支出绩效自评表 prints, as plain data: the same sheet for the Word file and the HTML page.

Drawn from the 自评 pack (labels, columns, note, footer, signature) and the filing's scorecard
(filing/scoring.py): every printed text is the filing's own text, every score the computed one with
the pack's rounding; a score that cannot be computed prints the filer's stated score, else nothing.
The sheet is four grids stacked as one: the header (label/value pairs and tick boxes), 项目资金, the
年度总体目标 row and the indicator grid with its 总分 row. See docs/selfeval.md §7.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..filing.model import Filing
from ..filing.results import header_values
from ..filing.scoring import Scorecard, plain, printed_total, score_filing
from ..forms.definition import FormDefinition

SELFEVAL_SUBJECT = "项目支出绩效自评表"


@dataclass(frozen=True)
class FundsRow:
    label: str  # the money item's label (or the pack's total label: 合计)
    cells: tuple[str, ...]  # one per funds column of the pack
    scored: bool  # the row that carries 分值, 执行率 and 得分


@dataclass(frozen=True)
class IndicatorRow:
    level: str  # the 一级 cell as printed (产出指标(50分)); on every row
    level_span: int  # rows the 一级 cell covers; 0 on the rows it covers
    group: str
    group_span: int
    cells: tuple[str, ...]  # one per indicator column of the pack, in its order
    name: str  # the 三级 name (for tools and tests)


@dataclass(frozen=True)
class Sheet:
    pack_id: str
    orientation: str
    title: str
    year_line: str
    above_grid: tuple[str, str]
    header: tuple[tuple[tuple[str, str], ...], ...]  # rows of (label, value) pairs above the money grid
    funds_label: str
    funds_columns: tuple[str, ...]  # headings
    funds_rows: tuple[FundsRow, ...]
    goal: tuple[str, str, str, str, str]  # label, target heading, actual heading, target text, actual text
    columns: tuple[str, ...]  # indicator headings
    shows: tuple[str, ...]  # what each indicator column shows (level, group, name, ...)
    rows: tuple[IndicatorRow, ...]
    total: tuple[str, str, str]  # label, points, score (blank when it cannot be computed nor was stated)
    note: str
    footer: tuple[str, ...]
    signature: tuple[str, ...]
    order: tuple[str, ...]  # the header's parts top to bottom: "fields:<n>" for header row n, "funds", "goal"


def points_text(value: Decimal) -> str:
    """A 分值 as printed: 50, 16.67, 12.5."""
    return plain(value.to_integral_value()) if value == value.to_integral_value() else plain(value.normalize())


def _score_text(score: Decimal | None, stated: Decimal | None) -> str:
    if score is not None:
        return plain(score)
    return plain(stated) if stated is not None else ""


def _field_value(pack, key: str, value: str) -> str:
    """A tick-box field prints every option with its box; any other field its value."""
    spec = pack.field(key)
    boxes = pack.boxes.get(key)
    if spec is None or not boxes or not spec.enum:
        return value
    unticked, ticked = boxes
    return "  ".join(f"{ticked if option == value else unticked}{option}" for option in spec.enum)


def _funds_rows(filing: Filing, form: FormDefinition, card: Scorecard) -> tuple[FundsRow, ...]:
    pack, results, execution = card.pack, filing.results, card.execution
    columns = pack.funds.columns
    scored_cells = {
        "points": points_text(execution.points),
        "rate": "" if execution.rate is None else f"{plain(execution.rate)}%",
        "score": "" if execution.score is None else plain(execution.score),
    }

    def cells(texts: dict[str, str], scored: bool) -> tuple[str, ...]:
        return tuple(texts.get(c.key, "") if c.show == "amount" else scored_cells[c.show] if scored else "" for c in columns)

    total_items = tuple(form.funds.total)
    rows = []
    if len(total_items) > 1:  # the total is a sum of items: a 合计 row above them carries the score
        sums = {}
        for column in (c for c in columns if c.show == "amount"):
            amounts = [item.amount(column.key) for item in map(results.money_item, total_items) if item is not None]
            known = [a for a in amounts if a is not None]
            sums[column.key] = plain(sum(known, Decimal(0))) if known else ""
        rows.append(FundsRow(pack.funds.total_label, cells(sums, True), True))
    for item in form.funds.items:
        money = results.money_item(item.key)
        texts = money.texts if money is not None else {}
        scored = len(total_items) == 1 and item.key == total_items[0]
        rows.append(FundsRow(item.label.replace("\n", "").rstrip(":："), cells(texts, scored), scored))
    return tuple(rows)


def _indicator_rows(card: Scorecard) -> tuple[IndicatorRow, ...]:
    pack = card.pack
    shows = tuple(show for _, show in pack.indicators.columns)
    rows = []
    scores = card.indicators
    for index, score in enumerate(scores):
        level = pack.indicators.level_label.replace("{name}", score.level).replace(
            "{points}", points_text(card.level_points(score.level)))
        first_of_level = index == 0 or scores[index - 1].level != score.level
        first_of_group = first_of_level or scores[index - 1].group != score.group
        level_span = _run(scores, index, lambda s: s.level) if first_of_level else 0
        group_span = _run(scores, index, lambda s: (s.level, s.group)) if first_of_group else 0
        result = score.result
        texts = {
            "level": level, "group": score.group, "name": score.name, "target": score.target,
            "actual": score.actual, "points": points_text(score.points), "score": _score_text(score.score, score.stated),
            "reason": result.reason if result else "", "band": score.band,
        }
        rows.append(IndicatorRow(level, level_span, score.group, group_span, tuple(texts[s] for s in shows), score.name))
    return tuple(rows)


def _run(scores, start: int, key) -> int:
    """How many scores from `start` on share its key (the rows a merged cell spans)."""
    first, count = key(scores[start]), 0
    for score in scores[start:]:
        if key(score) != first:
            break
        count += 1
    return count


def selfeval_sheet(filing: Filing, form: FormDefinition) -> Sheet | None:
    """The 自评表 of a filing with results and a usable 自评 pack; None otherwise."""
    card = score_filing(filing, form)
    if card is None:
        return None
    pack, results = card.pack, filing.results
    values = header_values(filing, form)
    printed = {key: _field_value(pack, key, value) for key, value in values.items()}
    header, order = [], []
    for row in pack.layout:
        if row in (("funds",), ("goal",)):
            order.append(row[0])
            continue
        pairs = tuple((_label(pack, key), printed.get(key, "")) for key in row)
        order.append(f"fields:{len(header)}")
        header.append(pairs)
    return Sheet(
        pack_id=pack.id,
        orientation=pack.orientation,
        title=pack.printed(pack.title, filing.year, values),
        year_line=pack.printed(pack.year_line, filing.year, values),
        above_grid=tuple(pack.printed(text, filing.year, values) for text in pack.above_grid),
        header=tuple(header),
        funds_label=pack.funds.label,
        funds_columns=tuple(c.label for c in pack.funds.columns),
        funds_rows=_funds_rows(filing, form, card),
        goal=(pack.goal.label, pack.goal.target_label, pack.goal.actual_label,
              filing.fields.get(form.annual_goal, ""), results.achieved or ""),
        columns=tuple(label for label, _ in pack.indicators.columns),
        shows=tuple(show for _, show in pack.indicators.columns),
        rows=_indicator_rows(card),
        total=(pack.total_label, points_text(pack.total_points), printed_total(card)),
        note=pack.note,
        footer=tuple(pack.printed(line, filing.year, values) for line in pack.footer),
        signature=pack.signature,
        order=tuple(order),
    )


def _label(pack, key: str) -> str:
    spec = pack.field(key)
    return spec.label if spec is not None and spec.label else key
