"""`jixiao init`: a filings repository in five minutes, run as a new user would (the venv's `jixiao` as a real
process in an empty folder, real pre-commit with the pinned hooks); where `schema` writes and where every
modeline points; NO_COLOR / FORCE_COLOR; the cache folder."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import REPO, SEED_DIR
from ruamel.yaml import YAML
from test_hooks import PRE_COMMIT, clean_env, git, sh
from test_hooks import hook_source  # noqa: F401  (a module fixture, asked for by jixiao_wheel)

from generator import __version__
from generator.cli import run
from generator.common import resources
from generator.common.caching import cache_dir
from generator.common.terminal import colour_enabled
from generator.filing.modeline import MODELINE_PREFIX
from generator.forms.pack import load_forms
from generator.forms.schema import render_schema

JIXIAO = Path(sys.executable).with_name("jixiao")
EXAMPLE = "projects/2024/政务服务热线运行经费.yaml"
STARTED = ["schema.json", ".vscode/settings.json", ".vscode/extensions.json", ".pre-commit-config.yaml",
           ".github/workflows/filings.yml", ".gitignore", "pyproject.toml", "README.md", EXAMPLE]


def jixiao(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([str(JIXIAO), *args], cwd=root, env=env or dict(os.environ), capture_output=True, text=True,
                          timeout=300)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(root.rglob("*")) if p.is_file()}


def modeline_target(path: Path) -> Path:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(MODELINE_PREFIX), first
    relative = first[len(MODELINE_PREFIX):]
    assert not relative.startswith("/") and "site-packages" not in relative, relative
    return (path.parent / relative).resolve()


@pytest.fixture
def started(tmp_path) -> Path:
    root = tmp_path / "filings"
    root.mkdir()
    done = jixiao(root, "init")
    assert done.returncode == 0, done.stderr
    return root


# --- the five-minute path ------------------------------------------------------------------------------

def test_init_new_check_build_in_an_empty_folder(tmp_path):
    # issue #15's "Done when", run exactly as written: the new filing is a draft, so check passes (warnings)
    root = tmp_path / "filings"
    root.mkdir()
    chain = "jixiao init && jixiao new 测试项目 --year 2025 && jixiao check && jixiao build"
    env = {**os.environ, "PATH": f"{JIXIAO.parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["sh", "-c", chain], cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stdout + done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    made = root / "projects" / "2025" / "测试项目.yaml"
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and "build" not in p.parts) == sorted(
        [*STARTED, made.relative_to(root).as_posix()])
    assert (root / "schema.json").read_text(encoding="utf-8") == render_schema(load_forms())
    assert modeline_target(root / EXAMPLE) == (root / "schema.json").resolve()
    assert modeline_target(made) == (root / "schema.json").resolve()
    assert "表样：yinchuan-2024" in done.stderr and "default-form" in done.stderr  # the config init wrote
    assert re.search(r"检查了 2 个文件：0 个错误，\d+ 个警告", done.stderr), done.stderr

    # check names the blanks still to be filled in, as warnings of the draft, and only in the new file
    done = jixiao(root, "check", "--format", "json")
    findings = json.loads(done.stdout)
    assert done.returncode == 0 and findings
    assert {f["file"] for f in findings} == {"projects/2025/测试项目.yaml"}
    assert {f["severity"] for f in findings} == {"warning"}
    assert {f["rule"] for f in findings} == {"filing.draft", "header.missing", "header.missing-recommended", "group.required-empty"}

    for year, name in (("2024", "政务服务热线运行经费"), ("2025", "测试项目")):
        for suffix in (".docx", ".html"):
            assert (root / "build" / year / f"{name}{suffix}").is_file()
        assert (root / "build" / year / "汇总表.xlsx").is_file()
    text = "".join(t.text or "" for t in docx.Document(root / "build" / "2025" / "测试项目.docx").element.body.iter(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"))
    assert "测试项目" in text


def test_the_starter_files_are_pinned_and_point_at_the_repository(started):
    root = started
    hooks = YAML(typ="safe", pure=True).load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (local,) = hooks["repos"]
    assert local["repo"] == "local"
    assert [(h["id"], h["entry"]) for h in local["hooks"]] == [("jixiao-check", "jixiao check"), ("jixiao-fmt", "jixiao fmt")]
    assert all(h["additional_dependencies"] == [f"jixiao=={__version__}"] and h["language"] == "python" for h in local["hooks"])
    assert all(re.search(h["files"], EXAMPLE) and not re.search(h["files"], "README.md") for h in local["hooks"])

    settings = json.loads((root / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert settings["yaml.schemas"] == {"./schema.json": ["projects/**/*.yaml", "projects/**/*.yml"]}
    assert json.loads((root / ".vscode" / "extensions.json").read_text(encoding="utf-8")) == {"recommendations": ["redhat.vscode-yaml"]}
    assert tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8")) == {"tool": {"jixiao": {"default-form": "yinchuan-2024"}}}
    assert "/build/" in (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert f'pip install "jixiao=={__version__}"' in readme and EXAMPLE in readme and "@JIXIAO" not in readme


def test_init_with_another_form_takes_its_example_and_default(tmp_path):
    done = jixiao(tmp_path, "init", "filings", "--form", "gansu-2023")
    assert done.returncode == 0, done.stderr
    root = tmp_path / "filings"
    (example,) = (root / "projects").rglob("*.yaml")
    assert "表样: gansu-2023" in example.read_text(encoding="utf-8")
    assert tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["jixiao"]["default-form"] == "gansu-2023"
    assert jixiao(root, "check").returncode == 0
    assert jixiao(tmp_path, "init", "x", "--form", "beijing-2030").returncode == 2


# --- never a user's file -------------------------------------------------------------------------------

def test_init_twice_changes_nothing_and_says_so(started):
    before = snapshot(started)
    done = jixiao(started, "init")
    assert done.returncode == 0
    assert snapshot(started) == before
    assert "没有改动任何文件" in done.stderr and "已创建" not in done.stdout
    assert done.stdout.splitlines() == [f"未改变 {name}" for name in STARTED if name != EXAMPLE]
    assert "projects/ 里已有申报表，没有添加示例" in done.stderr


def test_a_users_file_is_kept_without_force_and_replaced_with_it(started):
    readme, settings = started / "README.md", started / ".vscode" / "settings.json"
    original = readme.read_text(encoding="utf-8")
    readme.write_text("# 我们的申报表\n", encoding="utf-8")
    settings.write_text('{"editor.tabSize": 2}\n', encoding="utf-8")
    done = jixiao(started, "init")
    assert done.returncode == 0
    assert readme.read_text(encoding="utf-8") == "# 我们的申报表\n"
    assert settings.read_text(encoding="utf-8") == '{"editor.tabSize": 2}\n'
    assert "已跳过 README.md：已存在且内容不同" in done.stderr and "--force" in done.stderr
    assert '已跳过 .vscode/settings.json' in done.stderr and '"yaml.schemas"' in done.stderr  # what to add by hand

    done = jixiao(started, "init", "--force")
    assert done.returncode == 0
    assert readme.read_text(encoding="utf-8") == original
    assert "已覆盖 README.md" in done.stdout and "已覆盖 .vscode/settings.json" in done.stdout


def test_an_existing_pyproject_and_gitignore_only_get_an_addition_with_force(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "filings"', encoding="utf-8")  # no final newline
    (tmp_path / ".gitignore").write_text("*.pyc\n", encoding="utf-8")
    done = jixiao(tmp_path, "init")
    assert done.returncode == 0
    assert (tmp_path / "pyproject.toml").read_text(encoding="utf-8") == '[project]\nname = "filings"'
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == "*.pyc\n"
    assert "已跳过 pyproject.toml" in done.stderr and "[tool.jixiao]" in done.stderr

    done = jixiao(tmp_path, "init", "--force")
    assert done.returncode == 0 and "已追加 pyproject.toml" in done.stdout and "已追加 .gitignore" in done.stdout
    config = tomllib.loads((tmp_path / "pyproject.toml").read_text(encoding="utf-8"))
    assert config == {"project": {"name": "filings"}, "tool": {"jixiao": {"default-form": "yinchuan-2024"}}}
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8").splitlines()[0] == "*.pyc"
    before = snapshot(tmp_path)
    assert jixiao(tmp_path, "init", "--force").returncode == 0
    assert snapshot(tmp_path) == before  # present now: nothing appended twice


def test_init_adds_no_example_beside_existing_filings(tmp_path):
    shutil.copytree(SEED_DIR, tmp_path / "projects" / "2024")
    done = jixiao(tmp_path, "init")
    assert done.returncode == 0 and "没有添加示例" in done.stderr
    assert sorted(p.name for p in (tmp_path / "projects").rglob("*.yaml")) == sorted(p.name for p in SEED_DIR.glob("*.yaml"))


def test_init_into_a_file_is_a_usage_error(tmp_path):
    (tmp_path / "f").write_text("", encoding="utf-8")
    done = jixiao(tmp_path, "init", "f")
    assert done.returncode == 2 and "不是文件夹" in done.stderr


# --- schema.json and modelines belong to the repository ------------------------------------------------

def test_new_refuses_without_the_repositorys_schema(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "projects").mkdir()
    capsys.readouterr()
    assert run(["new", "测试项目", "--year", "2025"]) == 1
    err = capsys.readouterr().err
    assert "没有 schema.json" in err and "jixiao init" in err
    assert not (tmp_path / "projects" / "2025").exists()


def test_every_modeline_written_is_relative_and_resolves(started, monkeypatch, capsys):
    monkeypatch.chdir(started)
    schema = (started / "schema.json").resolve()
    assert run(["new", "测试项目", "--year", "2025", "--projects", "projects"]) == 0
    bare = started / "projects" / "2024" / "无注释.yaml"
    bare.write_text("".join((started / EXAMPLE).read_text(encoding="utf-8").splitlines(keepends=True)[1:]), encoding="utf-8")
    assert run(["fmt", "projects/2024/无注释.yaml"]) == 0
    (started / "projects" / "2024" / "无注释.yaml").unlink()
    assert run(["rollover", "2024", "2026"]) == 0
    made = [started / "projects" / "2025" / "测试项目.yaml", started / "projects" / "2026" / "政务服务热线运行经费.yaml"]
    for path in made:
        assert modeline_target(path) == schema, path
    # fmt adds the modeline to a file that has none, from a subfolder too
    monkeypatch.chdir(started / "projects")
    bare.write_text("".join((started / EXAMPLE).read_text(encoding="utf-8").splitlines(keepends=True)[1:]), encoding="utf-8")
    assert run(["fmt", "2024/无注释.yaml"]) == 0
    assert modeline_target(bare) == schema
    assert "提示" not in capsys.readouterr().err


def test_fmt_without_the_schema_still_writes_the_relative_modeline_and_says_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    bare = tmp_path / "projects" / "2024" / "x.yaml"
    bare.parent.mkdir(parents=True)
    bare.write_text("".join((SEED_DIR / "督查室工作经费.yaml").read_text(encoding="utf-8").splitlines(keepends=True)[1:]),
                    encoding="utf-8")
    capsys.readouterr()
    assert run(["fmt"]) == 0
    assert modeline_target(bare) == tmp_path.resolve() / "schema.json"
    assert "jixiao init" in capsys.readouterr().err


def test_schema_writes_the_repositorys_file_and_not_the_packages(started, monkeypatch, capsys):
    own = resources.schema_path()
    before = (own.read_bytes(), own.stat().st_mtime_ns)
    (started / "schema.json").unlink()
    monkeypatch.chdir(started / "projects" / "2024")
    assert run(["schema", "--check"]) == 1
    assert run(["schema"]) == 0
    assert (started / "schema.json").read_text(encoding="utf-8") == render_schema(load_forms())
    assert run(["schema", "--check"]) == 0
    assert (own.read_bytes(), own.stat().st_mtime_ns) == before
    assert not (started / "projects" / "2024" / "schema.json").exists()

    outside = started.parent / "elsewhere"
    outside.mkdir()
    monkeypatch.chdir(outside)
    capsys.readouterr()
    assert run(["schema"]) == 2
    assert "jixiao init" in capsys.readouterr().err
    assert not (outside / "schema.json").exists()
    assert run(["schema", "--output", "s.json"]) == 0 and (outside / "s.json").is_file()


# --- pre-commit and the workflow, for real ---------------------------------------------------------------

@pytest.fixture(scope="module")
def jixiao_wheel(request, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A wheel of this working tree (built from hook_source's copy of it, so nothing is written here), and the
    environment in which pip finds it: as a department's index would hold jixiao==<version>."""
    source, _, env = request.getfixturevalue("hook_source")
    wheels = tmp_path_factory.mktemp("wheels")
    sh([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)], source, env)
    (wheel,) = wheels.glob("jixiao-*.whl")
    return wheel, {**env, "PIP_FIND_LINKS": " ".join(filter(None, [str(wheels), env.get("PIP_FIND_LINKS", "")]))}


