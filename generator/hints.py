"""Hints for the YAML mistakes clerks make most often, found by looking at the source lines."""

from __future__ import annotations

import re

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


_CHECKS = [
    (_fullwidth_colon, "这一行用了全角冒号“：”；键和值之间要用半角冒号加空格“: ”，例如“项目名称: 市政府办公室工作经费”"),
    (_value_starting_with_gt, "值以“>”开头，YAML 会把它当作多行文本标记；请写成“≥”，或给整个值加引号，例如 \"≥95%\""),
    (_colon_inside_value, "值中含有“: ”（冒号加空格），YAML 会把它当作新的键；请给整个值加上双引号"),
]


def syntax_hint(text: str, error_line: int, lookback: int = 3) -> tuple[int, int, str] | None:
    """(line, col, tip) of the likely cause of a syntax error reported at `error_line`."""
    lines = text.splitlines()
    for number in range(min(error_line, len(lines)), max(error_line - lookback, 0), -1):
        line = lines[number - 1]
        for check, tip in _CHECKS:
            column = check(line)
            if column is not None:
                return number, column + 1, tip
    return None


def fullwidth_colon_tip(value: str) -> str:
    """A tip for text that should have been a mapping but holds a full-width colon."""
    if "：" in value:
        return "。提示：这里用了全角冒号“：”；键和值之间要用半角冒号加空格“: ”"
    return ""
