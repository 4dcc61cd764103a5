"""File names made from user text (项目名称, file stems): safe on every system, inside their folder."""

from __future__ import annotations

import re

MAX_STEM_BYTES = 200  # file names are limited to 255 bytes; leave room for the extension
_UNSAFE_CHARACTERS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_stem(stem: str) -> str:
    """A file name that is safe on every system and cannot leave its folder."""
    safe = _UNSAFE_CHARACTERS.sub("_", stem).strip(" .") or "_"
    if safe.split(".")[0].upper() in _WINDOWS_RESERVED:
        safe = "_" + safe
    while len(safe.encode("utf-8")) > MAX_STEM_BYTES:
        safe = safe[:-1]
    return safe
