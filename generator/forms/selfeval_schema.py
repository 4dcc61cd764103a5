"""The 自评 section of schema.json: year-end results, validated and completed in the editor.

Every target form's branch gets a `自评` property built from its paired 自评 pack (and any other
自评 pack the section may name with `表样:`). Keys and band labels come from the packs; 一级/二级
names from the target form, as for the targets. See docs/selfeval.md §1.
"""

from __future__ import annotations

from .definition import Field, FormDefinition
from .selfeval import PACK_KEY, RESULTS_KEY, SOURCES, SelfEvaluation

TEXT_TYPES = ["string", "number", "boolean", "null"]  # as forms/schema.py: what an editor may infer for text
BLANK_OR_MONEY_PATTERN = r"^([+-]?[0-9]+(\.[0-9]+)?(万元|万)?)?(?!\n)$"
BLANK_OR_POINTS_PATTERN = r"^([0-9]+(\.[0-9]+)?)?(?!\n)$"
DEFINITION = "self-evaluation-result-"  # + pack id: the schema of one indicator's result, under "definitions"


def _points(title: str, description: str, examples: tuple[str, ...] = ("10", "8.5")) -> dict:
    return {
        "title": title, "description": description, "type": ["number", "string", "null"], "examples": list(examples),
        "pattern": BLANK_OR_POINTS_PATTERN, "patternErrorMessage": "只写数字，例如 10 或 8.5（不写“分”）",
    }


def _text(title: str, description: str, examples: tuple[str, ...] = ()) -> dict:
    schema = {"title": title, "description": description, "type": TEXT_TYPES}
    if examples:
        schema["examples"] = list(examples)
    return schema


def _field(field: Field) -> dict:
    schema = _text(field.key, field.description, field.examples)
    if field.enum:
        del schema["type"]
        schema["enum"] = ["", *field.enum]
    return schema


def _money(form: FormDefinition, pack: SelfEvaluation) -> dict:
    columns = {
        c.key: {
            "title": c.key, "description": f"{c.label}（万元）",
            "type": ["number", "string", "null"], "pattern": BLANK_OR_MONEY_PATTERN, "examples": ["150", "52.5"],
            "patternErrorMessage": "金额只填数字（单位是万元），例如 150 或 52.5，可以带“万元”",
        }
        for c in pack.funds.columns if c.show == "amount"
    }
    item = {"type": "object", "x-item-label": "栏目", "properties": columns, "additionalProperties": False}
    return {
        "title": pack.funds.key,
        "description": f"{pack.funds.label}：每项资金一行，写{'、'.join(columns)}（万元）。",
        "type": "object",
        "x-item-label": "资金",
        "properties": {i.key: {**item, "title": i.key, "description": f"{i.key}的{'、'.join(columns)}（万元）"} for i in form.funds.items},
        "additionalProperties": False,
    }


def _result(pack: SelfEvaluation) -> dict:
    keys = pack.indicators.result_keys
    bands = [band.label for band in pack.bands]
    return {
        "title": keys["actual"],
        "description": (
            f"这个三级指标的{keys['actual']}，例如“380次”“98.5%”“2024年11月20日”；需要更多栏目时写成映射"
            f"（{'、'.join(keys.values())}）。"
        ),
        "type": [*TEXT_TYPES, "object"],
        "examples": ["380次", "98.5%"],
        "x-item-label": "栏目",
        "properties": {
            keys["actual"]: _text(keys["actual"], "实际完成的数值（带单位，与指标值的单位相同）、日期或情况。", ("380次", "98.5%", "2024年11月20日")),
            keys["reason"]: _text(keys["reason"], "得分低于分值时写明偏差的原因和改进措施。", ("下半年两期培训合并举办，参训人数减少；下年度按季度分期培训。",)),
            keys["points"]: _points(keys["points"], "这个指标的分值；不写时按自评表样的权重平均分配。"),
            keys["score"]: _points(keys["score"], "填报人给出的得分；jixiao 按规则计算并比较。定性指标在评价档次的范围内填写。"),
            keys["band"]: {"title": keys["band"], "description": "定性指标的完成档次。", "enum": ["", *bands]},
        },
        "additionalProperties": False,
    }


def definitions(packs: dict[str, SelfEvaluation]) -> dict[str, str]:
    """The name under "definitions" of each pack's result schema: packs whose schemas are the same share one."""
    names: dict[str, str] = {}
    seen: list[tuple[dict, str]] = []
    for pack_id in sorted(packs):
        schema = _result(packs[pack_id])
        names[pack_id] = next((name for other, name in seen if other == schema), f"{DEFINITION}{pack_id}")
        seen.append((schema, names[pack_id]))
    return names


def _result_ref(pack: SelfEvaluation, name: str) -> dict:
    """One indicator's result: the pack's schema, defined once in schema.json (help for the editor beside it)."""
    result = _result(pack)
    return {"$ref": f"#/definitions/{name}", **{k: result[k] for k in ("title", "description", "examples")}}


