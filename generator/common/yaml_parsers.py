"""The ruamel.yaml machinery behind generator.common.yamlio: text-only resolution, anchor refusal,
duplicate-key collection, located trees, the canonical emitter and Chinese syntax messages.

Kept apart so that commands which only read caches (a build with nothing to do) need not import
ruamel.yaml at all; everything here is reached through generator.common.yamlio.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor, SafeConstructor
from ruamel.yaml.emitter import Emitter
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import VersionedResolver

from .findings import Finding, Severity
from .yaml_hints import line_col_of_offset, syntax_hint

MAX_DEPTH = 100


def _finding(name: str, line: int, col: int, rule: str, message: str) -> Finding:
    return Finding(name, line, col, Severity.ERROR, rule, message)


class _TextResolver(VersionedResolver):
    """Resolve every plain scalar to a string: what the clerk typed is what we keep."""

    @property
    def versioned_resolver(self) -> dict:
        return {}


class _AnchorRejected(MarkedYAMLError):
    pass


class _TooDeep(MarkedYAMLError):
    pass


class _NoAnchorComposer(Composer):
    """Refuse anchors and aliases before anything is built (billion-laughs guard), and nesting
    deeper than any filing needs (a stack-exhausting input), at the node where it happens."""

    nesting = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            kind = "别名" if isinstance(event, AliasEvent) else "锚点"
            raise _AnchorRejected(
                problem=f"不允许使用 YAML {kind}（&{event.anchor} / *{event.anchor}），请把内容直接写出来",
                problem_mark=event.start_mark,
            )
        self.nesting += 1
        try:
            if self.nesting > MAX_DEPTH:
                raise _TooDeep(problem=f"嵌套层级过深（超过 {MAX_DEPTH} 层）", problem_mark=event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self.nesting -= 1


@dataclass(frozen=True)
class _Duplicate:
    key: str
    first: Any  # ruamel marks, 0-based
    second: Any


def _first_key_node(node: Any, key_node: Any) -> Any:
    return next(k for k, _ in node.value if k is not key_node and k.value == key_node.value)


# The duplicate keys met by the load under way (the C path builds its own constructor object per load).
_DUPLICATES: ContextVar[list] = ContextVar("duplicate_keys")


class _CollectingConstructor(RoundTripConstructor):
    """Round trip (comments kept, for rewriting files); records every duplicate key with both places."""

    def check_mapping_key(self, node: Any, key_node: Any, mapping: Any, key: Any, value: Any) -> bool:
        if key not in mapping:
            return True
        _DUPLICATES.get().append(_Duplicate(str(key), _first_key_node(node, key_node).start_mark, key_node.start_mark))
        return False


class _LocatingConstructor(SafeConstructor):
    """For reading only: the same located tree as the round trip, without the cost of keeping comments.

    Every scalar is its text; mappings and sequences carry the line and column of their keys and
    values; a value left blank (`key:`) is located at its key rather than at the next token.
    """

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        # libyaml's composer (the fast path) resolves an alias to the anchored node itself:
        # meeting a node twice means an alias, refused here as the pure composer refuses it.
        if node in self.constructed_objects:
            raise _AnchorRejected(problem="不允许使用 YAML 别名（*名称），请把内容直接写出来", problem_mark=node.start_mark)
        return super().construct_object(node, deep)

    def construct_located_map(self, node: Any) -> Any:
        data = CommentedMap()
        data._yaml_set_line_col(node.start_mark.line, node.start_mark.column)
        yield data
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                raise ConstructorError(None, None, "不支持把映射或列表当作键", key_node.start_mark)
            if key in data:
                _DUPLICATES.get().append(_Duplicate(str(key), _first_key_node(node, key_node).start_mark, key_node.start_mark))
                continue
            blank = isinstance(value_node, ScalarNode) and value_node.value == "" and not value_node.style
            value_mark = key_node.start_mark if blank else value_node.start_mark
            data._yaml_set_kv_line_col(
                key, [key_node.start_mark.line, key_node.start_mark.column, value_mark.line, value_mark.column],
            )
            data[key] = self.construct_object(value_node, deep=True)

    def construct_located_seq(self, node: Any) -> Any:
        data = CommentedSeq()
        data._yaml_set_line_col(node.start_mark.line, node.start_mark.column)
        yield data
        for index, child in enumerate(node.value):
            data._yaml_set_idx_line_col(index, [child.start_mark.line, child.start_mark.column])
            data.append(self.construct_object(child, deep=True))

    def construct_text(self, node: Any) -> str:
        return str(self.construct_scalar(node))


_LocatingConstructor.add_constructor("tag:yaml.org,2002:map", _LocatingConstructor.construct_located_map)
_LocatingConstructor.add_constructor("tag:yaml.org,2002:omap", _LocatingConstructor.construct_located_map)
_LocatingConstructor.add_constructor("tag:yaml.org,2002:seq", _LocatingConstructor.construct_located_seq)
for _tag in ("str", "int", "float", "bool", "null", "timestamp", "binary", "value"):
    # An explicit tag such as !!int still gives the text as typed.
    _LocatingConstructor.add_constructor(f"tag:yaml.org,2002:{_tag}", _LocatingConstructor.construct_text)


class _CanonicalEmitter(Emitter):
    """One quoting style: plain where YAML allows it, otherwise double quotes ("" for empty text)."""

    def choose_scalar_style(self) -> Any:
        if self.event.value == "":
            return '"'
        value = self.event.value
        if "\n" in value:
            return '"'  # escaped line breaks: the only style that keeps every character of multi-line text
        if value[0].isspace() or value[-1].isspace():
            return '"'  # leading/trailing spaces of any kind (a full-width one would read as indentation)
        if self.event.style in ("'", '"', ">", "|"):
            self.event.style = None  # re-decide: the typed quoting is not part of the value
        style = super().choose_scalar_style()
        return '"' if style == "'" else style


def _reading_yaml(pure: bool) -> YAML:
    yaml = YAML(typ="safe", pure=pure)
    yaml.Resolver = _TextResolver
    yaml.Composer = _NoAnchorComposer
    yaml.Constructor = _LocatingConstructor
    return yaml


# Text that libyaml should not be given: a possible anchor, or nesting deep enough to matter.
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s\[{,])&[^\s]")
_DEEP_INDENT = re.compile(rf"^ {{{2 * MAX_DEPTH},}}|(?:[-?:][ \t]+){{{MAX_DEPTH // 2},}}", re.MULTILINE)


class ReadingLoader:
    """Loads filings for checking, into the same located text tree as the round trip, without comments.

    Ordinary filings go through libyaml's C parser (ruamel.yaml.clib), an order of magnitude faster
    than the pure-Python parser. Anything unusual (a possible anchor, deep nesting, a syntax error)
    is read by the pure parser, which refuses anchors before building anything, enforces the
    nesting limit and words its errors the same way every time.
    """

    def __init__(self) -> None:
        self.exact = _reading_yaml(pure=True)
        self.fast = _reading_yaml(pure=False) if has_libyaml() else None

    def load(self, text: str) -> tuple[Any, list[_Duplicate]]:
        if self.fast is not None and not _MAYBE_ANCHOR.search(text) and not _DEEP_INDENT.search(text) \
                and text.count("[") + text.count("{") < MAX_DEPTH:
            try:
                return load_with(self.fast, text)
            except YAMLError:
                pass  # let the pure parser say what is wrong, in its words
        return load_with(self.exact, text)


def has_libyaml() -> bool:
    try:
        from ruamel.yaml.cyaml import CParser  # noqa: F401
    except ImportError:
        return False
    return True


def load_with(yaml: YAML, text: str) -> tuple[Any, list[_Duplicate]]:
    duplicates: list[_Duplicate] = []
    token = _DUPLICATES.set(duplicates)
    try:
        return yaml.load(text), duplicates
    finally:
        _DUPLICATES.reset(token)
        del yaml.doc_infos[:]  # ruamel keeps one per document read, for writing it back: one loader reads thousands


def round_trip_yaml() -> YAML:
    """The one YAML instance configuration used to read and write filings."""
    yaml = YAML(typ="rt")
    yaml.Resolver = _TextResolver
    yaml.Composer = _NoAnchorComposer
    yaml.Constructor = _CollectingConstructor
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 1 << 30  # never fold long text: a folded line gains a space in Chinese text
    yaml.Emitter = _CanonicalEmitter
    return yaml


# The pure parser's messages (every syntax error is worded by it, see ReadingLoader), in Chinese.
_PROBLEMS = [
    ("mapping values are not allowed", "此处不能出现“: ”（冒号加空格会被当作新的键）"),
    ("could not find expected ':'", "这一行缺少键和值之间的“: ”（半角冒号加空格）"),
    ("sequence entries are not allowed", "此处不能出现列表项“- ”"),
    ("mapping keys are not allowed", "此处不能出现“? ”"),
    ("cannot start any token", "这个字符不能作为值的开头；以 @ ` % 等符号开头的值请加引号"),
    ("expected a comment or a line break", "“>”或“|”开头的值会被当作多行文本标记"),
    ("expected chomping or indentation indicators", "“>”或“|”开头的值会被当作多行文本标记"),
    ("but found another document", "文件里有第二个文档（“---”之后的内容）；一个文件只放一张申报表"),
    ("found unexpected document separator", "文件里有“---”或“...”分隔符；一个文件只放一张申报表"),
    ("found unexpected end of stream", "引号没有闭合，文件提前结束"),
    ("found unknown escape character", "双引号里的反斜杠“\\”会被当作转义符；写路径等文字请用单引号，或把“\\”写成“\\\\”"),
    ("expected escape sequence", "双引号里的反斜杠“\\”会被当作转义符；写路径等文字请用单引号，或把“\\”写成“\\\\”"),
    ("expected ',' or '}'", "花括号 { } 没有正确闭合"),
    ("expected ',' or ']'", "方括号 [ ] 没有正确闭合"),
    ("while parsing a flow", "括号没有正确闭合"),
    ("found unexpected ':'", "此处不能出现冒号"),
    ("while scanning a quoted scalar", "引号没有正确闭合"),
    ("expected the node content", "此处缺少内容"),
    ("could not determine a constructor", "不支持 YAML 标签（以“!”开头的类型标记），请去掉它"),
    ("不支持把映射或列表当作键", "不支持把映射或列表当作键（“? ”开头的复杂键）"),
]
# "expected <block end>, but found X": what was found says what is wrong.
_BLOCK_END = [
    ("'-'", "此处不能出现列表项“- ”"),
    ("'<block sequence start>'", "此处不能出现列表项“- ”"),
    ("']'", "多余的“]”"),
    ("'}'", "多余的“}”"),
    ("'<scalar>'", "这一行的内容放错了地方：引号外多了文字，或缩进不一致"),
]


def _translate(error: MarkedYAMLError) -> str:
    english = " ".join(str(part) for part in (error.context, error.problem) if part)
    if "expected <block end>" in english:
        found = next((chinese for token, chinese in _BLOCK_END if f"but found {token}" in english), None)
        return found or "缩进不一致：同一层的键必须对齐"
    for needle, chinese in _PROBLEMS:
        if needle in english:
            return chinese
    return f"YAML 语法错误（解析器原文：{(error.problem or error.context or '').strip()}）"


# Where the mistake is, rather than where the parser gave up: the start of the key that lacks
# its colon, the quote that was never closed.
_AT_CONTEXT = ("could not find expected ':'", "while scanning a quoted scalar")


def syntax_finding(name: str, text: str, error: YAMLError) -> Finding:
    if isinstance(error, ReaderError):
        line, col = line_col_of_offset(text, error.position)
        return _finding(
            name, line, col, "text.control-char",
            f"文件中有不可打印的控制字符 U+{ord(error.character) if isinstance(error.character, str) else error.character:04X}，请删除",
        )
    if isinstance(error, _AnchorRejected):
        mark = error.problem_mark
        return _finding(name, mark.line + 1, mark.column + 1, "yaml.alias", error.problem)
    if isinstance(error, _TooDeep):
        mark = error.problem_mark
        return _finding(name, mark.line + 1, mark.column + 1, "yaml.syntax", error.problem)
    english = " ".join(str(part) for part in (error.context, error.problem) if part)
    mark = error.problem_mark or error.context_mark
    if error.context_mark and any(needle in english for needle in _AT_CONTEXT):
        mark = error.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message = _translate(error)
    hint = syntax_hint(text, line)
    if hint:
        line, col, tip = hint
        message += f"。提示：{tip}"
    return _finding(name, line, col, "yaml.syntax", message)


def dump(data: Any, yaml: YAML | None, stream: Any) -> None:
    (yaml or round_trip_yaml()).dump(data, stream)


def load_plain(text: str) -> Any:
    """jixiao's own data files, with ordinary YAML types."""
    return YAML(typ="safe", pure=not has_libyaml()).load(text)
