"""`jixiao check --format sarif|gitlab|github`, the GitHub step summary and `--changed-since REF`.

tests/data/sarif-schema-2.1.0.json is the official SARIF 2.1.0 schema (OASIS errata01), taken from
github.com/oasis-tcs/sarif-spec, file sarif-2.1/schema/sarif-schema-2.1.0.json (last changed in commit
a560296ca8c921f3bdb8d4a8db57ab83dae968a7)."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO, SEED_DIR
from markdown_it import MarkdownIt

from generator.cli import run
from generator.common.findings import Finding, Severity, format_github
from generator.review.report_formats import fingerprints, step_summary
from generator.review.rules import REGISTRY

SARIF_SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
EXAMPLE = (REPO / "templates" / "yinchuan-2024" / "example.yaml").read_text(encoding="utf-8")
BARE_NUMBER = ("话务坐席数量: 40个", "话务坐席数量: 40")  # quantified.bare-number, an error on line 19, column 15
NO_ATTRIBUTE = ("项目属性: 延续项目", '项目属性: ""')  # header.missing-recommended, a warning on line 7, column 7


def filing(*replacements: tuple[str, str], name: str | None = None) -> str:
    text = EXAMPLE
    for old, new in replacements:
        assert text.count(old) == 1
        text = text.replace(old, new)
    if name is not None:
        text = text.replace("项目名称: 政务服务热线运行经费", f"项目名称: {name}")
    return text


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def jixiao(capsys, *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """An error, a warning and two filings with the same 项目名称 (a rule across files)."""
    write(tmp_path, "projects/2024/a.yaml", filing(BARE_NUMBER, NO_ATTRIBUTE))
    write(tmp_path, "projects/2024/b.yaml", filing(name="重名项目"))
    write(tmp_path, "projects/2024/c.yaml", filing(name="重名项目"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def json_findings(capsys, *args: str) -> list[dict]:
    code, out, _ = jixiao(capsys, "check", "--format", "json", *args)
    return json.loads(out)


# --- SARIF ---------------------------------------------------------------------------------------------

def test_sarif_validates_against_the_schema_and_carries_every_finding(project, capsys):
    expected = json_findings(capsys)
    code, out, err = jixiao(capsys, "check", "--format", "sarif")
    assert code == 1 and err == ""
    report = json.loads(out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(report)
    assert report["version"] == "2.1.0"
    (sarif_run,) = report["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "jixiao" and re.fullmatch(r"\d+\.\d+\.\d+.*", driver["version"])
    rules = driver["rules"]
    got = [
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
         r["locations"][0]["physicalLocation"]["region"]["startLine"],
         r["locations"][0]["physicalLocation"]["region"]["startColumn"],
         r["level"], r["ruleId"], r["message"]["text"])
        for r in sarif_run["results"]
    ]
    level = {"error": "error", "warning": "warning", "info": "note"}
    assert got == [(f["file"], f["line"], f["col"], level[f["severity"]], f["rule"], f["message"]) for f in expected]
    assert {"quantified.bare-number", "header.missing-recommended", "project.duplicate-name"} <= {f["rule"] for f in expected}
    for result in sarif_run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert len({r["partialFingerprints"]["jixiaoFinding/v1"] for r in sarif_run["results"]}) == len(expected)


def test_sarif_documents_every_rule_a_check_can_report(project, capsys):
    rules = json.loads(jixiao(capsys, "check", "--format", "sarif")[1])["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [rule.id for rule in REGISTRY.values() if rule.stage != "build"]
    for descriptor in rules:
        rule = REGISTRY[descriptor["id"]]
        assert descriptor["shortDescription"]["text"] == rule.title
        assert descriptor["fullDescription"]["text"] == rule.explanation
        assert descriptor["help"]["text"].startswith(f"{rule.id}：{rule.title}\n") and rule.explanation in descriptor["help"]["text"]
        assert descriptor["defaultConfiguration"] == {
            "level": {"error": "error", "warning": "warning", "info": "note"}[rule.severity.value], "enabled": True,
        }
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", descriptor["name"])


def test_sarif_rule_levels_follow_the_configuration(project, capsys):
    (project / "pyproject.toml").write_text(
        '[tool.jixiao]\ndisable = ["goal.too-short"]\n[tool.jixiao.severity]\n"header.missing-recommended" = "error"\n',
        encoding="utf-8",
    )
    report = json.loads(jixiao(capsys, "check", "--format", "sarif")[1])
    rules = {r["id"]: r for r in report["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["header.missing-recommended"]["defaultConfiguration"] == {"level": "error", "enabled": True}
    assert rules["goal.too-short"]["defaultConfiguration"]["enabled"] is False
    results = [r for r in report["runs"][0]["results"] if r["ruleId"] == "header.missing-recommended"]
    assert results and all(r["level"] == "error" for r in results)


def test_the_schema_check_would_catch_a_broken_report(project, capsys):
    """The validation above can fail: the same report with one wrong level, or a result without a message, is refused."""
    report = json.loads(jixiao(capsys, "check", "--format", "sarif")[1])
    validator = jsonschema.Draft4Validator(SARIF_SCHEMA)
    wrong_level = copy.deepcopy(report)
    wrong_level["runs"][0]["results"][0]["level"] = "fatal"
    no_message = copy.deepcopy(report)
    del no_message["runs"][0]["results"][0]["message"]
    assert not validator.is_valid(wrong_level) and not validator.is_valid(no_message)


def test_sarif_of_a_clean_run_is_valid_and_empty(tmp_path, monkeypatch, capsys):
    write(tmp_path, "projects/2024/x.yaml", EXAMPLE)
    monkeypatch.chdir(tmp_path)
    code, out, _ = jixiao(capsys, "check", "--format", "sarif")
    assert code == 0
    report = json.loads(out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(report)
    assert report["runs"][0]["results"] == []


def test_sarif_uri_is_percent_encoded_and_relative(tmp_path, monkeypatch, capsys):
    write(tmp_path, "projects/2024/热线 经费#1.yaml", filing(BARE_NUMBER))
    monkeypatch.chdir(tmp_path)
    report = json.loads(jixiao(capsys, "check", "--format", "sarif")[1])
    location = report["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "projects/2024/%E7%83%AD%E7%BA%BF%20%E7%BB%8F%E8%B4%B9%231.yaml", "uriBaseId": "%SRCROOT%"}
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(report)


# --- GitLab code quality ----------------------------------------------------------------------------------

def test_gitlab_report_shape(project, capsys):
    expected = json_findings(capsys)
    code, out, _ = jixiao(capsys, "check", "--format", "gitlab")
    assert code == 1
    issues = json.loads(out)
    assert len(issues) == len(expected)
    severity = {"error": "critical", "warning": "minor", "info": "info"}
    for issue, finding in zip(issues, expected):
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["check_name"] == finding["rule"]
        assert issue["description"] == f"[{finding['rule']}] {finding['message']}"
        assert issue["severity"] == severity[finding["severity"]]
        assert issue["location"] == {"path": finding["file"], "lines": {"begin": finding["line"]}}
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)


def test_gitlab_fingerprints_stay_when_lines_move(project, capsys):
    before = json.loads(jixiao(capsys, "check", "--format", "gitlab")[1])
    path = project / "projects/2024/a.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("表样: yinchuan-2024\n", "表样: yinchuan-2024\n# 一行注释\n# 又一行\n"), encoding="utf-8")
    after = json.loads(jixiao(capsys, "check", "--format", "gitlab")[1])
    moved = {i["fingerprint"]: i["location"]["lines"]["begin"] for i in after}
    for issue in before:
        shift = 2 if issue["location"]["path"] == "projects/2024/a.yaml" else 0
        assert moved[issue["fingerprint"]] == issue["location"]["lines"]["begin"] + shift


def test_fingerprints_of_identical_findings_differ():
    same = [Finding("a.yaml", line, 1, Severity.WARNING, "vague.value", "同一句话") for line in (3, 9, 12)]
    other_file = Finding("b.yaml", 3, 1, Severity.WARNING, "vague.value", "同一句话")
    prints = fingerprints([*same, other_file])
    assert len(set(prints)) == 4
    assert fingerprints(same[:2]) == prints[:2]  # the n-th occurrence keeps its fingerprint


# --- GitHub annotations and the step summary --------------------------------------------------------------

def unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    return unescape_data(text.replace("%3A", ":").replace("%2C", ","))


COMMAND = re.compile(r"::(error|warning|notice) file=([^,]*),line=(\d+),col=(\d+),title=([^,:]*)::(.*)")


def test_github_annotations_come_errors_first(tmp_path, monkeypatch, capsys):
    shutil.copytree(SEED_DIR, tmp_path / "projects" / "2024")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    expected = json_findings(capsys)
    code, out, _ = jixiao(capsys, "check", "--format", "github")
    levels = [COMMAND.fullmatch(line)[1] for line in out.splitlines()]
    assert levels == sorted(levels, key=["error", "warning", "notice"].index)
    assert levels.count("error") > 0 and levels.count("warning") > 10  # more than GitHub shows of one level
    order = {"error": 0, "warning": 1, "info": 2}
    in_order = sorted(expected, key=lambda f: order[f["severity"]])
    assert [unescape_data(COMMAND.fullmatch(line)[6]) for line in out.splitlines()] == [f["message"] for f in in_order]


def test_github_workflow_commands_are_escaped():
    tricky = Finding("projects/2024/a,b:c%.yaml", 3, 5, Severity.INFO, "x.y", "100%\n第二行,冒号:\r结尾::error::假的")
    warning = Finding("z.yaml", 1, 1, Severity.WARNING, "w.v", "警告")
    error = Finding("z.yaml", 2, 1, Severity.ERROR, "e.v", "错误")
    lines = format_github([tricky, warning, error]).splitlines()
    assert len(lines) == 3
    assert [COMMAND.fullmatch(line)[1] for line in lines] == ["error", "warning", "notice"]
    level, file, line, col, title, message = COMMAND.fullmatch(lines[2]).groups()
    assert (unescape_property(file), line, col, unescape_property(title)) == ("projects/2024/a,b:c%.yaml", "3", "5", "x.y")
    assert unescape_data(message) == tricky.message


class CellText(HTMLParser):
    """The text of each table body cell of rendered HTML (a <br> as a line break)."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.in_body = self.in_cell = False
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.rows.append([])
        elif tag == "td" and self.in_body:
            self.rows[-1].append("")
            self.in_cell = True
        elif tag == "br" and self.in_cell:
            self.rows[-1][-1] += "\n"

    def handle_endtag(self, tag):
        if tag == "td":
            self.in_cell = False

    def handle_data(self, data):
        if self.in_cell:
            self.rows[-1][-1] += data


