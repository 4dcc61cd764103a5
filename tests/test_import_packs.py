"""`jixiao import` with several form packs: each form in a document is recognised as its pack and read
field by field, whatever the layout.

The Word tables are written here with python-docx, laid out like the forms in /work/shared/forms
(small packs of the same shape are in tests/data/import-packs, beside the shipped yinchuan-2024), each
with real merges and as a flattened table (labels repeated, no spans). Expectations are written out
in full. The round trip (build → import → the same filing) runs for every pack's example.yaml.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
from conftest import REPO, invoke
from docx import Document

from generator.cli import run
from generator.common.yamlio import load_document, plain_data
from generator.filing.model import build_filing
from generator.filing.modeline import modeline_for
from generator.forms.pack import load_forms
from generator.history.fmt import format_text

PACKS = REPO / "tests" / "data" / "import-packs"
ABOVE = "^"  # in a test table: this cell continues the cell above (w:vMerge)
LEFT = "<"  # this cell continues the cell to its left (w:gridSpan)


# ----------------------------------------------------------------------------------------------
# Helpers


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("templates")
    for pack in [*sorted(p for p in PACKS.iterdir() if p.is_dir()), REPO / "templates" / "yinchuan-2024"]:
        shutil.copytree(pack, folder / pack.name)
    return folder


@pytest.fixture(autouse=True)
def test_packs(templates, monkeypatch):
    monkeypatch.setenv("JIXIAO_TEMPLATES_DIR", str(templates))


def _table(document, rows: list[list[str]], style: str):
    """A table from rows of cell texts where ABOVE and LEFT mark the cells a merged cell covers.
    style "merged": real merges; "repeated": no merges, a covered cell repeats the text above it and
    cells covered from the left are left out (rows of different lengths, as converted tables have);
    "blank": the same, but a cell covered from above is left blank ("same as above")."""
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    anchors = {}
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text == ABOVE:
                anchors[(r, c)] = anchors[(r - 1, c)]
            elif text == LEFT:
                anchors[(r, c)] = anchors[(r, c - 1)]
            else:
                anchors[(r, c)] = (r, c)
                table.cell(r, c).text = text
    if style == "merged":
        for (r, c), anchor in anchors.items():
            if anchor == (r, c):
                bottom = max(rr for (rr, cc), a in anchors.items() if a == anchor)
                right = max(cc for (rr, cc), a in anchors.items() if a == anchor)
                if (bottom, right) != (r, c):
                    table.cell(r, c).merge(table.cell(bottom, right))
        return table
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text == ABOVE and style == "repeated":
                table.cell(r, c).text = rows[anchors[(r, c)][0]][anchors[(r, c)][1]]
    for r, row in enumerate(rows):
        tr = table._tbl.tr_lst[r]
        for c in reversed(range(width)):
            if row[c] == LEFT:
                tr.remove(tr.tc_lst[c])
    return table


def _data(path: Path) -> dict:
    return plain_data(load_document(path.name, path.read_bytes()).data)


def _import(capsys, *args) -> tuple[int, str, str]:
    return invoke(capsys, "import", *map(str, args))


def _comments(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]


def _imported(tmp_path, capsys, document, name: str, *options: str) -> tuple[dict, int, str, str]:
    source = tmp_path / "表.docx"
    document.save(source)
    code, out, err = _import(capsys, source, "--out", tmp_path / "out", *options)
    target = tmp_path / "out" / f"{name}.yaml"
    assert target.is_file(), (out, err)
    # In fmt's canonical style (compared directly: `jixiao fmt` leaves alone a filing whose test pack,
    # not in schema.json, check rejects).
    text = target.read_text(encoding="utf-8")
    assert format_text(target.as_posix(), text, modeline_for(target), load_forms()) == text
    return _data(target), code, out, err


STYLES = ["merged", "repeated", "blank"]


# ----------------------------------------------------------------------------------------------
# 1. A layout like ningxia-2019: year in the title, blank amounts, groups as filed, empty ones omitted

NINGXIA_ROWS = [
    ["项目名称", "自治区政务服务平台运行维护经费", LEFT, LEFT, LEFT],
    ["主管部门", "[812]宁夏回族自治区人民政府办公厅", LEFT, "实施单位", "【812001】办公厅本级"],
    ["项目属性", "延续性项目", LEFT, "项目期", "2019-2021"],
    ["项目资金(万元)", "年度资金总额", LEFT, "120", LEFT],
    [ABOVE, "其中:财政拨款", LEFT, "120", LEFT],
    [ABOVE, "其他资金", LEFT, "", LEFT],
    ["绩效目标", "完成平台全年运行维护。", LEFT, LEFT, LEFT],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
    [ABOVE, "产出指标", "成本指标", "运维费用", "≤120万元"],
    [ABOVE, ABOVE, "时效指标", "完成时间", "2019年11月底前。"],
    [ABOVE, ABOVE, "数量指标", "巡检次数", "≥12次"],
    [ABOVE, ABOVE, ABOVE, "培训次数", "≥2次"],
    [ABOVE, "满意度指标", "服务对象满意度指标", "用户满意度", "88%以上"],
    [ABOVE, "效益指标", "可持续影响指标", "平台持续运行", "3年"],
    [ABOVE, ABOVE, "社会效益指标", "网上可办率", "≥95%"],
]
NINGXIA = {
    "表样": "t-ningxia", "年度": "2019", "项目名称": "自治区政务服务平台运行维护经费",
    "主管部门": "[812]宁夏回族自治区人民政府办公厅", "实施单位": "【812001】办公厅本级", "项目属性": "延续性项目",
    "项目期": "2019-2021", "项目资金": {"年度资金总额": "120", "财政拨款": "120", "其他资金": ""},
    "绩效目标": "完成平台全年运行维护。",
    "绩效指标": {
        "产出指标": {
            "成本指标": {"运维费用": "≤120万元"},
            "时效指标": {"完成时间": "2019年11月底前。"},
            "数量指标": {"巡检次数": "≥12次", "培训次数": "≥2次"},
        },
        "满意度指标": {"服务对象满意度指标": {"用户满意度": "88%以上"}},
        "效益指标": {"可持续影响指标": {"平台持续运行": "3年"}, "社会效益指标": {"网上可办率": "≥95%"}},
    },
}


@pytest.mark.parametrize("style", STYLES)
def test_ningxia_layout_keeps_the_filed_order_and_blank_amounts(tmp_path, capsys, style):
    document = Document()
    document.add_paragraph("自治区本级部门2019年项目支出预算绩效目标表")
    _table(document, NINGXIA_ROWS, style)
    data, code, out, err = _imported(tmp_path, capsys, document, "自治区政务服务平台运行维护经费")
    assert (code, err) == (0, "")
    assert "（表样 t-ningxia）" in out
    assert data == NINGXIA
    # the filer's order of 一级 and 二级 is kept, in the data and in the file
    assert list(data["绩效指标"]) == ["产出指标", "满意度指标", "效益指标"]
    assert list(data["绩效指标"]["产出指标"]) == ["成本指标", "时效指标", "数量指标"]


# ----------------------------------------------------------------------------------------------
# 2. A layout like hunan-2023: stamp line, money in header rows, stacked goals, 绩效标准, review text, footer

HUNAN_ROWS = [
    ["填报单位:(盖章)                单位:万元", LEFT, LEFT, LEFT, LEFT, LEFT],
    ["项目支出名称", "农村公路养护", LEFT, "预算部门", "某县交通运输局", LEFT],
    ["年度本级\n预算金额", "36万", LEFT, "该项目支出上级资金", "0", LEFT],
    ["项目支出实施期", "2023.03-2024.02", LEFT, LEFT, LEFT, LEFT],
    ["实施期绩效目标", "完成县乡道路养护。", LEFT, LEFT, LEFT, LEFT],
    ["本年度绩效目标", "完成县乡道路养护12公里。", LEFT, LEFT, LEFT, LEFT],
    ["本年度\n绩效指标", "一级指标", "二级指标", "三级指标", "指标值及单位", "绩效标准"],
    [ABOVE, "产出指标", "数量指标", "养护里程", "12KM", "计划标准"],
    [ABOVE, ABOVE, ABOVE, "设备购置", "12台", "计划标准"],
    [ABOVE, ABOVE, "质量指标", "优良率", "≥88%", "行业标准"],
    [ABOVE, ABOVE, "时效指标", "完成时间", "2023.12", "计划标准"],
    [ABOVE, ABOVE, "成本指标", "养护成本", "≤36万", "计划标准"],
    [ABOVE, "效益指标", "经济效益指标", "", "", ""],
    [ABOVE, ABOVE, "社会效益指标", "通行条件", "达标", "计划标准"],
    [ABOVE, ABOVE, "生态效益指标", "", "", ""],
    [ABOVE, ABOVE, "可持续影响指标", "", "", ""],
    [ABOVE, ABOVE, "社会公众或服务对象满意度指标", "群众满意度", "≥90%", ""],
    ["财政部门审核意见", "同意。", LEFT, LEFT, LEFT, LEFT],
]
HUNAN = {
    "表样": "t-hunan", "年度": "2023", "项目支出名称": "农村公路养护", "预算部门": "某县交通运输局",
    "项目支出实施期": "2023.03-2024.02", "项目资金": {"年度本级预算金额": "36万", "该项目支出上级资金": "0"},
    "实施期绩效目标": "完成县乡道路养护。", "本年度绩效目标": "完成县乡道路养护12公里。",
    "绩效指标": {
        "产出指标": {
            "数量指标": {"养护里程": {"指标值": "12KM", "绩效标准": "计划标准"},
                      "设备购置": {"指标值": "12台", "绩效标准": "计划标准"}},
            "质量指标": {"优良率": {"指标值": "≥88%", "绩效标准": "行业标准"}},
            "时效指标": {"完成时间": {"指标值": "2023.12", "绩效标准": "计划标准"}},
            "成本指标": {"养护成本": {"指标值": "≤36万", "绩效标准": "计划标准"}},
        },
        "效益指标": {
            "经济效益指标": {},
            "社会效益指标": {"通行条件": {"指标值": "达标", "绩效标准": "计划标准"}},
            "生态效益指标": {},
            "可持续影响指标": {},
            "社会公众或服务对象满意度指标": {"群众满意度": "≥90%"},
        },
    },
    "财政部门审核意见": "同意。",
}


def _hunan_document(style: str, footer: str = "填表人:            联系电话:            填报日期:            单位负责人签字:"):
    document = Document()
    document.add_paragraph("2023年项目支出绩效目标申报表")
    _table(document, HUNAN_ROWS, style)
    document.add_paragraph(footer)
    return document


@pytest.mark.parametrize("style", STYLES)
def test_hunan_layout_reads_header_money_review_text_and_detail_column(tmp_path, capsys, style):
    data, code, out, err = _imported(tmp_path, capsys, _hunan_document(style), "农村公路养护")
    assert (code, err) == (0, "")  # the stamp line and the footer labels are the form's own text
    assert "（表样 t-hunan）" in out
    assert data == HUNAN
    # amounts are kept as typed: this form prints no unit beside them
    assert data["项目资金"]["年度本级预算金额"] == "36万"


def test_a_filled_in_footer_is_reported_not_dropped(tmp_path, capsys):
    document = _hunan_document("merged", footer="填表人:张三    联系电话:0731-1234567    填报日期:    单位负责人签字:")
    data, code, _, err = _imported(tmp_path, capsys, document, "农村公路养护")
    assert code == 1
    assert data == HUNAN
    assert any("未能导入" in line and "张三" in line and "第 2 段" in line for line in err.splitlines()), err
    assert any("张三" in line for line in _comments(tmp_path / "out" / "农村公路养护.yaml"))


# ----------------------------------------------------------------------------------------------
# 3. A layout like inner-mongolia-2021: name in the title, money headings, weights, split parts, scores

MONGOLIA_LABEL = "绩效指标(权重分值90分,其中产出指标权重分值50分,效益指标权重分值30分,满意度指标权重分值10分)"
MONGOLIA_ROWS = [
    ["项目名称", "城乡环卫一体化", *[LEFT] * 8],
    ["项目类别", "(31)部门预算项目", *[LEFT] * 8],
    ["归口科室", "(02)城建科", *[LEFT] * 8],
    ["主管部门", "(101)市住建局(部门)", *[LEFT] * 8],
    ["实施单位", "(101001)市环卫中心", *[LEFT] * 8],
    ["投入目标(万元)", "资金来源", LEFT, LEFT, LEFT, "年初安排金额(万元)", LEFT, LEFT, LEFT, LEFT],
    [ABOVE, "资金总额", LEFT, LEFT, LEFT, "200", LEFT, LEFT, LEFT, LEFT],
    [ABOVE, "其中: 财政拨款数", LEFT, LEFT, LEFT, "200", LEFT, LEFT, LEFT, LEFT],
    [ABOVE, "其他资金", LEFT, LEFT, LEFT, "0", LEFT, LEFT, LEFT, LEFT],
    ["年度目标", "全面完成环卫任务。目标1:清运及时。目标2:群众满意。", *[LEFT] * 8],
    [MONGOLIA_LABEL, "一级指标", "二级指标", "三级指标", "指标性质", "指标方向", "目标值", "计量单位", "分值", "备注"],
    [ABOVE, "产出指标", "数量指标", "清运垃圾", "正向", "=", "12", "万吨", "20", ""],
    [ABOVE, "产出指标", "质量指标", "无害化处理率", "正向", "≥", "95", "%", "10", "按国家标准"],
    [ABOVE, "产出指标", "时效指标", "完成时间", "正向", "=", "45,657", "45,657", "10", ""],
    [ABOVE, "产出指标", "成本指标", "人均成本", "反向", "=", "3", "万元/人", "10", ""],
    [ABOVE, "效益指标", "社会效益指标", "环境改善", "正向", "=", "明显改善", "", "30", ""],
    [ABOVE, "满意度指标", "服务对象满意度指标", "群众满意度", "正向", "≥", "90", "%", "10", ""],
]
MONGOLIA = {
    "表样": "t-mongolia", "年度": "2021", "项目名称": "城乡环卫一体化", "项目类别": "(31)部门预算项目",
    "归口科室": "(02)城建科", "主管部门": "(101)市住建局(部门)", "实施单位": "(101001)市环卫中心",
    "投入目标": {"资金总额": "200", "财政拨款数": "200", "其他资金": "0"},
    "年度目标": "全面完成环卫任务。目标1:清运及时。目标2:群众满意。",
    "绩效指标": {
        "产出指标": {
            "数量指标": {"清运垃圾": {"指标性质": "正向", "指标方向": "=", "目标值": "12", "计量单位": "万吨", "分值": "20"}},
            "质量指标": {"无害化处理率": {"指标性质": "正向", "指标方向": "≥", "目标值": "95", "计量单位": "%", "分值": "10",
                                    "备注": "按国家标准"}},
            "时效指标": {"完成时间": {"指标性质": "正向", "指标方向": "=", "目标值": "45,657", "计量单位": "45,657", "分值": "10"}},
            "成本指标": {"人均成本": {"指标性质": "反向", "指标方向": "=", "目标值": "3", "计量单位": "万元/人", "分值": "10"}},
        },
        "效益指标": {"社会效益指标": {"环境改善": {"指标性质": "正向", "指标方向": "=", "目标值": "明显改善", "分值": "30"}}},
        "满意度指标": {"服务对象满意度指标": {"群众满意度": {"指标性质": "正向", "指标方向": "≥", "目标值": "90", "计量单位": "%",
                                                "分值": "10"}}},
    },
}


@pytest.mark.parametrize("style", STYLES)
def test_inner_mongolia_layout_reads_split_parts_scores_and_money_headings(tmp_path, capsys, style):
    document = Document()
    document.add_paragraph("城乡环卫一体化项目绩效目标表")
    document.add_paragraph("(2021年)")
    _table(document, MONGOLIA_ROWS, style)
    data, code, out, err = _imported(tmp_path, capsys, document, "城乡环卫一体化")
    assert code == 0
    assert "（表样 t-mongolia）" in out
    assert data == MONGOLIA
    # the part columns come back in the order of the form's columns
    assert list(data["绩效指标"]["产出指标"]["数量指标"]["清运垃圾"]) == ["指标性质", "指标方向", "目标值", "计量单位", "分值"]
    assert err == ""  # the Excel day number of the 时效 row is kept as filed (check names the date)


def test_target_parts_that_join_cleanly_come_back_as_one_value(tmp_path, capsys):
    rows = [row[:8] for row in MONGOLIA_ROWS[:10]] + [
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标方向", "目标值", "计量单位"],
        [ABOVE, "产出指标", "数量指标", "清运垃圾", "≥", "12", "万吨"],
        [ABOVE, "产出指标", "数量指标", "清运次数", "", "365", ""],
        [ABOVE, "效益指标", "社会效益指标", "环境改善", "=", "明显改善", ""],
        [ABOVE, "满意度指标", "服务对象满意度指标", "群众满意度", "", "", "满意"],
    ]
    document = Document()
    _table(document, rows, "merged")
    data, code, _, err = _imported(tmp_path, capsys, document, "城乡环卫一体化", "--year", "2021")
    assert (code, err) == (0, "")
    assert data["绩效指标"] == {
        "产出指标": {"数量指标": {"清运垃圾": "≥12万吨", "清运次数": "365"}},
        # "=明显改善" would be printed whole in the 目标值 column, so the parts stay apart
        "效益指标": {"社会效益指标": {"环境改善": {"指标方向": "=", "目标值": "明显改善"}}},
        "满意度指标": {"服务对象满意度指标": {"群众满意度": {"计量单位": "满意"}}},
    }


# ----------------------------------------------------------------------------------------------
# 4. A layout like wuhan-2020: two money columns, side-by-side goals, a captioned two-halves table

WUHAN_HEADER = [
    ["项目名称", "东湖路修缮", LEFT, LEFT, LEFT],
    ["主管部门\n及编码", "[301001]区住建局", "实施单位", "区市政中心", LEFT],
    ["项目属性", "基础建设、修缮类", "项目起止时间", "202001-202012", LEFT],
    ["项目资金", "资金总额", "50万元", "当年资金总额:", "36万元"],
    [ABOVE, "其中:财政拨款", "50万元", "其中:当年财政拨款", "36万元"],
    [ABOVE, "其他资金", "", "当年其他资金", "0"],
    ["总体目标", "中期目标", LEFT, "年度目标", LEFT],
    [ABOVE, "三年内完成东湖路修缮。", LEFT, "2020年完成一期修缮。", LEFT],
]
WUHAN_GRID = [
    ["一级指标", "二级指标(长期)", "三级指标(长期)", "指标值(长期)", "二级指标(年度)", "三级指标(年度)", "指标值(年度)"],
    ["产出指标", "数量指标", "", "", "数量指标", "修缮长度", "≥2公里"],
    ["产出指标", "质量指标", "路面使用年限", "≥10年", "质量指标", "验收合格率", "100%"],
    ["产出指标", "质量指标", "养护达标率", "≥95%", "质量指标", "", ""],
    ["产出指标", "成本指标", "", "", "成本指标", "修缮成本", "≤36万元"],
    ["产出指标", "时效指标", "", "", "时效指标", "完成时间", "2020年12月前"],
    ["效益指标", "可持续影响指标", "", "", "可持续影响指标", "使用年限", "≥10年"],
    ["效益指标", "社会效益指标", "", "", "社会效益指标", "通行条件", "改善"],
    ["满意度指标", "服务对象满意度指标", "", "", "服务对象满意度指标", "居民满意度", "≥88%"],
]
WUHAN = {
    "表样": "t-wuhan", "年度": "2020", "项目名称": "东湖路修缮", "主管部门及编码": "[301001]区住建局",
    "实施单位": "区市政中心", "项目属性": "基础建设、修缮类", "项目起止时间": "202001-202012",
    "项目资金": {"资金总额": "50万元", "财政拨款": "50万元", "其他资金": "0", "当年资金总额": "36万元",
             "当年财政拨款": "36万元", "当年其他资金": "0"},
    "中期目标": "三年内完成东湖路修缮。", "年度目标": "2020年完成一期修缮。",
    "绩效指标": {
        "产出指标": {
            "数量指标": {"修缮长度": "≥2公里"},
            "质量指标": {"验收合格率": "100%"},
            "成本指标": {"修缮成本": "≤36万元"},
            "时效指标": {"完成时间": "2020年12月前"},
        },
        "效益指标": {"可持续影响指标": {"使用年限": "≥10年"}, "社会效益指标": {"通行条件": "改善"}},
        "满意度指标": {"服务对象满意度指标": {"居民满意度": "≥88%"}},
    },
    "长期绩效指标": {"产出指标": {"质量指标": {"路面使用年限": "≥10年", "养护达标率": "≥95%"}}},
}


@pytest.mark.parametrize("style", STYLES)
def test_wuhan_layout_reads_both_money_columns_side_by_side_goals_and_the_long_term_half(tmp_path, capsys, style):
    document = Document()
    document.add_paragraph("项目支出绩效目标表")
    document.add_paragraph("2020年度)")  # the published year line lacks its "("
    _table(document, WUHAN_HEADER, style)
    document.add_paragraph("绩效项目指标表")
    _table(document, WUHAN_GRID, style)
    data, code, out, err = _imported(tmp_path, capsys, document, "东湖路修缮")
    assert code == 0, err
    assert "（表样 t-wuhan）" in out
    assert data == WUHAN
    assert [line for line in err.splitlines() if "说明" in line] == [
        f"{tmp_path / '表.docx'}: 说明：表格 1 第 6 行：“其他资金”是空白，按 0 万元导入"
    ]


# ----------------------------------------------------------------------------------------------
# 5. A layout like gansu-2023: long header with a field group and money among the header rows

GANSU_ROWS = [
    ["一级项目名称", "行政运行", LEFT, LEFT, LEFT, LEFT],
    ["二级项目名称", "信息化运维经费", LEFT, LEFT, LEFT, LEFT],
    ["项目类型", "新增项目", LEFT, "项目分类", "专项工作经费", LEFT],
    ["资金用途", "业务类项目", LEFT, "主管部门", "甘肃省某厅", LEFT],
    ["项目开始日期", "2023-01-01", LEFT, "项目完成日期", "2023-12-31", LEFT],
    ["项目总投资", "36万元", LEFT, LEFT, LEFT, LEFT],
    ["中央补助安排", "0", "省级财政安排", "36万元", "其他资金", "0"],
    ["预算申报数", "36万元", LEFT, "资金性质", "一般公共预算", LEFT],
    ["基本情况", "保障全厅信息系统运行。", LEFT, LEFT, LEFT, LEFT],
    ["项目实施计划", "组织实施单位", LEFT, "某厅办公室", LEFT, LEFT],
    [ABOVE, "监督管理单位", LEFT, "某厅财务处", LEFT, LEFT],
    [ABOVE, "项目实施单位", LEFT, "某厅信息中心", LEFT, LEFT],
    ["政策依据", "甘财预〔2022〕1号", LEFT, LEFT, LEFT, LEFT],
    ["年度绩效目标", "保障12个系统稳定运行。", LEFT, LEFT, LEFT, LEFT],
    ["一级指标", "二级指标", LEFT, "三级指标", LEFT, "指标目标值"],
    ["产出指标", "数量指标", LEFT, "运维系统数", LEFT, "=12个"],
    [ABOVE, "质量指标", LEFT, "系统可用率%", LEFT, "=99百分比"],
    [ABOVE, "时效指标", LEFT, "响应时间", LEFT, "≤2小时"],
    ["成本指标", "经济成本指标", LEFT, "运维成本", LEFT, "≤36万元"],
    [ABOVE, "社会成本指标", LEFT, "", LEFT, ""],
    [ABOVE, "生态环境成本指标", LEFT, "无", LEFT, "无"],
    ["效益指标", "社会效益指标", LEFT, "服务保障水平", LEFT, "有效提升"],
    ["满意度指标", "服务对象满意度", LEFT, "用户满意度", LEFT, "≥90百分比"],
]
GANSU = {
    "表样": "t-gansu", "年度": "2023", "一级项目名称": "行政运行", "二级项目名称": "信息化运维经费",
    "项目类型": "新增项目", "项目分类": "专项工作经费", "资金用途": "业务类项目", "主管部门": "甘肃省某厅",
    "项目开始日期": "2023-01-01", "项目完成日期": "2023-12-31", "资金性质": "一般公共预算",
    "基本情况": "保障全厅信息系统运行。",
    "项目实施计划": {"组织实施单位": "某厅办公室", "监督管理单位": "某厅财务处", "项目实施单位": "某厅信息中心"},
    "政策依据": "甘财预〔2022〕1号",
    "项目资金": {"项目总投资": "36万元", "中央补助安排": "0", "省级财政安排": "36万元", "其他资金": "0", "预算申报数": "36万元"},
    "年度绩效目标": "保障12个系统稳定运行。",
    "绩效指标": {
        "产出指标": {"数量指标": {"运维系统数": "=12个"}, "质量指标": {"系统可用率%": "=99百分比"},
                 "时效指标": {"响应时间": "≤2小时"}},
        "成本指标": {"经济成本指标": {"运维成本": "≤36万元"}, "社会成本指标": {}, "生态环境成本指标": {"无": "无"}},
        "效益指标": {"社会效益指标": {"服务保障水平": "有效提升"}},
        "满意度指标": {"服务对象满意度指标": {"用户满意度": "≥90百分比"}},
    },
}


@pytest.mark.parametrize("style", STYLES)
def test_gansu_layout_reads_the_field_group_and_money_in_header_rows(tmp_path, capsys, style):
    document = Document()
    document.add_paragraph("省级部门预算项目支出绩效目标表")
    document.add_paragraph("(2023年度)")
    _table(document, GANSU_ROWS, style)
    data, code, out, err = _imported(tmp_path, capsys, document, "信息化运维经费")
    assert (code, err) == (0, "")
    assert "（表样 t-gansu）" in out
    assert data == GANSU
    # the file follows the pack: keys in the order the form prints them, the group's sub-fields nested
    assert list(data) == [
        "表样", "年度", "一级项目名称", "二级项目名称", "项目类型", "项目分类", "资金用途", "主管部门", "项目开始日期",
        "项目完成日期", "项目资金", "资金性质", "基本情况", "项目实施计划", "政策依据", "年度绩效目标", "绩效指标",
    ]


# ----------------------------------------------------------------------------------------------
# 6. A layout like mof-2021: 指标性质 | 指标值 | 度量单位 with 定性, an explanation column, 成本 first

MOF_ROWS = [
    ["项目名称", "业务培训经费", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    ["主管部门及代码", "[101]某部", LEFT, LEFT, "实施单位", "某部培训中心", LEFT, LEFT],
    ["项目属性", "延续项目", LEFT, LEFT, "项目期", "2022年", LEFT, LEFT],
    ["项目资金(万元)", "年度资金总额", LEFT, LEFT, "50", LEFT, LEFT, LEFT],
    [ABOVE, "其中:财政拨款", LEFT, LEFT, "50", LEFT, LEFT, LEFT],
    [ABOVE, "其他资金", LEFT, LEFT, "0", LEFT, LEFT, LEFT],
    ["年度总体目标", "完成全年业务培训。", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "指标解释"],
    [ABOVE, "成本指标", "经济成本指标", "项目总成本", "≤", "50", "万元", "预算批复数"],
    [ABOVE, ABOVE, "社会成本指标", "", "", "", "", ""],
    [ABOVE, "产出指标", "数量指标", "培训人次", "≥", "200", "人次", ""],
    [ABOVE, ABOVE, "质量指标", "培训合格率", "＝", "100", "%", ""],
    [ABOVE, ABOVE, "时效指标", "完成时间", "定性", "2022年11月30日前完成", "", ""],
    [ABOVE, "效益指标", "社会效益指标", "业务能力", "定性", "明显提升", "", ""],
    [ABOVE, ABOVE, ABOVE, "知识更新", "", "较好", "", ""],
    [ABOVE, "满意度指标", "服务对象满意度指标", "参训人员满意度", "≥", "90", "%", ""],
]
MOF = {
    "表样": "t-mof", "年度": "2022", "项目名称": "业务培训经费", "主管部门及代码": "[101]某部", "实施单位": "某部培训中心",
    "项目属性": "延续项目", "项目期": "2022年", "项目资金": {"年度资金总额": "50", "财政拨款": "50", "其他资金": "0"},
    "年度总体目标": "完成全年业务培训。",
    "绩效指标": {
        "成本指标": {
            "经济成本指标": {"项目总成本": {"指标性质": "≤", "指标值": "50", "度量单位": "万元", "指标解释": "预算批复数"}},
            "社会成本指标": {},
        },
        "产出指标": {
            "数量指标": {"培训人次": "≥200人次"},
            "质量指标": {"培训合格率": "＝100%"},
            "时效指标": {"完成时间": "2022年11月30日前完成"},  # 定性 + text: the text alone prints the same
        },
        # a text with no 定性 mark is not what the text alone prints: it stays in parts
        "效益指标": {"社会效益指标": {"业务能力": "明显提升", "知识更新": {"指标性质": "", "指标值": "较好", "度量单位": ""}}},
        "满意度指标": {"服务对象满意度指标": {"参训人员满意度": "≥90%"}},
    },
}


@pytest.mark.parametrize("style", STYLES)
def test_mof_layout_reads_operator_value_unit_and_qualitative_mark(tmp_path, capsys, style):
    document = Document()
    document.add_paragraph("项目支出绩效目标表")
    document.add_paragraph("(2022年度)")
    _table(document, MOF_ROWS, style)
    data, code, out, err = _imported(tmp_path, capsys, document, "业务培训经费")
    assert (code, err) == (0, "")
    assert "（表样 t-mof）" in out
    assert data == MOF


# ----------------------------------------------------------------------------------------------
# 7. Recognition


def test_labels_and_columns_decide_without_a_title(tmp_path, capsys):
    document = Document()
    _table(document, MOF_ROWS, "merged")
    data, code, out, err = _imported(tmp_path, capsys, document, "业务培训经费", "--year", "2022")
    assert (code, err) == (0, "")
    assert "（表样 t-mof）" in out and data == MOF
    assert any("识别为表样 t-mof" in line for line in _comments(tmp_path / "out" / "业务培训经费.yaml"))


def test_forms_of_different_packs_in_one_document(tmp_path, capsys):
    """A footer below the first form stays with it; each form is read with its own pack."""
    document = _hunan_document("merged")
    document.add_paragraph("")
    document.add_paragraph("自治区本级部门2019年项目支出预算绩效目标表")
    _table(document, NINGXIA_ROWS, "merged")
    document.add_paragraph("省级部门预算项目支出绩效目标表")
    document.add_paragraph("(2023年度)")
    _table(document, GANSU_ROWS, "repeated")
    source = tmp_path / "汇总.docx"
    document.save(source)
    code, out, err = _import(capsys, source, "--out", tmp_path / "out")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"已导入 {tmp_path / 'out' / '农村公路养护.yaml'}（表样 t-hunan）",
        f"已导入 {tmp_path / 'out' / '自治区政务服务平台运行维护经费.yaml'}（表样 t-ningxia）",
        f"已导入 {tmp_path / 'out' / '信息化运维经费.yaml'}（表样 t-gansu）",
    ]
    assert _data(tmp_path / "out" / "农村公路养护.yaml") == HUNAN
    assert _data(tmp_path / "out" / "自治区政务服务平台运行维护经费.yaml") == NINGXIA
    assert _data(tmp_path / "out" / "信息化运维经费.yaml") == GANSU


def test_form_option_forces_a_pack(tmp_path, capsys):
    document = Document()
    document.add_paragraph("项目支出绩效目标表")
    document.add_paragraph("(2022年度)")
    _table(document, MOF_ROWS, "merged")
    data, code, out, err = _imported(tmp_path, capsys, document, "业务培训经费", "--form", "yinchuan-2024")
    assert "（表样 yinchuan-2024）" in out
    assert data["表样"] == "yinchuan-2024" and data["项目名称"] == "业务培训经费"
    # what yinchuan-2024 has no place for is reported, not dropped
    assert code == 1
    assert any("指标性质" in line and "未能导入" in line for line in err.splitlines()), err
    assert any("按 --form 指定的表样 yinchuan-2024" in line for line in _comments(tmp_path / "out" / "业务培训经费.yaml"))


def test_a_document_without_any_pack_s_first_label(tmp_path, capsys):
    document = Document()
    _table(document, [["名称", "某项目"], ["金额", "10"]], "merged")
    source = tmp_path / "无表.docx"
    document.save(source)
    code, out, err = _import(capsys, source, "--out", tmp_path / "out")
    assert (code, out) == (1, "")
    assert err.startswith(f"{source}: 错误：没有找到申报表") and "项目支出名称" in err and "一级项目名称" in err


# ----------------------------------------------------------------------------------------------
# 8. Round trip for every pack: build its example → import → the same filing


EXAMPLES = sorted((REPO / "templates").glob("*/example.yaml"))


def _as_printed(path: Path) -> dict:
    """What the printed form can tell of a filing: its text fields and amounts as typed, and each
    indicator as the model reads it (the target, its printed parts, the detail columns the form prints),
    groups with indicators only, in order. A target written as one text or as parts reads the same."""
    document = load_document(path.name, path.read_bytes())
    form = load_forms()[document.data["表样"]]
    filing = build_filing(document, form)
    printed = {column.show for column in form.indicators.columns}

    def tree(groups):
        return [
            (group.level, group.name, [(i.name, i.value, i.parts, [d for d in i.details if d[0] in printed]) for i in group.indicators])
            for group in groups if group.indicators
        ]

    ordered = form.indicators.order == "as-filed"
    return {
        "form": filing.form_id, "year": filing.year, "fields": filing.fields, "funds": filing.funds_text,
        "groups": tree(filing.groups) if ordered else sorted(tree(filing.groups)),
        "long_term": tree(filing.long_term) if ordered else sorted(tree(filing.long_term)), "grade": filing.grade,
    }


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.parent.name for path in EXAMPLES])
def test_every_pack_s_example_comes_back_from_its_word_form(tmp_path, capsys, monkeypatch, example):
    monkeypatch.delenv("JIXIAO_TEMPLATES_DIR")
    year = str(_data(example)["年度"])
    projects = tmp_path / "projects" / year
    projects.mkdir(parents=True)
    shutil.copyfile(example, projects / "example.yaml")
    assert run(["build", str(projects), "--out", str(tmp_path / "built"), "--outputs", "docx"]) == 0, capsys.readouterr()
    capsys.readouterr()
    code, out, err = _import(capsys, tmp_path / "built" / year / "example.docx", "--out", tmp_path / "out")
    assert (code, err) == (0, "")
    assert f"（表样 {example.parent.name}）" in out
    (imported,) = sorted((tmp_path / "out").glob("*.yaml"))
    assert _as_printed(imported) == _as_printed(example)
    assert run(["fmt", "--check", str(imported)]) == 0
    capsys.readouterr()
    # Imported, it checks as clean as the example it was printed from: no schema error, no false positive.
    assert run(["check", "--no-cache", "--format", "json", str(imported)]) == 0
    assert capsys.readouterr().out.strip() == "[]"


# ----------------------------------------------------------------------------------------------
# 9. What a pack cannot tell apart, or place


def test_a_close_call_is_said_and_goes_to_the_default_pack(tmp_path, capsys):
    document = Document()
    _table(document, [["项目名称", "某项目"], ["实施单位", "某单位"]], "merged")
    data, code, out, err = _imported(tmp_path, capsys, document, "某项目", "--year", "2024")
    assert code == 0
    assert "（表样 yinchuan-2024）" in out  # the pack marked default
    (note,) = [line for line in err.splitlines() if "说明" in line]
    assert "几乎一样符合" in note and "t-ningxia" in note and "--form" in note
    assert data["项目名称"] == "某项目" and data["实施单位"] == "某单位"


def test_a_cell_under_no_column_heading_is_reported(tmp_path, capsys):
    rows = [row + [""] for row in HUNAN_ROWS]
    rows[8][-1] = "另加的说明"  # an indicator row one cell wider than the headings
    document = Document()
    document.add_paragraph("2023年项目支出绩效目标申报表")
    _table(document, rows, "merged")
    data, code, _, err = _imported(tmp_path, capsys, document, "农村公路养护")
    assert code == 1
    assert data == HUNAN
    assert any("表格 1 第 9 行" in line and "另加的说明" in line for line in err.splitlines()), err


def test_the_title_of_the_next_form_stays_with_it(tmp_path, capsys):
    """Two forms of one pack back to back, no blank line between: the second keeps its own title and year."""
    document = Document()
    document.add_paragraph("自治区本级部门2019年项目支出预算绩效目标表")
    _table(document, NINGXIA_ROWS, "merged")
    document.add_paragraph("自治区本级部门2020年项目支出预算绩效目标表")
    second = copy.deepcopy(NINGXIA_ROWS)
    second[0][1] = "第二个项目"
    _table(document, second, "merged")
    source = tmp_path / "两年.docx"
    document.save(source)
    code, out, err = _import(capsys, source, "--out", tmp_path / "out")
    assert (code, err) == (0, "")
    assert _data(tmp_path / "out" / "自治区政务服务平台运行维护经费.yaml") == NINGXIA
    assert _data(tmp_path / "out" / "第二个项目.yaml") == {**NINGXIA, "年度": "2020", "项目名称": "第二个项目"}
