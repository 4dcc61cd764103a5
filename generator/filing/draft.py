"""Drafts: a filing that `jixiao new` wrote and nobody has finished yet.

The marker is a comment line in the filing's leading comment block (the lines above the first line that
is neither blank nor a comment): `#`, `jixiao:`, `草稿`, spaces between them optional, anything after.
While it is there, the review rules marked draft-tolerant (blanks still to be filled in) report warnings;
deleting the line makes the filing an ordinary one. See README (“jixiao new”).
"""

from __future__ import annotations

import re

MARKER = "# jixiao: 草稿"
MARKER_LINE = MARKER + "（填写完成后删除这一行；删除之前，未填写的必填项只报告为警告）"
_MARKER = re.compile(r"#\s*jixiao:\s*草稿")


def draft_line(text: str) -> int | None:
    """The line number (1-based) of the draft marker, or None for a filing that is not a draft."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip("\ufeff").strip()
        if stripped and not stripped.startswith("#"):
            return None
        if _MARKER.match(stripped):
            return number
    return None
