"""The schema modeline that heads every filing, so editors find the repository's schema.json."""

from __future__ import annotations

import os
from pathlib import Path

from ..common.repository import schema_location

MODELINE_PREFIX = "# yaml-language-server: $schema="


def modeline_for(path: Path) -> str:
    """The modeline pointing, relative to the file, at its repository's schema.json: a path that stays
    right in every clone (never a path of this machine, such as the installed package's copy). The
    schema need not exist yet: `jixiao init` or `jixiao schema` puts it there."""
    return modeline_to(schema_location(path), path)


def modeline_to(schema: Path, path: Path) -> str:
    return MODELINE_PREFIX + Path(os.path.relpath(schema.resolve(), path.resolve().parent)).as_posix()


def with_modeline_first(text: str, modeline: str) -> str:
    """The schema modeline as the first line: moved up from the leading comments, or added."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if not line.startswith("#"):
            break
        if line.startswith(MODELINE_PREFIX):
            return "".join([line, *lines[:index], *lines[index + 1:]])
    return modeline + "\n" + text
