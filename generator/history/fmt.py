"""`jixiao fmt`: rewrite a filing in the canonical style, never changing a value.

Canonical style: the schema modeline first; keys in the order of the form; two-space indentation;
plain scalars where YAML allows them, otherwise double quotes; long text on one line; comments kept.

A key the form does not know (most often a misspelt one) is never moved and its content is not
restyled: the known keys of its mapping are sorted among themselves, and each unknown key stays right
after the key that preceded it in the file (at the top when nothing did). fmt reports every such key.

The year-end results (`自评`, docs/selfeval.md) come after the form's keys. Inside, the keys follow the 自评
pack in use (the section's `表样`, else the target pack's pairing): its own keys as the 自评表 prints them;
the money items in the target form's order, each item's amounts in the pack's column order; 一级 and 二级 as
the targets are ordered (the form's order, or as filed for an as-filed form); the 三级 names in the order of
the filing's own targets (a name that is not among them is an unknown key); each result mapping in the
order of the pack's indicator columns, a key the pack prints no column for (评价档次) just before the 得分
it decides (SelfEvaluation.result_key_order).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import ScalarString
from ruamel.yaml.tokens import CommentToken

from ..common.findings import Finding, Severity, sort_findings
from ..common.yamlio import decode, dump_text, key_position, load_document, make_yaml, plain_data
from ..filing.modeline import with_modeline_first
from ..filing.validate import _suggestion as key_suggestion  # the hint check gives for the same key
from ..forms.definition import FormDefinition
from ..forms.pack import self_evaluation_for
from ..forms.selfeval import PACK_KEY, RESULTS_KEY


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


def _lift_leading_comments(mapping: Any) -> None:
    """Own-line comments above the first key belong to it, but ruamel keeps them with the mapping (shared with
    the parent's entry, after a comment at the end of the parent's line if there is one); move them to the key."""
    comment = mapping.ca.comment
    if not comment or not mapping:
        return
    lines: list[str] = []
    if comment[0] is not None:
        head, newline, rest = comment[0].value.partition("\n")
        if any(line.strip().startswith("#") for line in rest.splitlines()):
            comment[0].value = head + newline
            lines += rest.splitlines()
    if len(comment) > 1 and comment[1]:
        lines += [line for token in comment[1] for line in token.value.splitlines()]
        comment[1].clear()  # in place: the parent's entry holds the same list
    if any(line.strip().startswith("#") for line in lines):
        first = mapping.ca.items.setdefault(next(iter(mapping)), [None, [], None, None])
        mark = CommentMark(mapping.lc.col)
        first[1] = [CommentToken(line.strip() + "\n", mark) for line in lines] + (first[1] or [])


def _reorder(mapping: Any, order: list[str], nested: bool = True) -> None:
    """Sort the known keys into `order`; an unknown key moves only with the known key before it
    (comments stay attached; the comments heading the file stay on top)."""
    if nested:
        _lift_leading_comments(mapping)
    _reattach_comments(mapping)
    rank = {key: index for index, key in enumerate(order)}
    head: list = []  # unknown keys before the first known one: they stay on top
    runs: list[list] = []  # a known key and the unknown keys that follow it
    for key in mapping:
        if str(key) in rank:
            runs.append([key])
        else:
            (runs[-1] if runs else head).append(key)
    runs.sort(key=lambda run: rank[str(run[0])])
    for key in [*head, *(key for run in runs for key in run)]:
        mapping.move_to_end(key)


def plain_strings(node: Any, keep: frozenset[tuple[int, Any]] = frozenset()) -> None:
    """Drop the typed scalar styles (quotes, folded and literal blocks): the emitter re-decides them.
    Entries in `keep` (id of the mapping, key) are left as typed, with everything under them."""
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return
    for key, value in list(items):
        if (id(node), key) in keep:
            continue
        if isinstance(value, ScalarString):
            node[key] = str(value)
        else:
            plain_strings(value, keep)


@dataclass(frozen=True)
class KnownKeys:
    """A mapping of a filing whose keys the form defines."""

    mapping: Any
    where: str  # how a message names it: 申报表, or “项目资金”
    order: list[str]  # the form's keys, in the form's order
    aliases: dict[str, str]  # other offices' names for them (for a hint)
    ordered: bool  # whether fmt sorts it (the 一级 and 二级 of an as-filed form are printed as filed)
    known_as: str = "表样的键"  # what its keys are, for the message about one that is not


def known_mappings(data: Any, form: FormDefinition) -> Iterator[KnownKeys]:
    """Every mapping of the filing that fmt sorts or whose keys the form fixes."""
    if not isinstance(data, dict):
        return
    fields = [*form.fields, *form.goals, *((form.review.field,) if form.review else ())]
    top_aliases = _aliases(fields) | {alias: form.funds.key for alias in form.funds.aliases}
    yield KnownKeys(data, "申报表", [*form.top_level_keys, RESULTS_KEY], top_aliases, True)
    for group in [form.funds, *(f for f in form.fields if f.items)]:
        yield from _known(data, group.key, [item.key for item in group.items], _aliases(group.items), True)
    ordered = form.indicators.order != "as-filed"
    trees = [form.indicators.key] + ([form.indicators.long_term.key] if form.indicators.long_term else [])
    for key in trees:
        yield from _known(data, key, [level.name for level in form.levels], {}, ordered)
        indicators = data.get(key)
        for level in form.levels if isinstance(indicators, dict) else ():
            names = {alias: g.name for g in level.groups for alias in g.aliases}
            yield from _known(indicators, level.name, [g.name for g in level.groups], names, ordered)
    yield from _results_mappings(data, form)


def _results_mappings(data: Any, form: FormDefinition) -> Iterator[KnownKeys]:
    """The mappings of the 自评 section, when the 自评 pack it is scored with can be read (else nothing in
    it is sorted or reported: check says why there is no pack)."""
    section = data.get(RESULTS_KEY)
    if not isinstance(section, dict):
        return
    pack, _ = self_evaluation_for(form, str(section.get(PACK_KEY) or ""))
    if pack is None:
        return
    yield KnownKeys(section, f"“{RESULTS_KEY}”", list(pack.section_keys), {}, True)
    if isinstance(money := section.get(pack.funds.key), dict):
        yield KnownKeys(money, f"“{pack.funds.key}”", [item.key for item in form.funds.items], _aliases(form.funds.items), True)
        amounts = [column.key for column in pack.funds.columns if column.show == "amount"]
        for item in form.funds.items:
            yield from _known(money, item.key, amounts, {}, True)
    if not isinstance(tree := section.get(pack.indicators.key), dict):
        return
    targets = _mapping(data.get(form.indicators.key))
    as_filed = form.indicators.order == "as-filed"
    yield KnownKeys(tree, f"“{pack.indicators.key}”", _targets_order(targets, [level.name for level in form.levels], as_filed), {}, True)
    result_keys = list(pack.result_key_order)
    for level in form.levels:
        if not isinstance(groups := tree.get(level.name), dict):
            continue
        filed_groups = _mapping(targets.get(level.name))
        order = _targets_order(filed_groups, [g.name for g in level.groups], as_filed)
        yield KnownKeys(groups, f"“{level.name}”", order, {alias: g.name for g in level.groups for alias in g.aliases}, True)
        for group in level.groups:
            if not isinstance(rows := groups.get(group.name), dict):
                continue
            names = [str(name) for name in _mapping(filed_groups.get(group.name))]
            yield KnownKeys(rows, f"“{group.name}”", names, {}, True, known_as="申报的三级指标")
            for name in rows:
                if str(name) in names and isinstance(rows[name], dict):
                    yield KnownKeys(rows[name], f"“{name}”", result_keys, {}, True)


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _targets_order(filed: dict, known: list[str], as_filed: bool) -> list[str]:
    """Names in the targets' order: the form's; for an as-filed form the filed ones as filed, then the rest."""
    if not as_filed:
        return known
    first = [str(key) for key in filed if str(key) in known]
    return [*first, *(name for name in known if name not in first)]


def _known(parent: Any, key: str, order: list[str], aliases: dict[str, str], ordered: bool) -> Iterator[KnownKeys]:
    if isinstance(mapping := parent.get(key), dict):
        yield KnownKeys(mapping, f"“{key}”", order, aliases, ordered)


def _aliases(items) -> dict[str, str]:
    return {alias: item.key for item in items for alias in item.aliases}


def canonical_order(data: Any, form: FormDefinition | None) -> None:
    for known in known_mappings(data, form) if form is not None else ():
        if known.ordered:
            _reorder(known.mapping, known.order, nested=known.mapping is not data)


def unknown_keys(data: Any, form: FormDefinition | None) -> Iterator[tuple[KnownKeys, Any]]:
    """Each key the form does not know, with the mapping it is in."""
    for known in known_mappings(data, form) if form is not None else ():
        yield from ((known, key) for key in known.mapping if str(key) not in known.order)


def unknown_key_findings(name: str, data: Any, form: FormDefinition | None) -> list[Finding]:
    """fmt.unknown-key: a key fmt left where it was, with check's hint when it looks like a known one."""
    findings = []
    for known, key in unknown_keys(data, form):
        line, col = key_position(known.mapping, key)
        message = (f"{known.where}中的“{key}”不是{known.known_as}，fmt 没有移动它（只排列了{known.known_as}）；"
                   "改正或删除后再运行 jixiao fmt") + key_suggestion(str(key), known.order, known.aliases)
        findings.append(Finding(name, line, col, Severity.WARNING, "fmt.unknown-key", message))
    return sort_findings(findings)


