"""`jixiao fmt`: rewrite a filing in the canonical style, never changing a value.

Canonical style: the schema modeline first; keys in the order of the form (unknown keys kept,
after the known ones); two-space indentation; plain scalars where YAML allows them, otherwise
double quotes; long text on one line; comments kept.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import ScalarString
from ruamel.yaml.tokens import CommentToken

from ..common.findings import Finding, Severity
from ..common.yamlio import decode, dump_text, load_document, make_yaml, plain_data
from ..filing.modeline import with_modeline_first
from ..forms.definition import FormDefinition


class FormatRefused(Exception):
    """The file is left alone: `jixiao check` rejects it, or formatting would have changed a value.
    `findings` are check's, when it is the former."""

    def __init__(self, message: str, findings: list[Finding] | None = None):
        super().__init__(message)
        self.findings = findings or []


def _trailing_slot(mapping: Any, key: Any) -> tuple[Any, Any]:
    """Where ruamel keeps comments that follow the entry `key`: the last key of its deepest block."""
    value = mapping[key]
    if isinstance(value, dict) and value and not value.fa.flow_style():
        return _trailing_slot(value, list(value)[-1])
    return mapping, key


def _reattach_comments(mapping: Any) -> None:
    """Own-line comments above a key belong to that key, but ruamel stores them with the entry
    before it; move them to the key, so that they stay with it when keys are reordered."""
    keys = list(mapping)
    for previous, key in zip(keys, keys[1:]):
        owner, slot = _trailing_slot(mapping, previous)
        entry = owner.ca.items.get(slot)
        token = entry[2] if entry else None
        if token is None:
            continue
        head, newline, rest = token.value.partition("\n")
        lines = rest.splitlines()
        if not any(line.strip().startswith("#") for line in lines):
            continue
        token.value = head + newline
        before = mapping.ca.items.setdefault(key, [None, [], None, None])
        mark = CommentMark(mapping.lc.col)
        before[1] = (before[1] or []) + [CommentToken(line.strip() + "\n", mark) for line in lines]


def _reorder(mapping: Any, order: list[str]) -> None:
    """Move known keys into `order`, unknown keys after them in their own order (comments stay attached)."""
    if not isinstance(mapping, dict):
        return
    _reattach_comments(mapping)
    rank = {key: index for index, key in enumerate(order)}
    for key in sorted(mapping, key=lambda k: (rank.get(str(k), len(rank)), list(mapping).index(k))):
        mapping.move_to_end(key)


def plain_strings(node: Any) -> None:
    """Drop the typed scalar styles (quotes, folded and literal blocks): the emitter re-decides them."""
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return
    for key, value in list(items):
        if isinstance(value, ScalarString):
            node[key] = str(value)
        else:
            plain_strings(value)


def canonical_order(data: Any, form: FormDefinition | None) -> None:
    if form is None or not isinstance(data, dict):
        return
    _reorder(data, list(form.top_level_keys))
    _reorder(data.get(form.funds.key), [item.key for item in form.funds.items])
    for group in (f for f in form.fields if f.items):
        _reorder(data.get(group.key), [item.key for item in group.items])
    if form.indicators.order == "as-filed":
        return  # the filer's order of 一级 and 二级 is what the form prints
    trees = [form.indicators.key] + ([form.indicators.long_term.key] if form.indicators.long_term else [])
    for key in trees:
        indicators = data.get(key)
        _reorder(indicators, [level.name for level in form.levels])
        if isinstance(indicators, dict):
            for level in form.levels:
                _reorder(indicators.get(level.name), [g.name for g in level.groups])


def _first_difference(before: Any, after: Any, path: tuple[str, ...] = ()) -> tuple[str, ...]:
    if isinstance(before, dict) and isinstance(after, dict) and before.keys() == after.keys():
        return next((_first_difference(before[k], after[k], (*path, k)) for k in before if before[k] != after[k]), path)
    return path


def format_text(name: str, text: str, modeline: str, forms: dict[str, FormDefinition]) -> str:
    """The canonical text of a filing; raises YamlRejected when it cannot be loaded, FormatRefused when
    a value would read differently afterwards (compared as `jixiao check` reads them: the round trip
    alone would call a re-encoded `!!binary` value the same)."""
    yaml = make_yaml()
    document = load_document(name, text.encode("utf-8"), yaml)
    data = document.data
    form = forms.get(str(data.get("表样"))) if isinstance(data, dict) else None
    canonical_order(data, form)
    plain_strings(data)
    formatted = with_modeline_first(dump_text(data, yaml), modeline)
    before = plain_data(load_document(name, text.encode("utf-8")).data)
    after = plain_data(load_document(name, formatted.encode("utf-8")).data)
    if after != before:
        where = "/".join(_first_difference(before, after)) or "文件"
        raise FormatRefused(
            f"{name}: 格式化会改变“{where}”的值，已跳过；值前面有 YAML 标签（如 !!binary）时请去掉标签，"
            "否则请把这个文件报告给 jixiao 的维护者"
        )
    return formatted


def format_file(name: str, raw: bytes, modeline: str, forms: dict[str, FormDefinition], schema: dict) -> tuple[str, str]:
    """(the file's text, its canonical text). A file `jixiao check` rejects when reading it or against
    the schema is not formatted (FormatRefused with check's findings): what such a file means is not
    settled yet (a misspelt key would be moved to the end as an unknown one), and fmt promises to keep
    every value as check reads it, which it can only verify for a file check reads."""
    from ..filing.validate import schema_findings, text_findings

    text = decode(name, raw)
    document = load_document(name, raw)
    errors = [f for f in schema_findings(document, schema) + text_findings(document) if f.severity is Severity.ERROR]
    if errors:
        raise FormatRefused(f"{name}: jixiao check 不接受这个文件（见上面的错误），没有格式化；fmt 只改写 check 能读取并通过 schema 的文件，请先改正", errors)
    return text, format_text(name, text, modeline, forms)
