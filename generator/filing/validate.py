"""Validate a loaded filing against schema.json and report in Chinese, at the line of the problem."""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any, Iterator

from ..common.findings import Finding, Severity
from ..common.yaml_hints import fullwidth_colon_tip
from ..common.yamlio import Document, key_position, locate

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_TYPE_NAMES = {
    "object": "映射（“键: 值”）",
    "array": "列表",
    "string": "文字",
    "number": "数字",
    "integer": "整数",
    "boolean": "是/否",
    "null": "空值",
}


def _type_of(instance: Any) -> str:
    if isinstance(instance, dict):
        return "object"
    if isinstance(instance, list):
        return "array"
    return "string"  # the loader turns every scalar into text


def _quote(value: Any, limit: int = 40) -> str:
    text = str(value)
    return f"“{text[:limit]}…”" if len(text) > limit else f"“{text}”"


def _subject(error: ValidationError) -> str:
    path = list(error.absolute_path)
    title = error.schema.get("x-subject") or error.schema.get("title")  # x-subject: a title written for the hover
    if title:
        return f"“{title}”"
    return f"“{path[-1]}”" if path else "文件"


def _container_label(error: ValidationError) -> str:
    path = list(error.absolute_path)
    return f"“{path[-1]}”" if path else "申报表"


def _suggestion(key: str, allowed: list[str], aliases: dict[str, str]) -> str:
    stripped = key.strip().replace("：", "").replace(" ", "")
    if stripped in allowed and stripped != key:
        return f"。提示：键名里多了空格或全角冒号，应为“{stripped}”"
    if "：" in key:
        return fullwidth_colon_tip(key)
    # Another office's name for a field of this form (主管部门 for 主管部门及代码): a spelling guess
    # would point at whichever key looks alike, not at the field it means.
    if aliases.get(stripped) in allowed:
        return f"。“{stripped}”在本表样中叫“{aliases[stripped]}”"
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
    return f"。是不是“{close[0]}”？" if close else ""


def _unknown_key_message(item: str, where: str, key: str, allowed: list[str], aliases: dict[str, str]) -> str:
    return f"{item}“{key}”不是{where}下的可选项（可选：{'、'.join(allowed)}）" + _suggestion(key, allowed, aliases)


def _unknown_key_findings(
    name: str, data: Any, error: ValidationError, mapping_schema: dict, keys: list[str], allowed: list[str], rule: str
) -> Iterator[Finding]:
    container = data
    for part in error.absolute_path:
        container = container[part]
    item = mapping_schema.get("x-item-label", "字段")
    aliases = mapping_schema.get("x-aliases", {})
    for key in keys:
        line, col = key_position(container, key)
        yield Finding(name, line, col, Severity.ERROR, rule, _unknown_key_message(item, _container_label(error), key, allowed, aliases))


def _message(error: ValidationError) -> str:
    validator, expected, instance = error.validator, error.validator_value, error.instance
    subject = _subject(error)
    if validator == "type":
        wanted = [expected] if isinstance(expected, str) else expected
        # Text fields also admit number/boolean/null only so that editors accept plain text; name the intent.
        names = "或".join(_TYPE_NAMES[t] for t in wanted if t == wanted[0] or t in ("object", "array"))
        actual = _TYPE_NAMES[_type_of(instance)]
        message = f"{subject}应为{names}，实际是{actual}"
        if isinstance(instance, str):
            if instance == "" and "object" in wanted:
                return message + "（空白）；没有内容时写 {}"
            message += f"{_quote(instance)}" + fullwidth_colon_tip(instance)
        return message
    if validator == "enum":
        allowed = "、".join(_quote(v)[1:-1] or "（空）" for v in expected)
        if not isinstance(instance, str):
            return f"{subject}应为文字，实际是{_TYPE_NAMES[_type_of(instance)]}（可选：{allowed}）"
        return f"{subject}的值{_quote(instance)}不是可选项（可选：{allowed}）"
    if validator == "const":
        return f"{subject}应为{_quote(expected)}"
    if validator == "pattern":
        custom = error.schema.get("patternErrorMessage")
        return f"{subject}的值{_quote(instance)}格式不对" + (f"：{custom}" if custom else "")
    if validator in ("minimum", "maximum"):
        bound = "不能小于" if validator == "minimum" else "不能大于"
        return f"{subject}{bound} {expected}，现在是 {instance}"
    return f"{subject}不符合要求（{error.message}）"


