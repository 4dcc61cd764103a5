"""All YAML I/O of jixiao: strict, lossless loading of a filing into a located tree.

Every scalar is loaded as the exact text typed (no YAML 1.1/1.2 numbers, booleans, dates or
nulls); keys and values keep their line and column through ruamel.yaml's round-trip containers.
Anything that could lose data or blow up is rejected with a finding instead of a traceback:
non-UTF-8 bytes, tab indentation, duplicate keys, anchors and aliases, oversized files.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .findings import Finding, Severity
from .yaml_hints import line_col_of_offset, yaml_lines

MAX_BYTES = 1_000_000


class YamlRejected(Exception):
    """The file cannot be loaded; `findings` say where and why."""

    def __init__(self, findings: list[Finding]):
        super().__init__(findings)
        self.findings = findings


@dataclass(frozen=True)
class Document:
    name: str
    text: str
    data: Any  # CommentedMap / CommentedSeq / str tree


def make_reading_yaml():
    """The loader for checking (see yaml_parsers.ReadingLoader)."""
    from .yaml_parsers import ReadingLoader

    return ReadingLoader()


def make_yaml():
    """The one YAML configuration used to read and write filings in the round trip (comments kept)."""
    from .yaml_parsers import round_trip_yaml

    return round_trip_yaml()


def _finding(name: str, line: int, col: int, rule: str, message: str) -> Finding:
    return Finding(name, line, col, Severity.ERROR, rule, message)


def _position_of_byte(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset].decode("utf-8", errors="replace")
    return line_col_of_offset(before, len(before))


def decode(name: str, raw: bytes) -> str:
    """UTF-8 text of a filing (a UTF-8 BOM is accepted and dropped)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise YamlRejected([_finding(
            name, 1, 1, "file.encoding",
            "文件是 UTF-16 编码；请用 UTF-8 重新保存（VS Code：右下角编码 → 通过编码保存 → UTF-8）",
        )])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, col = _position_of_byte(raw, error.start)
        message = f"文件不是 UTF-8 编码（第一个无法识别的字节是 0x{raw[error.start]:02X}）"
        try:
            raw.decode("gb18030")
            message += "；看起来是 GBK/GB18030 编码（Windows 记事本或 WPS 的“ANSI”），请用 UTF-8 重新保存（VS Code：右下角编码 → 通过编码保存 → UTF-8）"
        except UnicodeDecodeError:
            message += "；请用 UTF-8 重新保存"
        raise YamlRejected([_finding(name, line, col, "file.encoding", message)]) from None


_INDENT = re.compile(r"^[ \t\u3000]*")
# Characters YAML reads as line breaks: inside text they would turn into spaces or break the line.
_SPECIAL_BREAKS = re.compile("[\x85\u2028\u2029]")


def _text_findings(name: str, text: str) -> list[Finding]:
    """Before parsing: what YAML would read differently from what the clerk sees."""
    findings = []
    for special in _SPECIAL_BREAKS.finditer(text):
        line, col = line_col_of_offset(text, special.start())
        findings.append(_finding(
            name, line, col, "text.control-char",
            f"文件中有特殊换行符 U+{ord(special.group()):04X}（多半是从别处复制来的）；YAML 会把它当作换行，文字会被改变，请删除",
        ))
    for number, line in enumerate(yaml_lines(text), start=1):
        if not line.strip(" \t\u3000"):
            continue  # a blank line's whitespace means nothing
        indent = _INDENT.match(line).group()
        if "\t" in indent:
            findings.append(_finding(
                name, number, indent.index("\t") + 1, "yaml.tab",
                "缩进中有制表符（Tab）；YAML 只能用空格缩进，请把 Tab 换成空格",
            ))
        elif "\u3000" in indent:
            findings.append(_finding(
                name, number, indent.index("\u3000") + 1, "yaml.fullwidth-space",
                "缩进中有全角空格“　”；YAML 只能用半角空格缩进",
            ))
    return findings


def load_document(name: str, raw: bytes, yaml=None) -> Document:
    """Load one filing's bytes; raise YamlRejected with findings when it cannot be trusted.

    `yaml` is the loader: make_reading_yaml() (default, for checking) or make_yaml() (round trip).
    """
    from ruamel.yaml.error import YAMLError

    from .yaml_parsers import ReadingLoader, load_with, syntax_finding

    if len(raw) > MAX_BYTES:
        raise YamlRejected([_finding(
            name, 1, 1, "file.too-large",
            f"文件过大（{len(raw):,} 字节，上限 {MAX_BYTES:,} 字节）；一个申报表的 YAML 不会这么大，请检查是否放错了文件",
        )])
    text = decode(name, raw)
    problems = _text_findings(name, text)
    if problems:
        raise YamlRejected(problems)
    loader = yaml or ReadingLoader()
    try:
        data, duplicates = loader.load(text) if isinstance(loader, ReadingLoader) else load_with(loader, text)
    except YAMLError as error:
        raise YamlRejected([syntax_finding(name, text, error)]) from None
    except RecursionError:
        raise YamlRejected([_finding(name, 1, 1, "yaml.syntax", "嵌套层级过深，无法读取")]) from None
    if duplicates:
        raise YamlRejected([
            _finding(
                name, d.second.line + 1, d.second.column + 1, "yaml.duplicate-key",
                f"键“{d.key}”重复：第 {d.first.line + 1} 行已经有同名的键；同一层不能有两个相同的键，请合并或改名",
            )
            for d in duplicates
        ])
    return Document(name, text, data)


def key_position(container: Any, key: Any) -> tuple[int, int]:
    """1-based line and column of a key in a loaded mapping (or of an item in a sequence)."""
    if isinstance(container, dict):  # the loaders build ruamel's located mappings and sequences
        line, col = container.lc.key(key)
    elif isinstance(container, list):
        line, col = container.lc.item(key)
    else:
        line, col = container.lc.line, container.lc.col
    return line + 1, col + 1


def value_position(container: Any, key: Any) -> tuple[int, int]:
    """1-based line and column of the value stored under `key` (falls back to the key).

    Positions are those of the reading loader (`make_reading_yaml`), which places a blank value at its key.
    """
    if isinstance(container, dict):
        line, col = container.lc.value(key)
        return line + 1, col + 1
    return key_position(container, key)


def locate(root: Any, path: list | tuple, *, at_key: bool = False) -> tuple[int, int]:
    """1-based position of the node at `path` inside a loaded tree."""
    node, parent, last = root, None, None
    for part in path:
        if not isinstance(node, (dict, list)):
            break
        parent, last, node = node, part, node[part]
    if parent is None:
        if isinstance(root, (dict, list)):
            return root.lc.line + 1, root.lc.col + 1
        return 1, 1
    return key_position(parent, last) if at_key else value_position(parent, last)


def dump_text(data: Any, yaml=None) -> str:
    """A loaded tree back to text, in the canonical style of `make_yaml`."""
    from .yaml_parsers import dump

    stream = io.StringIO()
    dump(data, yaml, stream)
    return stream.getvalue()


def plain_data(node: Any) -> Any:
    """The tree as plain dicts, lists and str (what a value comparison should look at)."""
    if isinstance(node, dict):
        return {str(key): plain_data(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain_data(item) for item in node]
    return None if node is None else str(node)


def load_trusted(path: Path) -> Any:
    """Load jixiao's own data files (form definitions) with ordinary YAML types."""
    from .yaml_parsers import load_plain

    return load_plain(path.read_text(encoding="utf-8"))
