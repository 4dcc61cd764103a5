"""The JSON Schema of a form definition (templates/<form-id>/form.yaml), with Chinese titles.

`pack.py` validates every form.yaml against it before reading it, so that a mistake in a pack
is reported at its line ("缺少“title”") instead of failing somewhere inside jixiao.
"""

from __future__ import annotations

from .definition import COLUMN_SHOWS, FIELD_TYPES, GROUP_ROLES, LEVEL_ROLES, NEEDS, REQUIREMENTS
from .selfeval import AMOUNT_ROLES, RESULT_ROLES, ROUNDINGS
from .selfeval import FUNDS_SHOWS as SELFEVAL_FUNDS_SHOWS
from .selfeval import INDICATOR_SHOWS as SELFEVAL_INDICATOR_SHOWS

_TEXT = {"type": "string"}
_TEXTS = {"type": "array", "items": {"type": "string"}}
_NUMBER = {"type": "number", "minimum": 0}


def _object(properties: dict, required: tuple[str, ...] = (), title: str = "") -> dict:
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    if title:
        schema["title"] = title
    return schema


_FIELD_PROPERTIES = {
    "key": _TEXT,
    "label": _TEXT,
    "description": _TEXT,
    "examples": {"type": "array"},
    "type": {"enum": list(FIELD_TYPES)},
    "need": {"enum": list(NEEDS)},
    "enum": _TEXTS,
    "options": _TEXTS,
    "aliases": _TEXTS,
}
FIELD = _object(_FIELD_PROPERTIES, ("key",), "栏目")
HEADER_FIELD = _object({**_FIELD_PROPERTIES, "items": {"type": "array", "items": FIELD, "minItems": 1}}, ("key",), "表头栏目")

GROUP = _object({
    "name": _TEXT,
    "label": _TEXT,
    "requirement": {"enum": list(REQUIREMENTS)},
    "role": {"enum": list(GROUP_ROLES)},
    "description": _TEXT,
    "examples": {"type": "array"},
    "aliases": _TEXTS,
}, ("name", "requirement"), "二级指标")

LEVEL = _object({
    "name": _TEXT,
    "role": {"enum": list(LEVEL_ROLES)},
    "weight": _NUMBER,
    "description": _TEXT,
    "groups": {"type": "array", "items": GROUP, "minItems": 1},
}, ("name", "groups"), "一级指标")

COLUMN = _object({
    "label": _TEXT,
    "show": {"anyOf": [{"enum": list(COLUMN_SHOWS)}, {"type": "string", "minLength": 1}]},
    "half": _TEXT,
    "width": _NUMBER,
}, ("label", "show"), "指标表的栏目")

LAYOUT_ENTRY = {
    "title": "表头的一行",
    "anyOf": [
        {"type": "array", "items": _TEXT, "minItems": 1},
        {"const": "funds"},
        _object({"group": _TEXT}, ("group",)),
        _object({"side_by_side": {"type": "array", "items": _TEXT, "minItems": 2}, "label": _TEXT}, ("side_by_side", "label")),
    ],
}

PACK_SCHEMA = _object({
    "id": _TEXT,
    "name": _TEXT,
    "office": _TEXT,
    "years": _TEXT,
    "features": _TEXTS,
    "default": {"type": "boolean"},
    "self_evaluation": _TEXT,
    "name_field": _TEXT,
    "department_field": _TEXT,
    "unit_field": _TEXT,
    "word_template": _TEXT,
    "html_template": _TEXT,
    "orientation": {"enum": ["portrait", "landscape"]},
    "label_width": _NUMBER,
    "attachment": _TEXT,
    "title": _TEXT,
    "year_line": _TEXT,
    "above_grid": _object({"left": _TEXT, "right": _TEXT}),
    "note": _TEXT,
    "footer": _TEXTS,
    "header": {"type": "array", "items": HEADER_FIELD},
    "funds": _object({
        "key": _TEXT,
        "label": _TEXT,
        "unit": {"enum": ["万元"]},
        "description": _TEXT,
        "aliases": _TEXTS,
        "items": {"type": "array", "items": FIELD, "minItems": 1},
        "rows": {"type": "array", "items": _TEXTS},
        "headings": _TEXTS,
        "relations": {"type": "array", "items": _object({
            "rule": _TEXT, "severity": {"enum": ["error", "warning"]},
        }, ("rule",))},
        "total": _TEXT,
        "blank_is_zero": {"type": "boolean"},
    }, ("key", "label", "unit", "items", "total"), "项目资金"),
    "goals": {"type": "array", "items": _object({**_FIELD_PROPERTIES, "annual": {"type": "boolean"}}, ("key",)), "minItems": 1},
    "layout": {"type": "array", "items": LAYOUT_ENTRY, "minItems": 1},
    "indicators": _object({
        "key": _TEXT,
        "label": _TEXT,
        "description": _TEXT,
        "label_column": {"type": "boolean"},
        "caption": _TEXT,
        "columns": {"type": "array", "items": COLUMN, "minItems": 3},
        "merge": {"enum": ["vertical", "none"]},
        "order": {"enum": ["form", "as-filed"]},
        "empty_groups": {"enum": ["print", "omit"]},
        "group_label": _TEXT,
        "qualitative_mark": _TEXT,
        "score": _TEXT,
        "long_term": FIELD,
        "details": {"type": "array", "items": FIELD},
        "levels": {"type": "array", "items": LEVEL, "minItems": 1},
    }, ("key", "label", "columns", "levels"), "绩效指标"),
    "review": _object({
        "kind": {"enum": ["grade", "text"]},
        "key": _TEXT,
        "label": _TEXT,
        "description": _TEXT,
        "aliases": _TEXTS,
        "options": _TEXTS,
        "boxes": {"type": "array", "items": _TEXT, "minItems": 2, "maxItems": 2},
        "examples": {"type": "array"},
    }, ("kind", "key")),
}, ("id", "name", "title", "funds", "goals", "layout", "indicators"), "表样定义")


