"""The JSON Schema of a form definition (templates/<form-id>/form.yaml), with Chinese titles.

`pack.py` validates every form.yaml against it before reading it, so that a mistake in a pack
is reported at its line ("缺少“title”") instead of failing somewhere inside jixiao.
"""

from __future__ import annotations

from .definition import COLUMN_SHOWS, FIELD_TYPES, GROUP_ROLES, LEVEL_ROLES, NEEDS, REQUIREMENTS

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
