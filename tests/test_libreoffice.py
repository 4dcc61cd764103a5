"""LibreOffice conversions (`jixiao import` of .doc, `jixiao build --pdf`) with a file that hangs or
crashes LibreOffice: the file is named, the others convert, and no process is left running, also
after Ctrl-C.

A fake `soffice` (a Python script put first on PATH) stands in for LibreOffice: it logs each start,
converts by copying, hangs on an input holding HANG (in a child too, both deaf to SIGTERM and
SIGINT, like a stuck soffice.bin under its launcher) and exits on CRASH without converting the
inputs after it. Every process it starts carries the fake's folder in its command line, which is
how the tests look for leftovers in /proc.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from conftest import REPO

from generator.cli import run

SEED = REPO / "projects" / "2024"
NAMES = ("督查室工作经费", "聘用人员工作经费", "政府信息公开工作经费")

FAKE = """#!{python}
import json, os, signal, subprocess, sys, time, zipfile
from pathlib import Path
from urllib.parse import unquote, urlparse

here = Path(__file__).parent
args = sys.argv[1:]
profile = next(a for a in args if a.startswith("-env:UserInstallation=")).split("=", 1)[1]
target = args[args.index("--convert-to") + 1]
out = Path(args[args.index("--outdir") + 1])
inputs = args[args.index("--outdir") + 2:]
with open(here / "log.jsonl", "a") as log:
    log.write(json.dumps({{"profile": profile, "profile_existed": Path(unquote(urlparse(profile).path)).exists(),
                          "inputs": [Path(i).name for i in inputs]}}) + "\\n")
