"""Find the filing files named on the command line, and the other filings of their repository."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

SUFFIXES = (".yaml", ".yml")
PROJECTS = "projects"  # the folder of a filings repository that holds the filings, by year


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


def escapes_through_link(path: Path | str, inside: Path | str) -> bool:
    """Whether `path` leads out of `inside` through a symbolic link: the file's own link, or a folder's
    on the way (a path not yet created is judged by the folders that exist). A plain path to a place
    elsewhere is the user's own choice, not a link planted in a repository. RuntimeError on a link loop.
    Plain os.path strings: a build asks this of every filing."""
    absolute = os.path.abspath(path)
    real = os.fspath(Path(absolute).resolve())
    if real == absolute:
        return False
    folder = _real_folder(os.path.abspath(inside))
    return not (real == folder or real.startswith(folder.rstrip(os.sep) + os.sep))


@lru_cache(maxsize=16)
def _real_folder(absolute: str) -> str:
    return os.fspath(Path(absolute).resolve())


def repository_root(here: Path | None = None) -> Path | None:
    """The filings repository the current folder belongs to: the current folder when it holds a projects/
    folder, else the top of the git work tree it is in (the folder with `.git`) when that one does.
    Never any folder above the work tree: a home folder may well hold a projects/ folder of another kind."""
    here = here or Path.cwd()
    if (here / PROJECTS).is_dir():
        return here
    top = next((folder for folder in (here, *here.parents) if (folder / ".git").exists()), None)
    return top if top is not None and (top / PROJECTS).is_dir() else None


def other_filings(paths: list[Path]) -> list[Path]:
    """Every filing under the repository's projects/ folder (see repository_root) that is not one of `paths`,
    when one of `paths` is in that folder: what the rules across files compare the given files with (a
    commit hook is given only the staged files). Named as `jixiao check` run here names them, so that
    the check cache knows them."""
    root = repository_root()
    if root is None:
        return []
    inside = os.path.join(root, PROJECTS) + os.sep
    if not any(os.path.abspath(path).startswith(inside) for path in paths):
        return []
    folder = os.path.relpath(inside)
    names = sorted(_walk(folder))
    if folder.startswith(os.pardir):  # run from inside projects/: 2024/x.yaml rather than ../2024/x.yaml
        names = [os.path.relpath(name) for name in names]
    named = {os.fspath(path) for path in paths}
    names = [name for name in names if name not in named]  # all of them for `jixiao check`: no need to resolve
    given = {os.path.abspath(path) for path in paths} if names else set()
    return [Path(name) for name in names if os.path.abspath(name) not in given]
