"""Find the filing files named on the command line."""

from __future__ import annotations

from pathlib import Path

SUFFIXES = (".yaml", ".yml")


class PathNotFound(Exception):
    def __init__(self, path: Path):
        super().__init__(str(path))
        self.path = path


def filing_paths(paths: list[Path]) -> list[Path]:
    """Files to check: a named file as is, a folder's *.yaml/*.yml recursively (hidden ones skipped).

    A folder named like a filing is kept, so that the checker can say what it is.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p for p in sorted(path.rglob("*"))
                if p.suffix in SUFFIXES and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise PathNotFound(path)
    return list(dict.fromkeys(found))
