"""The bad-input corpus (tests/bad/, format in tests/bad/README.md): every hostile or broken filing
is reported with the right rule, at the right line, in Chinese, and never crashes or hangs `jixiao check`.

Each committed case `tests/bad/<name>.yaml` is copied byte for byte into tmp_path/projects/2024/ and
checked with `check_paths` and with the CLI. Cases that cannot be committed (a 50 MB file, a folder,
symlinks, a FIFO, a file whose check may kill the interpreter) are made here, in MADE, with the same
expectation format.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from generator.cli import run
from generator.review.check import check_paths
from generator.review.rules import REGISTRY

REPO = Path(__file__).resolve().parents[1]
BAD = REPO / "tests" / "bad"
CLEAN = (REPO / "templates" / "yinchuan-2024" / "example.yaml").read_bytes()
CJK = re.compile(r"[\u4e00-\u9fff]")


# ---------------------------------------------------------------------------------------------
# the expectation format


@dataclass(frozen=True)
class Expect:
    rule: str | None  # None: clean (no load-stage finding)
    line: int | None
    contains: tuple[str, ...]


def parse_expect(text: str) -> Expect:
    """First line `<rule-id> <line>` or `clean`; then `contains: <text>` lines; `#` lines are comments."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines, "empty .expect"
    first, rest = lines[0].strip(), lines[1:]
    contains = []
    for line in rest:
        if line.startswith("#"):
            continue
        assert line.startswith("contains:"), f"unknown line in .expect: {line!r}"
        contains.append(line[len("contains:"):].strip())
    if first == "clean":
        assert not contains, "a clean case has no message to look into"
        return Expect(None, None, ())
    rule, line = first.split()
    assert rule in REGISTRY, f"unknown rule id {rule!r}"
    return Expect(rule, int(line), tuple(contains))


def is_load_stage(rule: str) -> bool:
    return REGISTRY[rule].stage == "load"


def describe(findings) -> list[tuple]:
    return [(f.line, f.col, f.rule, f.message) for f in findings]


def assert_findings(findings, expect: Expect) -> None:
    for f in findings:
        assert f.line >= 1 and f.col >= 1, describe([f])
        assert f.message.strip() and CJK.search(f.message), describe([f])
    if expect.rule is None:
        load = [f for f in findings if is_load_stage(f.rule)]
        assert not load, describe(load)
        return
    assert findings, "nothing was reported"
    if is_load_stage(expect.rule):
        first = findings[0]
        assert (first.rule, first.line) == (expect.rule, expect.line), describe(findings)
        hit = first
    else:
        hits = [f for f in findings if (f.rule, f.line) == (expect.rule, expect.line)]
        assert hits, describe(findings)
        hit = hits[0]
    for text in expect.contains:
        assert text in hit.message, (text, describe([hit]))


def assert_cli_exit(path: Path, capsys) -> None:
    """The command line on the case: 0 or 1, never a usage error (2) nor an exception."""
    code = run(["check", str(path)])
    capsys.readouterr()
    assert code in (0, 1), code


# ---------------------------------------------------------------------------------------------
# committed cases


def committed_cases() -> list[str]:
    return sorted(p.stem for p in BAD.glob("*.yaml"))


def test_every_case_has_its_expectation_and_the_format_is_documented():
    yamls = {p.stem for p in BAD.glob("*.yaml")}
    expects = {p.stem for p in BAD.glob("*.expect")}
    assert yamls == expects, (yamls ^ expects)
    assert len(yamls) >= 80
    assert "tests/bad/<name>.expect" in (BAD / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    """A working folder with projects/2024/ in it, made the current directory."""
    (tmp_path / "work" / "projects" / "2024").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "work")
    return tmp_path / "work"


