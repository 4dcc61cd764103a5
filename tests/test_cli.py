"""The command line: Chinese help, usage errors with exit 2, `python -m generator`."""

import subprocess
import sys

from conftest import REPO

from generator.cli import run


def test_help_is_chinese(capsys):
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    assert "用法：jixiao [选项] 命令" in out and "选项" in out and "命令" in out and "check" in out
    assert "Usage" not in out and "Options" not in out and "Show this message" not in out


def test_check_help_is_chinese(capsys):
    assert run(["check", "--help"]) == 0
    out = capsys.readouterr().out
    assert "检查申报表" in out and "输出格式" in out and "显示此帮助并退出" in out


def test_unknown_command_is_a_usage_error(capsys):
    assert run(["chek"]) == 2
    assert "没有“chek”这个命令" in capsys.readouterr().err


def test_python_dash_m_generator_runs_check_on_the_seed():
    done = subprocess.run(
        [sys.executable, "-m", "generator", "check", "projects/2024"], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode in (0, 1), done.stderr
    assert "检查了 6 个文件" in done.stderr
    assert "Traceback" not in done.stderr


def test_schema_check_command_agrees_with_the_committed_file(capsys):
    assert run(["schema", "--check"]) == 0
