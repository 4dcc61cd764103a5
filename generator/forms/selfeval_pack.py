"""Read and validate 自评 packs (form.yaml with `kind: self-evaluation`) → SelfEvaluation.

Like target packs: the JSON Schema first (pack_schema.SELF_EVALUATION_SCHEMA), then what a schema
cannot say (the weights and the execution points add up to the total, the bands cover 0–100% without
a gap, the layout names known fields ...). Problems are `form.invalid` findings at their line.
Also the pairing of a target pack with its 自评 pack (`self_evaluation` in the target's form.yaml).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from .definition import FormDefinition, placeholders
from .selfeval import (
    DEFAULT_RESULT_KEYS,
    HUNDRED,
    SOURCES,
    Band,
    FundsColumn,
    FundsGrid,
    GoalRow,
    IndicatorGrid,
    Scoring,
    SelfEvaluation,
    Weight,
)


def _number(raw: Any) -> Decimal:
    return Decimal(str(raw))


def _funds(raw: dict, problems) -> FundsGrid:
    columns = []
    for index, column in enumerate(raw["columns"]):
        show = column["show"]
        key = column.get("key", "")
        if show == "amount" and not (key and column.get("role")):
            problems.add(["funds", "columns", index], "金额栏目（show: amount）要写 key（申报表里的键）和 role（planned/budget/spent）")
        columns.append(FundsColumn(column.get("label", key or show), show, key, column.get("role", "")))
    roles = [c.role for c in columns if c.role]
    for role, meaning in (("budget", "全年预算数（A）"), ("spent", "全年执行数（B）")):
        if roles.count(role) != 1:
            problems.add(["funds", "columns"], f"项目资金要有且只有一个 role: {role} 的金额栏目（{meaning}），现在有 {roles.count(role)} 个")
    keys = [c.key for c in columns if c.key]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        problems.add(["funds", "columns"], f"金额栏目的 key“{key}”用了不止一次")
    return FundsGrid(raw["key"], raw["label"], tuple(columns), raw.get("total_label", "合计"))


def _indicators(raw: dict, problems) -> IndicatorGrid:
    keys = {**DEFAULT_RESULT_KEYS, **raw.get("keys", {})}
    values = list(keys.values())
    for role, key in keys.items():
        if values.count(key) > 1:
            problems.add(["indicators", "keys"], f"指标结果的键“{key}”（{role}）与另一项重复")
    columns = tuple((c["label"], c["show"]) for c in raw["columns"])
    shows = [show for _, show in columns]
    for needed in ("level", "group", "name", "target", "actual", "score"):
        if needed not in shows:
            problems.add(["indicators", "columns"], f"指标表缺少 show: {needed} 的栏目")
    level_label = raw.get("level_label", "{name}")
    problems.unknown_placeholders(["indicators", "level_label"], level_label, ("name", "points"), "{name}、{points}")
    return IndicatorGrid(raw["key"], raw["label"], columns, level_label, keys)


def _bands(raw: list, problems) -> tuple[Band, ...]:
    bands = tuple(
        Band(b["label"], _number(b["from"]), _number(b["to"]), None if b.get("default") is None else _number(b["default"]))
        for b in raw
    )
    labels = [b.label for b in bands]
    for index, band in enumerate(bands):
        if labels.index(band.label) != index:
            problems.add(["bands", index, "label"], f"评价档次“{band.label}”重复")
        if not band.low < band.high <= HUNDRED:
            problems.add(["bands", index], f"评价档次“{band.label}”的范围 {band.low}–{band.high}% 不对（from 小于 to，都在 0 到 100 之间）")
        if band.default is not None and not band.low <= band.default <= band.high:
            problems.add(["bands", index, "default"], f"评价档次“{band.label}”的 default {band.default}% 不在它的范围 {band.low}–{band.high}% 之内")
    # Best first, each band starting where the next one ends: 100–80, 80–60, 60–0.
    expected = HUNDRED
    for index, band in enumerate(bands):
        if band.high != expected:
            problems.add(["bands", index], f"评价档次要从 100% 往下连续排列：“{band.label}”应从 {expected}% 开始，现在是 {band.high}%（档次之间不能有空缺或重叠）")
            break
        expected = band.low
    else:
        if expected != 0:
            problems.add(["bands", len(bands) - 1], f"最后一个评价档次应到 0% 为止，现在到 {expected}%")
    return bands


def parse_self_evaluation(raw: dict, located: Any, directory: Path, name: str) -> SelfEvaluation:
    """A 自评 pack from its loaded form.yaml; FormError with located findings if it is not usable."""
    from .pack import FormError, _field, _Problems, _schema_problems, _texts
    from .pack_schema import SELF_EVALUATION_SCHEMA

    problems = _Problems(name, located)
    _schema_problems(raw, problems, SELF_EVALUATION_SCHEMA)
    if problems.findings:
        raise FormError(problems.findings)
    fields = tuple(_field(f) for f in raw.get("fields", ()))
    sources = {f["key"]: f["source"] for f in raw.get("fields", ()) if f.get("source")}
    above = raw.get("above_grid", {})
    scoring = raw.get("scoring", {})
    pack = SelfEvaluation(
        id=raw["id"], name=raw["name"], office=raw.get("office", ""), years=raw.get("years", ""),
        features=_texts(raw.get("features")), directory=directory, orientation=raw.get("orientation", "landscape"),
        title=raw["title"], year_line=raw.get("year_line", ""), above_grid=(above.get("left", ""), above.get("right", "")),
        fields=fields, sources=sources,
        boxes={f["key"]: tuple(f["boxes"]) for f in raw.get("fields", ()) if f.get("boxes")},
        layout=tuple((entry,) if isinstance(entry, str) else tuple(entry) for entry in raw["layout"]),
        funds=_funds(raw["funds"], problems),
        execution_label=raw["execution"]["label"], execution_points=_number(raw["execution"]["points"]),
        goal=GoalRow(
            raw["goal"]["key"], raw["goal"]["label"], raw["goal"].get("target_label", "预期目标"),
            raw["goal"].get("actual_label", raw["goal"]["key"]),
        ),
        indicators=_indicators(raw["indicators"], problems),
        weights=tuple(Weight(w["label"], tuple(w["roles"]), _number(w["points"])) for w in raw["weights"]),
        total_label=raw["total"]["label"], total_points=_number(raw["total"]["points"]),
        bands=_bands(raw["bands"], problems),
        scoring=Scoring(int(scoring.get("decimals", 2)), scoring.get("rounding", "half-up")),
        note=raw.get("note", ""), footer=_texts(raw.get("footer")), signature=_texts(raw.get("signature")),
    )
    _check_points(pack, problems)
    _check_layout(pack, problems)
    if pack.id != directory.name:
        problems.add(["id"], f"id“{pack.id}”与所在文件夹名“{directory.name}”不一致")
    if problems.findings:
        raise FormError(problems.findings)
    return pack


def _check_points(pack: SelfEvaluation, problems) -> None:
    weights = sum((w.points for w in pack.weights), Decimal(0))
    if weights + pack.execution_points != pack.total_points:
        problems.add(
            ["total", "points"],
            f"各一级指标的分值 {weights} 加{pack.execution_label} {pack.execution_points} 分，"
            f"共 {weights + pack.execution_points} 分，不等于总分 {pack.total_points} 分",
        )
    seen: dict[str, str] = {}
    for index, weight in enumerate(pack.weights):
        for role in weight.roles:
            if role in seen:
                problems.add(["weights", index, "roles"], f"role“{role}”已经算在“{seen[role]}”里，不能再算在“{weight.label}”里")
            seen.setdefault(role, weight.label)


def _check_layout(pack: SelfEvaluation, problems) -> None:
    # A field printed inside a line (填报日期:{填报日期} in the footer) needs no cell of its own.
    lines = (pack.title, pack.year_line, *pack.above_grid, *pack.footer, *pack.signature)
    placed = [key for row in pack.layout for key in row] + [name for text in lines for name in placeholders(text)]
    for index, row in enumerate(pack.layout):
        for key in row:
            if key not in ("funds", "goal") and pack.field(key) is None:
                problems.add(["layout", index], f"表头布局中的“{key}”不是本自评表样的栏目（fields）")
    for key in [f.key for f in pack.fields] + ["funds", "goal"]:
        if placed.count(key) != 1:
            problems.add(["layout"], f"“{key}”在表头布局中出现了 {placed.count(key)} 次（应当正好一次）")
    for index, spec in enumerate(pack.fields):
        source = pack.sources.get(spec.key, "")
        if source and source not in SOURCES and not source.strip():
            problems.add(["fields", index, "source"], "source 不能为空")
    own = [f.key for f in pack.fields]
    reserved = {pack.funds.key, pack.goal.key, pack.indicators.key, pack.total_label}
    for index, key in enumerate(own):
        if key in reserved or own.count(key) > 1:
            problems.add(["fields", index, "key"], f"栏目“{key}”与自评表的其他键重复")


def pairing_problem(form: FormDefinition, evaluations: dict[str, SelfEvaluation], broken: set[str]) -> str:
    """Why a target pack's `self_evaluation` cannot be used ("" when it can)."""
    chosen = form.self_evaluation
    if not chosen:
        return ""
    if chosen in broken:
        return f"self_evaluation“{chosen}”的自评表样定义有误（见它的 form.invalid）"
    pack = evaluations.get(chosen)
    if pack is None:
        return f"self_evaluation“{chosen}”不是自评表样（可选：{'、'.join(evaluations) or '没有'}）"
    return uncovered(form, pack)


def uncovered(form: FormDefinition, pack: SelfEvaluation) -> str:
    """The 二级 of a target pack that no weight of a 自评 pack covers, as a message ("" when none)."""
    missing = [
        f"{level.name}/{group.name}"
        for level in form.levels for group in level.groups
        if pack.weight_for(level.role, group.role) is None
    ]
    if not missing:
        return ""
    return f"自评表样“{pack.id}”的分值（weights）没有覆盖这些指标：{'、'.join(missing)}（按二级或一级指标的 role 归入）"