@pytest.mark.parametrize("name", committed_cases())
def test_committed_case(name, workdir, capsys):
    expect = parse_expect((BAD / f"{name}.expect").read_text(encoding="utf-8"))
    path = Path("projects", "2024", f"{name}.yaml")
    shutil.copyfile(BAD / f"{name}.yaml", path)
    assert path.read_bytes() == (BAD / f"{name}.yaml").read_bytes()
    findings, _ = check_paths([path])
    assert_findings(findings, expect)
    assert_cli_exit(path, capsys)


# ---------------------------------------------------------------------------------------------
# cases made by the test


def _too_large(path: Path, outside: Path) -> None:
    line = b"# " + b"x" * 97 + b"\n"  # 100 bytes
    path.write_bytes(CLEAN + line * 500_000)  # 50 MB


def _deep_block(path: Path, outside: Path) -> None:
    path.write_bytes(b"- " * 200_000 + b"x\n")  # 400 KB, under the 1 MB limit


def _directory(path: Path, outside: Path) -> None:
    path.mkdir()


def _symlink_outside(path: Path, outside: Path) -> None:
    target = outside / "elsewhere.yaml"
    target.write_bytes(CLEAN)
    path.symlink_to(target)


def _symlink_broken(path: Path, outside: Path) -> None:
    path.symlink_to("no-such-file.yaml")  # relative: it would point inside projects/2024/


def _symlink_loop(path: Path, outside: Path) -> None:
    path.symlink_to(path.name)


def _fifo(path: Path, outside: Path) -> None:
    os.mkfifo(path)


@dataclass(frozen=True)
class Made:
    make: Callable[[Path, Path], None]
    expect: str
    # Run in a child process: the check may kill the interpreter (a segfault) or block forever.
    isolated: bool = False


MADE = {
    "too-large-50mb": Made(_too_large, "file.too-large 1\ncontains: 文件过大"),
    "nesting-block-200000": Made(_deep_block, "yaml.syntax 1\ncontains: 嵌套", isolated=True),
    "x": Made(_directory, "file.unreadable 1\ncontains: 文件夹"),
    "symlink-outside": Made(_symlink_outside, "file.outside 1"),
    "symlink-broken": Made(_symlink_broken, "file.unreadable 1\ncontains: 链接"),
    "symlink-loop": Made(_symlink_loop, "file.unreadable 1"),
    "fifo": Made(_fifo, "file.unreadable 1", isolated=True),
}
if not hasattr(os, "mkfifo"):
    del MADE["fifo"]

CHILD = r"""
import contextlib, io, json, sys
from pathlib import Path
from generator.review.check import check_paths
from generator.cli import run
path = Path(sys.argv[1])
findings, _ = check_paths([path])
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = run(["check", str(path)])
print(json.dumps({"findings": [f.as_dict() for f in findings], "cli": code}, ensure_ascii=False))
"""
CHILD_TIMEOUT = 5


@dataclass(frozen=True)
class _Found:
    line: int
    col: int
    rule: str
    message: str


def _check_in_child(path: Path) -> list[_Found]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True,
                              timeout=CHILD_TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail(f"checking {path} did not finish in {CHILD_TIMEOUT} s (hangs)")
    assert done.returncode == 0, f"the check died with exit status {done.returncode}: {done.stderr[-2000:]}"
    result = json.loads(done.stdout)
    assert result["cli"] in (0, 1), result["cli"]
    return [_Found(r["line"], r["col"], r["rule"], r["message"]) for r in result["findings"]]


@pytest.mark.parametrize("name", list(MADE))
def test_made_case(name, workdir, tmp_path, capsys):
    made = MADE[name]
    outside = tmp_path / "outside"
    outside.mkdir()
    path = Path("projects", "2024", f"{name}.yaml")
    made.make(path, outside)
    if made.isolated:
        findings = _check_in_child(path)
    else:
        findings, _ = check_paths([path])
    assert_findings(findings, parse_expect(made.expect))
    if not made.isolated:
        assert_cli_exit(path, capsys)
        # ... and as one entry of the folder it sits in.
        assert_cli_exit(Path("projects"), capsys)