def render_table(markdown: str) -> CellText:
    parser = CellText()
    parser.feed(MarkdownIt("gfm-like").render(markdown))
    return parser


def test_step_summary_escapes_the_table():
    messages = ["a | b", "第一行\n第二行", "<script>alert(1)</script> *强调* [链接](http://x) `代码`", r"反斜杠\|竖线 \ 结尾\\"]
    findings = [Finding(f"projects/2024/x|{i}.yaml", i + 1, 2, Severity.WARNING, "vague.value", m) for i, m in enumerate(messages)]
    markdown = step_summary(findings, 7)
    assert "检查了 7 个文件：0 个错误，4 个警告，0 个提示" in markdown
    parsed = render_table(markdown)
    assert "script" not in [tag for tag in parsed.tags]
    assert parsed.rows == [
        [f"projects/2024/x|{i}.yaml", str(i + 1), "2", "警告", "vague.value", m] for i, m in enumerate(messages)
    ]


def test_github_step_summary_is_appended_with_every_finding(tmp_path, monkeypatch, capsys):
    shutil.copytree(SEED_DIR, tmp_path / "projects" / "2024")
    summary = tmp_path / "summary.md"
    summary.write_text("## 前一步写的\n\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    expected = json_findings(capsys)
    jixiao(capsys, "check", "--format", "github")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## 前一步写的\n\n## jixiao check\n")
    errors = sum(f["severity"] == "error" for f in expected)
    warnings = sum(f["severity"] == "warning" for f in expected)
    assert f"检查了 {len(list(SEED_DIR.glob('*.yaml')))} 个文件：{errors} 个错误，{warnings} 个警告" in text
    rows = render_table(text).rows
    assert rows == [[f["file"], str(f["line"]), str(f["col"]), Severity(f["severity"]).label, f["rule"], f["message"]] for f in expected]
    jixiao(capsys, "check", "--format", "github")  # a second step adds its own table
    assert summary.read_text(encoding="utf-8") == text + text.removeprefix("## 前一步写的\n\n")


def test_only_the_github_format_writes_the_step_summary(project, monkeypatch, capsys):
    summary = project / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    for output in ("text", "json", "sarif", "gitlab"):
        jixiao(capsys, "check", "--format", output)
    assert not summary.exists()


def test_an_unwritable_step_summary_is_a_clear_error(project, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(project / "projects"))  # a folder
    code, out, err = jixiao(capsys, "check", "--format", "github")
    assert code == 2
    assert out.startswith("::error ")  # the annotations are out before
    assert "无法写入 GITHUB_STEP_SUMMARY" in err


# --- --changed-since: a real git repository ---------------------------------------------------------------

def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def branch(tmp_path, monkeypatch) -> Path:
    """main: four filings (each with one warning); a branch that commits an error into one, renames one, adds an
    error to one without committing and adds one without `git add` (with the 项目名称 of the untouched filing)."""
    for name, value in (("GIT_AUTHOR_NAME", "t"), ("GIT_AUTHOR_EMAIL", "t@t"), ("GIT_COMMITTER_NAME", "t"),
                        ("GIT_COMMITTER_EMAIL", "t@t"), ("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CEILING_DIRECTORIES", str(tmp_path))):
        monkeypatch.setenv(name, value)
    root = tmp_path / "filings"
    for stem in ("committed", "renamed", "unstaged", "untouched"):
        write(root, f"projects/2024/{stem}.yaml", filing(NO_ATTRIBUTE, name=f"项目{stem}"))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "main")
    git(root, "checkout", "-q", "-b", "pr")
    write(root, "projects/2024/committed.yaml", filing(NO_ATTRIBUTE, BARE_NUMBER, name="项目committed"))
    git(root, "mv", "projects/2024/renamed.yaml", "projects/2024/moved.yaml")
    git(root, "commit", "-q", "-a", "-m", "pr")
    write(root, "projects/2024/unstaged.yaml", filing(NO_ATTRIBUTE, BARE_NUMBER, name="项目unstaged"))
    write(root, "projects/2024/new.yaml", filing(name="项目untouched"))
    monkeypatch.chdir(root)
    return root


