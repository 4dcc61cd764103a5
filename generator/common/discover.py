"""Find the filing files named on the command line."""

from __future__ import annotations

import os
from pathlib import Path

SUFFIXES = (".yaml", ".yml")


def _walk(folder: str) -> list[str]:
    """Filing-named entries under `folder`, hidden folders and files skipped (plain strings: thousands of files)."""
    names = []
    for root, folders, files in os.walk(folder):
        folders[:] = [f for f in folders if not f.startswith(".")]
        for entry in (*files, *folders):
            if entry.endswith(SUFFIXES) and not entry.startswith("."):
                names.append(os.path.join(root, entry))
    return names


class PathNotFound(Exception):
    def __init__(self, path: Path):
        super().__init__(str(path))
        self.path = path


def filing_names(paths: list[Path]) -> list[str]:
    """filing_paths as plain strings (each as str() of its Path): a build of 20,000 filings holds them
    while it runs (and its worker processes start with a copy), and a Path takes three times the memory
    of its string and time to make."""
    found: list[str] = []
    for path in paths:
        if path.is_dir() and not path.name.endswith(SUFFIXES):
            root = str(path)
            names = sorted(_walk(root))
            # Joined to a root that str(Path) has already normalised: only "." leaves a "./" to drop.
            found.extend([name[2:] for name in names] if root == "." else names)
        elif path.exists() or path.is_symlink():
            found.append(str(path))
        else:
            raise PathNotFound(path)
    return list(dict.fromkeys(found))


def filing_paths(paths: list[Path]) -> list[Path]:
    """Files to check: a named file as is, a folder's *.yaml/*.yml recursively (hidden ones skipped).

    A folder named like a filing is kept, so that the checker can say what it is.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir() and not path.name.endswith(SUFFIXES):  # a folder named like a filing is reported as one
            found.extend(Path(name) for name in sorted(_walk(str(path))))
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise PathNotFound(path)
    return list(dict.fromkeys(found))


def escapes_through_link(path: Path, inside: Path) -> bool:
    """Whether `path` leads out of `inside` through a symbolic link: the file's own link, or a folder's
    on the way (a path not yet created is judged by the folders that exist). A plain path to a place
    elsewhere is the user's own choice, not a link planted in a repository."""
    real = path.resolve()
    return real != Path(os.path.normpath(path.absolute())) and not real.is_relative_to(inside.resolve())
