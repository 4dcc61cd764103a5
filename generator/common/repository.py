"""The filings repository a path belongs to: where its schema.json is (or `jixiao init` puts it).

The root is the nearest folder, from the given one upward, that holds a projects/ folder, a .git (folder
or, in a worktree, file) or a pyproject.toml with a [tool.jixiao] table. In this source checkout that is
the checkout itself, whose schema.json is also jixiao's own.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

SCHEMA_NAME = "schema.json"


def filings_root(start: Path) -> Path | None:
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "projects").is_dir() or (folder / ".git").exists() or has_jixiao_table(folder / "pyproject.toml"):
            return folder
    return None


def has_jixiao_table(pyproject: Path) -> bool:
    """Whether a pyproject.toml has [tool.jixiao]; one that cannot be read does not count (check says why)."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    tool = data.get("tool")
    return isinstance(tool, dict) and "jixiao" in tool


def schema_location(path: Path) -> Path:
    """The schema.json for a filing at `path` (which need not exist yet): its repository's, or, outside any
    repository, the one in the current folder (the file is below it) or beside the file."""
    folder = path.resolve().parent
    root = filings_root(folder)
    if root is None:
        cwd = Path.cwd().resolve()
        root = cwd if folder.is_relative_to(cwd) else folder
    return root / SCHEMA_NAME
