""".ci/run: the Debian packages it installs are those .ci/missing-packages names, the same answer every
time it is asked; then it runs exactly README.md's test command.

The script is run by /bin/bash with PATH set to a folder of stand-in commands, so what is "installed" is
decided here, not by the machine."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

SCRIPT = REPO / ".ci" / "missing-packages"
EVERY_PACKAGE = ["git", "python3-venv", "libreoffice-writer-nogui", "libreoffice-calc-nogui", "poppler-utils", "chromium",
                 "chromium-driver", "nodejs", "npm", "fontconfig", "fonts-noto-cjk"]
RUNS = 20


def missing_packages(path: str) -> list[str]:
    done = subprocess.run(["/bin/bash", "-o", "pipefail", str(SCRIPT)], env={"PATH": path}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def command(folder: Path, name: str, body: str = "") -> None:
    path = folder / name
    path.write_text(f"#!{sys.executable}\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


@pytest.fixture
def installed(tmp_path) -> Path:
    """Stand-ins for every command the script looks for; fc-list lists the CJK font first and then enough
    other fonts to fill the pipe many times over, so that a reader that stops at the match kills it."""
    for name in ("git", "python3", "soffice", "pdftotext", "chromium", "chromedriver", "node", "npm"):
        command(tmp_path, name)
    (tmp_path / "libsclo.so").touch()  # Calc, beside soffice
    command(tmp_path, "fc-list", 'import sys\nsys.stdout.write("Noto Serif CJK SC\\n" + "DejaVu Sans\\n" * 200_000)')
    return tmp_path


def test_a_bare_machine_lacks_every_package(tmp_path):
    assert missing_packages(str(tmp_path)) == EVERY_PACKAGE


def test_a_complete_machine_lacks_nothing_every_time(installed):
    assert [missing_packages(str(installed)) for _ in range(RUNS)] == [[]] * RUNS


def test_without_calc_only_calc_is_missing(installed):
    (installed / "libsclo.so").unlink()
    assert missing_packages(str(installed)) == ["libreoffice-calc-nogui"]


def test_without_the_cjk_font_only_the_fonts_are_missing(installed):
    command(installed, "fc-list", 'print("DejaVu Sans")')
    assert missing_packages(str(installed)) == ["fonts-noto-cjk"]


def test_without_the_browser_only_the_browser_packages_are_missing(installed):
    (installed / "chromium").unlink()
    assert missing_packages(str(installed)) == ["chromium"]
    (installed / "chromedriver").unlink()
    assert missing_packages(str(installed)) == ["chromium", "chromium-driver"]


def test_without_node_only_nodejs_and_npm_are_missing(installed):
    (installed / "node").unlink()
    (installed / "npm").unlink()
    assert missing_packages(str(installed)) == ["nodejs", "npm"]


def test_this_machine_gets_the_same_answer_every_time():
    answers = [missing_packages(os.environ["PATH"]) for _ in range(RUNS)]
    assert all(answer == answers[0] for answer in answers), answers
    assert set(answers[0]) <= set(EVERY_PACKAGE)


def test_ci_runs_the_readme_test_command_and_the_readme_names_the_packages():
    readme = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    command_line = readme[readme.index("# 安装并运行全部测试") + 1]
    run = [line for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines() if line.strip()]
    assert run[-1] == command_line
    assert "bash .ci/missing-packages" in "\n".join(run)
    ci_sentence = next(line for line in readme if line.startswith("CI 运行 `.ci/run`"))
    paragraph = "".join(readme[readme.index(ci_sentence):readme.index(ci_sentence) + 3])
    for package in EVERY_PACKAGE:
        assert f"`{package}`" in paragraph, package
