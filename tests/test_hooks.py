"""The pre-commit hooks (.pre-commit-hooks.yaml) and the example workflow (.github/workflows/filings.yml),
run for real: pre-commit installs jixiao from a copy of this working tree; the workflow's commands
run in a clone of a filings repository.

The pre-commit tests build the hook's Python environment once per module, from the package index that
pip is configured with; they skip when it cannot be reached.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import REPO, SEED_DIR
from ruamel.yaml import YAML

VENV_BIN = Path(sys.executable).parent
PRE_COMMIT = VENV_BIN / "pre-commit"
CLEAN = REPO / "templates" / "yinchuan-2024" / "example.yaml"
WORKFLOW = REPO / ".github" / "workflows" / "filings.yml"
INDEX_PROBE_SECONDS = 30
HOOK_REPO_FILES = ["generator", "templates", "schema.json", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml"]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k not in ("PRE_COMMIT", "VIRTUAL_ENV")}
    env.update(
        GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t",
        GIT_CONFIG_NOSYSTEM="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    env.update(extra)
    return env


def sh(args: list[str] | str, cwd: Path, env: dict[str, str], check: bool = True, timeout: int = 600):
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, shell=isinstance(args, str),
        executable="/bin/bash" if isinstance(args, str) else None,
    )
    if check:
        assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


def git(root: Path, env: dict[str, str], *args: str) -> str:
    return sh(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args], root, env).stdout


def seed_repo(root: Path, env: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    git(root, env, "init", "-q", "-b", "main")
    shutil.copytree(SEED_DIR, root / "projects" / "2024")
    shutil.copy(REPO / "schema.json", root / "schema.json")
    return root


# --- pre-commit -------------------------------------------------------------------------------------------

def index_unreachable(env: dict[str, str]) -> str | None:
    """Why pip cannot fetch jixiao's build backend from its package index, or None when it can. One short
    try: offline, pip would otherwise retry each download with a long timeout before the hooks fail."""
    with tempfile.TemporaryDirectory() as folder:
        try:
            done = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--no-cache-dir", "--timeout", "5", "--retries", "0",
                 "--dest", folder, "hatchling"],
                env=env, capture_output=True, text=True, timeout=INDEX_PROBE_SECONDS,
            )
        except subprocess.TimeoutExpired:
            return f"pip download hatchling: no answer in {INDEX_PROBE_SECONDS} s"
    if done.returncode == 0:
        return None
    last_line = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
    return f"pip download hatchling: {last_line}"


def test_an_unreachable_package_index_is_told_quickly():
    # no configuration files, nothing found locally, an index whose port refuses connections
    env = clean_env(PIP_CONFIG_FILE=os.devnull, PIP_INDEX_URL="https://127.0.0.1:9/simple", PIP_EXTRA_INDEX_URL="",
                    PIP_FIND_LINKS="")
    started = time.monotonic()
    reason = index_unreachable(env)
    assert reason is not None and "hatchling" in reason and "no answer" not in reason, reason
    assert time.monotonic() - started < 10


@pytest.fixture(scope="module")
def hook_source(tmp_path_factory) -> tuple[Path, str, dict[str, str]]:
    """A git repository holding a copy of this working tree's jixiao, and a PRE_COMMIT_HOME shared by the module."""
    env = clean_env(PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")))
    reason = index_unreachable(env)
    if reason:
        pytest.skip(f"the package index cannot be reached ({reason}): the hooks install jixiao's dependencies from it")
    source = tmp_path_factory.mktemp("jixiao-hooks")
    for name in HOOK_REPO_FILES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(REPO / name, source / name)
    git(source, env, "init", "-q", "-b", "main")
    git(source, env, "add", "-A")
    git(source, env, "commit", "-q", "-m", "jixiao")
    sha = git(source, env, "rev-parse", "HEAD").strip()
    return source, sha, env


@pytest.fixture
def filings_with_hooks(tmp_path, hook_source) -> tuple[Path, dict[str, str]]:
    source, sha, env = hook_source
    root = seed_repo(tmp_path / "filings", env)
    (root / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {source}\n"
        f"    rev: {sha}\n"
        "    hooks:\n"
        "      - id: jixiao-check\n"
        "      - id: jixiao-fmt\n",
        encoding="utf-8",
    )
    git(root, env, "add", "-A")
    git(root, env, "commit", "-q", "-m", "seed")  # before the hooks: the seed has errors of its own
    sh([str(PRE_COMMIT), "install"], root, env)
    sh([str(PRE_COMMIT), "install-hooks"], root, env, timeout=900)  # builds the environment once per module
    return root, env


def commit(root: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess:
    return sh(["git", "-c", "commit.gpgsign=false", "commit", "-m", message], root, env, check=False, timeout=900)


def committed_files(root: Path, env: dict[str, str]) -> set[str]:
    return set(git(root, env, "-c", "core.quotepath=false", "ls-tree", "-r", "--name-only", "HEAD").splitlines())


def test_pre_commit_blocks_a_bad_filing_and_commits_a_good_one(filings_with_hooks):
    root, env = filings_with_hooks
    head = git(root, env, "rev-parse", "HEAD")

    bad = root / "projects/2024/热线（有错）.yaml"
    bad.write_text(CLEAN.read_text(encoding="utf-8").replace("    数量指标:\n", "    数量指表:\n"), encoding="utf-8")
    git(root, env, "add", "-A")
    done = commit(root, env, "bad")
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert re.search(r"\[schema\.[a-z-]+\]", output), output
    assert "数量指表" in output and "热线（有错）.yaml" in output
    assert "jixiao-check" in output
    assert git(root, env, "rev-parse", "HEAD") == head

    git(root, env, "rm", "-q", "-f", "--cached", "projects/2024/热线（有错）.yaml")
    bad.unlink()
    good = root / "projects/2024/政务服务热线运行经费.yaml"
    shutil.copy(CLEAN, good)
    git(root, env, "add", "-A")
    done = commit(root, env, "good")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Passed" in output and "Failed" not in output
    assert "projects/2024/政务服务热线运行经费.yaml" in committed_files(root, env)
    assert "projects/2024/热线（有错）.yaml" not in committed_files(root, env)
    assert good.read_bytes() == CLEAN.read_bytes()  # already canonical: fmt left it alone


def test_pre_commit_fmt_hook_rewrites_and_stops_the_commit_once(filings_with_hooks):
    root, env = filings_with_hooks
    path = root / "projects/2024/政务服务热线运行经费.yaml"
    path.write_text(
        CLEAN.read_text(encoding="utf-8").replace("项目期: 2024年", "项目期: '2024年'").replace("  其他资金: 10\n", "  其他资金: '10'\n"),
        encoding="utf-8",
    )
    git(root, env, "add", "-A")
    done = commit(root, env, "messy")
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "jixiao-fmt" in output and "files were modified by this hook" in output
    assert path.read_bytes() == CLEAN.read_bytes()  # rewritten in place, values unchanged

    git(root, env, "add", "-A")
    done = commit(root, env, "formatted")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "projects/2024/政务服务热线运行经费.yaml" in committed_files(root, env)


def test_pre_commit_refuses_a_staged_duplicate_of_a_committed_filing(filings_with_hooks):
    # The check hook is given only the staged file; the rules across files still see every filing of the
    # repository, as committed (pre-commit stashes what is not staged).
    root, env = filings_with_hooks
    head = git(root, env, "rev-parse", "HEAD")
    original = root / "projects/2024/督查室工作经费.yaml"
    copy = root / "projects/2024/督查室工作经费（副本）.yaml"
    shutil.copy(original, copy)
    git(root, env, "add", str(copy))
    renamed = original.read_text(encoding="utf-8").replace("项目名称: 督查室工作经费", "项目名称: 督查室培训经费")
    original.write_text(renamed, encoding="utf-8")  # not staged: the commit would still hold the duplicate
    done = commit(root, env, "duplicate")
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert ("projects/2024/督查室工作经费（副本）.yaml:4:7: 错误 [project.duplicate-name] "
            "项目名称“督查室工作经费”与 projects/2024/督查室工作经费.yaml 相同") in output
    assert "政府办信息中心工作经费" not in output  # a committed filing's own errors are not this commit's
    assert git(root, env, "rev-parse", "HEAD") == head
    assert original.read_text(encoding="utf-8") == renamed  # the unstaged edit is back

    # a near miss is another project
    copy.write_text(copy.read_text(encoding="utf-8").replace("项目名称: 督查室工作经费", "项目名称: 督查室工作经费（二期）"),
                    encoding="utf-8")
    git(root, env, "add", str(copy))
    done = commit(root, env, "second phase")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "projects/2024/督查室工作经费（副本）.yaml" in committed_files(root, env)


def test_pre_commit_fmt_hook_keeps_an_unknown_key_in_place_and_stops_the_commit(filings_with_hooks):
    root, env = filings_with_hooks
    clean = CLEAN.read_text(encoding="utf-8")
    expected = clean.replace("项目期: 2024年\n", "项目起至: '2024年'   # 拼错的键\n")
    messy = expected.replace("实施单位: 银川市政务服务热线中心\n", "").replace(
        "表样: yinchuan-2024\n", "表样: yinchuan-2024\n实施单位: 银川市政务服务热线中心\n")  # 实施单位 out of place
    assert messy != expected
    path = root / "projects/2024/政务服务热线运行经费.yaml"
    path.write_text(messy, encoding="utf-8")
    git(root, env, "add", "-A")
    for attempt in ("first", "again"):
        done = commit(root, env, attempt)
        output = done.stdout + done.stderr
        assert done.returncode != 0, output
        assert "[fmt.unknown-key] 申报表中的“项目起至”不是表样的键" in output and "是不是“项目期”？" in output
        assert path.read_text(encoding="utf-8") == expected  # 实施单位 sorted; 项目起至 still after 项目属性, as typed
        git(root, env, "add", "-A")
    assert "projects/2024/政务服务热线运行经费.yaml" not in committed_files(root, env)

    path.write_text(expected.replace("项目起至: '2024年'   # 拼错的键", "项目期: 2024年"), encoding="utf-8")
    git(root, env, "add", "-A")
    done = commit(root, env, "fixed")
    assert done.returncode == 0, done.stdout + done.stderr
    assert path.read_bytes() == CLEAN.read_bytes()


# --- the example workflow ---------------------------------------------------------------------------------

def workflow_commands() -> list[str]:
    workflow = YAML(typ="safe", pure=True).load(WORKFLOW.read_text(encoding="utf-8"))
    commands = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            for line in str(step.get("run", "")).splitlines():
                if re.search(r"(^|[\s;&|(])jixiao\s", line):
                    commands.append(line.strip().replace("${{ github.base_ref }}", "main"))
    return commands


def test_the_workflow_runs_jixiao_commands():
    commands = workflow_commands()
    assert "jixiao check --format github" in commands
    assert "jixiao fmt --check" in commands
    assert any(c.startswith("jixiao diff origin/main --format markdown") for c in commands)
    assert any(c.startswith("jixiao diff origin/main --format html --out review") for c in commands)
    assert "${{" not in " ".join(commands)


@pytest.fixture
def pull_request_clone(tmp_path) -> tuple[Path, dict[str, str]]:
    """A clone of a filings repository (seed on main) with a pull-request branch checked out."""
    env = clean_env(PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}", GIT_CEILING_DIRECTORIES=str(tmp_path))
    origin = seed_repo(tmp_path / "origin", env)
    git(origin, env, "add", "-A")
    git(origin, env, "commit", "-q", "-m", "seed")
    clone = tmp_path / "clone"
    git(tmp_path, env, "clone", "-q", str(origin), str(clone))
    git(clone, env, "checkout", "-q", "-b", "pr")
    path = clone / "projects/2024/政府办信息中心工作经费.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("  年度资金总额: 30\n  财政拨款: 30\n", "  年度资金总额: 35\n  财政拨款: 35\n"),
        encoding="utf-8",
    )
    git(clone, env, "commit", "-q", "-a", "-m", "raise the funds")
    return clone, env


def test_every_workflow_command_exists_and_runs(pull_request_clone):
    clone, env = pull_request_clone
    commands = workflow_commands()
    assert commands
    for command in commands:
        done = sh(command, clone, env, check=False)
        output = done.stdout + done.stderr
        assert "这个命令" not in output and "这个选项" not in output, (command, output)
        assert done.returncode in (0, 1), (command, done.returncode, output)
        assert "Traceback" not in output, (command, output)
        if command == "jixiao check --format github":
            errors = [line for line in done.stdout.splitlines() if line.startswith("::error file=")]
            assert errors, output
            assert all(re.match(r"::(error|warning|notice) file=projects/2024/", line) for line in done.stdout.splitlines())
        if command == "jixiao fmt --check":
            assert done.returncode == 0, output

    summary = (clone / "diff.md").read_text(encoding="utf-8")
    assert summary.startswith("## 申报表变更")
    assert "| 政府办信息中心工作经费 | 修改 | 30 → 35 | 0 | 1 |" in summary
    assert "部门年度资金总额合计：327.7 → 332.7 万元（+5 万元）" in summary
    assert (clone / "build").is_dir() and any(p.is_file() for p in (clone / "build").rglob("*"))
    review = (clone / "review" / "index.html").read_text(encoding="utf-8")
    assert "修改：政府办信息中心工作经费" in review and '<span class="delta up">+5</span>' in review
