"""`jixiao diff`: what changed between two versions of the filings, in the terms of the form.

Every test works in a temporary git repository holding a copy of the six seed filings
(projects/2024 committed on main) and calls the command line in-process.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, SEED_DIR, invoke

from generator.cli import run

DATA = REPO / "tests" / "data"
GOLDEN = DATA / "diff" / "seed_change.md"
CLEAN = REPO / "templates" / "yinchuan-2024" / "example.yaml"

XINCHUANG = "projects/2024/信创设备购置经费.yaml"
SHIZHENGFU = "projects/2024/市政府办公室工作经费.yaml"
GONGKAI = "projects/2024/政府信息公开工作经费.yaml"
XINXI = "projects/2024/政府办信息中心工作经费.yaml"
DUCHA = "projects/2024/督查室工作经费.yaml"
PINYONG = "projects/2024/聘用人员工作经费.yaml"

NO_CHANGE = "申报表没有实质变化"


# --- helpers ---------------------------------------------------------------------------------------

def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", *args],
        cwd=root, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not exactly once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch, tmp_path):
    # The tests may run inside a git hook (GIT_DIR set) or below some other repository.
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


def make_repo(root: Path, folder: str = "projects") -> Path:
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    shutil.copytree(SEED_DIR, root / folder / "2024")
    commit(root, "seed")
    return root


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    root = make_repo(tmp_path / "filings")
    monkeypatch.chdir(root)
    return root


def diff(capsys, *args: str) -> tuple[int, str, str]:
    return invoke(capsys, "diff", *args)


def diff_json(capsys, *args: str, expected: int = 0) -> dict:
    code, out, err = diff(capsys, *args, "--format", "json")
    assert code == expected, err
    return json.loads(out)


def only_change(report: dict) -> dict:
    assert len(report["changes"]) == 1, report["changes"]
    return report["changes"][0]


def finding_rules(findings: list[dict]) -> list[str]:
    return [f["rule"] for f in findings]


# --- edits -------------------------------------------------------------------------------------------

def test_changed_indicator_value(repo, capsys):
    edit(repo / DUCHA, "督查差旅费次数: ≥50次", "督查差旅费次数: ≥60次")
    change = only_change(diff_json(capsys, "HEAD"))
    assert change["status"] == "修改" and change["name"] == "督查室工作经费"
    assert change["changed"] == [{"indicator": "产出指标/数量指标/督查差旅费次数", "old": "≥50次", "new": "≥60次"}]
    assert change["added"] == change["removed"] == change["moved"] == []
    assert change["header"] == change["funds"] == []
    assert change["new_findings"] == change["fixed_findings"] == []

    code, out, _ = diff(capsys, "HEAD")
    assert code == 0
    assert out.splitlines()[0] == f"修改 督查室工作经费（{DUCHA}）"
    assert "  修改指标 产出指标/数量指标/督查差旅费次数：≥50次 → ≥60次" in out.splitlines()


def test_added_and_removed_indicators(repo, capsys):
    edit(repo / DUCHA, "      印刷费: ≥600本\n", "      印刷费: ≥600本\n      培训班期数: ≥2期\n")
    edit(repo / DUCHA, "      差旅费符合报销规定: 100%\n", "")
    change = only_change(diff_json(capsys, "HEAD"))
    assert change["added"] == [{"indicator": "产出指标/数量指标/培训班期数", "value": "≥2期"}]
    assert change["removed"] == [{"indicator": "产出指标/质量指标/差旅费符合报销规定", "value": "100%"}]
    assert change["changed"] == change["moved"] == []

    _, out, _ = diff(capsys, "HEAD")
    lines = out.splitlines()
    assert "  新增指标 产出指标/数量指标/培训班期数：≥2期" in lines
    assert "  删除指标 产出指标/质量指标/差旅费符合报销规定：100%" in lines


def test_indicator_moved_between_groups(repo, capsys):
    edit(repo / XINXI, "      运维服监测技术服务稳定天数: ≥350天\n", "")
    edit(repo / XINXI, "      市政府网站抽查数量覆盖达标率: ≥95%\n",
         "      市政府网站抽查数量覆盖达标率: ≥95%\n      运维服监测技术服务稳定天数: ≥350天\n")
    change = only_change(diff_json(capsys, "HEAD"))
    assert change["moved"] == [{
        "from": "产出指标/时效指标/运维服监测技术服务稳定天数",
        "to": "产出指标/质量指标/运维服监测技术服务稳定天数",
        "old": "≥350天",
        "new": "≥350天",
    }]
    assert change["added"] == change["removed"] == change["changed"] == []

    _, out, _ = diff(capsys, "HEAD")
    assert "  移动指标 运维服监测技术服务稳定天数：产出指标/时效指标 → 产出指标/质量指标" in out.splitlines()


def test_indicator_moved_with_a_new_value(repo, capsys):
    edit(repo / DUCHA, "      印刷费: ≥600本\n", "")
    edit(repo / DUCHA, "      资料印刷准确率: 100%\n", "      资料印刷准确率: 100%\n      印刷费: ≥800本\n")
    change = only_change(diff_json(capsys, "HEAD"))
    assert change["moved"] == [{
        "from": "产出指标/数量指标/印刷费", "to": "产出指标/质量指标/印刷费", "old": "≥600本", "new": "≥800本",
    }]
    assert change["added"] == change["removed"] == []
    _, out, _ = diff(capsys, "HEAD")
    assert "  移动指标 印刷费：产出指标/数量指标 → 产出指标/质量指标，≥600本 → ≥800本" in out.splitlines()


def test_header_change(repo, capsys):
    edit(repo / XINCHUANG, "项目期: 2024年", "项目期: 2024-2025年")
    edit(repo / XINCHUANG, '项目属性: ""', "项目属性: 新增项目")
    change = only_change(diff_json(capsys, "HEAD"))
    assert change["header"] == [
        {"field": "项目属性", "old": "", "new": "新增项目"},
        {"field": "项目期", "old": "2024年", "new": "2024-2025年"},
    ]
    # filling in 项目属性 fixes its warning
    assert finding_rules(change["fixed_findings"]) == ["header.missing-recommended"]
    assert "项目属性" in change["fixed_findings"][0]["message"]
    _, out, _ = diff(capsys, "HEAD")
    lines = out.splitlines()
    assert "  项目期：2024年 → 2024-2025年" in lines
    assert "  项目属性：（空） → 新增项目" in lines


def test_grade_is_a_header_change(repo, capsys):
    path = repo / DUCHA
    path.write_text(path.read_text(encoding="utf-8") + "综合评定等级: 通过\n", encoding="utf-8")
    change = only_change(diff_json(capsys, "HEAD"))
    assert change["header"] == [{"field": "综合评定等级", "old": "", "new": "通过"}]
    _, out, _ = diff(capsys, "HEAD")
    assert "  综合评定等级：（空） → 通过" in out.splitlines()


def test_year_is_a_header_change(repo, capsys):
    edit(repo / DUCHA, "年度: 2024\n", "年度: 2025\n")
    change = only_change(diff_json(capsys, "HEAD"))
    assert {"field": "年度", "old": "2024", "new": "2025"} in change["header"]


def test_money_change_fixes_the_cost_overrun(repo, capsys):
    edit(repo / XINXI, "  年度资金总额: 30\n  财政拨款: 30\n", "  年度资金总额: 35\n  财政拨款: 35\n")
    report = diff_json(capsys, "HEAD")
    assert (report["total_before"], report["total_after"]) == ("327.7", "332.7")
    assert (report["filings_before"], report["filings_after"]) == (6, 6)
    change = only_change(report)
    assert (change["total_before"], change["total_after"]) == ("30", "35")
    assert change["funds"] == [
        {"field": "年度资金总额", "old": "30", "new": "35"},
        {"field": "财政拨款", "old": "30", "new": "35"},
    ]
    assert change["new_findings"] == []
    assert finding_rules(change["fixed_findings"]) == ["cost.over-funds"]

    code, out, _ = diff(capsys, "HEAD")
    assert code == 0
    assert out.splitlines() == [
        f"修改 政府办信息中心工作经费（{XINXI}）",
        "  年度资金总额：30 → 35 万元（+5）",
        "  财政拨款：30 → 35 万元（+5）",
        "  已解决 错误 [cost.over-funds]：成本指标合计 15 + 15 + 5 = 35 万元，超过年度资金总额 30 万元（多 5 万元）",
        "部门年度资金总额合计：327.7 → 332.7 万元（+5 万元）；申报表 6 → 6 个",
    ]


def test_money_decrease_has_a_negative_delta(repo, capsys):
    edit(repo / PINYONG, "  年度资金总额: 52.5\n  财政拨款: 52.5\n", "  年度资金总额: 50\n  财政拨款: 50\n")
    _, out, _ = diff(capsys, "HEAD")
    lines = out.splitlines()
    assert "  年度资金总额：52.5 → 50 万元（-2.5）" in lines
    assert lines[-1] == "部门年度资金总额合计：327.7 → 325.2 万元（-2.5 万元）；申报表 6 → 6 个"


def test_new_finding_is_reported_with_its_line(repo, capsys):
    edit(repo / DUCHA, "督查差旅费次数: ≥50次", "督查差旅费次数: 若干次")
    change = only_change(diff_json(capsys, "HEAD"))
    assert finding_rules(change["new_findings"]) == ["quantified.text"]
    assert change["new_findings"][0]["line"] == 18
    assert change["fixed_findings"] == []
    _, out, _ = diff(capsys, "HEAD")
    assert (
        "  新问题 错误 [quantified.text] 第 18 行：“数量指标”是必填量化分组，“督查差旅费次数”的指标值“若干次”"
        "不是数量或时间；请写成运算符、数值和单位，例如“≥95%”"
    ) in out.splitlines()


def test_new_filing(repo, capsys):
    shutil.copy(CLEAN, repo / "projects/2024/政务服务热线运行经费.yaml")
    report = diff_json(capsys, "HEAD")
    assert (report["total_before"], report["total_after"]) == ("327.7", "408.2")
    assert (report["filings_before"], report["filings_after"]) == (6, 7)
    change = only_change(report)
    assert change["status"] == "新增" and change["name"] == "政务服务热线运行经费"
    assert change["old_path"] is None and change["new_path"] == "projects/2024/政务服务热线运行经费.yaml"
    assert (change["total_before"], change["total_after"]) == (None, "80.5")
    _, out, _ = diff(capsys, "HEAD")
    assert out.splitlines()[0] == "新增 政务服务热线运行经费（projects/2024/政务服务热线运行经费.yaml）"


def test_new_filing_brings_its_findings(repo, capsys):
    source = (repo / DUCHA).read_text(encoding="utf-8").replace("项目名称: 督查室工作经费", "项目名称: 督查室培训经费")
    (repo / "projects/2024/督查室培训经费.yaml").write_text(
        source.replace("      宣传片制作期数: ≥1个\n", "").replace("      印刷费: ≥600本\n", "")
              .replace("      督查差旅费次数: ≥50次\n", "      培训期数: 若干期\n"),
        encoding="utf-8",
    )
    change = only_change(diff_json(capsys, "HEAD"))
    assert change["status"] == "新增"
    assert "quantified.text" in finding_rules(change["new_findings"])


def test_deleted_filing(repo, capsys):
    (repo / SHIZHENGFU).unlink()
    report = diff_json(capsys, "HEAD")
    assert (report["total_before"], report["total_after"]) == ("327.7", "177.7")
    assert (report["filings_before"], report["filings_after"]) == (6, 5)
    change = only_change(report)
    assert change["status"] == "删除" and change["name"] == "市政府办公室工作经费"
    assert change["old_path"] == SHIZHENGFU and change["new_path"] is None
    assert (change["total_before"], change["total_after"]) == ("150", None)
    assert change["new_findings"] == []
    _, out, _ = diff(capsys, "HEAD")
    assert out.splitlines()[0] == f"删除 市政府办公室工作经费（{SHIZHENGFU}）"


def test_renamed_file_with_the_same_project_name(repo, capsys):
    git(repo, "mv", PINYONG, "projects/2024/聘用人员经费.yaml")
    report = diff_json(capsys, "HEAD")
    change = only_change(report)
    assert change["status"] == "改名" and change["name"] == "聘用人员工作经费"
    assert change["old_path"] == PINYONG and change["new_path"] == "projects/2024/聘用人员经费.yaml"
    for key in ("header", "funds", "added", "removed", "changed", "moved", "new_findings", "fixed_findings"):
        assert change[key] == [], key
    assert report["total_before"] == report["total_after"] == "327.7"
    _, out, _ = diff(capsys, "HEAD")
    assert out.splitlines()[0] == f"改名 聘用人员工作经费（{PINYONG} → projects/2024/聘用人员经费.yaml）"
    assert "删除" not in out and "新增" not in out


def test_renamed_file_with_a_new_project_name_and_mostly_the_same_content(repo, capsys):
    text = (repo / XINCHUANG).read_text(encoding="utf-8")
    (repo / XINCHUANG).unlink()
    text = text.replace("项目名称: 信创设备购置经费", "项目名称: 信创设备采购经费")
    text = text.replace("台式电脑数量: 10台", "台式电脑数量: 12台")
    (repo / "projects/2024/信创设备采购经费.yaml").write_text(text, encoding="utf-8")
    change = only_change(diff_json(capsys, "HEAD"))
    assert change["status"] == "改名" and change["name"] == "信创设备采购经费"
    assert change["old_path"] == XINCHUANG and change["new_path"] == "projects/2024/信创设备采购经费.yaml"
    assert change["header"] == [{"field": "项目名称", "old": "信创设备购置经费", "new": "信创设备采购经费"}]
    assert change["changed"] == [{"indicator": "产出指标/数量指标/台式电脑数量", "old": "10台", "new": "12台"}]


def test_unrelated_files_swapped_are_a_deletion_and_an_addition(repo, capsys):
    (repo / DUCHA).unlink()
    shutil.copy(CLEAN, repo / "projects/2024/政务服务热线运行经费.yaml")
    report = diff_json(capsys, "HEAD")
    assert sorted(c["status"] for c in report["changes"]) == ["删除", "新增"]


def test_unreadable_new_version_is_reported_without_inventing_deletions(repo, capsys):
    path = repo / DUCHA
    path.write_text(path.read_text(encoding="utf-8") + "项目名称: [\n", encoding="utf-8")
    report = diff_json(capsys, "HEAD", expected=1)  # the changes of the unreadable file are unknown
    change = only_change(report)
    assert change["status"] == "修改"
    assert finding_rules(change["new_findings"]) == ["yaml.syntax"]
    # The indicators were not deleted: the file just cannot be read; only the read error is news.
    assert change["removed"] == [] and change["added"] == [] and change["changed"] == [] and change["moved"] == []
    # Nor were its old problems solved, and its 12 万元 did not leave the department's total.
    assert change["fixed_findings"] == []
    assert (change["total_before"], change["total_after"]) == ("12", None)
    assert report["unreadable_before"] == [] and report["unreadable_after"] == [DUCHA]
    code, out, _ = diff(capsys, "HEAD")
    assert code == 1
    assert f"新版本的 {DUCHA} 无法读取" in out
    assert "删除指标" not in out and "已解决" not in out
    assert out.splitlines()[-1] == "部门年度资金总额合计：327.7 → 315.7 万元（新版本有 1 个申报表无法读取，没有计入，增减不明）；申报表 6 → 6 个"
    _, markdown, _ = diff(capsys, "HEAD", "--format", "markdown")
    assert "| 督查室工作经费 | 修改 | 12 → 无法读取 | 1 | 0 |" in markdown


# --- formatting is not a change ----------------------------------------------------------------------

FORMATTING_ONLY = {  # edits of 督查室工作经费.yaml that change no value; the kinds touch different lines
    "comments": [
        ("# yaml-language-server", "# 督查室的申报表\n# yaml-language-server"),
        ("绩效指标:\n", "# 以下是绩效指标\n绩效指标:\n"),
        ("      宣传片费用制作: ≤9.8万元\n", "      宣传片费用制作: ≤9.8万元  # 按去年合同\n"),
    ],
    "quoting": [
        ("项目期: 2024年", '项目期: "2024年"'),
        ("实施单位: 银川市人民政府办公室", "实施单位: '银川市人民政府办公室'"),
        ("  其他资金: 0", "  其他资金: '0'"),
        ('主管部门及代码: ""', "主管部门及代码: ''"),
        ("印刷费: ≥600本", '"印刷费": "≥600本"'),
    ],
    "key order": [
        ("表样: yinchuan-2024\n年度: 2024\n", "年度: 2024\n表样: yinchuan-2024\n"),
        ("  年度资金总额: 12\n  财政拨款: 12\n", "  财政拨款: 12\n  年度资金总额: 12\n"),
        ("      宣传片制作期数: ≥1个\n      督查差旅费次数: ≥50次\n",
         "      督查差旅费次数: ≥50次\n      宣传片制作期数: ≥1个\n"),
        ("    生态效益指标:\n      节约低碳环保: 长期\n    可持续影响指标:\n      服务保障全市各职能部门高效运转: 长期\n",
         "    可持续影响指标:\n      服务保障全市各职能部门高效运转: 长期\n    生态效益指标:\n      节约低碳环保: 长期\n"),
    ],
    "flow and block": [
        ("    质量指标:\n      宣传片符合要求: 100%\n      差旅费符合报销规定: 100%\n      资料印刷准确率: 100%\n",
         "    质量指标: {宣传片符合要求: 100%, 差旅费符合报销规定: 100%, 资料印刷准确率: 100%}\n"),
        ("    经济效益指标:\n      确保工作落实到位: 长期\n", "    经济效益指标: {确保工作落实到位: 长期}\n"),
    ],
    "indentation": [
        ("    时效指标:\n      宣传片符合制作要求: 11月份\n      制作、调研工作开展时间: 12个月\n",
         "    时效指标:\n        宣传片符合制作要求: 11月份\n        制作、调研工作开展时间: 12个月\n"),
        ("    服务对象满意度指标:\n      人大政协委员对政府工作满意度: 99%\n",
         "    服务对象满意度指标:\n         人大政协委员对政府工作满意度: 99%\n"),
    ],
}


def apply_formatting(path: Path, edits: list[tuple[str, str]]) -> None:
    for old, new in edits:
        edit(path, old, new)


@pytest.mark.parametrize("kind", [*FORMATTING_ONLY, "all together"])
def test_formatting_only_changes_are_not_changes(repo, capsys, kind):
    for name in list(FORMATTING_ONLY) if kind == "all together" else [kind]:
        apply_formatting(repo / DUCHA, FORMATTING_ONLY[name])
    assert (repo / DUCHA).read_text(encoding="utf-8") != git(repo, "show", f"HEAD:{DUCHA}")

    code, out, _ = diff(capsys, "HEAD")
    assert code == 0
    assert out.splitlines() == [
        "申报表没有实质变化（格式、注释、引号和键的顺序不算变化）。",
        "部门年度资金总额合计：327.7 → 327.7 万元（0 万元）；申报表 6 → 6 个",
    ]
    report = diff_json(capsys, "HEAD")
    assert report["changes"] == []
    _, markdown, _ = diff(capsys, "HEAD", "--format", "markdown")
    assert NO_CHANGE in markdown and "###" not in markdown


def test_formatting_and_a_real_change_only_show_the_real_change(repo, capsys):
    for name in ("comments", "quoting", "key order"):
        apply_formatting(repo / DUCHA, FORMATTING_ONLY[name])
    edit(repo / DUCHA, "资料印刷准确率: 100%", "资料印刷准确率: ≥99%")
    change = only_change(diff_json(capsys, "HEAD"))
    assert change["changed"] == [{"indicator": "产出指标/质量指标/资料印刷准确率", "old": "100%", "new": "≥99%"}]
    for key in ("header", "funds", "added", "removed", "moved", "new_findings", "fixed_findings"):
        assert change[key] == [], key


def test_jixiao_fmt_output_is_not_a_change(repo, capsys):
    apply_formatting(repo / DUCHA, FORMATTING_ONLY["quoting"] + FORMATTING_ONLY["key order"])
    commit(repo, "messy")
    capsys.readouterr()
    assert run(["fmt"]) == 0
    assert diff_json(capsys, "HEAD")["changes"] == []


# --- which revisions ---------------------------------------------------------------------------------

def test_default_compares_the_branch_point_with_main_to_the_working_tree(repo, capsys):
    git(repo, "checkout", "-q", "-b", "feature")
    edit(repo / DUCHA, "督查差旅费次数: ≥50次", "督查差旅费次数: ≥60次")
    commit(repo, "committed on the branch")
    # main moves on after the branch started: that is not part of this branch's change
    git(repo, "checkout", "-q", "main")
    edit(repo / PINYONG, "用人单位满意度: 95%", "用人单位满意度: ≥95%")
    commit(repo, "later on main")
    git(repo, "checkout", "-q", "feature")
    edit(repo / XINCHUANG, "台式电脑数量: 10台", "台式电脑数量: 12台")  # not committed

    report = diff_json(capsys)
    assert [c["name"] for c in report["changes"]] == ["信创设备购置经费", "督查室工作经费"]
    assert report["changes"][0]["changed"][0]["new"] == "12台"
    assert report["changes"][1]["changed"][0]["new"] == "≥60次"
    # whereas against main's tip, main's later commit shows up (reverted, from this branch's point of view)
    assert "聘用人员工作经费" in [c["name"] for c in diff_json(capsys, "main")["changes"]]


def test_default_on_main_compares_head_with_the_working_tree(repo, capsys):
    edit(repo / DUCHA, "督查差旅费次数: ≥50次", "督查差旅费次数: ≥60次")
    assert [c["name"] for c in diff_json(capsys)["changes"]] == ["督查室工作经费"]


def test_one_revision_is_compared_with_the_working_tree(repo, capsys):
    edit(repo / DUCHA, "督查差旅费次数: ≥50次", "督查差旅费次数: ≥60次")
    commit(repo, "one")
    edit(repo / XINCHUANG, "台式电脑数量: 10台", "台式电脑数量: 12台")  # uncommitted
    assert [c["name"] for c in diff_json(capsys, "HEAD")["changes"]] == ["信创设备购置经费"]
    assert [c["name"] for c in diff_json(capsys, "HEAD~1")["changes"]] == ["信创设备购置经费", "督查室工作经费"]
    seed = git(repo, "rev-parse", "HEAD~1").strip()
    assert [c["name"] for c in diff_json(capsys, seed[:10])["changes"]] == ["信创设备购置经费", "督查室工作经费"]


def test_two_revisions_are_compared_with_each_other(repo, capsys):
    git(repo, "tag", "seed")
    edit(repo / DUCHA, "督查差旅费次数: ≥50次", "督查差旅费次数: ≥60次")
    commit(repo, "one")
    edit(repo / XINCHUANG, "台式电脑数量: 10台", "台式电脑数量: 12台")  # uncommitted: not part of HEAD
    report = diff_json(capsys, "seed", "HEAD")
    assert [c["name"] for c in report["changes"]] == ["督查室工作经费"]
    assert diff_json(capsys, "HEAD", "HEAD")["changes"] == []
    back = only_change(diff_json(capsys, "HEAD", "seed"))
    assert back["changed"] == [{"indicator": "产出指标/数量指标/督查差旅费次数", "old": "≥60次", "new": "≥50次"}]


def test_two_files_outside_git(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "not a repo"
    folder.mkdir()
    monkeypatch.chdir(folder)
    shutil.copy(SEED_DIR / "政府办信息中心工作经费.yaml", folder / "旧 版本.yaml")
    new = (SEED_DIR / "政府办信息中心工作经费.yaml").read_text(encoding="utf-8")
    (folder / "新版本.yaml").write_text(
        new.replace("  年度资金总额: 30\n  财政拨款: 30\n", "  年度资金总额: 35\n  财政拨款: 35\n"), encoding="utf-8",
    )
    report = diff_json(capsys, "旧 版本.yaml", "新版本.yaml")
    assert (report["total_before"], report["total_after"]) == ("30", "35")
    change = only_change(report)
    assert change["old_path"] == "旧 版本.yaml" and change["new_path"] == "新版本.yaml"
    assert change["funds"][0] == {"field": "年度资金总额", "old": "30", "new": "35"}
    assert finding_rules(change["fixed_findings"]) == ["cost.over-funds"]
    # Two files named on the command line are two versions of one filing, not a renamed file.
    assert change["status"] == "修改"

    code, out, _ = diff(capsys, "旧 版本.yaml", "新版本.yaml")
    assert code == 0
    assert "年度资金总额：30 → 35 万元（+5）" in out
    assert "部门年度资金总额合计：30 → 35 万元（+5 万元）；申报表 1 → 1 个" in out


def test_two_identical_files_outside_git(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    shutil.copy(SEED_DIR / "督查室工作经费.yaml", tmp_path / "a.yaml")
    (tmp_path / "b.yaml").write_text(
        (SEED_DIR / "督查室工作经费.yaml").read_text(encoding="utf-8").replace("项目期: 2024年", '项目期: "2024年"'),
        encoding="utf-8",
    )
    code, out, _ = diff(capsys, "a.yaml", "b.yaml")
    assert code == 0
    assert NO_CHANGE in out


def test_hidden_files_are_skipped_in_revisions_as_in_the_working_tree(repo, capsys):
    # check and build skip hidden folders; so must diff, on both sides of the comparison.
    hidden = repo / "projects" / ".archive"
    hidden.mkdir()
    shutil.copy(SEED_DIR / "督查室工作经费.yaml", hidden / "督查室工作经费.yaml")
    commit(repo, "archive")
    report = diff_json(capsys, "HEAD")
    assert report["changes"] == []
    assert (report["filings_before"], report["filings_after"]) == (6, 6)
    report = diff_json(capsys, "HEAD~1", "HEAD")
    assert report["changes"] == []
    assert (report["filings_before"], report["filings_after"]) == (6, 6)


# --- names and folders -------------------------------------------------------------------------------

def test_chinese_names_and_a_folder_with_spaces(tmp_path, monkeypatch, capsys):
    root = make_repo(tmp_path / "申报 仓库", folder="my projects")
    git(root, "mv", "my projects/2024/督查室工作经费.yaml", "my projects/2024/督查室 工作经费（2024）.yaml")
    commit(root, "spaces")
    git(root, "checkout", "-q", "-b", "feature")
    target = root / "my projects/2024/督查室 工作经费（2024）.yaml"
    edit(target, "督查差旅费次数: ≥50次", "督查差旅费次数: ≥60次")
    monkeypatch.chdir(root)

    expected_path = "my projects/2024/督查室 工作经费（2024）.yaml"
    for args in (["--path", "my projects"], ["main", "--path", "my projects"], ["HEAD", "--path", "my projects/2024"]):
        change = only_change(diff_json(capsys, *args))
        assert change["status"] == "修改"
        assert change["old_path"] == change["new_path"] == expected_path
        assert change["changed"][0]["indicator"] == "产出指标/数量指标/督查差旅费次数"

    commit(root, "edit")
    change = only_change(diff_json(capsys, "main", "HEAD", "--path", "my projects"))
    assert change["new_path"] == expected_path
    _, out, _ = diff(capsys, "main", "HEAD", "--path", "my projects")
    assert out.splitlines()[0] == f"修改 督查室工作经费（{expected_path}）"

    # from inside the folder, --path is relative to where the command runs
    monkeypatch.chdir(root / "my projects")
    assert only_change(diff_json(capsys, "main", "HEAD", "--path", "."))["new_path"] == expected_path
    assert only_change(diff_json(capsys, "main", "HEAD", "--path", "2024"))["new_path"] == expected_path


def test_chinese_file_added_and_renamed_in_git(repo, capsys):
    shutil.copy(CLEAN, repo / "projects/2024/政务服务热线 运行经费.yaml")
    git(repo, "mv", DUCHA, "projects/2024/督查室（含培训）工作经费.yaml")
    commit(repo, "add and rename")
    report = diff_json(capsys, "HEAD~1", "HEAD")
    assert {(c["status"], c["old_path"], c["new_path"]) for c in report["changes"]} == {
        ("新增", None, "projects/2024/政务服务热线 运行经费.yaml"),
        ("改名", DUCHA, "projects/2024/督查室（含培训）工作经费.yaml"),
    }


def test_several_folders(tmp_path, monkeypatch, capsys):
    root = make_repo(tmp_path / "repo")
    shutil.copytree(SEED_DIR, root / "archive" / "2023")
    commit(root, "archive")
    edit(root / "archive/2023/督查室工作经费.yaml", "督查差旅费次数: ≥50次", "督查差旅费次数: ≥60次")
    edit(root / DUCHA, "印刷费: ≥600本", "印刷费: ≥700本")
    monkeypatch.chdir(root)
    assert [c["new_path"] for c in diff_json(capsys, "HEAD")["changes"]] == [DUCHA]
    assert [c["new_path"] for c in diff_json(capsys, "HEAD", "--path", "archive")["changes"]] == [
        "archive/2023/督查室工作经费.yaml"
    ]
    both = diff_json(capsys, "HEAD", "--path", "archive", "--path", "projects")
    assert sorted(c["new_path"] for c in both["changes"]) == ["archive/2023/督查室工作经费.yaml", DUCHA]


# --- errors --------------------------------------------------------------------------------------------

def _usage_error(capsys, *args: str) -> str:
    code, out, err = diff(capsys, *args)
    assert code == 2, (out, err)
    assert out == ""
    assert err.startswith("用法错误：") and "jixiao diff --help" in err
    return err


def test_a_revision_that_does_not_exist(repo, capsys):
    err = _usage_error(capsys, "no-such-branch")
    assert "修订版本“no-such-branch”不存在" in err
    err = _usage_error(capsys, "HEAD", "no-such-branch")
    assert "修订版本“no-such-branch”不存在" in err
    err = _usage_error(capsys, "HEAD~5")
    assert "修订版本“HEAD~5”不存在" in err


def test_a_path_outside_the_repository(repo, tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    err = _usage_error(capsys, "HEAD", "--path", str(elsewhere))
    assert "不在仓库" in err and str(elsewhere) in err
    err = _usage_error(capsys, "--path", "..")
    assert "不在仓库" in err


def test_outside_any_git_repository(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "plain"
    folder.mkdir()
    monkeypatch.chdir(folder)
    err = _usage_error(capsys)
    assert "不在 git 仓库中" in err
    err = _usage_error(capsys, "HEAD")
    assert "不在 git 仓库中" in err


def test_three_revisions(repo, capsys):
    err = _usage_error(capsys, "HEAD", "HEAD", "HEAD")
    assert "最多写两个修订版本" in err


def test_an_unknown_format(repo, capsys):
    err = _usage_error(capsys, "--format", "html")
    assert "html" in err


# --- output formats ------------------------------------------------------------------------------------

def test_json_structure(repo, capsys):
    edit(repo / XINXI, "  年度资金总额: 30\n  财政拨款: 30\n", "  年度资金总额: 35\n  财政拨款: 35\n")
    edit(repo / XINXI, "      运维服监测技术服务稳定天数: ≥350天\n", "")
    edit(repo / XINXI, "      市政府网站抽查数量覆盖达标率: ≥95%\n",
         "      市政府网站抽查数量覆盖达标率: ≥95%\n      运维服监测技术服务稳定天数: ≥350天\n")
    edit(repo / XINXI, "      全市网站监测次数: ≥250次\n", "      全市网站监测次数: ≥300次\n      网站安全检测次数: ≥12次\n")
    edit(repo / XINXI, "      政务小助手APP: 1个\n", "")
    edit(repo / XINXI, "项目属性: \"\"", "项目属性: 延续项目")
    edit(repo / DUCHA, "督查差旅费次数: ≥50次", "督查差旅费次数: 若干次")
    (repo / SHIZHENGFU).unlink()
    shutil.copy(CLEAN, repo / "projects/2024/政务服务热线运行经费.yaml")

    report = diff_json(capsys, "HEAD")
    assert set(report) == {
        "total_before", "total_after", "filings_before", "filings_after", "unreadable_before", "unreadable_after", "changes",
    }
    assert report["unreadable_before"] == report["unreadable_after"] == []
    assert (report["total_before"], report["total_after"]) == ("327.7", "263.2")
    assert (report["filings_before"], report["filings_after"]) == (6, 6)
    by_name = {c["name"]: c for c in report["changes"]}
    assert {name: c["status"] for name, c in by_name.items()} == {
        "市政府办公室工作经费": "删除", "政务服务热线运行经费": "新增", "政府办信息中心工作经费": "修改", "督查室工作经费": "修改",
    }
    keys = {
        "status", "name", "old_path", "new_path", "total_before", "total_after", "header", "funds",
        "added", "removed", "changed", "moved", "results_status", "results", "scores", "new_findings", "fixed_findings",
    }
    finding_keys = {"file", "line", "col", "severity", "rule", "message"}
    for change in report["changes"]:
        assert set(change) == keys
        for finding in change["new_findings"] + change["fixed_findings"]:
            assert set(finding) == finding_keys
            assert isinstance(finding["line"], int) and finding["severity"] in ("error", "warning", "info")

    xinxi = by_name["政府办信息中心工作经费"]
    assert xinxi["old_path"] == xinxi["new_path"] == XINXI
    assert (xinxi["total_before"], xinxi["total_after"]) == ("30", "35")
    assert xinxi["header"] == [{"field": "项目属性", "old": "", "new": "延续项目"}]
    assert xinxi["funds"] == [
        {"field": "年度资金总额", "old": "30", "new": "35"},
        {"field": "财政拨款", "old": "30", "new": "35"},
    ]
    assert xinxi["added"] == [{"indicator": "产出指标/数量指标/网站安全检测次数", "value": "≥12次"}]
    assert xinxi["removed"] == [{"indicator": "产出指标/数量指标/政务小助手APP", "value": "1个"}]
    assert xinxi["changed"] == [{"indicator": "产出指标/数量指标/全市网站监测次数", "old": "≥250次", "new": "≥300次"}]
    assert xinxi["moved"] == [{
        "from": "产出指标/时效指标/运维服监测技术服务稳定天数", "to": "产出指标/质量指标/运维服监测技术服务稳定天数",
        "old": "≥350天", "new": "≥350天",
    }]
    assert sorted(finding_rules(xinxi["fixed_findings"])) == ["cost.over-funds", "header.missing-recommended"]
    assert all(f["file"] == XINXI for f in xinxi["fixed_findings"])

    ducha = by_name["督查室工作经费"]
    assert finding_rules(ducha["new_findings"]) == ["quantified.text"]
    assert ducha["new_findings"][0]["severity"] == "error" and ducha["new_findings"][0]["file"] == DUCHA

    assert by_name["市政府办公室工作经费"]["new_path"] is None
    assert by_name["政务服务热线运行经费"]["old_path"] is None


def test_json_when_nothing_changed(repo, capsys):
    assert diff_json(capsys, "HEAD") == {
        "total_before": "327.7", "total_after": "327.7", "filings_before": 6, "filings_after": 6,
        "unreadable_before": [], "unreadable_after": [], "changes": [],
    }


def test_markdown_when_nothing_changed(repo, capsys):
    code, out, _ = diff(capsys, "HEAD", "--format", "markdown")
    assert code == 0
    assert out == (
        "## 申报表变更\n\n申报表没有实质变化。\n\n"
        "部门年度资金总额合计：327.7 → 327.7 万元（0 万元）；申报表 6 → 6 个\n"
    )


def test_markdown_does_not_call_a_new_filing_no_change(repo, capsys):
    shutil.copy(CLEAN, repo / "projects/2024/政务服务热线运行经费.yaml")  # a filing with no findings
    _, out, _ = diff(capsys, "HEAD", "--format", "markdown")
    assert "| 政务服务热线运行经费 | 新增 | 80.5 | 0 | 0 |" in out
    section = out.split("### 新增：政务服务热线运行经费", 1)[1]
    assert "无实质变化" not in section  # the whole filing is new: that is the change


def test_markdown_escapes_table_cells(repo, capsys):
    edit(repo / DUCHA, "项目名称: 督查室工作经费", '项目名称: "督查室|培训经费"')
    _, out, _ = diff(capsys, "HEAD", "--format", "markdown")
    assert "| 督查室\\|培训经费 | 修改 |" in out
    assert "- ✏️ 项目名称：督查室工作经费 → 督查室\\|培训经费" in out


def apply_seed_change(root: Path) -> None:
    """A realistic pull request on the seed: several kinds of change in one commit."""
    projects = root / "projects" / "2024"
    # 政府办信息中心：资金 30 → 35 fixes the 35 > 30 cost overrun; an indicator moves from 时效 to 质量;
    # the blank 政务小助手APP in 质量指标 is filled in.
    xinxi = projects / "政府办信息中心工作经费.yaml"
    edit(xinxi, "  年度资金总额: 30\n  财政拨款: 30\n", "  年度资金总额: 35\n  财政拨款: 35\n")
    edit(xinxi, "      运维服监测技术服务稳定天数: ≥350天\n", "")
    edit(xinxi, "      市政府网站抽查数量覆盖达标率: ≥95%\n      政务小助手APP: \"\"\n",
         "      市政府网站抽查数量覆盖达标率: ≥95%\n      政务小助手APP: ≥95%\n      运维服监测技术服务稳定天数: ≥350天\n")
    # 督查室：one value changed, one indicator added, one removed, and a vague value introduced.
    ducha = projects / "督查室工作经费.yaml"
    edit(ducha, "宣传片制作期数: ≥1个", "宣传片制作期数: ≥2个")
    edit(ducha, "督查差旅费次数: ≥50次", "督查差旅费次数: 若干次")
    edit(ducha, "      印刷费: ≥600本\n", "      印刷费: ≥600本\n      督查培训班期数: ≥1期\n")
    edit(ducha, "      差旅费符合报销规定: 100%\n", "")
    # 信创设备：header filled in.
    edit(projects / "信创设备购置经费.yaml", '项目属性: ""', "项目属性: 新增项目")
    # 市政府办公室：formatting only (must not show).
    shizhengfu = projects / "市政府办公室工作经费.yaml"
    edit(shizhengfu, "项目期: 2024年", '项目期: "2024年"  # 单年项目')
    edit(shizhengfu, "  年度资金总额: 150\n  财政拨款: 150\n", "  财政拨款: 150\n  年度资金总额: 150\n")
    # a new filing (项目属性 left blank: a warning) and a renamed one
    (projects / "政务服务热线运行经费.yaml").write_text(
        CLEAN.read_text(encoding="utf-8").replace("项目属性: 延续项目", '项目属性: ""'), encoding="utf-8",
    )
    git(root, "mv", "projects/2024/聘用人员工作经费.yaml", "projects/2024/聘用人员经费.yaml")


def test_markdown_golden(repo, capsys):
    git(repo, "checkout", "-q", "-b", "feature")
    apply_seed_change(repo)
    commit(repo, "a realistic change")
    code, out, err = diff(capsys, "main", "HEAD", "--format", "markdown")
    assert code == 0, err
    assert out == GOLDEN.read_text(encoding="utf-8")
    # the default (branch point with main → working tree) gives the same comment
    assert diff(capsys, "--format", "markdown")[1] == out


def test_text_without_a_terminal_has_no_ansi_escapes(repo, capsys):
    apply_seed_change(repo)
    code, out, _ = diff(capsys, "HEAD")
    assert code == 0
    assert "\x1b" not in out
    assert out.splitlines()[0] == f"修改 信创设备购置经费（{XINCHUANG}）"
    assert out.splitlines()[-1] == "部门年度资金总额合计：327.7 → 413.2 万元（+85.5 万元）；申报表 6 → 7 个"
    assert "市政府办公室工作经费" not in out


def test_text_on_a_terminal_is_coloured(repo, capsys, monkeypatch):
    import sys

    apply_seed_change(repo)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    _, out, _ = diff(capsys, "HEAD")
    assert "\x1b[" in out


def test_totals_are_named_as_the_form_names_them(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    hunan = (REPO / "templates" / "hunan-2023" / "example.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(hunan, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(hunan.replace("该项目支出上级资金: 0", "该项目支出上级资金: 4"), encoding="utf-8")
    code, out, _ = diff(capsys, "a.yaml", "b.yaml")
    assert code == 0
    assert "部门年度本级预算金额 + 该项目支出上级资金合计：36 → 40 万元（+4 万元）" in out
    _, markdown, _ = diff(capsys, "a.yaml", "b.yaml", "--format", "markdown")
    assert "| 申报表 | 变更 | 年度本级预算金额 + 该项目支出上级资金（万元） |" in markdown
    # Filings of forms that name the total differently: a name that fits both.
    shutil.copy(REPO / "templates" / "gansu-2023" / "example.yaml", tmp_path / "c.yaml")
    _, out, _ = diff(capsys, "c.yaml", "b.yaml")
    assert "部门资金总额合计：200 → 40 万元" in out and "年度资金总额" not in out
