"""File names made from user text (项目名称, file stems): safe on every system, inside their folder."""

from __future__ import annotations

import re
import unicodedata

MAX_STEM_BYTES = 200  # file names are limited to 255 bytes; leave room for the extension
_UNSAFE_CHARACTERS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
# Characters a path may hold that cannot be printed in a `file:line:col:` line or stored as UTF-8:
# control characters, and the lone surrogates Python uses for bytes that are not UTF-8.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def safe_stem(stem: str) -> str:
    """A file name that is safe on every system and cannot leave its folder."""
    safe = _UNSAFE_CHARACTERS.sub("_", stem).strip(" .") or "_"
    if safe.split(".")[0].upper() in _WINDOWS_RESERVED:
        safe = "_" + safe
    while len(safe.encode("utf-8")) > MAX_STEM_BYTES:
        safe = safe[:-1]
    return safe


def clash_key(relative: str) -> str:
    """Output names that one file system or another treats as the same file (case-insensitive macOS and
    Windows, NFC/NFD on macOS, full- and half-width forms typed by different input methods) share a key."""
    return unicodedata.normalize("NFKC", relative).casefold()


def printable_path(path: str) -> str:
    """A path as it can be printed and stored: undecodable bytes as \\xNN, control characters as \\uNNNN."""
    if not _UNPRINTABLE.search(path):
        return path
    return _UNPRINTABLE.sub(_escape, path)


def _escape(match: re.Match) -> str:
    character = match.group()
    if "\udc80" <= character <= "\udcff":  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{ord(character) - 0xDC00:02X}"
    return f"\\u{ord(character):04X}"


def name_problem(path: str) -> str | None:
    """Why a file's name cannot be used (its bytes are not UTF-8, or it holds a control character), or None."""
    found = _UNPRINTABLE.search(path)
    if found is None:
        return None
    if "\udc80" <= found.group() <= "\udcff":
        part = next(part for part in re.split(r"[/\\]", path) if _UNPRINTABLE.search(part))
        try:
            guess = f"（按 GBK 读是“{part.encode('utf-8', 'surrogateescape').decode('gb18030')}”）"
        except UnicodeDecodeError:
            guess = ""
        return f"文件名不是 UTF-8 编码{guess}，在别的电脑和 git 里会变成乱码；请给文件改名，没有读取这个文件"
    return f"文件名里有控制字符 U+{ord(found.group()):04X}，无法打印也无法在 Windows 上保存；请给文件改名，没有读取这个文件"