def test_the_wheel_carries_the_starter_files(jixiao_wheel):
    wheel, _ = jixiao_wheel
    names = set(zipfile.ZipFile(wheel).namelist())
    starter = REPO / "generator" / "history" / "starter"
    assert {f"generator/history/starter/{p.name}" for p in starter.iterdir()} <= names
    assert wheel.name.startswith(f"jixiao-{__version__}-")


def test_pre_commit_runs_the_pinned_hooks_in_an_initialised_repository(jixiao_wheel, tmp_path):
    _, env = jixiao_wheel
    root = tmp_path / "filings"
    root.mkdir()
    assert jixiao(root, "init", env={**env, "PATH": f"{JIXIAO.parent}{os.pathsep}{os.environ['PATH']}"}).returncode == 0
    assert jixiao(root, "new", "测试项目", "--year", "2025").returncode == 0  # a draft: warnings do not stop a commit
    git(root, env, "init", "-q", "-b", "main")
    git(root, env, "add", "-A")
    done = sh([str(PRE_COMMIT), "run", "--all-files"], root, env, check=False, timeout=900)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert re.search(r"jixiao check（检查申报表）\.+Passed", output) and re.search(r"jixiao fmt（统一申报表格式）\.+Passed", output), output

    bad = root / "projects" / "2024" / "拼错.yaml"
    bad.write_text((root / EXAMPLE).read_text(encoding="utf-8").replace("    数量指标:\n", "    数量指表:\n"), encoding="utf-8")
    git(root, env, "add", "-A")
    done = sh([str(PRE_COMMIT), "run", "--all-files"], root, env, check=False, timeout=900)
    output = done.stdout + done.stderr
    assert done.returncode != 0 and "数量指表" in output and "拼错.yaml" in output, output


