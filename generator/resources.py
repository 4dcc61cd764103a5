"""Where jixiao's own data lives: form definitions under templates/, and schema.json.

In a source checkout they sit at the repository root; an installed wheel carries a copy
inside the package (see pyproject.toml), so the same code finds them in both cases.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CANDIDATES = (_PACKAGE.parent, _PACKAGE / "_data")


def _root() -> Path:
    for candidate in _CANDIDATES:
        if (candidate / "templates").is_dir() and (candidate / "schema.json").is_file():
            return candidate
    raise FileNotFoundError("templates/ and schema.json not found beside the generator package")


def templates_dir() -> Path:
    return _root() / "templates"


def schema_path() -> Path:
    return _root() / "schema.json"
