"""Safe outputs: interrupted builds leave old-or-new files, concurrent builds do not collide,
broken or hostile templates give a message (not a traceback), nothing is written outside --out."""

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO
from docx import Document

from generator.cli import run

sys.path.insert(0, str(REPO / "benchmarks"))
from synthetic import write_filings  # noqa: E402

COUNT = 200  # enough for worker processes, and for a build that a signal sent after its first output interrupts
KILL_SEEDS = (1, 2, 3)
KILL_SIGNALS = ("SIGINT", "SIGTERM", "SIGKILL")
KILL_TESTS = len(KILL_SEEDS) * len(KILL_SIGNALS)


def jixiao(*args, cwd, env=None, **popen):
    command = [sys.executable, "-m", "generator", *map(str, args)]
    return subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True, **popen)


def outputs(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".jixiao-")
    }


def wait_for_first_output(process: subprocess.Popen, folder: Path, since: float) -> None:
    """Wait until the build has written an output (so that a signal sent now interrupts real work)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(p.stat().st_mtime > since for p in folder.rglob("*.docx")):
            return
        assert process.poll() is None, process.stderr.read().decode()
        time.sleep(0.01)
    raise AssertionError("the build wrote nothing for a minute")


SIGNAL_EXIT = {"SIGINT": 130, "SIGTERM": -signal.SIGTERM, "SIGKILL": -signal.SIGKILL}


def wait_for_group(process: subprocess.Popen) -> None:
    """Wait until the build and every worker it started have exited."""
    process.wait(timeout=60)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError("worker processes outlived the build")


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """Filings in two versions and the complete outputs of each (built cold, one process)."""
    root = tmp_path_factory.mktemp("kill")
    write_filings(root / "projects", COUNT, seed=5)
    done = {}
    for version in ("v1", "v2"):
        if version == "v2":
            for path in (root / "projects" / "2024").glob("*.yaml"):
                text = path.read_text(encoding="utf-8")
                path.write_text(text.replace("年度总体目标: ", "年度总体目标: 第二版。"), encoding="utf-8")
        process = jixiao("build", "projects", "--out", f"out-{version}", "-q", "-j", "1", cwd=root)
        process.communicate(timeout=120)
        done[version] = outputs(root / f"out-{version}")
    # the filings now hold v2; a working folder starts from the v1 outputs
    return root, done["v1"], done["v2"]


@pytest.mark.parametrize("seed", KILL_SEEDS)
@pytest.mark.parametrize("signame", KILL_SIGNALS)
def test_a_killed_build_leaves_old_or_new_files_and_the_next_build_repairs(versions, seed, signame, tmp_path):
    root, old, new = versions
    out = root / f"out-{signame}-{seed}"
    shutil.copytree(root / "out-v1", out)  # with the old files' times
    started = time.time()
    process = jixiao("build", "projects", "--out", out.name, "-q", "-j", "2", cwd=root)
    wait_for_first_output(process, out, started)
    time.sleep(random.Random(seed).uniform(0, 0.1))
    if signame == "SIGINT":
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    elif signame == "SIGTERM":
        process.send_signal(signal.SIGTERM)
    else:
        os.killpg(process.pid, signal.SIGKILL)
    wait_for_group(process)
    stderr = process.stderr.read().decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    assert process.returncode == SIGNAL_EXIT[signame], stderr  # the signal ended the build ...
    interrupted = outputs(out)
    assert interrupted != new  # ... before it was done
    for name, data in interrupted.items():
        assert data in (old.get(name), new.get(name)), f"{name} is neither the old nor the new file"
    rebuild = jixiao("build", "projects", "--out", out.name, "-q", cwd=root)
    _, err = rebuild.communicate(timeout=120)
    assert rebuild.returncode in (0, 1), err.decode()
    assert outputs(out) == new
    assert not list(out.rglob("*.tmp"))


def test_two_builds_at_once_do_not_corrupt_each_other(versions):
    root, _, new = versions
    out = root / "out-concurrent"
    first = jixiao("build", "projects", "--out", out.name, "-j", "2", cwd=root)
    second = jixiao("build", "projects", "--out", out.name, "-j", "2", cwd=root)
    results = [p.communicate(timeout=180) for p in (first, second)]
    for process, (_, err) in zip((first, second), results):
        assert process.returncode in (0, 1), err.decode()
        assert "Traceback" not in err.decode()
    assert outputs(out) == new


def test_ctrl_c_in_one_process_says_so_once(tmp_path):
    write_filings(tmp_path / "projects", 300, seed=9)
    started = time.time()
    process = jixiao("build", "projects", "--out", "out", "-j", "1", "--no-cache", cwd=tmp_path)
    wait_for_first_output(process, tmp_path / "out", started - 1)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    text = err.decode()
    assert process.returncode == 130, text
    assert text.count("已中断") == 1 and "Traceback" not in text
    assert 0 < len(list((tmp_path / "out").rglob("*.docx"))) < 300  # interrupted mid-build


# ------------------------------------------------------------------------------------------------
# Templates edited by users


@pytest.fixture
def edited_templates(tmp_path):
    """A copy of templates/ that a test may break, and a filings folder using it."""
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    (tmp_path / "projects" / "2024").mkdir(parents=True)
    shutil.copy(REPO / "projects" / "2024" / "督查室工作经费.yaml", tmp_path / "projects" / "2024")
    return tmp_path, templates


def _edit_docx(path: Path, old: str, new: str) -> None:
    document = Document(str(path))
    for paragraph in document.element.body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"):
        if paragraph.text and old in paragraph.text:
            paragraph.text = paragraph.text.replace(old, new)
            document.save(str(path))
            return
    raise AssertionError(f"{old!r} not in the template")


def _build_with(root: Path, templates: Path, *extra):
    process = jixiao("build", "projects", "--out", "out", *extra, cwd=root,
                     env={"JIXIAO_TEMPLATES_DIR": str(templates), "JIXIAO_CACHE_DIR": str(root / "cache")})
    out, err = process.communicate(timeout=120)
    return process.returncode, err.decode()


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("{{ form.title }}", "{{ no_such_name }}", "no_such_name"),
    ("{{ form.title }}", "{{ form.title ", "form.title"),
    ("{{ form.note }}", "{% if form.note %}没有结尾", "endif"),
    ("{%tr endfor %}", "（删掉了循环的结尾）", "endfor"),
    ("{{ form.title }}", "{{ ''.__class__.__mro__[1].__subclasses__() }}", "unsafe"),
    ("{{ form.title }}", "{% include '/etc/passwd' %}", "/etc/passwd"),
], ids=["unknown-name", "unclosed-tag", "unclosed-if", "unbalanced-tr", "sandbox-attribute", "include-a-file"])
def test_a_broken_or_hostile_word_template_is_reported_not_run(edited_templates, old, new, expected):
    root, templates = edited_templates
    _edit_docx(templates / "yinchuan-2024" / "template.docx", old, new)
    code, err = _build_with(root, templates, "--outputs", "docx")
    assert code == 1, err
    assert "Traceback" not in err
    assert "template.docx" in err and expected in err
    assert "root:" not in err  # nothing of /etc/passwd was read into the message
    assert not (root / "out" / "2024" / "督查室工作经费.docx").exists()


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("{{ form.title }}</h1>", "{{ nothing_here }}</h1>", "nothing_here"),
    ("<h1>{{ form.title }}", "<h1>{% include '../../../../../../etc/passwd' %}", "passwd"),
    ("<h1>{{ form.title }}", "<h1>{{ cycler.__init__.__globals__ }}", "unsafe"),
], ids=["unknown-name", "include-outside", "sandbox-globals"])
def test_a_broken_or_hostile_html_template_is_reported_not_run(edited_templates, old, new, expected):
    root, templates = edited_templates
    preview = templates / "yinchuan-2024" / "preview.html.j2"
    text = preview.read_text(encoding="utf-8")
    assert old in text
    preview.write_text(text.replace(old, new), encoding="utf-8")
    code, err = _build_with(root, templates, "--outputs", "html")
    assert code == 1, err
    assert "Traceback" not in err and "preview.html.j2" in err and expected in err
    assert "root:" not in err


# ------------------------------------------------------------------------------------------------
# Nothing outside --out


def test_nothing_is_written_outside_the_output_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    projects = tmp_path / "projects" / "2024"
    projects.mkdir(parents=True)
    clean = (REPO / "templates" / "yinchuan-2024" / "example.yaml").read_text(encoding="utf-8")
    # (hidden files such as "..yaml" are not filings: folders are read without them)
    for stem, name in [("…", "省略号"), ("CON", "保留名"), (" a b ", "空格"), ("x.v2", "带点"), ("nul.x", "保留名二")]:
        (projects / f"{stem}.yaml").write_text(clean.replace("政务服务热线运行经费", name), encoding="utf-8")
    (tmp_path / "outside.yaml").write_text(clean.replace("政务服务热线运行经费", "外面的"), encoding="utf-8")
    before = {p for p in tmp_path.rglob("*")}
    assert run(["build", "projects", "projects/2024/../../outside.yaml", "--out", "out", "-q"]) in (0, 1)
    created = {p for p in tmp_path.rglob("*")} - before
    cache = Path(os.environ["JIXIAO_CACHE_DIR"])
    assert created and all(p.resolve().is_relative_to((tmp_path / "out").resolve()) or p.is_relative_to(cache) for p in created)
    names = sorted(p.name for p in (tmp_path / "out" / "2024").glob("*.docx"))
    assert names == sorted(["….docx", "_CON.docx", "a b.docx", "x.v2.docx", "_nul.x.docx", "outside.docx"])


def test_import_names_files_safely_whatever_the_project_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    projects = tmp_path / "projects" / "2024"
    projects.mkdir(parents=True)
    clean = (REPO / "templates" / "yinchuan-2024" / "example.yaml").read_text(encoding="utf-8")
    (projects / "x.yaml").write_text(clean.replace("项目名称: 政务服务热线运行经费", '项目名称: "../../逃出去/CON"'), encoding="utf-8")
    assert run(["build", "projects", "--out", "out", "-q", "--outputs", "docx"]) in (0, 1)
    before = {p for p in tmp_path.rglob("*")}
    assert run(["import", "out/2024/x.docx", "--out", "imported"]) == 0
    created = {p for p in tmp_path.rglob("*")} - before
    assert [p.relative_to(tmp_path).as_posix() for p in created if p.is_file()] == ["imported/_.._逃出去_CON.yaml"]
