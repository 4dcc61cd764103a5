"""Atomic writes: a file is either its old complete self or its new complete self.

Only portable calls: the temporary file is created with os.open's mode, which the umask trims as
for any new file (no fchmod, which Windows lacks before Python 3.13), takes the permissions of the file it
replaces (a rewritten filing keeps its mode), and is put in place by os.replace.
"""

from __future__ import annotations

import errno
import filecmp
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, Iterable, TypeVar

Result = TypeVar("Result")

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _temporary(folder: Path) -> tuple[int, str]:
    # A short name: the target's own name may already be near the 255-byte limit.
    while True:
        name = os.path.join(folder, f".jixiao-{os.urandom(6).hex()}.tmp")
        try:
            return os.open(name, _FLAGS, 0o666), name
        except FileExistsError:
            continue


def _replace(temporary: str, target: Path) -> None:
    try:
        os.chmod(temporary, stat.S_IMODE(os.stat(target).st_mode))
    except FileNotFoundError:
        pass  # a new file: the umask decides, as for any other
    os.replace(temporary, target)


def write_bytes_atomic(target: Path, data: bytes, *, durable: bool = True) -> None:
    """Write via a temporary file and a rename. `durable` also flushes to disk first, so that the
    new content survives a power cut; outputs that can be rebuilt skip that cost."""
    write_chunks_atomic(target, [data], durable=durable)


def write_chunks_atomic(target: Path, chunks: Iterable[bytes], *, durable: bool = True) -> None:
    """write_bytes_atomic of the chunks joined, without holding them all in memory at once."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = _temporary(target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            for chunk in chunks:
                stream.write(chunk)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        _replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text_atomic(target: Path, text: str, *, durable: bool = True) -> None:
    write_bytes_atomic(target, text.encode("utf-8"), durable=durable)


def write_stream_atomic(target: Path, write: Callable[[BinaryIO], Result]) -> tuple[Result, bool]:
    """Let `write` stream a large file into a temporary file beside `target`, then rename it into place
    unless `target` already holds the same bytes. Returns what `write` returned, and whether `target` changed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = _temporary(target.parent)
    try:
        stream = os.fdopen(handle, "wb")
        # Closed only when `write` is done: interrupted (Ctrl-C), a writer may still hold it (a zip file
        # writes its directory when it is collected), and must not find it closed under it.
        result = write(stream)
        stream.close()
        if target.is_file() and filecmp.cmp(temporary, target, shallow=False):
            os.unlink(temporary)
            return result, False
        _replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return result, True


_WRITE_ERRORS = {
    getattr(errno, "EDQUOT", errno.ENOSPC): "超出了磁盘配额",  # EDQUOT is not defined on Windows
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "所在的文件系统是只读的",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.ENOTDIR: "路径中有一段是文件，不是文件夹",
    errno.EEXIST: "路径中有一段是文件，不是文件夹",
    errno.ENAMETOOLONG: "文件名太长",
    errno.EIO: "磁盘读写出错",
}


def write_error(path: Path | str, error: OSError) -> str:
    """A Chinese sentence for a failed write (the errno named, never a traceback)."""
    reason = _WRITE_ERRORS.get(error.errno) or f"{error.strerror or type(error).__name__}"
    return f"无法写入 {path}：{reason}"
