"""`jixiao check FILE...` applies the rules across files against the whole repository: the other filings
under projects/ are read (from the check cache when unchanged) for their summaries only. Findings are
reported on the given files alone; the other files' own findings are never shown and never change the
exit code. (The pre-commit hook, which is given only the staged files, is tested in test_hooks.py.)
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import REPO, SEED_DIR, invoke

from generator.common.discover import other_filings, repository_root
from generator.review import check
from generator.review.cache import CheckCache
from generator.review.check import check_files

CLEAN = REPO / "templates" / "yinchuan-2024" / "example.yaml"
CLEAN_NAME = "政务服务热线运行经费"  # the 项目名称 of CLEAN
DUCHA = "projects/2024/督查室工作经费.yaml"  # a seed filing with warnings only
XINXI = "projects/2024/政府办信息中心工作经费.yaml"  # a seed filing with errors of its own


def reported_files(out: str) -> set[str]:
    return {line.split(":", 1)[0] for line in out.splitlines()}


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A filings repository (the seed in projects/2024, schema.json at the top), the current folder."""
    shutil.copy(REPO / "schema.json", tmp_path / "schema.json")
    shutil.copytree(SEED_DIR, tmp_path / "projects" / "2024")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def copy_named(repo: Path, name: str, project_name: str, source: Path = CLEAN) -> str:
    text = source.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("项目名称: "))
    (repo / name).write_text(text.replace(old, f"项目名称: {project_name}"), encoding="utf-8")
    return name


def test_a_duplicate_of_another_filing_is_an_error_on_the_given_file_only(repo, capsys):
    given = copy_named(repo, "projects/2024/副本.yaml", "督查室工作经费")
    code, out, err = invoke(capsys, "check", given)
    assert code == 1
    assert f"{given}:4:7: 错误 [project.duplicate-name] 项目名称“督查室工作经费”与 {DUCHA} 相同\n" in out
    assert reported_files(out) == {given}  # the other side of the pair, and XINXI's own errors, are context
    assert "检查了 1 个文件：1 个错误" in err


def test_a_clean_file_passes_though_other_filings_have_errors(repo, capsys):
    given = copy_named(repo, "projects/2024/新项目.yaml", CLEAN_NAME)
    code, out, _ = invoke(capsys, "check", given)
    assert (code, out) == (0, "")
    code, out, _ = invoke(capsys, "check")  # the whole repository still reports XINXI's errors
    assert code == 1 and XINXI in reported_files(out) and given not in reported_files(out)


def test_a_near_miss_is_not_a_duplicate_and_another_year_is_not_either(repo, capsys):
    near = copy_named(repo, "projects/2024/近似.yaml", "督查室工作经费（二期）")
    (repo / "projects/2025").mkdir()
    next_year = copy_named(repo, "projects/2025/督查室工作经费.yaml", "督查室工作经费",
                           source=repo / DUCHA)
    (repo / next_year).write_text((repo / next_year).read_text(encoding="utf-8").replace("年度: 2024", "年度: 2025"),
                                  encoding="utf-8")
    code, out, _ = invoke(capsys, "check", near, next_year)
    assert "project.duplicate-name" not in out
    assert reported_files(out) <= {near, next_year}


def test_whole_repository_reports_both_sides_as_before(repo, capsys):
    given = copy_named(repo, "projects/2024/副本.yaml", "督查室工作经费")
    code, out, _ = invoke(capsys, "check")
    duplicates = [line for line in out.splitlines() if "[project.duplicate-name]" in line]
    assert duplicates == [
        f"{given}:4:7: 错误 [project.duplicate-name] 项目名称“督查室工作经费”与 {DUCHA} 相同",
        f"{DUCHA}:4:7: 错误 [project.duplicate-name] 项目名称“督查室工作经费”与 {given} 相同",
    ]
    assert other_filings([Path(p) for p in sorted(Path("projects").rglob("*.yaml"))]) == []


def test_two_given_files_and_the_repository_are_one_collection(repo, capsys):
    first = copy_named(repo, "projects/2024/甲.yaml", "督查室工作经费")
    second = copy_named(repo, "projects/2024/乙.yaml", "督查室工作经费")
    code, out, _ = invoke(capsys, "check", first, second)
    assert code == 1
    duplicates = sorted(line for line in out.splitlines() if "[project.duplicate-name]" in line)
    assert duplicates == sorted([
        f"{first}:4:7: 错误 [project.duplicate-name] 项目名称“督查室工作经费”与 {second}、{DUCHA} 相同",
        f"{second}:4:7: 错误 [project.duplicate-name] 项目名称“督查室工作经费”与 {first}、{DUCHA} 相同",
    ])


