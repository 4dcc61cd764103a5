"""A build you can trust: what a build may remove, whose outputs a name belongs to, what decides that an
output is current, and how faults of the output folder end (issue #13).

Filings are copies of the seed filings under tmp_path/projects/<年度>/; builds run in this process
(`run`) unless a test needs a fresh process (template edits) or signals.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import REPO

import generator.build.manifest
import generator.build.runner
import generator.common.atomic
from generator.cli import run
from generator.review.config import Config

SEED = REPO / "projects" / "2024"
THREE = ("督查室工作经费", "聘用人员工作经费", "信创设备购置经费")


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def seed_text(name: str = "督查室工作经费", year: int = 2024, project: str | None = None) -> str:
    text = (SEED / f"{name}.yaml").read_text(encoding="utf-8")
    text = text.replace("年度: 2024", f"年度: {year}").replace("项目期: 2024年", f"项目期: {year}年")
    return text.replace(f"项目名称: {name}", f"项目名称: {project}") if project else text


def write(relative: str, text: str) -> Path:
    path = Path("projects") / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def build(*args) -> int:
    return run(["build", *map(str, args), "--out", "out", "-q"])


def files(folder: str = "out") -> set[str]:
    return {p.relative_to(folder).as_posix() for p in Path(folder).rglob("*")
            if p.is_file() and not p.name.startswith(".jixiao-")}


def index_links(year: int) -> dict[str, list[str]]:
    """项目名称 → the files its row in <year>/index.html links to."""
    page = (Path("out") / str(year) / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<td class="name">(.*?)</td>.*?<td class="links">(.*?)</td>', page, re.S)
    # The name links to the filing's page; hrefs are URL-quoted.
    return {re.sub(r"<[^>]+>", "", name): [unquote(href) for href in re.findall(r'href="([^"]+)"', links)]
            for name, links in rows}


def assert_every_index_links_to_existing_files() -> None:
    for index in Path("out").glob("*/index.html"):
        for links in index_links(int(index.parent.name)).values():
            assert links, index
            for href in links:
                assert (index.parent / href).is_file(), f"{index} links to missing {href}"


def project_name_in(docx: Path) -> str:
    with zipfile.ZipFile(docx) as archive:
        core = archive.read("docProps/core.xml").decode("utf-8")
    return re.search(r"<dc:title>(.*?)</dc:title>", core).group(1)


# 1. What a build may remove ------------------------------------------------------------------------


def test_building_one_year_keeps_the_outputs_of_the_other(work):
    write("2024/督查室工作经费.yaml", seed_text())
    write("2025/聘用人员工作经费.yaml", seed_text("聘用人员工作经费", 2025))
    assert build("projects/2024") == 0
    assert build("projects/2025") == 0
    assert files() == {"2024/督查室工作经费.docx", "2024/督查室工作经费.html", "2024/index.html", "2024/汇总表.xlsx",
                       "2025/聘用人员工作经费.docx", "2025/聘用人员工作经费.html", "2025/index.html", "2025/汇总表.xlsx"}
    assert index_links(2024) == {"督查室工作经费": ["督查室工作经费.html", "督查室工作经费.docx"]}
    assert_every_index_links_to_existing_files()


def test_building_one_file_keeps_the_others_and_the_whole_index(work, capsys):
    for name in THREE:
        write(f"2024/{name}.yaml", seed_text(name))
    assert build("projects") == 0
    before = files()
    write("2024/督查室工作经费.yaml", seed_text().replace("年度总体目标: ", "年度总体目标: 第二版。"))
    capsys.readouterr()
    assert run(["build", "projects/2024/督查室工作经费.yaml", "--out", "out"]) == 0
    assert "删除 0 个" in capsys.readouterr().err
    assert files() == before
    assert set(index_links(2024)) == set(THREE)
    assert_every_index_links_to_existing_files()


def test_a_filing_deleted_outside_the_scope_is_removed_because_it_is_gone(work):
    write("2024/督查室工作经费.yaml", seed_text())
    write("2024/信创设备购置经费.yaml", seed_text("信创设备购置经费"))
    write("2025/聘用人员工作经费.yaml", seed_text("聘用人员工作经费", 2025))
    assert build("projects") == 0
    Path("projects/2024/信创设备购置经费.yaml").unlink()
    assert build("projects/2025") == 0
    assert not any(f.startswith("2024/信创设备购置经费") for f in files())
    assert index_links(2024) == {"督查室工作经费": ["督查室工作经费.html", "督查室工作经费.docx"]}
    assert_every_index_links_to_existing_files()


def test_a_build_from_another_folder_names_the_same_filings(work, monkeypatch):
    for name in THREE:
        write(f"2024/{name}.yaml", seed_text(name))
    assert build("projects") == 0
    before = files()
    monkeypatch.chdir(work / "projects")
    assert run(["build", str(work / "projects" / "2024" / "督查室工作经费.yaml"), "--out", str(work / "out"), "-q"]) == 0
    monkeypatch.chdir(work)
    assert files() == before
    assert set(index_links(2024)) == set(THREE)


def test_a_manifest_edited_to_point_outside_the_output_folder_is_not_trusted(work):
    write("2024/督查室工作经费.yaml", seed_text())
    assert build("projects") == 0
    Path("keep.docx").write_bytes(b"not the build's")
    manifest = Path("out/.jixiao-manifest.json")
    data = json.loads(manifest.read_bytes())
    (entry,) = data["entries"].values()
    entry["at"], entry["outputs"] = "../keep", {"../keep.docx": [14, 0]}
    manifest.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    Path("projects/2024/督查室工作经费.yaml").unlink()
    write("2024/聘用人员工作经费.yaml", seed_text("聘用人员工作经费"))
    assert build("projects") == 0
    assert Path("keep.docx").read_bytes() == b"not the build's"
    assert not Path("index.html").exists()
    assert "2024/聘用人员工作经费.docx" in files()


# 2. Whose outputs a name belongs to ----------------------------------------------------------------


@pytest.mark.parametrize(("first", "second"), [
    ("a:b", "a_b"),  # ":" is not allowed in file names and becomes "_"
    ("a", "sub/a"),
    ("caf\u00e9", "cafe\u0301"),  # NFC and NFD
    ("ＡＢ经费", "AB经费"),  # full-width and half-width
    ("Ab", "aB"),  # one file on macOS and Windows
], ids=["unsafe-character", "subfolder", "nfc-nfd", "width", "case"])
def test_a_name_clash_with_an_earlier_build_is_an_error_and_never_written(work, capsys, first, second):
    write(f"2024/{first}.yaml", seed_text(project="第一个"))
    assert build("projects") == 0
    owned = files()
    write(f"2024/{second}.yaml", seed_text(project="第二个"))
    for _ in range(2):  # the same answer every time: the names never flip
        capsys.readouterr()
        assert build("projects") == 1
        err = capsys.readouterr().err
        assert "build.name-clash" in err and f"2024/{second}.yaml" in err
        assert files() == owned
        (docx,) = [Path("out") / f for f in owned if f.endswith(".docx")]
        assert project_name_in(docx) == "第一个"
        assert set(index_links(2024)) == {"第一个"}
    Path(f"projects/2024/{first}.yaml").unlink()  # the owner gone, the name is free
    assert build("projects") == 0
    (docx,) = [Path("out") / f for f in files() if f.endswith(".docx")]
    assert project_name_in(docx) == "第二个"


def test_index_yaml_is_a_clash_with_the_year_index_and_the_build_settles(work, capsys):
    write("2024/index.yaml", seed_text(project="叫index的项目"))
    write("2024/督查室工作经费.yaml", seed_text())
    assert build("projects") == 1
    assert "build.name-clash" in capsys.readouterr().err
    assert files() == {"2024/督查室工作经费.docx", "2024/督查室工作经费.html", "2024/index.html", "2024/汇总表.xlsx"}
    assert set(index_links(2024)) == {"督查室工作经费"}
    assert run(["build", "projects", "--out", "out"]) == 1
    assert "写入 0 个文件" in capsys.readouterr().err


@pytest.mark.parametrize("raw_name", [b"\xb9\xfa\xbc\xd2.yaml", b"a\x01b.yaml"], ids=["gbk", "control-character"])
def test_a_name_that_is_not_utf8_or_has_a_control_character_is_reported(work, capsys, raw_name):
    write("2024/督查室工作经费.yaml", seed_text())
    folder = os.fsencode(Path("projects/2024"))
    with open(os.path.join(folder, raw_name), "wb") as stream:
        stream.write(seed_text(project="坏名字").encode("utf-8"))
    assert run(["check", "projects", "--format", "json"]) == 1
    reported = [f for f in json.loads(capsys.readouterr().out) if f["rule"] == "file.name"]
    assert len(reported) == 1
    assert ("国家" if raw_name.startswith(b"\xb9") else "U+0001") in reported[0]["message"]
    assert build("projects") == 1
    assert "file.name" in capsys.readouterr().err
    assert files() == {"2024/督查室工作经费.docx", "2024/督查室工作经费.html", "2024/index.html", "2024/汇总表.xlsx"}
    assert json.loads(Path("out/.jixiao-manifest.json").read_bytes())  # stored as UTF-8 JSON


# 3. What decides that a filing changed -------------------------------------------------------------


def test_an_edit_that_keeps_size_and_modification_time_is_seen(work, capsys):
    path = write("2024/督查室工作经费.yaml", seed_text())
    assert run(["check", "projects", "--format", "json"]) == 0
    assert "funds.sum" not in capsys.readouterr().out
    assert build("projects") == 0
    stat = path.stat()
    edited = path.read_bytes().replace("年度资金总额: 12".encode(), "年度资金总额: 13".encode())
    path.write_bytes(edited)  # same size; then the old time back, as cp -p, rsync -a or touch -r leave it
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    assert run(["check", "projects", "--format", "json"]) == 1
    assert "funds.sum" in {f["rule"] for f in json.loads(capsys.readouterr().out)}
    assert build("projects") == 0
    index = Path("out/2024/index.html").read_text(encoding="utf-8")
    assert '<td class="number money total">13</td>' in index and '<td class="number money total">12</td>' not in index


# 4. Every output current -----------------------------------------------------------------------------


@pytest.fixture
def fake_libreoffice(monkeypatch):
    """A PDF that says which Word file it was made from (LibreOffice itself is tested in test_build.py)."""
    def convert(documents, soffice):
        made = {}
        for document in documents:
            pdf = document.with_suffix(".pdf")
            pdf.write_bytes(b"%PDF " + hashlib.sha256(document.read_bytes()).hexdigest().encode())
            made[document] = pdf
        return made, {}  # converted, failed (with why)

    monkeypatch.setattr(generator.build.runner, "find_soffice", lambda: "soffice")
    monkeypatch.setattr(generator.build.runner, "convert_to_pdf", convert)


def made_from(pdf: Path) -> str:
    return pdf.read_bytes().removeprefix(b"%PDF ").decode()


def test_a_pdf_left_by_a_build_without_pdf_is_not_called_current(work, capsys, fake_libreoffice):
    path = write("2024/督查室工作经费.yaml", seed_text())
    docx, pdf = Path("out/2024/督查室工作经费.docx"), Path("out/2024/督查室工作经费.pdf")
    assert build("projects", "--pdf") == 0
    assert made_from(pdf) == hashlib.sha256(docx.read_bytes()).hexdigest()
    path.write_text(seed_text().replace("年度总体目标: ", "年度总体目标: 第二版。"), encoding="utf-8")
    assert build("projects") == 0
    assert not pdf.exists()  # made from the old version: not left to look current
    assert index_links(2024) == {"督查室工作经费": ["督查室工作经费.html", "督查室工作经费.docx"]}
    capsys.readouterr()
    assert run(["build", "projects", "--out", "out", "--pdf"]) == 0
    assert "已生成 1 个 PDF" in capsys.readouterr().err
    assert made_from(pdf) == hashlib.sha256(docx.read_bytes()).hexdigest()
    assert index_links(2024) == {"督查室工作经费": ["督查室工作经费.html", "督查室工作经费.docx", "督查室工作经费.pdf"]}
    assert run(["build", "projects", "--out", "out", "--pdf"]) == 0
    assert "PDF 都是最新的" in capsys.readouterr().err


def test_changing_the_year_removes_the_old_years_outputs(work):
    path = write("2024/督查室工作经费.yaml", seed_text())
    write("2024/聘用人员工作经费.yaml", seed_text("聘用人员工作经费"))
    assert build("projects") == 0
    path.write_text(seed_text(year=2025), encoding="utf-8")
    assert build("projects") == 0
    assert files() == {"2024/聘用人员工作经费.docx", "2024/聘用人员工作经费.html", "2024/index.html", "2024/汇总表.xlsx",
                       "2025/督查室工作经费.docx", "2025/督查室工作经费.html", "2025/index.html", "2025/汇总表.xlsx"}
    assert set(index_links(2024)) == {"聘用人员工作经费"} and set(index_links(2025)) == {"督查室工作经费"}
    path.unlink()
    Path("projects/2024/聘用人员工作经费.yaml").unlink()
    assert build("projects") == 0
    assert files() == set()  # nothing left, not even an index of nothing


def stamps() -> dict[str, int]:
    return {p.as_posix(): p.stat().st_mtime_ns for p in Path("out").rglob("*.*") if not p.name.startswith(".")}


def manifest_keys() -> set[str]:
    return {entry["key"] for entry in json.loads(Path("out/.jixiao-manifest.json").read_bytes())["entries"].values()}


def test_document_properties_and_code_are_part_of_an_outputs_key(work, monkeypatch):
    write("2024/督查室工作经费.yaml", seed_text())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert build("projects") == 0
    first = Path("out/2024/督查室工作经费.docx").read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert build("projects") == 0
    assert Path("out/2024/督查室工作经费.docx").read_bytes() != first
    before = manifest_keys()
    monkeypatch.setattr(generator.build.manifest, "template_pack", lambda: "another version of jixiao")
    assert build("projects") == 0  # made again: the outputs are recorded under the new key
    digest = hashlib.sha256(Path("projects/2024/督查室工作经费.yaml").read_bytes()).hexdigest()
    key = generator.build.manifest.output_key(digest, "projects/2024/督查室工作经费.yaml（没有提交到 git）", "1970-01-02T00:00:00+00:00",
                                              Config().findings_key)
    assert manifest_keys() == {key} != before


def jixiao(*args, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_a_template_edit_rebuilds_the_outputs(work):
    templates = work / "templates"
    shutil.copytree(REPO / "templates", templates)
    write("2024/督查室工作经费.yaml", seed_text())
    env = {"JIXIAO_TEMPLATES_DIR": str(templates), "JIXIAO_CACHE_DIR": str(work / "cache")}
    assert jixiao("build", "projects", "--out", "out", cwd=work, env=env).returncode == 0
    preview = templates / "yinchuan-2024" / "preview.html.j2"
    text = preview.read_text(encoding="utf-8")
    preview.write_text(text.replace("<h1>", "<h1>（模板改过）", 1), encoding="utf-8")
    done = jixiao("build", "projects", "--out", "out", cwd=work, env=env)
    assert done.returncode == 0, done.stderr
    assert "（模板改过）" in Path("out/2024/督查室工作经费.html").read_text(encoding="utf-8")
    assert "写入 1 个文件" in done.stderr  # the .docx came out the same and was left alone


# 12. Faults: a sentence and an exit code, never a traceback -------------------------------------------


class FullDisk:
    def __init__(self, stream):
        self.stream = stream

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stream.close()

    def write(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_ends_the_build_with_a_sentence_and_keeps_whole_files(work, capsys, monkeypatch):
    for name in THREE:
        write(f"2024/{name}.yaml", seed_text(name))
    assert build("projects") == 0
    before = {f: (Path("out") / f).read_bytes() for f in files()}
    for name in THREE:
        write(f"2024/{name}.yaml", seed_text(name).replace("年度总体目标: ", "年度总体目标: 第二版。"))
    real = os.fdopen
    capsys.readouterr()
    with monkeypatch.context() as full:
        full.setattr(generator.common.atomic.os, "fdopen", lambda fd, mode: FullDisk(real(fd, mode)))
        assert run(["build", "projects", "--out", "out"]) == 1
    err = capsys.readouterr().err
    assert "磁盘空间不足" in err and "Traceback" not in err
    assert {f: (Path("out") / f).read_bytes() for f in files()} == before
    assert not list(Path("out").rglob("*.tmp"))
    assert build("projects") == 0
    assert "第二版。" in Path("out/2024/督查室工作经费.html").read_text(encoding="utf-8")


def test_a_read_only_output_folder_is_said_so(work, capsys, monkeypatch):
    write("2024/督查室工作经费.yaml", seed_text())
    out = work / "out"
    out.mkdir()
    out.chmod(0o555)
    real_open = os.open

    def read_only(path, flags, *args, **kwargs):  # root ignores the mode bits: say what the kernel would
        if Path(os.path.abspath(os.fsdecode(path))).is_relative_to(out) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
        return real_open(path, flags, *args, **kwargs)

    try:
        with monkeypatch.context() as patch:
            patch.setattr(os, "open", read_only)
            assert run(["build", "projects", "--out", "out"]) == 1
    finally:
        out.chmod(0o755)
    err = capsys.readouterr().err
    assert "没有写入权限" in err and "out" in err
    assert not any(out.iterdir())


def test_an_output_folder_that_is_a_file_is_a_usage_error(work, capsys):
    write("2024/督查室工作经费.yaml", seed_text())
    Path("out").write_text("not a folder", encoding="utf-8")
    assert run(["build", "projects", "--out", "out"]) == 2
    assert "--out" in capsys.readouterr().err
    assert Path("out").read_text(encoding="utf-8") == "not a folder"
    assert run(["build", "projects", "--out", "out/sub"]) == 1
    assert "不是文件夹" in capsys.readouterr().err


WRONG = {str: [0, [], None], int: ["1", 1.5, True, None], list: [{}, "x", None], dict: [[], "x", None],
         type(None): [0, "x"], float: [None], bool: [None]}


def _fields(data, path=()):
    """Every field of a JSON tree, as key paths."""
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _fields(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _fields(value, (*path, index))


def _mutations(data):
    for path in _fields(data):
        if not path:
            continue
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        value = parent[path[-1]]
        for wrong in WRONG[type(value)]:
            yield f"{path}={wrong!r}", path, wrong
        if isinstance(parent, dict):
            yield f"{path} removed", path, KeyError


def _mutated(data, path, wrong):
    copy = json.loads(json.dumps(data))
    parent = copy
    for step in path[:-1]:
        parent = parent[step]
    if wrong is KeyError:
        del parent[path[-1]]
    else:
        parent[path[-1]] = wrong
    return copy


def test_every_field_of_a_damaged_check_cache_is_survived(work, capsys):
    from generator.review.cache import cache_file

    write("2024/督查室工作经费.yaml", seed_text().replace("    质量指标:", "    质量指标:  # jixiao: ignore[vague.value]"))
    write("2024/政府办信息中心工作经费.yaml", seed_text("政府办信息中心工作经费"))
    assert run(["check", "projects", "--format", "json", "--no-cache"]) == 1
    expected = json.loads(capsys.readouterr().out)
    assert run(["check", "projects", "--format", "json"]) == 1
    capsys.readouterr()
    stored = json.loads(cache_file().read_text(encoding="utf-8"))
    assert {"digest", "findings", "suppressions", "summary"} <= set(stored["entries"]["projects/2024/督查室工作经费.yaml"])
    tried = 0
    for label, path, wrong in _mutations(stored):
        cache_file().write_text(json.dumps(_mutated(stored, path, wrong), ensure_ascii=False), encoding="utf-8")
        assert run(["check", "projects", "--format", "json"]) == 1, label
        assert json.loads(capsys.readouterr().out) == expected, label
        tried += 1
    assert tried > 250


# 15. Portable writes ----------------------------------------------------------------------------------


def test_outputs_get_the_usual_mode_without_fchmod(work, monkeypatch):
    monkeypatch.delattr(os, "fchmod", raising=False)  # as on Windows before Python 3.13
    write("2024/督查室工作经费.yaml", seed_text())
    shutil.copy(REPO / "schema.json", "schema.json")  # `new` writes into a filings repository only
    old = os.umask(0o027)
    try:
        assert build("projects") == 0
        assert run(["new", "新项目", "--year", "2024"]) == 0
    finally:
        os.umask(old)
    for path in [*Path("out/2024").iterdir(), Path("projects/2024/新项目.yaml")]:
        assert path.stat().st_mode & 0o777 == 0o640, path


def test_every_output_appears_only_by_an_atomic_rename(work, monkeypatch):
    for name in THREE:
        write(f"2024/{name}.yaml", seed_text(name))
    renamed = []
    real = os.replace

    def recording(source, target):
        if Path(target).resolve().is_relative_to(work / "out"):
            assert Path(source).name.startswith(".jixiao-") and Path(source).resolve().parent == Path(target).resolve().parent
            renamed.append(Path(target).resolve())
        return real(source, target)

    monkeypatch.setattr(generator.common.atomic.os, "replace", recording)
    assert build("projects") == 0
    made = {p.resolve() for p in Path("out").rglob("*") if p.is_file()}
    assert {p.name for p in made - set(renamed)} == {".jixiao-build.lock"}  # the lock is not content
    renamed = [p.relative_to(work / "out").as_posix() for p in renamed]
    assert ".jixiao-manifest.json" in renamed and "2024/index.html" in renamed


# Performance work that must not change a byte ------------------------------------------------------------


def test_the_fast_zip_writer_makes_the_bytes_zipfile_makes(work):
    from generator.render.word import pack_zip, write_zip

    for name in THREE:
        write(f"2024/{name}.yaml", seed_text(name))
    assert build("projects", "--outputs", "docx") == 0
    for docx in sorted(Path("out/2024").glob("*.docx")):
        reusable: dict = {}
        with zipfile.ZipFile(docx) as archive:
            members = [(item.filename, archive.read(item.filename)) for item in archive.infolist()]
        members.append(("empty.xml", b""))
        expected = write_zip(members)
        for number in range(2):  # the second time from the kept records of the reusable members
            marked = [(name, data, index % 2 == 0) for index, (name, data) in enumerate(members)]
            assert pack_zip(marked, reusable) == expected, (docx, number)
        assert docx.read_bytes() == write_zip(members[:-1])


# 13. Ctrl-C at any moment ------------------------------------------------------------------------------


@pytest.mark.parametrize("delay", [0.001, 0.02, 0.08, 0.2])
def test_ctrl_c_while_jixiao_is_still_loading_prints_no_traceback(work, delay):
    import signal
    import time

    write("2024/督查室工作经费.yaml", seed_text())
    # What the installed `jixiao` script runs, with a line once main() is about to run: a Ctrl-C while the
    # interpreter starts, or while it reads that script's own first line, is Python's business.
    script = "import sys; from generator.__main__ import main; print('ready', flush=True); sys.exit(main())"
    process = subprocess.Popen([sys.executable, "-c", script, "build", "projects", "--out", "out"], cwd=work,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    assert process.stdout.readline() == b"ready\n"
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    text = err.decode("utf-8", "replace")
    assert "Traceback" not in text and "Exception ignored" not in text, text
    assert process.returncode in (0, 130), text  # finished before the signal, or interrupted
    assert process.returncode == 0 or text.count("已中断") == 1, text