def _typed_scalars(*nodes: Any) -> Iterator[ScalarString]:
    """The quoted and block scalars in these nodes and everything under them, keys too."""
    for node in nodes:
        if isinstance(node, ScalarString):
            yield node
        elif isinstance(node, dict):
            yield from _typed_scalars(*node.keys(), *node.values())
        elif isinstance(node, list):
            yield from _typed_scalars(*node)


def _keeping_styles(emitter: type, kept: set[int]) -> type:
    """The canonical emitter, except that the scalars in `kept` (by id: the emitter is handed the very
    objects of the tree) are written in the style they were typed in, as YAML's own emitter does."""
    class KeepingEmitter(emitter):
        def choose_scalar_style(self) -> Any:
            if id(self.event.value) in kept:
                return super(emitter, self).choose_scalar_style()
            return super().choose_scalar_style()

    return KeepingEmitter


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
    form = _form_of(data, forms)
    unknown = [(known.mapping, key) for known, key in unknown_keys(data, form)]
    canonical_order(data, form)
    plain_strings(data, keep=frozenset((id(mapping), key) for mapping, key in unknown))
    typed = {id(scalar) for mapping, key in unknown for scalar in _typed_scalars(key, mapping[key])}
    yaml.Emitter = _keeping_styles(yaml.Emitter, typed)
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


