"""Build at scale: the same bytes from one or many processes, cold or incremental; the manifest
and the check cache never serve a stale file. (Speed is measured by benchmarks/bench.py, not here.)"""

import json
import os
import sys

import pytest
from conftest import REPO

from generator.build.manifest import VERSION
from generator.cli import run

sys.path.insert(0, str(REPO / "benchmarks"))
from synthetic import write_filings  # noqa: E402

COUNT = 40  # enough to use worker processes (generator.common.parallel.PARALLEL_FROM)


@pytest.fixture
def filings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_filings(tmp_path / "projects", COUNT, seed=7)
    return tmp_path / "projects"


def build(*args) -> int:
    return run(["build", "projects", *map(str, args), "-q"])


def outputs(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".jixiao-")
    }


def stamps(folder):
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_one_process_and_many_give_the_same_bytes(filings, tmp_path):
    assert build("--out", tmp_path / "one", "-j", "1", "--no-cache") in (0, 1)
    assert build("--out", tmp_path / "two", "-j", "2", "--no-cache") in (0, 1)
    one, two = outputs(tmp_path / "one"), outputs(tmp_path / "two")
    assert len([k for k in one if k.endswith(".docx")]) == COUNT
    assert one == two


def test_incremental_build_equals_a_cold_build(filings, tmp_path):
    build("--out", tmp_path / "out")
    changed = filings / "2024" / "合成项目00003.yaml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("项目期: 2024年", "项目期: 2024-2025年"), encoding="utf-8")
    before = stamps(tmp_path / "out")
    build("--out", tmp_path / "out")
    after = stamps(tmp_path / "out")
    rewritten = {k for k in after if after[k] != before.get(k)}
    # only the changed filing's outputs (and the year's index and workbook, whose content changed) were rewritten
    assert rewritten - {".jixiao-manifest.json", ".jixiao-build.lock"} <= {
        "2024/合成项目00003.docx", "2024/合成项目00003.html", "2024/index.html", "2024/汇总表.xlsx",
    }
    assert "2024/合成项目00003.docx" in rewritten
    build("--out", tmp_path / "cold", "--no-cache")
    assert outputs(tmp_path / "out") == outputs(tmp_path / "cold")


def test_a_build_with_nothing_changed_writes_nothing(filings, tmp_path, capsys):
    build("--out", tmp_path / "out")
    before = stamps(tmp_path / "out")
    run(["build", "projects", "--out", str(tmp_path / "out")])
    assert stamps(tmp_path / "out") == before
    assert "写入 0 个文件" in capsys.readouterr().err


@pytest.mark.parametrize("damage", ["garbage", "missing", "wrong shape", "edited output", "same size and time"])
def test_a_damaged_manifest_or_output_means_rebuilding_never_a_stale_file(filings, tmp_path, damage):
    out = tmp_path / "out"
    build("--out", out)
    cold = outputs(out)
    manifest = out / ".jixiao-manifest.json"
    if damage == "garbage":
        manifest.write_bytes(b"\x00{not json")
    elif damage == "missing":
        manifest.unlink()
    elif damage == "wrong shape":
        manifest.write_text(json.dumps({"version": VERSION, "entries": {"x": {"key": 1}}}), encoding="utf-8")
    elif damage == "edited output":
        (out / "2024" / "合成项目00005.docx").write_bytes(b"edited by hand")
    else:  # another file put in place with the size and modification time of the one built (a restored copy)
        page = out / "2024" / "合成项目00005.html"
        info = page.stat()
        text = page.read_bytes()
        page.write_bytes(text.replace("合成项目00005".encode(), "合成项目00099".encode()))
        os.utime(page, ns=(info.st_atime_ns, info.st_mtime_ns))
        assert page.stat().st_size == info.st_size and page.read_bytes() != text
    assert build("--out", out) in (0, 1)
    assert outputs(out) == cold
    assert json.loads(manifest.read_text(encoding="utf-8"))["version"] == VERSION


def test_outputs_of_deleted_filings_are_removed(filings, tmp_path):
    out = tmp_path / "out"
    build("--out", out)
    assert (out / "2024" / "合成项目00007.docx").exists()
    (filings / "2024" / "合成项目00007.yaml").unlink()
    build("--out", out)
    assert not (out / "2024" / "合成项目00007.docx").exists()
    assert not (out / "2024" / "合成项目00007.html").exists()
    assert "合成项目00007" not in (out / "2024" / "index.html").read_text(encoding="utf-8")
    assert (out / "2024" / "合成项目00008.docx").exists()


def test_an_output_of_another_format_is_still_removed_with_its_filing(filings, tmp_path):
    out = tmp_path / "out"
    build("--out", out)  # docx and html
    build("--out", out, "--outputs", "docx")  # html not made this time, but still known
    (filings / "2024" / "合成项目00009.yaml").unlink()
    build("--out", out, "--outputs", "docx")
    assert not (out / "2024" / "合成项目00009.html").exists()


def test_files_the_build_did_not_make_are_left_alone(filings, tmp_path):
    out = tmp_path / "out"
    build("--out", out)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (filings / "2024" / "合成项目00001.yaml").unlink()
    build("--out", out)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_warm_check_reports_what_cold_check_reports(filings, capsys):
    assert run(["check", "projects", "--format", "json", "--no-cache"]) in (0, 1)
    cold = json.loads(capsys.readouterr().out)
    run(["check", "projects", "--format", "json"])
    capsys.readouterr()
    run(["check", "projects", "--format", "json"])  # from the cache
    assert json.loads(capsys.readouterr().out) == cold
    assert cold  # the synthetic filings do have findings


def test_the_check_cache_notices_an_edit_and_survives_corruption(filings, capsys, tmp_path):
    run(["check", "projects", "--format", "json"])
    capsys.readouterr()
    target = filings / "2024" / "合成项目00002.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("年度: 2024", "年度: 2025"), encoding="utf-8")
    run(["check", "projects", "--format", "json"])
    rules = {r["rule"] for r in json.loads(capsys.readouterr().out) if r["file"].endswith("00002.yaml")}
    assert "header.year-folder" in rules
    from generator.review.cache import cache_file

    cache_file().write_text("{broken", encoding="utf-8")
    assert run(["check", "projects", "--format", "json"]) in (0, 1)
    assert "header.year-folder" in {r["rule"] for r in json.loads(capsys.readouterr().out)}


def test_progress_is_plain_lines_in_ci_and_nothing_when_quiet(monkeypatch, capsys):
    from generator.build.progress import progress_reporter

    monkeypatch.setenv("CI", "true")
    with progress_reporter(quiet=False) as progress:
        for done in range(1, 201):
            progress(done, 200)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "生成申报表：20/200" and lines[-1] == "生成申报表：200/200" and len(lines) == 10
    with progress_reporter(quiet=True) as progress:
        assert progress is None
    assert capsys.readouterr().err == ""