def test_changed_since_reports_only_changed_files(branch, capsys, monkeypatch):
    everything = json_findings(capsys)
    assert {f["file"] for f in everything} == {f"projects/2024/{s}.yaml" for s in ("committed", "moved", "unstaged", "untouched", "new")}
    changed = json_findings(capsys, "--changed-since", "main")
    code, out, err = jixiao(capsys, "check", "--changed-since", "main")
    assert err.endswith("（只列出自 main 以来改动过的文件）\n")
    assert {line.split(":")[0] for line in out.splitlines()} == {f["file"] for f in changed}
    assert changed == [f for f in everything if f["file"] != "projects/2024/untouched.yaml"]
    # the rule across files still saw the untouched filing: the new one is reported as its duplicate
    assert any(f["rule"] == "project.duplicate-name" and f["file"] == "projects/2024/new.yaml" for f in changed)
    summary = branch.parent / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    jixiao(capsys, "check", "--format", "github", "--changed-since", "main")
    text = summary.read_text(encoding="utf-8")
    assert "（只列出自 main 以来改动过的文件）" in text and len(render_table(text).rows) == len(changed)


def test_changed_since_uses_the_merge_base(branch, capsys):
    git(branch, "stash", "-q", "--include-untracked")
    git(branch, "checkout", "-q", "main")
    write(branch, "projects/2024/untouched.yaml", filing(BARE_NUMBER, name="项目untouched"))
    git(branch, "commit", "-q", "-a", "-m", "main moves on")
    git(branch, "checkout", "-q", "pr")
    files = {f["file"] for f in json_findings(capsys, "--changed-since", "main")}
    assert files == {"projects/2024/committed.yaml", "projects/2024/moved.yaml"}