def format_file(name: str, raw: bytes, modeline: str, forms: dict[str, FormDefinition], schema: dict, *,
                rewrite: bool = True) -> tuple[str, str, list[Finding]]:
    """(the file's text, its canonical text, the keys the form does not know as fmt.unknown-key, located in
    the canonical text when the file is to be rewritten with it, else in the file as it is).

    A file `jixiao check` rejects when reading it or against the schema is not formatted (FormatRefused
    with check's findings): fmt promises to keep every value as check reads it, which it can only verify
    for a file check reads. Two schema errors do not stop it, since they do not change what the other
    keys mean: an unknown key (left where it is and reported) and a missing required key."""
    from ..filing.validate import schema_findings, text_findings

    text = decode(name, raw)
    document = load_document(name, raw)
    unknown = unknown_key_findings(name, document.data, _form_of(document.data, forms))
    at_unknown = {(f.line, f.col) for f in unknown}
    errors = [
        f for f in schema_findings(document, schema) + text_findings(document)
        if f.severity is Severity.ERROR and f.rule != "schema.required" and (f.line, f.col) not in at_unknown
    ]
    if errors:
        raise FormatRefused(
            f"{name}: jixiao check 不接受这个文件（见上面的错误），没有格式化；"
            "fmt 只改写 check 能读取并通过 schema 的文件（不认识的键和缺少的必填项除外），请先改正", errors)
    formatted = format_text(name, text, modeline, forms)
    if unknown and rewrite and formatted != text:
        data = load_document(name, formatted.encode("utf-8")).data
        unknown = unknown_key_findings(name, data, _form_of(data, forms))
    return text, formatted, unknown


def _form_of(data: Any, forms: dict[str, FormDefinition]) -> FormDefinition | None:
    return forms.get(str(data.get("表样"))) if isinstance(data, dict) else None