def _indicators(form: FormDefinition, pack: SelfEvaluation, definition: str) -> dict:
    result = _result_ref(pack, definition)
    return {
        "title": pack.indicators.key,
        "description": "每个指标的结果，按“一级指标 → 二级指标 → 三级指标”与申报的绩效指标对应。",
        "type": "object",
        "x-item-label": "一级指标",
        "propertyNames": {"enum": [level.name for level in form.levels]},
        "properties": {
            level.name: {
                "title": level.name,
                "description": f"{level.name}下各二级指标的结果。",
                "type": "object",
                "x-item-label": "二级指标",
                "propertyNames": {"enum": [g.name for g in level.groups]},
                "properties": {
                    g.name: {
                        "title": g.name, "description": f"{g.name}下每个三级指标的结果：“三级指标: 实际完成值”或映射。",
                        "type": "object", "x-item-label": "三级指标", "additionalProperties": result,
                    }
                    for g in level.groups
                },
            }
            for level in form.levels
        },
    }


def section_properties(form: FormDefinition, pack: SelfEvaluation, packs: list[str], definition: str) -> dict:
    """The properties of a 自评 section scored with `pack`, in the order the 自评表 prints them."""
    properties = {
        PACK_KEY: {
            "title": PACK_KEY,
            "description": f"用哪种自评表样（不写或留空时用“{form.self_evaluation or '表样定义里配对的自评表样'}”）。",
            "enum": ["", *packs],
        },
    }
    for field in pack.fields:
        if pack.sources.get(field.key) not in SOURCES:
            properties[field.key] = _field(field)
    properties[pack.funds.key] = _money(form, pack)
    properties[pack.goal.key] = _text(
        pack.goal.key, f"{pack.goal.label}的实际完成情况：对照预期目标写明完成了什么。", ("全年受理群众来电12.6万件，按时办结率98.6%。",),
    )
    properties[pack.indicators.key] = _indicators(form, pack, definition)
    properties[pack.total_label] = _points(pack.total_label, "填报人给出的总分；jixiao 按规则计算并比较。", ("92.5",))
    return {key: properties[key] for key in pack.section_keys}


def section_schema(form: FormDefinition, packs: dict[str, SelfEvaluation]) -> dict:
    """The `自评` property of a target form: its paired pack's keys directly (completion), another pack's
    when the section names it; the keys of the pack in use are the only ones allowed."""
    ids = sorted(packs)
    default = packs.get(form.self_evaluation)
    names = definitions(packs)
    built = {pack_id: section_properties(form, pack, ids, names[pack_id]) for pack_id, pack in packs.items()}
    # Completion offers the paired pack's keys; a key another pack defines differently gets only its title
    # here. Each pack's branch validates what differs from these and names the keys it allows.
    properties: dict = {}
    for key, schema in built[default.id if default else ids[0]].items():
        same = all(built[other].get(key, schema) == schema for other in ids)
        properties[key] = schema if same else {k: schema[k] for k in ("title", "description") if k in schema}

    def own(pack_id: str) -> dict:
        differing = {k: v for k, v in built[pack_id].items() if properties.get(k) != v}
        allowed = list(built[pack_id])
        return {**({"properties": differing} if differing else {}), "propertyNames": {
            "enum": allowed, "doNotSuggest": True,  # `properties` offer the same keys with their help
            "errorMessage": f"不是自评表样 {pack_id} 的栏目（可写：{'、'.join(allowed)}）；请检查错别字",
        }}

    branches = [
        {"if": {"properties": {PACK_KEY: {"const": pack_id}}, "required": [PACK_KEY]}, "then": own(pack_id)}
        for pack_id in ids
    ]
    if default:
        unnamed = {"anyOf": [{"not": {"required": [PACK_KEY]}}, {"properties": {PACK_KEY: {"const": ""}}}]}
        branches.append({"if": unnamed, "then": own(default.id)})
    return {
        "title": RESULTS_KEY,
        "description": "年终自评：项目资金的预算数和执行数、年度总体目标的实际完成情况、每个指标的实际完成值和得分（见 README“年终自评”）。",
        "type": "object",
        "x-item-label": "栏目",
        "properties": properties,
        "allOf": branches,
    }


def results_schemas(forms: dict[str, FormDefinition]) -> tuple[dict[str, dict], dict]:
    """The `自评` property of each form (by id) and the definitions they refer to; the 自评 packs are those
    beside the forms (the same templates folder). Nothing when there are none."""
    from .pack import load_self_evaluations

    packs = load_self_evaluations(next(iter(forms.values())).directory.parent) if forms else {}
    if not packs:
        return {}, {}
    definitions_used = {name: _result(packs[pack_id]) for pack_id, name in definitions(packs).items()}
    return {form_id: section_schema(form, packs) for form_id, form in forms.items()}, definitions_used
