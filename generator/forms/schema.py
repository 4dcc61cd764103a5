"""schema.json: generated from the form definitions, used by the editor and by `jixiao check`.

Draft-07, because that is what the VS Code YAML extension understands. Chinese titles,
descriptions and examples give hover help; enums give completion. `x-item-label` names what the
keys of a mapping are (一级指标, 二级指标, ...) so the checker can word its messages.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from .definition import Field, FormDefinition, FundsSpec, GroupSpec, LevelSpec
from .selfeval_schema import with_results

DRAFT = "http://json-schema.org/draft-07/schema#"
TEXT_TYPES = ["string", "number", "boolean", "null"]  # what an editor may infer for plain text
# (?!\n): Python's "$" also matches before a final newline; the editor's (JavaScript's) does not.
# Digits, optionally followed by the field's unit (20万元 in a 万元 field). (?!\n): Python's "$" also
# matches before a final newline; the editor's (JavaScript's) does not.
MONEY_PATTERN = r"^[+-]?[0-9]+(\.[0-9]+)?(万元|万)?(?!\n)$"
BLANK_OR_MONEY_PATTERN = r"^([+-]?[0-9]+(\.[0-9]+)?(万元|万)?)?(?!\n)$"
YEAR_PATTERN = r"^(20[0-9]{2}|2100)(?!\n)$"
YEAR_RANGE = (2000, 2100)  # what YEAR_PATTERN accepts


def _described(field: Field, **schema) -> dict:
    described = {"title": field.key}
    if field.description:
        described["description"] = field.description
    if field.examples:
        described["examples"] = list(field.examples)
    described.update(schema)
    return described


def _text(field: Field) -> dict:
    if field.items:
        return _described(
            field, type="object", properties={item.key: _text(item) for item in field.items},
            required=[item.key for item in field.items], additionalProperties=False,
        )
    if field.enum:
        return _described(field, enum=list(field.enum))
    return _described(field, type=TEXT_TYPES)


def _money(field: Field, funds: FundsSpec) -> dict:
    blank = "；没有时可以留空" if funds.blank_is_zero else ""
    return _described(
        field,
        type=["number", "string"],
        pattern=BLANK_OR_MONEY_PATTERN if funds.blank_is_zero else MONEY_PATTERN,
        patternErrorMessage=f"金额只填数字（单位是{funds.unit}），例如 150 或 52.5，可以带“{funds.unit}”，不要写千分位逗号或其他单位{blank}",
    )


def _indicator(form: FormDefinition, group: GroupSpec) -> dict:
    spec = form.indicators
    columns = {
        key: {"title": key, "description": "指标的目标值，例如“≥95%”“≤9.8万元”“2024年11月30日前”。", "type": TEXT_TYPES, "examples": ["≥95%", "≤9.8万元", "2024年11月30日前"]}
        for key in spec.value_keys
    }
    details = {field.key: _text(field) for field in spec.details}
    return {
        "title": "指标值",
        "description": (
            f"“{group.name}”下一个三级指标的指标值：直接写文本，例如“{group.examples[0] if group.examples else '≥95%'}”；"
            f"需要更多栏目时写成映射（{'、'.join([*columns, *details])}）。"
        ),
        "type": [*TEXT_TYPES, "object"],
        "x-item-label": "栏目",
        "properties": {**columns, **details},
        "minProperties": 1,
        "additionalProperties": False,
        "examples": list(group.examples),
    }


def _group(form: FormDefinition, group: GroupSpec) -> dict:
    return {
        "title": group.name,
        "description": f"【{group.requirement}】{group.description}每行写“三级指标: 指标值”；没有指标时写 {{}}。",
        "type": "object",
        "x-item-label": "三级指标",
        "additionalProperties": _indicator(form, group),
        "default": {},
    }


def _level(form: FormDefinition, level: LevelSpec) -> dict:
    return {
        "title": level.name,
        "description": level.description,
        "type": "object",
        "x-item-label": "二级指标",
        "x-aliases": {alias: g.name for g in level.groups for alias in g.aliases},
        "propertyNames": {"enum": [g.name for g in level.groups]},
        "properties": {g.name: _group(form, g) for g in level.groups},
    }


def _indicators(form: FormDefinition, field: Field) -> dict:
    return _described(
        field,
        type="object",
        **{"x-item-label": "一级指标"},
        propertyNames={"enum": [level.name for level in form.levels]},
        properties={level.name: _level(form, level) for level in form.levels},
    )


def _form_properties(form: FormDefinition) -> dict:
    properties = {field.key: _text(field) for field in form.fields}
    funds = form.funds
    properties[funds.key] = {
        "title": funds.key,
        "description": funds.description,
        "type": "object",
        "x-aliases": {alias: item.key for item in funds.items for alias in item.aliases},
        "properties": {item.key: _money(item, funds) for item in funds.items},
        "required": [item.key for item in funds.items],
        "additionalProperties": False,
    }
    for goal in form.goals:
        properties[goal.key] = _text(goal)
    indicators = form.indicators
    properties[indicators.key] = _indicators(form, Field(indicators.key, indicators.label, indicators.description))
    if indicators.long_term:
        properties[indicators.long_term.key] = _indicators(form, indicators.long_term)
    if form.review:
        review = form.review.field
        properties[review.key] = _described(review, enum=["", *review.enum]) if form.review.kind == "grade" else _text(review)
    return properties


def _aliases(form: FormDefinition) -> dict[str, str]:
    fields = [*form.fields, *form.goals, *((form.review.field,) if form.review else ())]
    aliases = {alias: f.key for f in fields for alias in f.aliases}
    aliases.update({alias: form.funds.key for alias in form.funds.aliases})
    return aliases


def build_schema(forms: dict[str, FormDefinition]) -> dict:
    properties: dict = {
        "表样": {
            "title": "表样",
            "description": "用哪一种官方表样打印本申报表（templates/ 下的文件夹名）。",
            "enum": sorted(forms),
            "examples": sorted(forms)[:1],
        },
        "年度": {
            "title": "年度",
            "description": "预算年度，四位数字，须与所在文件夹 projects/<年度>/ 一致。",
            "type": ["integer", "string"],
            "pattern": YEAR_PATTERN,
            "patternErrorMessage": "年度写 2000 到 2100 之间的四位数字，例如 2024",
            "minimum": YEAR_RANGE[0],
            "maximum": YEAR_RANGE[1],
            "examples": [2024],
        },
    }
    schema = {
        "$schema": DRAFT,
        "title": "项目支出年度预算绩效目标申报表（jixiao 填报文件）",
        "description": "每个项目一个 YAML 文件，键名即表上的栏目名。所有文字按输入原样保留；金额单位为万元。",
        "type": "object",
        "x-item-label": "字段",
        "required": ["表样", "年度"],
        "properties": properties,
        "additionalProperties": False,
    }
    if len(forms) == 1:
        # One form: its fields directly, so that every value is validated once.
        (form,) = forms.values()
        properties.update(_form_properties(form))
        schema["required"] += _required(form)
        schema["x-aliases"] = _aliases(form)
        return schema
    # Several forms: each form's fields under if/then on 表样; the top level only names the keys
    # (for completion and the unknown-key check) so that nothing is validated twice.
    branches = []
    for form in forms.values():
        form_properties = _form_properties(form)
        for key, field_schema in form_properties.items():
            # Title and help for the editor; a mapping (项目资金, 绩效指标) is a mapping in every form.
            summary = {k: field_schema[k] for k in ("title", "description", "examples") if k in field_schema}
            if field_schema.get("type") == "object":
                summary["type"] = "object"
            properties.setdefault(key, summary)
        branches.append({
            "if": {"properties": {"表样": {"const": form.id}}, "required": ["表样"]},
            "then": {
                "properties": form_properties,
                "required": _required(form),
                "propertyNames": {"enum": list(form.top_level_keys)},
                "x-aliases": _aliases(form),
            },
        })
    schema["allOf"] = branches
    # Each form's own key list (propertyNames above) names the unknown keys; the union of all forms'
    # keys at the top level would offer keys of other forms in its message.
    del schema["additionalProperties"]
    return schema


def _required(form: FormDefinition) -> list[str]:
    return [key for key in form.top_level_keys if key not in ("表样", "年度", *form.optional_top_level_keys)]


def render_schema(forms: dict[str, FormDefinition]) -> str:
    return json.dumps(with_results(build_schema(forms), forms), ensure_ascii=False, indent=2) + "\n"


@cache
def load_schema(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
