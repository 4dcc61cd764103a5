"""`jixiao import` on hostile .docx files: compression bombs, lying zip headers, XML tricks and nonsense
table properties give a clear Chinese message in bounded memory, never a traceback, and never lose
text silently.

Every bomb is imported in a child process limited to 1 GiB of address space (RLIMIT_AS), which
reports its own peak resident memory; an importer that inflated the bomb would die there with a
MemoryError instead of taking the machine's memory. The documents are made here from a seed filing
built by jixiao, with document.xml rewritten as bytes.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, as_printed, invoke

from generator.cli import run
from generator.common.yamlio import load_document, plain_data

SEED = REPO / "projects" / "2024"
NAME = "督查室工作经费"
GOAL = "本项目通过举办全市督查系统培训班,"
ADDRESS_SPACE = 1 << 30  # the child's hard limit
PEAK_BOUND_MIB = 200  # what an import may use, bomb or not (about 40 MiB for a form)
BOMB_BYTES = 300 << 20  # inflated size of each bomb
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent (pytest) through exec.
CHILD = """
import re, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
from generator.cli import run
code = run(sys.argv[2:])
with open("/proc/self/status") as status:
    print("peak-rss-kib=" + re.search(r"VmHWM:\\s*(\\d+) kB", status.read()).group(1))
