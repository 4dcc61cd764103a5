"""Where jixiao's own data lives: form definitions under templates/, and schema.json.

In a source checkout they sit at the repository root; an installed wheel carries a copy
inside the package (see pyproject.toml), so the same code finds them in both cases.
`JIXIAO_TEMPLATES_DIR` points at another templates folder (an edited copy of templates/, to try a
template change without touching the installed one); its forms must match schema.json.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent
_CANDIDATES = (_PACKAGE.parent, _PACKAGE / "_data")


def _root() -> Path:
    for candidate in _CANDIDATES:
        if (candidate / "templates").is_dir() and (candidate / "schema.json").is_file():
            return candidate
    raise FileNotFoundError("templates/ and schema.json not found beside the generator package")


def templates_dir() -> Path:
    override = os.environ.get("JIXIAO_TEMPLATES_DIR")
    return Path(override) if override else _root() / "templates"


def schema_path() -> Path:
    return _root() / "schema.json"