def schema_findings(document: Document, schema: dict) -> list[Finding]:
    data, name = document.data, document.name
    if data is None or (isinstance(data, str) and not data.strip()):
        return [Finding(name, 1, 1, Severity.ERROR, "file.empty", "文件是空的（或只有注释）；请从 `jixiao new` 生成的模板开始填写")]
    schema = _for_form(schema, data.get("表样") if isinstance(data, dict) else None)
    findings: dict[tuple, Finding] = {}
    for error in validator(schema).iter_errors(data):
        for finding in _error_findings(name, data, schema, error):
            # The summary of a key at the top and its own form's branch can reject the same value alike:
            # report that once. Several missing keys of one mapping all sit at that mapping: report each.
            findings.setdefault((finding.line, finding.col, finding.message), finding)
    return list(findings.values())


_VALIDATORS: dict[int, object] = {}
_BRANCHES: dict[tuple[int, str], dict] = {}


def _for_form(schema: dict, form_id: Any) -> dict:
    """The schema with only the branch of the filing's own form: the same findings as the whole
    schema (the other branches' conditions are false), without testing every form's condition."""
    branches = schema.get("allOf")
    if not branches or not isinstance(form_id, str):
        return schema
    key = (id(schema), form_id)
    if key not in _BRANCHES:
        own = [b for b in branches if b.get("if", {}).get("properties", {}).get("表样", {}).get("const") == form_id]
        _BRANCHES[key] = {**schema, "allOf": own} if own else schema
    return _BRANCHES[key]


def validator(schema: dict):
    """The Draft7Validator of a schema, made once (jsonschema is imported only when something is validated)."""
    if id(schema) not in _VALIDATORS:
        from jsonschema import Draft7Validator

        _VALIDATORS[id(schema)] = (schema, Draft7Validator(schema))
    return _VALIDATORS[id(schema)][1]


def _schema_at(root: dict, schema_path: list) -> dict:
    node = root
    for part in schema_path:
        node = node[part]
    return node


def _error_findings(name: str, data: Any, root_schema: dict, error: ValidationError) -> Iterator[Finding]:
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(error.schema.get("properties", {}))
        unknown = [k for k in error.instance if k not in allowed]
        yield from _unknown_key_findings(name, data, error, error.schema, unknown, allowed, "schema.additionalProperties")
        return
    schema_path = list(error.absolute_schema_path)
    if "propertyNames" in schema_path:
        # The failing value is a key; the mapping's own schema sits just above "propertyNames".
        mapping_schema = _schema_at(root_schema, schema_path[: schema_path.index("propertyNames")])
        allowed = list(error.validator_value) if error.validator == "enum" else []
        # An unknown key at the top level is a misspelt field, as with additionalProperties; below it,
        # a 一级/二级 name that is not an option of the form.
        rule = "schema.additionalProperties" if not error.absolute_path else f"schema.{error.validator}"
        yield from _unknown_key_findings(name, data, error, mapping_schema, [error.instance], allowed, rule)
        return
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        line, col = locate(data, list(error.absolute_path), at_key=True) if error.absolute_path else (1, 1)
        for key in missing:
            yield Finding(name, line, col, Severity.ERROR, "schema.required", f"{_container_label(error)}缺少必填的“{key}”")
        return
    line, col = locate(data, list(error.absolute_path))
    yield Finding(name, line, col, Severity.ERROR, f"schema.{error.validator}", _message(error))


# What a Word document or a web page cannot hold as typed: control characters (C0 except tab and line
# feed, DEL, C1), a carriage return (XML reads it back as a line break, so "a\rb" would come back
# as "a\nb"), lone surrogates and the Unicode noncharacters (HTML forbids them).
_XML_INVALID = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
    + "]"
)


def text_findings(document: Document) -> list[Finding]:
    """Characters a Word document cannot hold (escaped control characters and the like)."""
    findings = []

    def visit(node: Any, path: list) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                for text, at_key in ((key, True), (value, False)):
                    if isinstance(text, str) and (bad := _XML_INVALID.search(text)):
                        line, col = locate(document.data, [*path, key], at_key=at_key)
                        findings.append(Finding(
                            document.name, line, col, Severity.ERROR, "text.control-char",
                            f"文字中有 Word 或网页无法保存的字符 U+{ord(bad.group()):04X}（第 {bad.start() + 1} 个字符），请删除",
                        ))
                visit(value, [*path, key])
        elif isinstance(node, list):
            for index, item in enumerate(node):
                visit(item, [*path, index])

    visit(document.data, [])
    return findings
