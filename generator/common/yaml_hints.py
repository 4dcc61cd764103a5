"""Hints for the YAML mistakes clerks make most often, found by looking at the source lines."""

from __future__ import annotations

import re

# Line breaks as editors count them. (YAML also breaks lines at U+0085, U+2028 and U+2029; a file with
# one of those is refused before parsing, so the parser's line numbers and ours never differ.)
_LINE_BREAK = re.compile("\r\n|[\r\n]")


def yaml_lines(text: str) -> list[str]:
    lines = _LINE_BREAK.split(text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def line_col_of_offset(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset, counting line breaks as YAML does."""
    breaks = list(_LINE_BREAK.finditer(text, 0, offset))
    line_start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, offset - line_start + 1


_KEY_VALUE = re.compile(r"^(?P<indent>\s*)(?P<key>[^#\s][^#]*?):(?P<space>\s+)(?P<value>.*)$")


def _fullwidth_colon(line: str) -> int | None:
    if "：" in line and not _KEY_VALUE.match(line) and not line.lstrip().startswith("#"):
        return line.index("：")
    return None


def _value_starting_with_gt(line: str) -> int | None:
    match = _KEY_VALUE.match(line)
    if match and re.match(r">\s*[=\d.]|>=|>\S", match["value"]) and not re.fullmatch(r">[-+]?\d?\s*(#.*)?", match["value"]):
        return match.start("value")
    return None


def _colon_inside_value(line: str) -> int | None:
    match = _KEY_VALUE.match(line)
    if match and not match["value"].startswith(("'", '"')):
        position = match["value"].find(": ")
        if position >= 0:
            return match.start("value") + position
    return None


_WHOLE_QUOTED = {
    '"': re.compile(r'^"(?:[^"\\]|\\.)*"\s*(?:#.*)?$'),
    "'": re.compile(r"^'(?:[^']|'')*'\s*(?:#.*)?$"),
}


def _unbalanced_quote(line: str) -> int | None:
    """A value that opens a quote but is not one whole quoted text ("政务服务"热线, or no closing quote)."""
    match = _KEY_VALUE.match(line)
    if match and match["value"][:1] in _WHOLE_QUOTED and not _WHOLE_QUOTED[match["value"][0]].match(match["value"]):
        return match.start("value")
    return None


def _unclosed_flow(line: str) -> int | None:
    match = _KEY_VALUE.match(line)
    if match and match["value"][:1] in ("[", "{"):
        value = match["value"].rstrip()
        opened, closed = ("[", "]") if value[0] == "[" else ("{", "}")
        if value.count(opened) > value.count(closed):
            return match.start("value")
    return None


_CHECKS = [
    (_fullwidth_colon, "这一行用了全角冒号“：”；键和值之间要用半角冒号加空格“: ”，例如“项目名称: 市政府办公室工作经费”"),
    (_value_starting_with_gt, "值以“>”开头，YAML 会把它当作多行文本标记；请写成“≥”，或给整个值加引号，例如 \"≥95%\""),
    (_colon_inside_value, "值中含有“: ”（冒号加空格），YAML 会把它当作新的键；请给整个值加上双引号"),
    (_unbalanced_quote, "这一行的引号没有成对：引号要把整个值括起来，例如 \"政务服务热线运行经费\""),
    (_unclosed_flow, "这一行的方括号或花括号没有闭合；文字以“[”“{”开头时请给整个值加引号"),
]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _over_indented(lines: list[str], number: int) -> int | None:
    """The line is indented more than the key above it, which is not waiting for a nested block."""
    line = lines[number - 1]
    previous = next((lines[i] for i in range(number - 2, -1, -1) if lines[i].strip() and not lines[i].lstrip().startswith("#")), None)
    if previous is None or not _KEY_VALUE.match(line) or previous.rstrip().endswith(":"):
        return None
    return 0 if _indent(line) > _indent(previous) else None


def syntax_hint(text: str, error_line: int, lookback: int = 3) -> tuple[int, int, str] | None:
    """(line, col, tip) of the likely cause of a syntax error reported at `error_line`."""
    lines = yaml_lines(text)
    for number in range(min(error_line, len(lines)), max(error_line - lookback, 0), -1):
        line = lines[number - 1]
        for check, tip in _CHECKS:
            column = check(line)
            if column is not None:
                return number, column + 1, tip
    if 0 < error_line <= len(lines) and _over_indented(lines, error_line) is not None:
        return error_line, 1, "这一行比上一行多缩进了；同一层的键要对齐"
    return None


def fullwidth_colon_tip(value: str) -> str:
    """A tip for text that should have been a mapping but holds a full-width colon."""
    if "：" in value:
        return "。提示：这里用了全角冒号“：”；键和值之间要用半角冒号加空格“: ”"
    return ""