out.mkdir(parents=True, exist_ok=True)
for name in inputs:
    data = Path(name).read_bytes()
    if zipfile.is_zipfile(name):
        data += zipfile.ZipFile(name).read("word/document.xml")
    if b"HANG" in data:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        subprocess.Popen([sys.executable, "-c",
                          "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                          "signal.signal(signal.SIGINT, signal.SIG_IGN); time.sleep(600)", str(here)])
        (here / "hanging").write_text(Path(name).name)
        time.sleep(600)
    if b"CRASH" in data:
        sys.exit(134)
    temporary = out / "lu0000.tmp"
    temporary.write_bytes(b"%PDF-fake\\n" + Path(name).read_bytes() if target == "pdf" else Path(name).read_bytes())
    os.replace(temporary, out / (Path(name).stem + "." + target))
"""


# ----------------------------------------------------------------------------------------------
# Helpers


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """The fake soffice's folder, first on PATH; anything it left running is ended afterwards."""
    folder = tmp_path / "fake-bin"
    folder.mkdir()
    script = folder / "soffice"
    script.write_text(FAKE.format(python=sys.executable), encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    yield folder
    for pid in _running(folder):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _running(marker: Path) -> list[int]:
    """Live processes whose command line mentions `marker` (zombies have an empty one)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if str(marker).encode() in command:
            found.append(int(entry.name))
    return found


def _settled(marker: Path, seconds: float = 5) -> list[int]:
    """Leftovers once killed processes have had a moment to go."""
    deadline = time.monotonic() + seconds
    while (left := _running(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def _log(folder: Path) -> list[dict]:
    path = folder / "log.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def _jixiao(args: list, cwd: Path, timeout_setting: str = "2", **popen) -> subprocess.Popen:
    env = {**os.environ, "JIXIAO_SOFFICE_TIMEOUT": timeout_setting,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen([sys.executable, "-m", "generator", *map(str, args)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def _finish(process: subprocess.Popen, seconds: float = 60) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"jixiao did not finish in {seconds} s")
    return process.returncode, out, err


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Seed filings built as .docx by jixiao: the "old .doc files" the fake converts by copying."""
    out = tmp_path_factory.mktemp("built")
    assert run(["build", *(str(SEED / f"{name}.yaml") for name in NAMES), "--out", str(out), "--outputs", "docx", "-q"]) == 0
    return {name: out / "2024" / f"{name}.docx" for name in NAMES}


def _docs(tmp_path: Path, built: dict[str, Path], middle: bytes) -> list[Path]:
    """Three .doc files: two good ones around one whose content is `middle`."""
    folder = tmp_path / "docs"
    folder.mkdir()
    first, last = folder / "一.doc", folder / "三.doc"
    shutil.copyfile(built[NAMES[0]], first)
    shutil.copyfile(built[NAMES[1]], last)
    (folder / "二.doc").write_bytes(middle)
    return [first, folder / "二.doc", last]


# ----------------------------------------------------------------------------------------------
# 1. jixiao import


def test_a_hanging_doc_is_stopped_named_and_the_others_are_imported(tmp_path, fake, built):
    docs = _docs(tmp_path, built, b"HANG")
    started = time.monotonic()
    code, out, err = _finish(_jixiao(["import", *docs, "--out", tmp_path / "out"], tmp_path))
    assert time.monotonic() - started < 40
    assert code == 1 and "Traceback" not in err
    assert f"{docs[1]}: 错误：" in err and "超过 2 秒" in err and "JIXIAO_SOFFICE_TIMEOUT" in err, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(f"{n}.yaml" for n in NAMES[:2])
    assert _settled(fake) == []
    # Each LibreOffice process had a fresh profile of its own, removed afterwards.
    profiles = [entry["profile"] for entry in _log(fake)]
    assert len(profiles) == len(set(profiles)) >= 2
    assert not any(entry["profile_existed"] for entry in _log(fake))
    assert not any(Path(unquote(urlparse(p).path)).exists() for p in profiles)


def test_a_doc_that_crashes_libreoffice_does_not_fail_the_ones_after_it(tmp_path, fake, built, capsys):
    docs = _docs(tmp_path, built, b"CRASH")
    code = run(["import", *map(str, docs), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    assert err == f"{docs[1]}: 错误：LibreOffice 无法把它转换为 .docx\n"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(f"{n}.yaml" for n in NAMES[:2])
    assert [entry["inputs"] for entry in _log(fake)] == [["000000.doc", "000001.doc", "000002.doc"], ["000002.doc"]]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_or_sigterm_during_a_conversion_ends_libreoffice(tmp_path, fake, built, stop):
    docs = _docs(tmp_path, built, b"HANG")
    process = _jixiao(["import", *docs, "--out", tmp_path / "out"], tmp_path, timeout_setting="600")
    deadline = time.monotonic() + 30
    while not (fake / "hanging").exists():
        assert time.monotonic() < deadline and process.poll() is None, "the fake soffice never started hanging"
        time.sleep(0.05)
    assert _running(fake)
    process.send_signal(stop)
    code, out, err = _finish(process, 20)
    if stop == signal.SIGINT:
        assert code == 130 and "已中断" in err, err
    else:
        assert code == 128 + signal.SIGTERM, err
    assert "Traceback" not in err, err
    assert _settled(fake) == []


@pytest.mark.parametrize("setting", ["abc", "0", "-5", "nan"])
def test_a_bad_timeout_setting_is_named(tmp_path, fake, built, capsys, monkeypatch, setting):
    monkeypatch.setenv("JIXIAO_SOFFICE_TIMEOUT", setting)
    docs = _docs(tmp_path, built, b"")
    code = run(["import", str(docs[0]), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith(f"{docs[0]}: 错误：")
    assert f"JIXIAO_SOFFICE_TIMEOUT 的值“{setting}”" in err and "秒" in err
    assert _log(fake) == []


# ----------------------------------------------------------------------------------------------
# 2. jixiao build --pdf


def test_build_pdf_stops_a_hanging_conversion_and_converts_the_rest(tmp_path, fake):
    projects = tmp_path / "projects" / "2024"
    projects.mkdir(parents=True)
    for name in NAMES:
        text = (SEED / f"{name}.yaml").read_text(encoding="utf-8")
        if name == NAMES[1]:
            text = text.replace(f"项目名称: {name}", f"项目名称: {name}HANG")
            assert "HANG" in text
        (projects / f"{name}.yaml").write_text(text, encoding="utf-8")
    started = time.monotonic()
    code, out, err = _finish(_jixiao(["build", projects, "--out", tmp_path / "build", "--pdf"], tmp_path))
    assert time.monotonic() - started < 40
    assert code == 0 and "Traceback" not in err, err
    hung = tmp_path / "build" / "2024" / f"{NAMES[1]}.docx"
    assert "已生成 2 个 PDF，1 个转换失败" in err and f"{hung}: " in err and "超过 2 秒" in err, err
    pdfs = sorted(p.name for p in (tmp_path / "build" / "2024").glob("*.pdf"))
    assert pdfs == sorted(f"{n}.pdf" for n in (NAMES[0], NAMES[2]))
    for name in (NAMES[0], NAMES[2]):
        pdf = (tmp_path / "build" / "2024" / f"{name}.pdf").read_bytes()
        assert pdf == b"%PDF-fake\n" + (tmp_path / "build" / "2024" / f"{name}.docx").read_bytes()
    assert _settled(fake) == []