# A 自评 pack (templates/<id>/form.yaml with `kind: self-evaluation`): see forms/selfeval.py and docs/selfeval.md.
_SELFEVAL_FIELD = _object({**_FIELD_PROPERTIES, "source": _TEXT, "boxes": {"type": "array", "items": _TEXT, "minItems": 2, "maxItems": 2}}, ("key",), "自评表的表头栏目")
_ROLES = {"type": "array", "items": {"enum": sorted({*GROUP_ROLES, *LEVEL_ROLES})}, "minItems": 1}
SELF_EVALUATION_SCHEMA = _object({
    "kind": {"const": "self-evaluation"},
    "id": _TEXT,
    "name": _TEXT,
    "office": _TEXT,
    "years": _TEXT,
    "features": _TEXTS,
    "orientation": {"enum": ["portrait", "landscape"]},
    "title": _TEXT,
    "year_line": _TEXT,
    "above_grid": _object({"left": _TEXT, "right": _TEXT}),
    "fields": {"type": "array", "items": _SELFEVAL_FIELD},
    "layout": {"type": "array", "items": {"anyOf": [{"type": "array", "items": _TEXT, "minItems": 1}, {"enum": ["funds", "goal"]}]}, "minItems": 1},
    "funds": _object({
        "key": _TEXT,
        "label": _TEXT,
        "total_label": _TEXT,
        "columns": {"type": "array", "minItems": 2, "items": _object({
            "label": _TEXT, "show": {"enum": list(SELFEVAL_FUNDS_SHOWS)}, "key": _TEXT, "role": {"enum": list(AMOUNT_ROLES)},
        }, ("show",), "项目资金的栏目")},
    }, ("key", "label", "columns"), "项目资金"),
    "execution": _object({"label": _TEXT, "points": _NUMBER}, ("label", "points"), "预算执行率"),
    "goal": _object({"key": _TEXT, "label": _TEXT, "target_label": _TEXT, "actual_label": _TEXT}, ("key", "label"), "年度总体目标"),
    "indicators": _object({
        "key": _TEXT,
        "label": _TEXT,
        "level_label": _TEXT,
        "columns": {"type": "array", "minItems": 3, "items": _object({
            "label": _TEXT, "show": {"enum": list(SELFEVAL_INDICATOR_SHOWS)},
        }, ("label", "show"), "指标表的栏目")},
        "keys": _object({role: _TEXT for role in RESULT_ROLES}, (), "每个指标的结果的键"),
    }, ("key", "label", "columns"), "绩效指标"),
    "weights": {"type": "array", "minItems": 1, "items": _object({
        "label": _TEXT, "roles": _ROLES, "points": _NUMBER,
    }, ("label", "roles", "points"), "一级指标的分值")},
    "total": _object({"label": _TEXT, "points": _NUMBER}, ("label", "points"), "总分"),
    "bands": {"type": "array", "minItems": 1, "items": _object({
        "label": _TEXT, "from": _NUMBER, "to": _NUMBER, "default": _NUMBER,
    }, ("label", "from", "to"), "定性指标的评价档次")},
    "scoring": _object({"decimals": {"type": "integer", "minimum": 0, "maximum": 6}, "rounding": {"enum": list(ROUNDINGS)}}),
    "note": _TEXT,
    "footer": _TEXTS,
    "signature": _TEXTS,
}, ("kind", "id", "name", "title", "layout", "funds", "execution", "goal", "indicators", "weights", "total", "bands"), "自评表样定义")
