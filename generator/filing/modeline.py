"""The schema modeline that heads every filing, so editors find schema.json."""

from __future__ import annotations

import os
from pathlib import Path

from ..common import resources

MODELINE_PREFIX = "# yaml-language-server: $schema="


def modeline_for(path: Path) -> str:
    """The modeline pointing at the nearest schema.json above the file (or jixiao's own)."""
    for folder in path.resolve().parents:
        if (folder / "schema.json").is_file():
            schema = folder / "schema.json"
            break
    else:
        schema = resources.schema_path()
    return MODELINE_PREFIX + Path(os.path.relpath(schema, path.resolve().parent)).as_posix()


def with_modeline_first(text: str, modeline: str) -> str:
    """The schema modeline as the first line: moved up from the leading comments, or added."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if not line.startswith("#"):
            break
        if line.startswith(MODELINE_PREFIX):
            return "".join([line, *lines[:index], *lines[index + 1:]])
    return modeline + "\n" + text
