"""Atomic writes keep what the replaced file had: its permissions."""

from __future__ import annotations

import os
import stat

import pytest

from generator.cli import run
from generator.common.atomic import write_text_atomic


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
@pytest.mark.parametrize("mode", [0o600, 0o664, 0o640])
def test_a_rewritten_file_keeps_its_mode(tmp_path, mode):
    target = tmp_path / "a.yaml"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(mode)
    write_text_atomic(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == mode


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
def test_a_new_file_gets_the_umask_mode(tmp_path):
    old = os.umask(0o027)
    try:
        write_text_atomic(tmp_path / "b.yaml", "new\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "b.yaml").stat().st_mode) == 0o640


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
def test_fmt_keeps_a_filings_mode(tmp_path, monkeypatch):
    from conftest import SEED_DIR

    monkeypatch.chdir(tmp_path)
    filing = tmp_path / "projects" / "2024" / "督查室工作经费.yaml"
    filing.parent.mkdir(parents=True)
    filing.write_text((SEED_DIR / "督查室工作经费.yaml").read_text(encoding="utf-8").replace("项目名称: ", "项目名称:   "),
                      encoding="utf-8")
    filing.chmod(0o660)
    before = filing.read_bytes()
    assert run(["fmt", "projects"]) == 0
    assert filing.read_bytes() != before
    assert stat.S_IMODE(filing.stat().st_mode) == 0o660