def test_changed_since_exit_code_follows_the_reported_findings(branch, capsys):
    write(branch, "projects/2024/unstaged.yaml", filing(name="项目unstaged"))  # changed, and now clean
    (branch / "projects/2024/new.yaml").unlink()
    code, out, _ = jixiao(capsys, "check", "--changed-since", "HEAD")
    assert code == 0 and out == ""
    assert jixiao(capsys, "check")[0] == 1  # committed.yaml's error: the workflow's gate (a plain check) fails


def test_changed_since_from_a_subfolder_names_files_from_the_root(branch, capsys, monkeypatch):
    monkeypatch.chdir(branch / "projects")
    report = json.loads(jixiao(capsys, "check", "2024", "--format", "sarif", "--changed-since", "main")[1])
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in report["runs"][0]["results"]}
    assert uris == {f"projects/2024/{s}.yaml" for s in ("committed", "moved", "unstaged", "new")}
    code, out, _ = jixiao(capsys, "check", "2024", "--format", "github", "--changed-since", "main")
    assert all(COMMAND.fullmatch(line)[2].startswith("projects/2024/") for line in out.splitlines())
    code, out, _ = jixiao(capsys, "check", "2024", "--changed-since", "main")
    assert out.startswith("2024/")  # text stays relative to where the command runs, as the paths given


def test_changed_since_a_bad_revision_is_a_usage_error(branch, capsys):
    code, out, err = jixiao(capsys, "check", "--changed-since", "no-such-branch")
    assert code == 2 and out == ""
    assert err.startswith("用法错误：--changed-since：修订版本“no-such-branch”不存在"), err


def test_changed_since_outside_git_is_a_usage_error(project, capsys, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(project.parent))
    code, out, err = jixiao(capsys, "check", "--changed-since", "main")
    assert code == 2 and "不在 git 仓库中" in err
