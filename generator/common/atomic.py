"""Atomic writes: a file is either its old complete self or its new complete self."""

from __future__ import annotations

import filecmp
import os
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import BinaryIO, TypeVar

Result = TypeVar("Result")


@cache
def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_bytes_atomic(target: Path, data: bytes, *, durable: bool = True) -> None:
    """Write via a temporary file and a rename. `durable` also flushes to disk first, so that the
    new content survives a power cut; outputs that can be rebuilt skip that cost."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # A short temporary name: the target's own name may already be near the 255-byte limit.
    handle, temporary = tempfile.mkstemp(prefix=".jixiao-", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(handle, _default_mode())  # mkstemp makes 0600; outputs are ordinary files
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text_atomic(target: Path, text: str, *, durable: bool = True) -> None:
    write_bytes_atomic(target, text.encode("utf-8"), durable=durable)


def write_stream_atomic(target: Path, write: Callable[[BinaryIO], Result]) -> tuple[Result, bool]:
    """Let `write` stream a large file into a temporary file beside `target`, then rename it into place
    unless `target` already holds the same bytes. Returns what `write` returned, and whether `target` changed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".jixiao-", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(handle, _default_mode())
        stream = os.fdopen(handle, "wb")
        # Closed only when `write` is done: interrupted (Ctrl-C), a writer may still hold it (a zip file
        # writes its directory when it is collected), and must not find it closed under it.
        result = write(stream)
        stream.close()
        if target.is_file() and filecmp.cmp(temporary, target, shallow=False):
            os.unlink(temporary)
            return result, False
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return result, True