def test_a_suppression_comment_on_the_given_file_covers_the_finding_across_files(repo, capsys):
    given = copy_named(repo, "projects/2024/副本.yaml", "督查室工作经费  # jixiao: ignore[project.duplicate-name]")
    code, out, _ = invoke(capsys, "check", given)
    assert code == 0 and "duplicate-name" not in out and "suppression.unused" not in out


def test_the_file_named_another_way_is_not_its_own_duplicate(repo, capsys):
    for spelling in (DUCHA, f"./{DUCHA}", str(repo / DUCHA), f"projects/../{DUCHA}"):
        code, out, _ = invoke(capsys, "check", spelling)
        assert code == 0 and "duplicate-name" not in out, spelling


def test_from_a_subfolder_of_a_git_work_tree_the_top_is_the_repository(repo, capsys, monkeypatch):
    (repo / ".git").mkdir()  # what repository_root looks for; no git needed
    given = copy_named(repo, "projects/2024/副本.yaml", "督查室工作经费")
    monkeypatch.chdir(repo / "projects" / "2024")
    assert repository_root() == repo
    code, out, _ = invoke(capsys, "check", "副本.yaml")
    assert code == 1
    assert "副本.yaml:4:7: 错误 [project.duplicate-name] 项目名称“督查室工作经费”与 督查室工作经费.yaml 相同" in out
    assert Path(given).name == "副本.yaml"


def test_no_repository_no_context(tmp_path, capsys, monkeypatch):
    # a folder that holds filings but no projects/ folder, outside any git work tree
    folder = tmp_path / "loose"
    folder.mkdir()
    shutil.copy(SEED_DIR / "督查室工作经费.yaml", folder)
    copy_named(folder, "副本.yaml", "督查室工作经费")
    monkeypatch.chdir(folder)
    assert repository_root() is None
    code, out, _ = invoke(capsys, "check", "副本.yaml")
    assert "duplicate-name" not in out


def test_a_file_outside_projects_gets_no_context(repo, capsys):
    given = copy_named(repo, "草稿.yaml", "督查室工作经费")
    assert other_filings([Path(given)]) == []
    code, out, _ = invoke(capsys, "check", given)
    assert "duplicate-name" not in out


def test_a_link_out_of_the_repository_is_not_read_for_context(repo, tmp_path_factory, capsys):
    outside = tmp_path_factory.mktemp("outside")
    copy_named(outside, "别处.yaml", "督查室工作经费")
    os.symlink(outside / "别处.yaml", repo / "projects/2024/链接.yaml")
    given = copy_named(repo, "projects/2024/新项目.yaml", "别处的项目")
    (repo / DUCHA).unlink()
    code, out, _ = invoke(capsys, "check", given)
    assert (code, out) == (0, "")
    copy_named(repo, given, "督查室工作经费")
    code, out, _ = invoke(capsys, "check", given)
    assert "duplicate-name" not in out and "链接.yaml" not in out  # its text was never read


def test_context_comes_from_the_cache_and_the_cache_stays_right(repo, tmp_path, monkeypatch):
    given = Path(copy_named(repo, "projects/2024/新项目.yaml", "新项目"))
    context = other_filings([given])
    assert sorted(context) == sorted(set(Path("projects/2024").glob("*.yaml")) - {given})
    cache_path = tmp_path / "cache.json"

    first, _ = check_files([given], cache=CheckCache(cache_path), context=context)
    assert first == []
    assert set(CheckCache(cache_path).entries) == {p.as_posix() for p in [given, *context]}
    checked = []
    real_check_source = check.check_source
    monkeypatch.setattr(check, "check_source", lambda name, *rest: checked.append(name) or real_check_source(name, *rest))
    assert check_files([given], cache=CheckCache(cache_path), context=context)[0] == []
    assert checked == []  # nothing changed: every file came from the cache

    # A context file edited to duplicate the given one is read again: its cached summary is stale.
    copy_named(repo, DUCHA, "新项目", source=repo / DUCHA)
    second, _ = check_files([given], cache=CheckCache(cache_path), context=context)
    assert checked == [DUCHA]
    assert [(f.file, f.rule) for f in second] == [(given.as_posix(), "project.duplicate-name")]
    assert second == check_files([given], context=context)[0]  # the same without the cache

    # The whole repository from that cache: the same findings as without it, context files' own included.
    everything = [given, *context]
    assert check_files(everything, cache=CheckCache(cache_path)) == check_files(everything)


def test_check_files_never_compares_a_file_with_itself(repo):
    given = Path(DUCHA)
    findings, _ = check_files([given], context=[given, *other_filings([given])])
    assert "project.duplicate-name" not in {f.rule for f in findings}
    assert {f.file for f in findings} == {DUCHA}
