"""Drafts: `jixiao new` writes a filing that `check` and `build` accept (warnings) until the marker line goes."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from conftest import REPO, SEED_DIR, invoke

from generator.common.findings import Severity
from generator.filing.draft import MARKER, MARKER_LINE, draft_line
from generator.forms.pack import load_forms
from generator.history.scaffold import rollover_text
from generator.review.rules import DRAFT_MARK, REGISTRY

FORMS = load_forms()
TOLERANT = {rule.id for rule in REGISTRY.values() if rule.draft_tolerant}


def findings(capsys, *args: str) -> tuple[int, list[dict]]:
    code, out, _ = invoke(capsys, "check", "--format", "json", *args)
    return code, json.loads(out)


@pytest.fixture
def repo(tmp_path, monkeypatch, capsys) -> Path:
    """A filings repository made by `jixiao init`."""
    monkeypatch.chdir(tmp_path)
    assert invoke(capsys, "init")[0] == 0
    return tmp_path


def new_draft(capsys, form_id: str) -> Path:
    code, _, err = invoke(capsys, "new", "测试项目", "--year", "2025", "--form", form_id)
    assert code == 0, err
    return Path("projects/2025/测试项目.yaml")


# --- every target pack ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("form_id", sorted(FORMS))
def test_a_new_draft_passes_check_and_builds_until_the_marker_goes(repo, capsys, form_id):
    draft = new_draft(capsys, form_id)
    text = draft.read_text(encoding="utf-8")
    assert text.splitlines()[1] == MARKER_LINE

    code, found = findings(capsys)
    assert code == 0, found
    assert {f["file"] for f in found} == {draft.as_posix()}
    assert {f["severity"] for f in found} == {"warning"}
    rules = {f["rule"] for f in found}
    assert "filing.draft" in rules and rules - {"filing.draft"} <= TOLERANT, rules
    assert {"header.missing", "group.required-empty"} <= rules  # what a blank skeleton lacks on every pack
    (marker,) = [f for f in found if f["rule"] == "filing.draft"]
    assert (marker["line"], marker["col"]) == (2, 1)
    assert all(f["message"].endswith(DRAFT_MARK) for f in found if f["rule"] != "filing.draft")

    assert invoke(capsys, "check", "--strict")[0] == 1  # warnings fail --strict
    code, _, err = invoke(capsys, "build")
    assert code == 0, err
    assert Path("build/2025/测试项目.docx").is_file() and Path("build/2025/测试项目.html").is_file()
    assert invoke(capsys, "fmt", "--check")[0] == 0  # new writes fmt's style; fmt keeps the marker

    # the marker deleted: the same findings at their rules' own severity, one line up, without the mark
    draft.write_text(text.replace(MARKER_LINE + "\n", ""), encoding="utf-8")
    code, filled = findings(capsys)
    assert code == 1
    expected = sorted(
        (f["line"] - 1, f["col"], REGISTRY[f["rule"]].severity.value, f["rule"], f["message"].removesuffix(DRAFT_MARK))
        for f in found if f["rule"] != "filing.draft"
    )
    assert sorted((f["line"], f["col"], f["severity"], f["rule"], f["message"]) for f in filled) == expected
    assert "error" in {f["severity"] for f in filled}


# --- what a draft does not excuse ----------------------------------------------------------------------------

def test_a_wrong_value_in_a_draft_is_still_an_error(repo, capsys):
    draft = new_draft(capsys, "yinchuan-2024")
    text = draft.read_text(encoding="utf-8")
    draft.write_text(text.replace("  年度资金总额: 0\n", "  年度资金总额: 十二\n"), encoding="utf-8")
    code, found = findings(capsys)
    assert code == 1 and ("schema.pattern", "error") in {(f["rule"], f["severity"]) for f in found}

    satisfaction = "    服务对象满意度指标: {}\n"
    assert satisfaction in text
    draft.write_text(text.replace(satisfaction, "    服务对象满意度指标:\n      来电群众满意度: ≤90%\n"), encoding="utf-8")
    code, found = findings(capsys)
    assert code == 1
    errors = [f for f in found if f["severity"] == "error"]
    assert [f["rule"] for f in errors] == ["direction.satisfaction"] and not errors[0]["message"].endswith(DRAFT_MARK)


def test_a_department_can_refuse_drafts(repo, capsys):
    new_draft(capsys, "yinchuan-2024")
    pyproject = Path("pyproject.toml")
    text = pyproject.read_text(encoding="utf-8")
    assert '# "filing.draft" = "error"' in text  # the starter config shows how
    pyproject.write_text(text + '\n[tool.jixiao.severity]\n"filing.draft" = "error"\n', encoding="utf-8")
    code, found = findings(capsys)
    assert code == 1
    assert [f["rule"] for f in found if f["severity"] == "error"] == ["filing.draft"]


def test_configured_severities_apply_to_drafts_too(repo, capsys):
    new_draft(capsys, "yinchuan-2024")
    Path("pyproject.toml").write_text('[tool.jixiao]\n[tool.jixiao.severity]\n"header.missing" = "error"\n', encoding="utf-8")
    code, found = findings(capsys)
    assert code == 1
    assert {f["rule"] for f in found if f["severity"] == "error"} == {"header.missing"}


def test_the_cache_follows_the_marker(repo, capsys):
    draft = new_draft(capsys, "hunan-2023")
    text = draft.read_text(encoding="utf-8")
    for _ in range(2):  # the second from the cache
        assert invoke(capsys, "check")[0] == 0
    assert list(Path(os.environ["JIXIAO_CACHE_DIR"]).glob("check-*.json"))  # there is a cache to be wrong
    draft.write_text(text.replace(MARKER_LINE + "\n", ""), encoding="utf-8")
    assert invoke(capsys, "check")[0] == 1
    draft.write_text(text, encoding="utf-8")
    assert invoke(capsys, "check")[0] == 0


def test_rules_docs_name_the_draft_tolerant_rules(capsys):
    code, out, _ = invoke(capsys, "check", "--explain", "header.missing")
    assert code == 0 and "草稿" in out
    code, out, _ = invoke(capsys, "check", "--explain", "funds.sum")
    assert code == 0 and "草稿" not in out
    assert TOLERANT >= {"header.missing", "group.required-empty", "indicator.empty-value"}
    assert not TOLERANT & {"funds.sum", "project.duplicate-name", "direction.satisfaction", "filing.draft"}
    assert REGISTRY["filing.draft"].severity is Severity.WARNING and REGISTRY["filing.draft"].configurable


# --- the marker ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, line", [
    (f"# yaml-language-server: $schema=../../schema.json\n{MARKER_LINE}\n表样: x\n", 2),
    (f"{MARKER}\n表样: x\n", 1),
    ("# 说明\n\n#jixiao:草稿\n表样: x\n", 3),
    ("\ufeff# jixiao:  草稿，还没写完\n表样: x\n", 1),
    ("  # jixiao: 草稿\n表样: x\n", 1),
    (f"表样: x\n{MARKER}\n", None),  # below the first key: an ordinary comment
    ("表样: x  # jixiao: 草稿\n", None),
    ("# jixiao: ignore[header.missing]\n表样: x\n", None),
    ("# jixiao 草稿\n表样: x\n", None),
    ("# 这是 jixiao: 草稿\n表样: x\n", None),
    ("", None),
])
def test_the_marker_is_a_comment_line_in_the_leading_block(text, line):
    assert draft_line(text) == line


def test_rollover_of_a_filled_filing_and_the_seed_carry_no_marker():
    for path in sorted(SEED_DIR.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert draft_line(text) is None
        assert draft_line(rollover_text(text, f"projects/2024/{path.name}", 2024, 2025, FORMS)) is None


def test_import_writes_no_marker():
    # every filing text the importers write goes through to_yaml; none of them names the marker
    importing = REPO / "generator" / "importing"
    assert not [p.name for p in importing.glob("*.py") if re.search("草稿|filing.draft|MARKER", p.read_text(encoding="utf-8"))]