def workflow_commands(workflow: Path) -> list[str]:
    data = YAML(typ="safe", pure=True).load(workflow.read_text(encoding="utf-8"))
    lines = [line.strip() for job in data["jobs"].values() for step in job["steps"] for line in str(step.get("run", "")).splitlines()]
    return [line.replace("${{ github.base_ref }}", "main") for line in lines if re.search(r"(^|[\s;&|(\"])jixiao[\s=]", line)]


def test_the_workflow_installs_the_pinned_jixiao_and_its_commands_run(started, tmp_path):
    workflow = started / ".github" / "workflows" / "filings.yml"
    commands = workflow_commands(workflow)
    assert f'pip install "jixiao=={__version__}"' in commands
    assert "jixiao check" in commands and "jixiao build" in commands
    assert "jixiao check --format github --changed-since origin/main" in commands
    assert any(c.startswith("jixiao diff origin/main --format markdown") for c in commands)

    env = clean_env(PATH=f"{JIXIAO.parent}{os.pathsep}{os.environ['PATH']}", GIT_CEILING_DIRECTORIES=str(tmp_path))
    git(started, env, "init", "-q", "-b", "main")
    git(started, env, "add", "-A")
    git(started, env, "commit", "-q", "-m", "init")
    clone = tmp_path / "clone"
    git(tmp_path, env, "clone", "-q", str(started), str(clone))
    git(clone, env, "checkout", "-q", "-b", "pr")
    path = clone / EXAMPLE
    path.write_text(path.read_text(encoding="utf-8").replace("受理来电数量: ≥12万件", "受理来电数量: ≥13万件"), encoding="utf-8")
    git(clone, env, "commit", "-q", "-a", "-m", "funds")
    from generator.cli import check

    knows_changed_since = any("--changed-since" in p.opts for p in check.params)
    for command in commands:
        if command.startswith("pip "):
            continue
        done = sh(command, clone, env, check=False)
        output = done.stdout + done.stderr
        assert "Traceback" not in output, (command, output)
        if "--changed-since" in command and not knows_changed_since:
            # implemented on the branch of issue #15's CI formats; until it is merged here, the option is unknown
            assert done.returncode == 2 and "--changed-since" in output, (command, output)
            continue
        assert "这个命令" not in output and "这个选项" not in output, (command, output)
        assert done.returncode in (0, 1), (command, done.returncode, output)
        if command == "jixiao check --format github --changed-since origin/main":
            assert all(line.startswith("::") and "政务服务热线运行经费" in line for line in done.stdout.splitlines()), output
        if command in ("jixiao check", "jixiao fmt --check", "jixiao build"):
            assert done.returncode == 0, (command, output)
    assert "≥13万件" in (clone / "diff.md").read_text(encoding="utf-8")
    assert (clone / "build" / "2024" / "政务服务热线运行经费.docx").is_file()


