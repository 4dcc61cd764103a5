"""Fingerprints for freshness: of jixiao's own code and data, of a file's bytes, of an output's stat; where caches live."""

from __future__ import annotations

import hashlib
import os
import stat
from functools import cache
from pathlib import Path

import platformdirs

from .. import __version__
from . import resources

_PACKAGE = Path(__file__).resolve().parent.parent


@cache
def fingerprint() -> str:
    """Changes whenever anything that decides a finding changes: code, forms, schema, version."""
    digest = hashlib.sha256(__version__.encode())
    sources = sorted(_PACKAGE.rglob("*.py")) + sorted(resources.templates_dir().glob("*/form.yaml")) + [resources.schema_path()]
    for path in sources:
        digest.update(path.as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def content_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def file_digest(path: Path | str) -> str | None:
    """The content digest of a file the build wrote (None when it is missing or not a regular file): an
    output changed or deleted by hand is made again, whatever its size and modification time say."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # before opening: a pipe would block the open
            return None
        with open(path, "rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError:
        return None


def cache_dir() -> Path:
    """JIXIAO_CACHE_DIR, else the platform's cache folder: $XDG_CACHE_HOME/jixiao or ~/.cache/jixiao on Linux,
    ~/Library/Caches/jixiao on macOS, %LOCALAPPDATA%\\jixiao\\Cache on Windows."""
    override = os.environ.get("JIXIAO_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir("jixiao", appauthor=False))

