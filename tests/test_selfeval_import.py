"""Import of filled 项目支出绩效自评表 Word files (issue #16, part 6): targets and results back into one filing,
then `jixiao score` recomputes every score and names each row whose printed score differs from the rule.

Round trips per 自评 pack (the example with results → its built 自评表.docx → import → diff and score), and a
自评表 made by hand with python-docx the way offices lay it out (one table), with one wrong printed 得分."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO
from docx import Document
from docx.shared import Mm

from generator.cli import run
from generator.forms.pack import load_forms
from generator.history.fmt import format_text

EXAMPLES = {
    "selfeval-2020": ("2024", "热线", "政务服务热线运行经费", "yinchuan-2024"),
    "selfeval-local-2022": ("2023", "共享", "政务数据共享平台运维经费", "hunan-2023"),
}
# What a 自评表 does not print of its target pack: left blank by the import, said in its messages.
NOT_PRINTED = {"selfeval-2020": {"项目属性", "项目期"}, "selfeval-local-2022": {"项目支出实施期", "实施期绩效目标"}}


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    """Both examples built, their 自评表.docx imported (one run per document, for the messages)."""
    root = tmp_path_factory.mktemp("selfeval-import")
    messages = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        for pack, (year, stem, _, _) in EXAMPLES.items():
            (root / "projects" / year).mkdir(parents=True)
            shutil.copyfile(REPO / "templates" / pack / "example-with-results.yaml", root / "projects" / year / f"{stem}.yaml")
        assert run(["build", "projects", "--out", "out", "--format", "docx"]) == 0
        for pack, (year, stem, _, _) in EXAMPLES.items():
            capture = root / f"{pack}.log"
            with capture.open("w", encoding="utf-8") as log, pytest.MonkeyPatch.context() as streams:
                streams.setattr("sys.stderr", log)
                streams.setattr("sys.stdout", log)
                run(["import", f"out/{year}/自评表/{stem}-自评表.docx", "--out", "imported"])
            messages[pack] = capture.read_text(encoding="utf-8")
    return root, messages


def _json(capsys, *args) -> object:
    capsys.readouterr()
    run(list(args))
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("pack", list(EXAMPLES))
def test_round_trip_gives_the_same_targets_results_and_scores(round_trip, pack, capsys, monkeypatch):
    root, messages = round_trip
    monkeypatch.chdir(root)
    year, stem, name, form = EXAMPLES[pack]
    original, imported = f"projects/{year}/{stem}.yaml", f"imported/{name}.yaml"
    assert f"已导入 {imported}（表样 {form}）" in messages[pack]
    assert f"自评表上没有这些栏目，导入后是空的，请补充：{'、'.join(sorted(NOT_PRINTED[pack], key=messages[pack].index))}" in messages[pack]
    text = Path(imported).read_text(encoding="utf-8")
    assert f"表样: {form}\n" in text and "\n自评:\n" in text and f"  表样: {pack}" not in text  # the pairing: not repeated
    assert format_text(imported, text, text.splitlines()[0], load_forms()) == text  # already in fmt's style
    # diff: nothing of the 自评表 changed; only the fields it does not print are blank now
    change = _json(capsys, "diff", original, imported, "--format", "json")["changes"][0]
    assert change["results"] == [] and change["scores"] == [] and change["results_status"] == ""
    assert change["funds"] == [] and change["added"] == change["removed"] == change["changed"] == change["moved"] == []
    assert {entry["field"] for entry in change["header"]} == NOT_PRINTED[pack]
    assert all(entry["new"] == "" for entry in change["header"])
    # score: the same 总分 and the same 得分 on every row
    before, after = _json(capsys, "score", original, "--format", "json")[0], _json(capsys, "score", imported, "--format", "json")[0]
    assert after["total"] == before["total"] and after["complete"] and after["pack"] == pack
    assert after["execution"] == before["execution"]
    assert [(i["name"], i["points"], i["score"], i["method"]) for i in after["indicators"]] == [
        (i["name"], i["points"], i["score"], i["method"]) for i in before["indicators"]]


def test_a_qualitative_row_comes_back_with_its_band_and_the_filers_score(round_trip):
    root, _ = round_trip
    text = (root / "imported" / "政务数据共享平台运维经费.yaml").read_text(encoding="utf-8")
    # printed 10 of 15 = 66.7%: the band 80–50 (部分达成), whose score the filer states
    assert ("        平台运维管理制度:\n          实际完成值: 已印发《政务数据共享平台运维管理办法》，配套操作规程尚在起草\n"
            "          评价档次: 部分达成年度指标并具有一定效果\n          得分: 10.00\n"
            "          偏差原因分析及改进措施: 操作规程需与各部门会签，2024年一季度印发。\n") in text  # fmt's order
    assert "  项目类别: 信息化建设类\n" in text and "  填报日期: 2024年1月20日\n" in text  # tick box and footer
    assert "\n填报单位: 长沙市数据资源管理局\n" in text  # above the grid, into the target's own field
    assert "        新接入部门数量:\n          实际完成值: 13个\n" in text  # the rule gives its 10 分: no 得分 kept
    assert text.count("得分:") == 1


# A 自评表 as an office lays it out by hand: one table of 8 grid columns -------------------------------

ROWS = [  # 一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分 (printed), 偏差原因分析及改进措施
    ("产出指标(50分)", "数量指标", "受理来电数量", "≥12万件", "12.6万件", "25", "25", ""),
    ("产出指标(50分)", "数量指标", "坐席人员培训人次", "≥200人次", "180人次", "25", "20", "两期培训合并举办"),  # rule: 22.50
    ("效益指标(30分)", "社会效益指标", "群众诉求解决率", "≥90%", "92%", "30", "30", ""),
    ("满意度指标(10分)", "服务对象满意度指标", "来电群众满意度", "≥90%", "93%", "10", "10", ""),
]
WRONG_ROW = 11  # Word row number of 坐席人员培训人次 in the table (1-based)


def _filled_by_hand(path: Path, title_in_table: bool = False) -> None:
    document = Document()
    document.sections[0].page_width, document.sections[0].page_height = Mm(297), Mm(210)
    if title_in_table:  # some offices put the title in a table cell of its own
        document.add_table(rows=1, cols=1).cell(0, 0).text = "项目支出绩效自评表"
    else:
        document.add_paragraph("项目支出绩效自评表")
    document.add_paragraph("（2024年度）")
    table = document.add_table(rows=9 + len(ROWS) + 1, cols=8)

    def put(row, col, text, last_col=None, last_row=None):
        cell = table.cell(row, col)
        if last_col is not None or last_row is not None:
            cell = cell.merge(table.cell(row if last_row is None else last_row, col if last_col is None else last_col))
        cell.text = text

    put(0, 0, "项目名称"), put(0, 1, "政务服务热线运行经费", last_col=7)
    put(1, 0, "主管部门"), put(1, 1, "[812]银川市人民政府办公室", last_col=3), put(1, 4, "实施单位"), put(1, 5, "银川市政务服务热线中心", last_col=7)
    put(2, 0, "项目资金（万元）", last_row=5)
    for col, heading in enumerate(["年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率（B/A）", "得分"], start=2):
        put(2, col, heading)
    for row, cells in enumerate([("年度资金总额：", "80.5", "80.5", "78.2", "10", "97.14%", "9.71"),
                                 ("其中：财政拨款", "70.5", "70.5", "69.1", "", "", ""),
                                 ("其他资金", "10", "10", "9.1", "", "", "")], start=3):
        for col, text in enumerate(cells, start=1):
            put(row, col, text)
    put(6, 0, "年度总体目标", last_row=7), put(6, 1, "预期目标", last_col=4), put(6, 5, "实际完成情况", last_col=7)
    put(7, 1, "全年受理群众来电不少于12万件。", last_col=4), put(7, 5, "全年受理群众来电12.6万件。", last_col=7)
    for col, heading in enumerate(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]):
        put(8, col, heading)
    put(9, 0, ROWS[0][0], last_row=10), put(9, 1, ROWS[0][1], last_row=10)
    for number, row in enumerate(ROWS, start=9):
        if number > 10:
            put(number, 0, row[0]), put(number, 1, row[1])
        for col, text in enumerate(row[2:], start=2):
            put(number, col, text)
    last = 9 + len(ROWS)
    put(last, 0, "总分", last_col=4), put(last, 5, "100"), put(last, 6, "94.71")  # adds up the printed scores
    document.add_paragraph("注：1.一级指标和分值原则上为产出指标50分、效益指标30分、满意度指标10分，预算执行率10分；"
                           "各部门可根据项目实际情况调整二级、三级指标的分值。")
    document.save(path)


def test_a_wrong_printed_score_is_named_by_its_row(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _filled_by_hand(tmp_path / "filled.docx")
    run(["import", "filled.docx", "--out", "imported"])
    messages = capsys.readouterr()
    said = messages.out + messages.err
    assert "已导入 imported/政务服务热线运行经费.yaml（表样 yinchuan-2024）" in said
    assert (f"表格 1 第 {WRONG_ROW} 行（三级指标“坐席人员培训人次”）：印的得分 20 与按规则计算的 22.50 不同，"
            "已作为“得分”导入；运行 jixiao score 查看") in said
    assert said.count("印的得分") == 1  # the other rows follow the rule; 9.71 for 预算执行率 too
    text = (tmp_path / "imported" / "政务服务热线运行经费.yaml").read_text(encoding="utf-8")
    assert "  总分: 94.71\n" in text and "年度: 2024\n" in text
    # the printed 分值 differ from the spread (产出 50 over 2 = 25 each: they do not); nothing else is filed
    assert "分值" not in text.split("\n自评:")[1]
    run(["score", "imported/政务服务热线运行经费.yaml", "--format", "json"])
    scored = capsys.readouterr()
    card = json.loads(scored.out)[0]
    assert card["total"] == "97.21"  # 9.71 + 25 + 22.50 + 30 + 10
    findings = [line for line in scored.err.splitlines() if "[result." in line]
    differs = [line for line in findings if "[result.score-differs]" in line]
    assert len(differs) == 1 and "坐席人员培训人次" in differs[0]
    lines = text.splitlines()
    row_line = next(i for i, line in enumerate(lines, start=1) if line.strip() == "坐席人员培训人次:" and i > lines.index("自评:"))
    line = int(re.match(r"imported/政务服务热线运行经费\.yaml:(\d+):\d+: ", differs[0]).group(1))
    assert row_line <= line <= row_line + 3 and lines[line - 1].strip() == "得分: 20"
    # besides: the printed 总分 adds up the wrong score
    assert [re.search(r"\[(result\.[a-z-]+)\]", f).group(1) for f in findings] == ["result.score-differs", "result.total-differs"]


# --into: the results into the filing that already holds the targets ------------------------------


@pytest.mark.parametrize("pack", list(EXAMPLES))
def test_import_into_the_filing_gives_it_back_unchanged(round_trip, pack, tmp_path, monkeypatch, capsys):
    root, _ = round_trip
    year, stem, _, _ = EXAMPLES[pack]
    monkeypatch.chdir(root)
    original = Path(f"projects/{year}/{stem}.yaml")
    text = original.read_text(encoding="utf-8")
    targets_only = Path(f"{pack}-targets.yaml")
    targets_only.write_text(text[: text.index("\n自评:")] + "\n", encoding="utf-8")
    assert run(["import", f"out/{year}/自评表/{stem}-自评表.docx", "--into", str(targets_only)]) == 0
    assert f"已把 out/{year}/自评表/{stem}-自评表.docx 的自评结果写入 {targets_only}" in capsys.readouterr().out
    written = targets_only.read_text(encoding="utf-8")
    assert written.startswith(text[: text.index("表样:")])  # the comments above stay
    run(["diff", str(original), str(targets_only)])
    assert capsys.readouterr().out.startswith("申报表没有实质变化")


def test_import_into_names_a_target_printed_otherwise_and_refuses_other_documents(round_trip, monkeypatch, capsys):
    root, _ = round_trip
    monkeypatch.chdir(root)
    text = Path("projects/2024/热线.yaml").read_text(encoding="utf-8")
    Path("other.yaml").write_text(text.replace("坐席人员培训人次: ≥200人次", "坐席人员培训人次: ≥220人次"), encoding="utf-8")
    assert run(["import", "out/2024/自评表/热线-自评表.docx", "--into", "other.yaml"]) == 0
    err = capsys.readouterr().err
    assert ("out/2024/自评表/热线-自评表.docx: 说明：表格 4 第 3 行：“坐席人员培训人次”的年度指标值印为“≥200人次”，"
            "申报表是“≥220人次”；以申报表为准") in err
    assert "other.yaml: 说明：原有的“自评”部分换成了 热线-自评表.docx 的内容" in err
    before = Path("other.yaml").read_bytes()
    assert run(["import", "out/2024/热线.docx", "--into", "other.yaml"]) == 1
    assert "这不是项目支出绩效自评表" in capsys.readouterr().err and Path("other.yaml").read_bytes() == before
    assert run(["import", "out/2024/自评表/热线-自评表.docx", "--into", "other.yaml", "--out", "x"]) == 2


def test_readme_import_example_is_current(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _filled_by_hand(tmp_path / "自评表.docx")
    run(["import", "自评表.docx"])
    imported = capsys.readouterr()
    run(["score", "projects/2024/政务服务热线运行经费.yaml"])
    scored = capsys.readouterr()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = readme[readme.index("### 导入填好的自评表"):]
    example = example[example.index("```text\n$ jixiao import 自评表.docx\n"):]
    assert example.startswith("```text\n$ jixiao import 自评表.docx\n" + imported.err + imported.out
                              + "$ jixiao score projects/2024/政务服务热线运行经费.yaml\n"
                              + "".join(line + "\n" for line in scored.err.splitlines() if "[result." in line) + "……\n```")


def test_a_title_in_a_table_cell_is_recognised_too(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _filled_by_hand(tmp_path / "filled.docx", title_in_table=True)
    assert run(["import", "filled.docx", "--out", "imported"]) == 0
    said = capsys.readouterr()
    assert f"表格 2 第 {WRONG_ROW} 行（三级指标“坐席人员培训人次”）：印的得分 20" in said.err
    assert "已导入 imported/政务服务热线运行经费.yaml（表样 yinchuan-2024）" in said.out
