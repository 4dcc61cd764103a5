"""The zip package of a .docx (or an .xlsx: `kind` names it in messages), opened with limits, so that
a hostile file is refused before it can inflate: a 1 MB zip can hold gigabytes.

The zip's directory is measured from its end record before zipfile lists it (each listed entry costs
about a kilobyte). Only the parts the importer needs are read — the package relationships and the
main document — and each is checked against a limit on its declared size and again while it is
inflated, in chunks. XML is parsed without a DTD: no entities, no network, no huge-tree mode.
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

MAX_ENTRIES = 10_000  # a Word file has a few dozen parts, a few hundred with many pictures
MAX_DIRECTORY_BYTES = 1 << 20
MAX_RELATIONSHIPS_BYTES = 1 << 20
MAX_DOCUMENT_BYTES = 32 << 20  # about a hundred filled-in forms as Word writes them
CHUNK_BYTES = 1 << 16

_END = b"PK\x05\x06"  # end of central directory record (22 bytes, then a comment of up to 64 KiB)
_END_SIZE = 22
_ZIP64_LOCATOR = b"PK\x06\x07"  # 20 bytes just before the end record of a zip64 file
_ZIP64_END = b"PK\x06\x06"  # 56 bytes just before the locator
_ZIP64_BEFORE = 56 + 20
_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
KINDS = {"Word": "Word（.docx）", "Excel": "Excel（.xlsx）"}


class UnreadableDocument(Exception):
    """The file is not a Word document we can read; the message is for the user."""


class DtdRefused(Exception):
    """Raised from a parser target that meets a <!DOCTYPE>."""


def check_directory(path: Path, kind: str = "Word") -> None:
    """Refuse a zip whose directory is too big to list, reading only its end records (as zipfile finds them)."""
    with path.open("rb") as stream:
        size = stream.seek(0, 2)
        searched = min(size, _END_SIZE + 0xFFFF)
        before = min(size - searched, _ZIP64_BEFORE)  # room for the zip64 records before an end record
        stream.seek(size - searched - before)
        tail = stream.read()
    if tail[-_END_SIZE:-_END_SIZE + 4] == _END and tail[-2:] == b"\0\0":
        at = len(tail) - _END_SIZE
    else:
        at = tail.rfind(_END, before)
        if at < 0 or len(tail) - at < _END_SIZE:
            raise UnreadableDocument(f"{path} 不是 {KINDS[kind]} 文件")
    entries, directory = struct.unpack_from("<HI", tail, at + 10)
    zip64 = at - _ZIP64_BEFORE
    if zip64 >= 0 and tail[at - 20: at - 16] == _ZIP64_LOCATOR and tail[zip64: zip64 + 4] == _ZIP64_END:
        entries, directory = struct.unpack_from("<QQ", tail, zip64 + 32)
    if entries > MAX_ENTRIES or directory > MAX_DIRECTORY_BYTES:
        raise UnreadableDocument(
            f"{path} 的 zip 目录有 {entries} 个条目（{directory} 字节），不像是 {kind} 文件（通常只有几十个），没有读取"
        )


def too_big(path: Path, name: str, limit: int) -> UnreadableDocument:
    return UnreadableDocument(
        f"{path} 的 {name} 解压后超过 {limit >> 20} MB，不像是申报表，没有读取（可能是压缩炸弹）；"
        "如果确实是申报表，请拆成几个较小的文档再导入"
    )


def _chunks(archive: zipfile.ZipFile, path: Path, name: str, limit: int, kind: str) -> Iterator[bytes]:
    """The part inflated in chunks; refused when its header or its inflated data exceeds `limit`."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise too_big(path, name, limit)
    inflated = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                inflated += len(chunk)
                if inflated > limit:  # zipfile stops at the declared size; counting holds whatever it does
                    raise too_big(path, name, limit)
                yield chunk
    except (NotImplementedError, RuntimeError):
        raise UnreadableDocument(f"{path} 的 {name} 无法解压（压缩方式不是 {kind} 用的，或者设了密码）") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise UnreadableDocument(f"{path} 已损坏：{name} 解压出的内容与文件记录的不符，没有读取") from None


def parse(archive: zipfile.ZipFile, path: Path, name: str, limit: int, target, kind: str = "Word") -> None:
    """Feed a part to an lxml parser target as it inflates; the target's own exceptions pass through."""
    parser = etree.XMLParser(target=target, resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        for chunk in _chunks(archive, path, name, limit, kind):
            parser.feed(chunk)
        parser.close()
    except DtdRefused:
        raise UnreadableDocument(
            f"{path} 的 {name} 含有 DTD 声明（<!DOCTYPE>）；{kind} 不会写这种内容，为安全起见没有读取"
        ) from None
    except etree.XMLSyntaxError as error:
        raise UnreadableDocument(f"{path} 无法作为 {kind} 文件打开：{name} 不是完整的 XML（{error}）") from None


class _Relationships:
    """Parser target: the targets of the package's officeDocument relationships."""

    def __init__(self):
        self.targets: list[str] = []

    def start(self, tag, attrib):
        if tag == _RELATIONSHIPS and attrib.get("Type", "").endswith("/officeDocument") and attrib.get("TargetMode") != "External":
            self.targets.append(attrib.get("Target", ""))

    def doctype(self, *_):
        raise DtdRefused

    def close(self):
        return None


def _has(archive: zipfile.ZipFile, name: str) -> bool:
    try:
        archive.getinfo(name)
    except KeyError:
        return False
    return True


def main_part(archive: zipfile.ZipFile, path: Path, kind: str = "Word") -> str:
    """The name of the main document part, from the package relationships."""
    if not _has(archive, "_rels/.rels"):
        raise UnreadableDocument(f"{path} 无法作为 {kind} 文件打开：缺少包的关系文件 _rels/.rels")
    relationships = _Relationships()
    parse(archive, path, "_rels/.rels", MAX_RELATIONSHIPS_BYTES, relationships, kind)
    for target in relationships.targets:
        name = posixpath.normpath("/" + target).lstrip("/")
        if _has(archive, name):
            return name
    main = {"Word": "正文（word/document.xml）", "Excel": "工作簿（xl/workbook.xml）"}[kind]
    raise UnreadableDocument(f"{path} 无法作为 {kind} 文件打开：找不到{main}")


_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls, and encrypted Office files


def check_office_file(path: Path, program: str, suffix: str, legacy: str) -> None:
    """UnreadableDocument unless `path` is a file that may be an Office Open XML package: says when it
    is missing, empty, encrypted or in the legacy format (e.g. program "Word", suffix ".docx", legacy ".doc")."""
    if not path.is_file():
        raise UnreadableDocument(f"{path} 不存在或不是文件")
    with path.open("rb") as stream:
        head = stream.read(8)
    if not head:
        raise UnreadableDocument(f"{path} 是空文件")
    if head.startswith(_OLE_SIGNATURE):
        raise UnreadableDocument(f"{path} 是加密的 {program} 文件或旧版 {legacy} 格式；请在 {program} 中取消密码后另存为 {suffix}")
    if not zipfile.is_zipfile(path):
        raise UnreadableDocument(f"{path} 不是 {program}（{suffix}）文件")