sys.exit(code)
"""


# ----------------------------------------------------------------------------------------------
# Helpers


@pytest.fixture(scope="module")
def seed_docx(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seed-build")
    assert run(["build", str(SEED / f"{NAME}.yaml"), "--out", str(out), "--outputs", "docx", "-q"]) == 0
    return out / "2024" / f"{NAME}.docx"


def _data(path: Path) -> dict:
    return plain_data(load_document(path.name, path.read_bytes()).data)


def _expected() -> dict:
    return as_printed(_data(SEED / f"{NAME}.yaml"))


def _rewrite(source: Path, target: Path, parts: dict[str, bytes | None] | None = None, document=None) -> Path:
    """A copy of `source` with parts replaced (None: removed) and word/document.xml passed through `document`."""
    parts = parts or {}
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename in parts:
                data = parts.pop(item.filename)
                if data is None:
                    continue
            if item.filename == "word/document.xml" and document is not None:
                data = document(data)
            copy.writestr(item.filename, data)
        for name, data in parts.items():
            copy.writestr(name, data)
    return target


def _write_bomb(archive: zipfile.ZipFile, name: str, head: bytes, piece: bytes, tail: bytes, size: int = BOMB_BYTES) -> None:
    """A part of about `size` bytes of repeated XML, written in chunks (deflate makes it ~1000 times smaller)."""
    with archive.open(name, "w") as stream:
        stream.write(head)
        chunk = piece * max(1, (1 << 20) // len(piece))
        for _ in range(size // len(chunk)):
            stream.write(chunk)
        stream.write(tail)


def _document_bomb(seed: Path, target: Path) -> Path:
    """A .docx whose document.xml inflates to 300 MB of paragraphs."""
    with zipfile.ZipFile(seed) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for item in original.infolist():
            if item.filename != "word/document.xml":
                bomb.writestr(item.filename, original.read(item.filename))
        _write_bomb(bomb, "word/document.xml", f'<w:document xmlns:w="{W}"><w:body>'.encode(),
                    "<w:p><w:r><w:t>绩效目标</w:t></w:r></w:p>".encode(), b"</w:body></w:document>")
    return target


def _understate(path: Path, name: str, claimed: int) -> None:
    """Make the local and central headers of `name` claim `claimed` bytes uncompressed (the data is unchanged)."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = data.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", data, at + name_at - (4 if signature == b"PK\x03\x04" else 18))[0]
            if data[at + name_at: at + name_at + length] == encoded:
                struct.pack_into("<I", data, at + size_at, claimed)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def _import_limited(cwd: Path, *args) -> tuple[int, str, str, int]:
    """`jixiao import` in a child limited to 1 GiB of address space: exit code, out, err, peak RSS in MiB."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", CHILD, str(ADDRESS_SPACE), "import", *map(str, args)],
                          capture_output=True, text=True, timeout=120, cwd=cwd, env=env)
    peak = re.search(r"peak-rss-kib=(\d+)", done.stdout)
    out = re.sub(r"peak-rss-kib=\d+\n", "", done.stdout)
    return done.returncode, out, done.stderr, int(peak.group(1)) // 1024 if peak else -1


def _import(capsys, *args) -> tuple[int, str, str]:
    return invoke(capsys, "import", *map(str, args))


# ----------------------------------------------------------------------------------------------
# 1. Compression bombs and lying zip headers


def test_a_document_that_inflates_to_hundreds_of_megabytes_is_refused_in_bounded_memory(tmp_path, seed_docx):
    bomb = _document_bomb(seed_docx, tmp_path / "炸弹.docx")
    assert bomb.stat().st_size < 2 << 20
    code, out, err, peak = _import_limited(tmp_path, bomb, "--out", tmp_path / "out")
    assert "Traceback" not in err and "MemoryError" not in err, err[-2000:]
    assert code == 1 and out == ""
    assert err.startswith(f"{bomb}: 错误：") and "word/document.xml" in err and "解压后超过" in err and "MB" in err, err
    assert 0 < peak < PEAK_BOUND_MIB, peak
    assert not (tmp_path / "out").exists()


def test_a_part_whose_header_understates_its_size_is_not_inflated(tmp_path, seed_docx):
    bomb = _document_bomb(seed_docx, tmp_path / "说小了.docx")
    _understate(bomb, "word/document.xml", 4096)
    with zipfile.ZipFile(bomb) as archive:
        assert archive.getinfo("word/document.xml").file_size == 4096
    code, out, err, peak = _import_limited(tmp_path, bomb, "--out", tmp_path / "out")
    assert "Traceback" not in err and "MemoryError" not in err, err[-2000:]
    assert code == 1 and out == ""
    assert err.startswith(f"{bomb}: 错误：") and "word/document.xml" in err and "损坏" in err, err
    assert 0 < peak < PEAK_BOUND_MIB, peak


def test_a_bomb_in_a_part_the_import_does_not_need_is_never_read(tmp_path, seed_docx):
    """The styles, headers and pictures of a document say nothing about the form: only the package
    relationships and the main document are read."""
    bomb = tmp_path / "样式炸弹.docx"
    with zipfile.ZipFile(seed_docx) as original, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for item in original.infolist():
            if item.filename != "word/styles.xml":
                out.writestr(item.filename, original.read(item.filename))
        _write_bomb(out, "word/styles.xml", f'<w:styles xmlns:w="{W}">'.encode(),
                    b'<w:style w:type="paragraph" w:styleId="a"/>', b"</w:styles>")
    code, out, err, peak = _import_limited(tmp_path, bomb, "--out", tmp_path / "out")
    assert (code, err) == (0, ""), err[-2000:]
    assert out == f"已导入 {tmp_path / 'out' / f'{NAME}.yaml'}（表样 yinchuan-2024）\n"
    assert as_printed(_data(tmp_path / "out" / f"{NAME}.yaml")) == _expected()
    assert 0 < peak < PEAK_BOUND_MIB, peak


@pytest.mark.parametrize("entries", [20_000, 70_000], ids=["zip", "zip64"])
def test_a_zip_with_thousands_of_entries_is_refused_before_its_directory_is_read(tmp_path, seed_docx, capsys, entries):
    """Each entry of a zip's directory costs about a kilobyte once listed; a Word file has a few dozen.
    Over 65535 entries the count is in the zip64 end record."""
    crowded = tmp_path / "条目.docx"
    _rewrite(seed_docx, crowded, {f"customXml/item{n}.xml": b"" for n in range(entries)})
    code, out, err = _import(capsys, crowded, "--out", tmp_path / "out")
    assert code == 1 and out == ""
    with zipfile.ZipFile(crowded) as archive:
        listed = len(archive.infolist())
    assert err.startswith(f"{crowded}: 错误：") and f"有 {listed} 个条目" in err, err
    assert "Traceback" not in err


def test_a_document_of_millions_of_tiny_paragraphs_is_refused_in_bounded_memory(tmp_path, seed_docx):
    """Below the size limit, but each empty paragraph or cell would cost far more in memory than its
    six bytes of XML."""
    crowd = tmp_path / "段落.docx"
    with zipfile.ZipFile(seed_docx) as original, zipfile.ZipFile(crowd, "w", zipfile.ZIP_DEFLATED) as out:
        for item in original.infolist():
            if item.filename != "word/document.xml":
                out.writestr(item.filename, original.read(item.filename))
        _write_bomb(out, "word/document.xml", f'<w:document xmlns:w="{W}"><w:body><w:tbl><w:tr>'.encode(),
                    b"<w:tc/><w:p/>", b"</w:tr></w:tbl></w:body></w:document>", size=24 << 20)
    code, out, err, peak = _import_limited(tmp_path, crowd, "--out", tmp_path / "out")
    assert "Traceback" not in err and "MemoryError" not in err, err[-2000:]
    assert code == 1 and out == ""
    assert err.startswith(f"{crowd}: 错误：") and "段落和单元格" in err, err
    assert 0 < peak < PEAK_BOUND_MIB, peak


# ----------------------------------------------------------------------------------------------
# 2. XML: no entity expansion, no network, no text lost


def test_text_around_comments_instructions_and_references_is_kept(tmp_path, seed_docx, capsys):
    """lxml's `.text` stops at the first child node; the cell texts here are split by an XML comment, a
    processing instruction, a CDATA section and character references, and none of the pieces may go."""
    name_at = f'<w:t xml:space="preserve">{NAME}</w:t>'.encode()
    goal_at = GOAL.encode()

    def split(document: bytes) -> bytes:
        assert document.count(name_at) == 1 and document.count(goal_at) == 1
        document = document.replace(name_at, '<w:t xml:space="preserve">督查室<!-- 注释 -->工作<?jixiao 指令?>经费</w:t>'.encode())
        return document.replace(goal_at, "本项目通过&#20030;办全市督&#x67E5;系统<![CDATA[培训]]>班&#44;".encode())

    path = _rewrite(seed_docx, tmp_path / "拆开的文字.docx", document=split)
    code, out, err = _import(capsys, path, "--out", tmp_path / "out")
    assert (code, err) == (0, ""), err
    assert as_printed(_data(tmp_path / "out" / f"{NAME}.yaml")) == _expected()


@pytest.mark.parametrize(("declaration", "name_text"), [
    ('<!DOCTYPE w:document [<!ENTITY 名 "工作经费">]>', "督查室&名;"),
    ('<!DOCTYPE w:document [<!ENTITY a "哈哈哈哈哈哈哈哈"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
     '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>', f"{NAME}&d;"),
    ('<!DOCTYPE w:document SYSTEM "http://127.0.0.1:9/word.dtd">', NAME),
    ('<!DOCTYPE w:document [<!ENTITY 名 SYSTEM "file:///etc/hostname">]>', "督查室&名;"),
], ids=["internal entity", "nested entities", "external DTD", "external entity"])
def test_a_document_with_a_dtd_is_refused_not_read_without_its_entities(tmp_path, seed_docx, capsys, declaration, name_text):
    """Word never writes a DTD. Expanding its entities is how XML bombs and file disclosure work, and
    reading the document without them would silently drop the text they stand for."""
    name_at = f'<w:t xml:space="preserve">{NAME}</w:t>'.encode()

    def declare(document: bytes) -> bytes:
        start = document.index(b"<w:document")
        document = document.replace(name_at, f'<w:t xml:space="preserve">{name_text}</w:t>'.encode())
        return document[:start] + declaration.encode() + document[start:]

    path = _rewrite(seed_docx, tmp_path / "实体.docx", document=declare)
    code, out, err = _import(capsys, path, "--out", tmp_path / "out")
    assert code == 1 and out == ""
    assert err.startswith(f"{path}: 错误：") and "DTD" in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


# ----------------------------------------------------------------------------------------------
# 3. Nonsense merge properties


@pytest.mark.parametrize("value", ["abc", "-1", "0", "1000000000", "", "3_0"])
@pytest.mark.parametrize("property_", ["gridSpan", "gridBefore"])
def test_a_nonsense_grid_value_is_reported_with_its_table_and_row(tmp_path, seed_docx, capsys, property_, value):
    """Read as the default (one column, no columns skipped): the form still imports, and the value
    is named with its place, because the columns of that row may not be where Word would put them."""
    valid = property_ == "gridBefore" and value == "0"

    def spoil(document: bytes) -> bytes:
        if property_ == "gridSpan":
            return document.replace(b'<w:gridSpan w:val="4"/>', f'<w:gridSpan w:val="{value}"/>'.encode(), 1)
        first_row = b"<w:tr><w:trPr><w:cantSplit/></w:trPr>"
        assert first_row in document
        return document.replace(first_row, f'<w:tr><w:trPr><w:gridBefore w:val="{value}"/><w:cantSplit/></w:trPr>'.encode(), 1)

    path = _rewrite(seed_docx, tmp_path / "合并.docx", document=spoil)
    code, out, err = _import(capsys, path, "--out", tmp_path / "out", "--keep-going")
    assert "Traceback" not in err
    assert code == 0 and out.startswith("已导入")
    assert as_printed(_data(tmp_path / "out" / f"{NAME}.yaml")) == _expected()
    if valid:
        assert err == ""
        return
    assert f"{path}: 未能导入：表格 1 第 1 行" in err and f"w:{property_}" in err and f"“{value}”" in err, err
    code, _, _ = _import(capsys, path, "--out", tmp_path / "again")
    assert code == 1  # without --keep-going, a doubtful reading fails the import
