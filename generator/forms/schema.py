"""schema.json: generated from the form definitions, used by the editor and by `jixiao check`.

Draft-07, because that is what the VS Code YAML extension understands. Chinese titles,
descriptions and examples give hover help; enums give completion. `x-item-label` names what the
keys of a mapping are (一级指标, 二级指标, ...) so the checker can word its messages.

Some keywords are read by the editor only (yaml-language-server, the engine of VS Code's YAML
extension); validators ignore them:
- `errorMessage` replaces the English message of every failure of the very schema that holds it
  (one fixed text: so each required key gets a schema of its own under `allOf`, which names it);
- `markdownDescription` is the hover and completion text; `doNotSuggest` keeps the key list of a
  `propertyNames` out of completion (the `properties` offer the same keys with their help);
- `defaultSnippets` are whole filings offered as completions, one per pack.
`x-subject` names a value in check's messages where the title is written for the hover.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from ..common.yamlio import YamlRejected, load_document, value_position
from .definition import COLUMN_PARTS, Field, FormDefinition, FundsSpec, GroupSpec, LevelSpec
from .selfeval_schema import RESULTS_KEY, results_schemas

DRAFT = "http://json-schema.org/draft-07/schema#"
TEXT_TYPES = ["string", "number", "boolean", "null"]  # what an editor may infer for plain text
# Digits, optionally followed by the field's unit (20万元 in a 万元 field). (?!\n): Python's "$" also
# matches before a final newline; the editor's (JavaScript's) does not.
MONEY_PATTERN = r"^[+-]?[0-9]+(\.[0-9]+)?(万元|万)?(?!\n)$"
BLANK_OR_MONEY_PATTERN = r"^([+-]?[0-9]+(\.[0-9]+)?(万元|万)?)?(?!\n)$"
YEAR_PATTERN = r"^(20[0-9]{2}|2100)(?!\n)$"
YEAR_RANGE = (2000, 2100)  # what YEAR_PATTERN accepts
YEAR_MESSAGE = "年度写 2000 到 2100 之间的四位数字，例如 2024"
FILING = "申报表"  # how check names the top-level mapping in its messages

NEEDS = {"required": "必填：留空是错误。", "recommended": "应当填写：留空会有警告。", "optional": "可以不填。"}
# What a target looks like in a group, by the group's requirement and role (the review rules' terms).
REQUIREMENT_HINTS = {
    "必填量化": "本分组必填量化：至少写一个三级指标；指标值不能只写文字，数字不能没有单位。",
    "必填": "本分组必填：至少写一个三级指标。",
    "选填": "本分组选填：没有指标时写 {}，不要用 0、无、/ 占位。",
}
ROLE_HINTS = {
    "quantity": "写数量和单位，例如“≥360次”“10台”。",
    "quality": "写比率或达到的标准，百分比在 0–100% 之间，例如“≥95%”。",
    "timeliness": "写完成时限（在预算年度之内），例如“12月31日前”，或写及时率。",
    "cost": "成本用 ≤ 或 =（不用 ≥、＞），写明金额单位，例如“≤9.8万元”；各项成本的合计应与项目资金相符。",
    "other-cost": "成本用 ≤ 或 =（不用 ≥、＞），写明单位。",
    "satisfaction": "满意度用 ≥，在 80%–100% 之间，例如“≥90%”。",
}
OPERATORS = "运算符 ≥（不少于）、≤（不超过）、=（等于）"


def _choices(values) -> str:
    return "、".join(str(v) or "（空）" for v in values)


def _required(container: str, keys) -> list[dict]:
    """One schema per required key, so that the editor's message names the missing key (as check's does)."""
    return [{"required": [key], "errorMessage": f"{container}缺少必填的“{key}”"} for key in keys]


def _key_names(item: str, where: str, names: list[str]) -> dict:
    """`propertyNames` of a mapping whose keys are fixed names: the 一级/二级 of a form, its fields."""
    return {"enum": names, "doNotSuggest": True, "errorMessage": f"“{where}”下的{item}只能是：{_choices(names)}（与表样一字不差）"}


def _described(field: Field, **schema) -> dict:
    described = {"title": field.key}
    if field.description:
        described["description"] = field.description
        notes = [NEEDS[field.need]] if field.need in NEEDS and not field.items else []
        if field.options:
            notes.append(f"表样上的选项：{_choices(field.options)}")
        described["markdownDescription"] = field.description + "".join(f"\n\n{note}" for note in notes)
    if field.examples:
        described["examples"] = list(field.examples)
    described.update(schema)
    return described


def _text(field: Field) -> dict:
    if field.items:
        keys = [item.key for item in field.items]
        return _described(
            field, type="object", properties={item.key: _text(item) for item in field.items},
            allOf=_required(f"“{field.key}”", keys), additionalProperties=False,
            errorMessage=f"“{field.key}”写成映射，下面只能有：{_choices(keys)}",
        )
    if field.enum:
        return _described(field, enum=list(field.enum), errorMessage=f"“{field.key}”只能是：{_choices(field.enum)}")
    return _described(field, type=TEXT_TYPES, errorMessage=f"“{field.key}”写文字（一行写不下可以换行），不能写成映射或列表")


def _money(field: Field, funds: FundsSpec) -> dict:
    blank = "；没有时可以留空" if funds.blank_is_zero else ""
    hint = f"金额只填数字（单位是{funds.unit}），例如 150 或 52.5，可以带“{funds.unit}”，不要写千分位逗号或其他单位{blank}"
    return _described(
        field,
        type=["number", "string"],
        pattern=BLANK_OR_MONEY_PATTERN if funds.blank_is_zero else MONEY_PATTERN,
        patternErrorMessage=hint,
        errorMessage=f"“{field.key}”：{hint}",
    )


def _target_hint(form: FormDefinition, group: GroupSpec) -> str:
    """What a 指标值 of this group looks like: operator, number, unit, examples; its columns."""
    spec = form.indicators
    examples = "、".join(f"`{e}`" for e in group.examples)
    parts = [spec.part_label(part) for part in COLUMN_PARTS if spec.part_label(part)]
    target = f"{OPERATORS} + 数值 + 单位" if group.quantified else f"能量化的写 {OPERATORS} + 数值 + 单位，不能量化的写可以检验的状态"
    lines = [
        f"**指标值**：{target}" + (f"，例如 {examples}" if examples else "") + "。" + ROLE_HINTS.get(group.role, ""),
        REQUIREMENT_HINTS[group.requirement],
    ]
    if parts:
        lines.append(f"本表样把指标值分栏印出（{'、'.join(parts)}）：可以直接写“≥95%”，也可以写成映射分栏填写。")
    columns = [*spec.value_keys, *(d.key for d in spec.details)]
    lines.append(f"需要更多栏目时写成映射，栏目可以是：{'、'.join(columns)}。")
    return "\n\n".join(lines)


def _indicator(form: FormDefinition, level: LevelSpec, group: GroupSpec) -> dict:
    spec = form.indicators
    columns = {
        key: {
            "title": key, "description": "指标的目标值，例如“≥95%”“≤9.8万元”“2024年11月30日前”。", "type": TEXT_TYPES,
            "examples": ["≥95%", "≤9.8万元", "2024年11月30日前"], "errorMessage": f"“{key}”写文字，例如“≥95%”",
        }
        for key in spec.value_keys
    }
    details = {field.key: _text(field) for field in spec.details}
    names = [*columns, *details]
    where = f"{level.name} › {group.name}【{group.requirement}】"
    example = group.examples[0] if group.examples else "≥95%"
    return {
        # The hover of a 三级 name and of its value both show this schema (the value's).
        "title": f"三级指标（{group.name}）",
        "x-subject": "指标值",
        "description": f"“{where}”下的一个三级指标：冒号前写指标名称，冒号后写指标值，例如“{example}”。",
        "markdownDescription": (
            f"“{where}”下的一个三级指标：冒号前写**指标名称**，冒号后写**指标值**。\n\n"
            f"{group.name}：{group.description}\n\n{_target_hint(form, group)}"
        ),
        "type": [*TEXT_TYPES, "object"],
        "x-item-label": "栏目",
        "properties": {**columns, **details},
        "additionalProperties": False,
        "errorMessage": f"指标值写成文字，例如“{example}”；写成映射时栏目只能是：{_choices(names)}",
        # An empty mapping holds no target (an if/then, not minProperties, so that the message is Chinese).
        "if": {"type": "object", "maxProperties": 0},
        "then": {"required": [spec.value_keys[0]], "errorMessage": f"指标值不能是空映射 {{}}：直接写文字，或在映射里写“{spec.value_keys[0]}”"},
        "examples": list(group.examples),
    }


def _group(form: FormDefinition, level: LevelSpec, group: GroupSpec) -> dict:
    return {
        "title": group.name,
        "description": f"【{group.requirement}】{group.description}每行写“三级指标: 指标值”；没有指标时写 {{}}。",
        "markdownDescription": (
            f"【{group.requirement}】{group.description}\n\n每行写“三级指标: 指标值”；没有指标时写 {{}}。\n\n"
            + _target_hint(form, group)
        ),
        "type": "object",
        "x-item-label": "三级指标",
        "additionalProperties": _indicator(form, level, group),
        "errorMessage": f"“{group.name}”下每行写“三级指标: 指标值”；没有指标时写 {{}}",
    }


def _level(form: FormDefinition, level: LevelSpec) -> dict:
    names = [g.name for g in level.groups]
    return {
        "title": level.name,
        "description": level.description,
        "type": "object",
        "x-item-label": "二级指标",
        "x-aliases": {alias: g.name for g in level.groups for alias in g.aliases},
        "propertyNames": _key_names("二级指标", level.name, names),
        "properties": {g.name: _group(form, level, g) for g in level.groups},
        "errorMessage": f"“{level.name}”下写二级指标（{_choices(names)}），每个二级指标下写“三级指标: 指标值”",
    }


def _indicators(form: FormDefinition, field: Field) -> dict:
    names = [level.name for level in form.levels]
    return _described(
        field,
        type="object",
        **{"x-item-label": "一级指标"},
        propertyNames=_key_names("一级指标", field.key, names),
        properties={level.name: _level(form, level) for level in form.levels},
        errorMessage=f"“{field.key}”按“一级指标 → 二级指标 → 三级指标: 指标值”写成映射；一级指标：{_choices(names)}",
    )


def _form_properties(form: FormDefinition) -> dict:
    properties = {field.key: _text(field) for field in form.fields}
    funds = form.funds
    items = [item.key for item in funds.items]
    properties[funds.key] = {
        "title": funds.key,
        "description": funds.description,
        "type": "object",
        "x-aliases": {alias: item.key for item in funds.items for alias in item.aliases},
        "properties": {item.key: _money(item, funds) for item in funds.items},
        "allOf": _required(f"“{funds.key}”", items),
        "additionalProperties": False,
        "errorMessage": f"“{funds.key}”写成映射，下面只能有：{_choices(items)}（单位{funds.unit}）",
    }
    for goal in form.goals:
        properties[goal.key] = _text(goal)
    indicators = form.indicators
    properties[indicators.key] = _indicators(form, Field(indicators.key, indicators.label, indicators.description))
    if indicators.long_term:
        properties[indicators.long_term.key] = _indicators(form, indicators.long_term)
    if form.review:
        review = form.review.field
        properties[review.key] = (
            _described(review, enum=["", *review.enum], errorMessage=f"“{review.key}”只能是：{_choices(review.enum)}，或留空（由财政部门填写）")
            if form.review.kind == "grade" else _text(review)
        )
    return properties


def _aliases(form: FormDefinition) -> dict[str, str]:
    fields = [*form.fields, *form.goals, *((form.review.field,) if form.review else ())]
    aliases = {alias: f.key for f in fields for alias in f.aliases}
    aliases.update({alias: form.funds.key for alias in form.funds.aliases})
    return aliases


def _branch(form: FormDefinition, results: dict | None) -> dict:
    """Everything a filing of one form may hold, applied when its 表样 names the form; `results` is the
    schema of its year-end 自评 section, when there are 自评 packs."""
    keys = list(form.top_level_keys) + ([RESULTS_KEY] if results else [])
    return {
        "if": {"properties": {"表样": {"const": form.id}}, "required": ["表样"]},
        "then": {
            "properties": _form_properties(form) | ({RESULTS_KEY: results} if results else {}),
            "allOf": _required(FILING, _required_keys(form)),
            "propertyNames": {
                "enum": keys, "doNotSuggest": True,
                "errorMessage": f"不是表样 {form.id} 的栏目（可写：{_choices(keys)}）；请检查错别字",
            },
            "x-aliases": _aliases(form),
        },
    }


def build_schema(forms: dict[str, FormDefinition]) -> dict:
    ids = sorted(forms)
    results, definitions = results_schemas(forms)
    properties: dict = {
        "表样": {
            "title": "表样",
            "description": "用哪一种官方表样打印本申报表（templates/ 下的文件夹名，`jixiao forms` 列出全部）。",
            "enum": ids,
            "examples": ids[:1],
            "errorMessage": f"表样只能是：{_choices(ids)}（templates/ 下的文件夹名）",
        },
        "年度": {
            "title": "年度",
            "description": "预算年度，四位数字，须与所在文件夹 projects/<年度>/ 一致。",
            "type": ["integer", "string"],
            "pattern": YEAR_PATTERN,
            "patternErrorMessage": YEAR_MESSAGE,
            "errorMessage": YEAR_MESSAGE,
            # A year the editor reads as a number: out of range, it must be text, which the message explains
            # (minimum/maximum would report in English). check reads every value as text: the pattern.
            "if": {"minimum": YEAR_RANGE[0], "maximum": YEAR_RANGE[1]},
            "else": {"type": "string", "errorMessage": YEAR_MESSAGE},
            "examples": [2024],
        },
    }
    # Each form's fields sit in its own if/then branch on 表样, so that completion, hover and the
    # unknown-key check (propertyNames) offer the keys of the filing's own form only.
    return {
        "$schema": DRAFT,
        "title": "项目支出年度预算绩效目标申报表（jixiao 填报文件）",
        "description": "每个项目一个 YAML 文件，键名即表上的栏目名。所有文字按输入原样保留；金额单位为万元。",
        "type": "object",
        "x-item-label": "字段",
        "properties": properties,
        # A file without 表样 or 年度 (a new one) is told they are required, each with its own message, and
        # is offered a whole filing of each form; allOf holds the forms' branches only.
        "if": {"required": ["表样", "年度"]},
        "else": {
            "allOf": _required(FILING, ["表样", "年度"]),
            "defaultSnippets": [snippet for form_id in ids if (snippet := _snippet(forms[form_id]))],
        },
        "allOf": [_branch(forms[form_id], results.get(form_id)) for form_id in ids],
        "errorMessage": "申报表写成“栏目: 值”的映射，从“表样:”和“年度:”开始",
        **({"definitions": definitions} if definitions else {}),
    }


def _required_keys(form: FormDefinition) -> list[str]:
    return [key for key in form.top_level_keys if key not in ("表样", "年度", *form.optional_top_level_keys)]


def _snippet(form: FormDefinition) -> dict | None:
    """The pack's example filing (kept clean by its tests) as a completion, its header and money values
    as tab stops; a pack without example.yaml offers none."""
    path = form.directory / "example.yaml"
    if not path.is_file():
        return None
    text = "".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True) if not line.startswith("#"))
    return {
        "label": f"新建申报表：{form.name}",
        "description": f"表样 {form.id} 的示例申报表（templates/{form.id}/example.yaml），按 Tab 键依次改写表头和金额。",
        "bodyText": _with_tab_stops(text, form),
    }


def _snippet_escaped(text: str, placeholder: bool = False) -> str:
    """Text in snippet syntax: "$" and "\\" escaped everywhere, "}" inside a placeholder (where it would end it)."""
    escaped = text.replace("\\", "\\\\").replace("$", "\\$")
    return escaped.replace("}", "\\}") if placeholder else escaped


def _with_tab_stops(text: str, form: FormDefinition) -> str:
    """The filing's text in snippet syntax: each one-line value above the indicators a ${n:value} tab stop."""
    try:
        data = load_document("example.yaml", text.encode("utf-8")).data
    except YamlRejected:
        data = None
    lines = text.splitlines()
    if not isinstance(data, dict):
        return "\n".join(_snippet_escaped(line) for line in lines)
    indicators = {form.indicators.key, *((form.indicators.long_term.key,) if form.indicators.long_term else ())}
    containers = [data, *(value for key, value in data.items() if isinstance(value, dict) and key not in indicators)]
    stops: dict[int, tuple[int, int]] = {}  # line: (start, end) of its value, 0-based; a value ends its line
    for container in containers:
        for key, value in container.items():
            if not isinstance(value, str) or not value or key == "表样":
                continue
            line, col = (n - 1 for n in value_position(container, key))
            source = lines[line].rstrip()
            if source.startswith(value, col):
                stops[line] = (col, col + len(value))
            elif source[col:col + 1] in ("\"", "'") and len(source) > col + 1 and source.endswith(source[col]):
                stops[line] = (col + 1, len(source) - 1)  # inside the quotes, which stay
    numbered = {line: number for number, line in enumerate(sorted(stops), start=1)}
    out = []
    for index, source in enumerate(lines):
        if index in stops:
            start, end = stops[index]
            source = (
                f"{_snippet_escaped(source[:start])}${{{numbered[index]}:{_snippet_escaped(source[start:end], placeholder=True)}}}"
                f"{_snippet_escaped(source[end:])}"
            )
        else:
            source = _snippet_escaped(source)
        out.append(source)
    return "\n".join(out)


def render_schema(forms: dict[str, FormDefinition]) -> str:
    return json.dumps(build_schema(forms), ensure_ascii=False, indent=2) + "\n"


@cache
def load_schema(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