# --- colour, and the cache folder ------------------------------------------------------------------------

class _Stream:
    def __init__(self, tty: bool):
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(("env", "tty", "expected"), [
    ({}, True, True),
    ({}, False, False),
    ({"NO_COLOR": "1"}, True, False),
    ({"NO_COLOR": ""}, True, True),  # empty: as if unset (no-color.org)
    ({"FORCE_COLOR": "1"}, False, True),
    ({"FORCE_COLOR": "0"}, True, False),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, True, False),  # NO_COLOR wins, as in CPython
    ({"TERM": "dumb"}, True, False),
    ({"TERM": "dumb", "FORCE_COLOR": "1"}, False, True),
])
def test_colour_follows_no_color_and_force_color(monkeypatch, env, tty, expected):
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert colour_enabled(_Stream(tty)) is expected


@pytest.mark.parametrize(("env", "escapes"), [({}, False), ({"FORCE_COLOR": "1"}, True), ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False)])
def test_diff_colours_only_as_the_environment_says(tmp_path, monkeypatch, env, escapes):
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    text = (SEED_DIR / "督查室工作经费.yaml").read_text(encoding="utf-8")
    old.write_text(text, encoding="utf-8")
    new.write_text(text.replace("  年度资金总额: 12\n  财政拨款: 12\n", "  年度资金总额: 15\n  财政拨款: 15\n"), encoding="utf-8")
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    done = jixiao(tmp_path, "diff", "old.yaml", "new.yaml", env={**os.environ, **env})  # stdout is a pipe
    assert done.returncode == 0 and "12 → 15" in done.stdout, done.stdout + done.stderr
    assert ("\x1b[" in done.stdout) is escapes


@pytest.mark.parametrize(("env", "coloured"), [({}, True), ({"NO_COLOR": "1"}, False), ({"FORCE_COLOR": "0"}, False)])
def test_the_progress_bar_is_coloured_by_the_same_rule(monkeypatch, env, coloured):
    from generator.build.progress import progress_console

    monkeypatch.setenv("TERM", "xterm-256color")
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # the bar is drawn on a terminal only
    console = progress_console()
    with console.capture() as captured:
        console.print("[red]生成申报表[/red]")
    assert ("\x1b[" in captured.get()) is coloured


def test_the_cache_folder_is_the_platforms_unless_jixiao_cache_dir_says(tmp_path, monkeypatch):
    monkeypatch.setenv("JIXIAO_CACHE_DIR", str(tmp_path / "chosen"))
    assert cache_dir() == tmp_path / "chosen"
    monkeypatch.delenv("JIXIAO_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "jixiao"  # platformdirs on Linux (the CI machine) follows XDG
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "jixiao"
