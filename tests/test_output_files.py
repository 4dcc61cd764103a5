"""Files jixiao writes: replaced whole or not at all (a failed write leaves the old file and no temporary
file; a reader of the old file never sees the new bytes), with the permissions the umask gives ordinary
files, and rebuilt when the templates they were made from change.

Builds whose outcome depends on process-wide state (the umask, the templates folder, both read once per
process) run as separate `python -m generator` processes, as a user's would."""

import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO
from docx import Document

from generator.cli import run
from generator.common.atomic import write_bytes_atomic

EXAMPLE = REPO / "templates" / "yinchuan-2024" / "example.yaml"


def with_a_filing(root: Path) -> Path:
    (root / "projects" / "2024").mkdir(parents=True)
    shutil.copy(EXAMPLE, root / "projects" / "2024" / "x.yaml")
    return root / "projects" / "2024" / "x.yaml"


def jixiao(root: Path, *args: str, env: dict[str, str] | None = None, umask: int = -1) -> None:
    done = subprocess.run([sys.executable, "-m", "generator", *args], cwd=root, env=env or dict(os.environ),
                          umask=umask, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------------------------------------
# Atomic replacement


def _fail(*args, **kwargs):
    raise OSError("simulated failure")


@pytest.mark.parametrize(("failing", "durable"), [("replace", False), ("replace", True), ("fsync", True)])
def test_a_write_that_fails_before_the_rename_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, failing, durable):
    target = tmp_path / "x.docx"
    target.write_bytes(b"the old, complete file")
    monkeypatch.setattr(os, failing, _fail)  # the new bytes are written by then (fsync: flushed, not yet on disk)
    with pytest.raises(OSError, match="simulated failure"):
        write_bytes_atomic(target, b"the new file" * 1000, durable=durable)
    assert target.read_bytes() == b"the old, complete file"
    assert [p.name for p in tmp_path.iterdir()] == ["x.docx"]


def test_a_reader_of_the_old_file_keeps_reading_the_old_file(tmp_path):
    target = tmp_path / "x.docx"
    target.write_bytes(b"old" * 10_000)
    before = target.stat()
    with target.open("rb") as reader:
        write_bytes_atomic(target, b"new" * 20_000)
        assert reader.read() == b"old" * 10_000
    assert target.read_bytes() == b"new" * 20_000
    assert target.stat().st_ino != before.st_ino  # a new file took the name; the old one was never opened for writing


def test_a_rebuild_replaces_outputs_without_touching_what_readers_have_open(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    filing = with_a_filing(tmp_path)
    assert run(["build", "projects", "--out", "out", "-q"]) == 0
    readers = {name: (tmp_path / "out" / "2024" / name).open("rb") for name in ("x.docx", "x.html", "index.html")}
    old = {name: (tmp_path / "out" / "2024" / name).read_bytes() for name in readers}
    try:
        filing.write_text(filing.read_text(encoding="utf-8").replace("项目名称: 政务服务热线运行经费", "项目名称: 热线运行经费"),
                          encoding="utf-8")
        assert run(["build", "projects", "--out", "out", "-q"]) == 0
        for name, reader in readers.items():
            assert reader.read() == old[name], name
            assert (tmp_path / "out" / "2024" / name).read_bytes() != old[name], name
    finally:
        for reader in readers.values():
            reader.close()


# ------------------------------------------------------------------------------------------------
# Permissions


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_outputs_have_the_permissions_the_umask_gives(tmp_path, umask, mode):
    with_a_filing(tmp_path)
    jixiao(tmp_path, "build", "projects", "--out", "out", "-q", umask=umask)
    jixiao(tmp_path, "import", "out/2024/x.docx", "--out", "imported", umask=umask)
    written = [*(tmp_path / "out").rglob("*"), *(tmp_path / "imported").rglob("*")]
    modes = {p.relative_to(tmp_path).as_posix(): oct(stat.S_IMODE(p.stat().st_mode)) for p in written if p.is_file()}
    assert {"out/2024/x.docx", "out/2024/x.html", "out/2024/index.html", "imported/政务服务热线运行经费.yaml"} <= set(modes)
    assert modes == dict.fromkeys(modes, oct(mode))


# ------------------------------------------------------------------------------------------------
# Templates edited between builds


def _edit_text(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _edit_docx(path: Path, old: str, new: str) -> None:
    document = Document(str(path))
    texts = [t for t in document.element.body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t")
             if t.text == old]
    assert len(texts) == 1, old
    texts[0].text = new
    document.save(str(path))


def _printed(path: Path) -> str:
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as archive:
            return archive.read("word/document.xml").decode("utf-8")
    return path.read_text(encoding="utf-8")


EDITS = [
    pytest.param("yinchuan-2024/template.docx", "{{ form.note }}", "{{ form.note }}（模板改过）", "（模板改过）", ["x.docx"],
                 id="word-template"),
    pytest.param("yinchuan-2024/preview.html.j2", "<h1>{{ form.title }}</h1>", "<h1>{{ form.title }}（网页模板改过）</h1>",
                 "（网页模板改过）", ["x.html"], id="html-template"),
    pytest.param("yinchuan-2024/form.yaml", 'note: "注:此表填报项目绩效目标涵盖年限为项目预算申报当年。"', 'note: "注:表样改过。"',
                 "注:表样改过。", ["x.docx", "x.html"], id="form"),
    pytest.param("index.html.j2", "<h1>{{ year }}年度项目支出绩效目标申报表</h1>", "<h1>{{ year }}年度申报表（目录模板改过）</h1>",
                 "（目录模板改过）", ["index.html"], id="index-template"),
]


@pytest.mark.parametrize(("name", "old", "new", "marker", "outputs"), EDITS)
def test_an_incremental_build_after_a_template_edit_equals_a_cold_build(tmp_path, name, old, new, marker, outputs):
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    with_a_filing(tmp_path)
    env = {**os.environ, "JIXIAO_TEMPLATES_DIR": str(templates)}
    jixiao(tmp_path, "build", "projects", "--out", "out", "-q", env=env)
    assert not any(marker in _printed(tmp_path / "out" / "2024" / output) for output in outputs)

    (_edit_docx if name.endswith(".docx") else _edit_text)(templates / name, old, new)
    jixiao(tmp_path, "build", "projects", "--out", "out", "-q", env=env)
    for output in outputs:
        assert marker in _printed(tmp_path / "out" / "2024" / output), output
    jixiao(tmp_path, "build", "projects", "--out", "cold", "-q", "--no-cache", env=env)
    made = {k: v for k, v in files(tmp_path / "out").items() if not k.startswith(".jixiao-")}
    assert made == {k: v for k, v in files(tmp_path / "cold").items() if not k.startswith(".jixiao-")}
