"""`jixiao import`: Word forms → filing YAML.

The seed filings are built once per module and imported back (data equal, a second build
byte-identical in word/document.xml). Forms not made by jixiao are written here with python-docx
(no merges, real merges, messy amounts and blank rows, two forms in one document with full-width
punctuation); each is imported to data written out in full below. Expectations come from the
seed YAML and from form.yaml read with PyYAML, not from the importer's own tables.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import generator.importing.run
import pytest
from conftest import LEVELS, REPO, as_printed, invoke
from docx import Document
from docx.oxml.ns import qn

from generator.cli import run
from generator.common.yamlio import load_document, plain_data

SEED = REPO / "projects" / "2024"
TITLE = "银川市本级部门项目支出年度预算绩效目标申报表"
MODELINE = "# yaml-language-server: $schema="
GRADES = ("通过", "退回修改", "退回,不予纳入财政项目库")
EMPTY_HEADER = {"主管部门及代码": "", "实施单位": "", "项目属性": "", "项目期": ""}


# ----------------------------------------------------------------------------------------------
# Helpers


def _data(path: Path) -> dict:
    return plain_data(load_document(path.name, path.read_bytes()).data)


def _document_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("word/document.xml")


def _import(capsys, *args) -> tuple[int, str, str]:
    return invoke(capsys, "import", *map(str, args))


def _filing(**overrides) -> dict:
    """Expected filing data: every header field, the three amounts, the given groups."""
    data = {"表样": "yinchuan-2024", "年度": "2024", "项目名称": "", **EMPTY_HEADER,
            "项目资金": {"年度资金总额": "0", "财政拨款": "0", "其他资金": "0"},
            "年度总体目标": "", "绩效指标": {}}
    data.update(overrides)
    return data


def _write_filing(folder: Path, stem: str, text: str) -> Path:
    path = folder / "projects" / "2024" / f"{stem}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _fill(table, rows: list[list[str]]) -> None:
    for r, texts in enumerate(rows):
        for c, text in enumerate(texts):
            if text:
                table.cell(r, c).text = text


def _new_table(document, rows: list[list[str]]):
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    _fill(table, [r + [""] * (width - len(r)) for r in rows])
    return table


def _remove_leading_cells(table, row: int, count: int) -> None:
    """A row with fewer cells and no w:gridBefore, as some converters and hand edits leave them."""
    tr = table._tbl.tr_lst[row]
    for tc in tr.tc_lst[:count]:
        tr.remove(tc)
    assert tr.trPr is None or tr.trPr.find(qn("w:gridBefore")) is None


def _heading(document, year: str | None = "（2024年度）") -> None:
    document.add_paragraph("附件2：")
    document.add_paragraph(TITLE)
    if year:
        document.add_paragraph(year)


def _comments(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("#")]


# ----------------------------------------------------------------------------------------------
# 1. Round trip of the seed filings


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    root = tmp_path_factory.mktemp("round-trip")
    first, work, second = root / "first", root / "work", root / "second"
    work.mkdir()
    assert run(["build", str(SEED), "--out", str(first), "--outputs", "docx"]) == 0
    built = sorted((first / "2024").glob("*.docx"))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(work)
        import_code = run(["import", *map(str, built)])
        rebuild_code = run(["build", "projects/2024", "--out", str(second), "--outputs", "docx"])
    return {"first": first / "2024", "imported": work / "projects" / "2024", "second": second / "2024",
            "built": built, "import_code": import_code, "rebuild_code": rebuild_code}


def test_every_seed_filing_is_built_and_imported(round_trip, seed_files):
    assert len(seed_files) == 6
    assert round_trip["import_code"] == 0
    assert round_trip["rebuild_code"] == 0
    assert sorted(p.stem for p in round_trip["built"]) == sorted(p.stem for p in seed_files)
    assert sorted(p.name for p in round_trip["imported"].glob("*.yaml")) == sorted(p.name for p in seed_files)


@pytest.mark.parametrize("name", sorted(p.stem for p in SEED.glob("*.yaml")))
def test_imported_seed_equals_the_original_as_data(round_trip, name):
    original = _data(SEED / f"{name}.yaml")
    imported = _data(round_trip["imported"] / f"{name}.yaml")
    assert as_printed(imported) == as_printed(original)
    # every group of the form is printed, so the import lists all of them
    assert {level: set(groups) for level, groups in imported["绩效指标"].items()} == {
        level: set(groups) for level, groups in LEVELS.items()
    }
    assert "综合评定等级" not in imported  # nothing ticked on the printed form


@pytest.mark.parametrize("name", sorted(p.stem for p in SEED.glob("*.yaml")))
def test_building_the_import_gives_the_same_word_document(round_trip, name):
    first = round_trip["first"] / f"{name}.docx"
    second = round_trip["second"] / f"{name}.docx"
    assert second.is_file()
    assert _document_xml(second) == _document_xml(first)


@pytest.mark.parametrize("name", sorted(p.stem for p in SEED.glob("*.yaml")))
def test_imported_file_is_canonical_and_names_its_source(round_trip, name, capsys):
    path = round_trip["imported"] / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(MODELINE)
    assert text.splitlines()[0].endswith("schema.json")
    assert any(f"{name}.docx" in line and "jixiao import" in line for line in _comments(text))
    assert run(["fmt", "--check", str(path)]) == 0, capsys.readouterr()


@pytest.mark.parametrize("grade", GRADES, ids=["pass", "revise", "reject"])
def test_a_recorded_grade_is_imported(tmp_path, monkeypatch, grade):
    seed = (SEED / "督查室工作经费.yaml").read_text(encoding="utf-8")
    _write_filing(tmp_path, "督查室工作经费", seed + f"综合评定等级: \"{grade}\"\n")
    monkeypatch.chdir(tmp_path)
    assert run(["build", "projects/2024", "--out", "built", "--outputs", "docx"]) == 0
    imported_dir = tmp_path / "imported"
    assert run(["import", "built/2024/督查室工作经费.docx", "--out", str(imported_dir)]) == 0
    imported = _data(imported_dir / "督查室工作经费.yaml")
    assert imported["综合评定等级"] == grade
    assert as_printed(imported) == as_printed(_data(tmp_path / "projects" / "2024" / "督查室工作经费.yaml"))


SPECIAL_FILING = r'''# yaml-language-server: $schema=../../schema.json
表样: yinchuan-2024
年度: 2024
项目名称: "特殊字符<项目>&{{ x }}😀"
主管部门及代码: "[812]银川市人民政府办公室 {{ x }}"
实施单位: "  前后有空格的单位  "
项目属性: 新增项目
项目期: 2024年
项目资金:
  年度资金总额: 80.5
  财政拨款: 70.5
  其他资金: 10
年度总体目标: "第一行\n第二行\t制表之后 <5%&\"' {{ x }} 😀 两个  空格 "
绩效指标:
  产出指标:
    数量指标:
      "<5%&\"' {{ x }}": " 😀 ≥12万件 "
      "换行\n指标\t名": "a\tb\nc"
    质量指标:
      " 前空格": "后空格 "
  满意度指标:
    服务对象满意度指标:
      "{% if x %}满意度{% endif %}": "≥90%"
'''


def test_special_text_survives_the_round_trip(tmp_path, monkeypatch):
    source = _write_filing(tmp_path, "特殊", SPECIAL_FILING)
    monkeypatch.chdir(tmp_path)
    assert run(["build", "projects/2024", "--out", "first", "--outputs", "docx"]) == 0
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert run(["import", str(tmp_path / "first" / "2024" / "特殊.docx")]) == 0
    imported_path = work / "projects" / "2024" / "特殊字符_项目_&{{ x }}😀.yaml"
    imported = _data(imported_path)
    original = _data(source)
    assert imported["年度总体目标"] == "第一行\n第二行\t制表之后 <5%&\"' {{ x }} 😀 两个  空格 "
    assert imported["实施单位"] == "  前后有空格的单位  "
    assert imported["绩效指标"]["产出指标"]["数量指标"] == {"<5%&\"' {{ x }}": " 😀 ≥12万件 ", "换行\n指标\t名": "a\tb\nc"}
    assert as_printed(imported) == as_printed(original)
    assert run(["fmt", "--check", str(imported_path)]) == 0
    # and the import builds into the very same Word document
    assert run(["build", str(imported_path), "--out", str(tmp_path / "second"), "--outputs", "docx"]) == 0
    assert _document_xml(tmp_path / "second" / "2024" / f"{imported_path.stem}.docx") == _document_xml(
        tmp_path / "first" / "2024" / "特殊.docx"
    )


# ----------------------------------------------------------------------------------------------
# 2. Word forms not made by jixiao


def test_form_without_merges_and_repeated_labels(tmp_path, monkeypatch, capsys):
    document = Document()
    _heading(document)
    _new_table(document, [
        ["项目名称", "城市绿化养护经费", "项目属性", "延续项目"],
        ["主管部门", "[815]银川市园林局", "实施单位", "银川市园林管理处"],
        ["项目期", "2024年", "年度资金总额", "200"],
        ["财政拨款", "180", "其他资金", "20"],
        ["年度总体目标", "完成全市主干道绿化养护，补植树木，提高绿化覆盖率。", "", ""],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "养护面积", "≥500万平方米"],
        ["产出指标", "数量指标", "补植树木", "≥2000株"],
        ["产出指标", "质量指标", "苗木成活率", "≥95%"],
        ["产出指标", "时效指标", "完成时间", "2024年12月31日前"],
        ["产出指标", "成本指标", "养护费", "≤200万元"],
        ["效益指标", "社会效益指标", "市容环境", "明显改善"],
        ["效益指标", "生态效益指标", "绿化覆盖率", "≥42%"],
        ["效益指标", "可持续影响指标", "长效管护机制", "持续"],
        ["满意度指标", "服务对象满意度指标", "市民满意度", "≥90%"],
    ])
    path = tmp_path / "无合并.docx"
    document.save(path)
    monkeypatch.chdir(tmp_path)
    code, out, err = _import(capsys, path)
    assert (code, err) == (0, "")
    target = tmp_path / "projects" / "2024" / "城市绿化养护经费.yaml"
    assert f"已导入 {Path('projects') / '2024' / '城市绿化养护经费.yaml'}" in out
    assert _data(target) == _filing(
        项目名称="城市绿化养护经费", 主管部门及代码="[815]银川市园林局", 实施单位="银川市园林管理处",
        项目属性="延续项目", 项目期="2024年",
        项目资金={"年度资金总额": "200", "财政拨款": "180", "其他资金": "20"},
        年度总体目标="完成全市主干道绿化养护，补植树木，提高绿化覆盖率。",
        绩效指标={
            "产出指标": {
                "数量指标": {"养护面积": "≥500万平方米", "补植树木": "≥2000株"},
                "质量指标": {"苗木成活率": "≥95%"},
                "时效指标": {"完成时间": "2024年12月31日前"},
                "成本指标": {"养护费": "≤200万元"},
            },
            "效益指标": {
                "社会效益指标": {"市容环境": "明显改善"},
                "生态效益指标": {"绿化覆盖率": "≥42%"},
                "可持续影响指标": {"长效管护机制": "持续"},
            },
            "满意度指标": {"服务对象满意度指标": {"市民满意度": "≥90%"}},
        },
    )
    assert run(["fmt", "--check", str(target)]) == 0


def test_form_with_real_vertical_and_horizontal_merges(tmp_path, capsys):
    document = Document()
    _heading(document, "(2024年度)")
    indicator_rows = [
        ["产出指标", "数量指标\n(必填量化)", "培训班次", "≥2期"],
        ["", "", "培训人数", "≥300人次"],
        ["", "", "督查事项", "≥50项"],
        ["", "质量指标\n(必填量化)", "培训合格率", "≥95%"],
        ["", "时效指标\n(必填量化)", "培训完成时间", "2024年10月31日前"],
        ["", "成本指标\n(必填量化)", "培训费", "≤12万元"],
        ["效益指标", "经济效益指标\n(选填)", "", ""],
        ["", "社会效益指标\n(必填)", "督查工作水平", "有所提升"],
        ["", "可持续影响指标\n(必填)", "督查队伍建设", "长期"],
        ["满意度指标", "服务对象满意度指标\n(必填量化)", "参训人员满意度", "≥95%"],
        ["", "", "被督查单位满意度", "≥90%"],
    ]
    rows = [
        ["项目名称", "督查培训经费", "", "", ""],
        ["主管部门及代码", "[812]银川市人民政府办公室", "", "实施单位", "银川市人民政府督查室"],
        ["项目属性", "新增项目", "", "项目期", "2024-2026年"],
        ["项目资金 (万元)", "年度资金总额:", "", "12", ""],
        ["", "其中:财政拨款", "", "10", ""],
        ["", "其他资金", "", "2", ""],
        ["年度总体目标", "举办全市督查系统培训班两期，\n提升督查队伍业务能力。", "", "", ""],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
        *[[""] + row for row in indicator_rows],
        ["综合评定等级", "通过 ☐    退回修改 ☐    退回,不予纳入财政项目库 ☑", "", "", ""],
    ]
    table = document.add_table(rows=len(rows), cols=5)
    table.style = "Table Grid"
    _fill(table, rows)
    # horizontal spans (w:gridSpan) for the header values and the grade
    for r, (start, end) in [(0, (1, 4)), (1, (1, 2)), (2, (1, 2)), (3, (1, 2)), (3, (3, 4)), (4, (1, 2)),
                            (4, (3, 4)), (5, (1, 2)), (5, (3, 4)), (6, (1, 4)), (len(rows) - 1, (1, 4))]:
        cells = table.rows[r].cells
        cells[start].merge(cells[end])
    # vertical merges (w:vMerge): 项目资金, 绩效指标, and every 一级/二级 over its rows
    first = 8
    vertical = [(3, 5, 0), (7, len(rows) - 2, 0), (first, first + 5, 1), (first + 6, first + 8, 1),
                (first + 9, first + 10, 1), (first, first + 2, 2), (first + 9, first + 10, 2)]
    for top, bottom, col in vertical:
        table.cell(top, col).merge(table.cell(bottom, col))
    xml = table._tbl.xml
    assert "w:vMerge" in xml and "w:gridSpan" in xml
    path = tmp_path / "合并.docx"
    document.save(path)
    out_dir = tmp_path / "out"
    code, out, err = _import(capsys, path, "--out", out_dir)
    assert (code, err) == (0, "")
    assert _data(out_dir / "督查培训经费.yaml") == _filing(
        项目名称="督查培训经费", 主管部门及代码="[812]银川市人民政府办公室", 实施单位="银川市人民政府督查室",
        项目属性="新增项目", 项目期="2024-2026年",
        项目资金={"年度资金总额": "12", "财政拨款": "10", "其他资金": "2"},
        年度总体目标="举办全市督查系统培训班两期，\n提升督查队伍业务能力。",
        绩效指标={
            "产出指标": {
                "数量指标": {"培训班次": "≥2期", "培训人数": "≥300人次", "督查事项": "≥50项"},
                "质量指标": {"培训合格率": "≥95%"},
                "时效指标": {"培训完成时间": "2024年10月31日前"},
                "成本指标": {"培训费": "≤12万元"},
            },
            "效益指标": {
                "经济效益指标": {},
                "社会效益指标": {"督查工作水平": "有所提升"},
                "可持续影响指标": {"督查队伍建设": "长期"},
            },
            "满意度指标": {"服务对象满意度指标": {"参训人员满意度": "≥95%", "被督查单位满意度": "≥90%"}},
        },
        综合评定等级="退回,不予纳入财政项目库",
    )


def test_form_with_stamp_line_blank_rows_and_messy_amounts(tmp_path, capsys):
    document = Document()
    document.add_paragraph(TITLE)
    document.add_paragraph("填报单位(盖章): 银川市某局 单位:万元")
    _new_table(document, [
        ["项目名称", "政务热线运行经费"],
        ["实施单位", "银川市政务服务热线中心"],
        ["项目期", "2024年"],
        ["年度资金总额", "150.00"],
        ["财政拨款", "150万"],
        ["其他资金", ""],
        ["年度总体目标", "全年受理来电不少于12万件。"],
    ])
    _new_table(document, [
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "受理来电数量", "≥12万件"],
        ["", "", "", ""],
        ["产出指标", "质量指标", "按时办结率", "≥98%"],
        ["", "", "", ""],
        ["", "", "", ""],
        ["满意度指标", "服务对象满意度指标", "来电群众满意度", "≥90%"],
        ["", "", "", ""],
        ["", "", "", ""],
    ])
    document.add_paragraph("")
    path = tmp_path / "热线.docx"
    document.save(path)
    out_dir = tmp_path / "out"
    code, out, err = _import(capsys, path, "--out", out_dir, "--year", "2024")
    assert code == 0, err
    target = out_dir / "政务热线运行经费.yaml"
    data = _data(target)
    assert data == _filing(
        项目名称="政务热线运行经费", 实施单位="银川市政务服务热线中心", 项目期="2024年",
        项目资金={"年度资金总额": "150.00", "财政拨款": "150", "其他资金": "0"},
        年度总体目标="全年受理来电不少于12万件。",
        绩效指标={
            "产出指标": {"数量指标": {"受理来电数量": "≥12万件"}, "质量指标": {"按时办结率": "≥98%"}},
            "满意度指标": {"服务对象满意度指标": {"来电群众满意度": "≥90%"}},
        },
    )
    assert Decimal(data["项目资金"]["年度资金总额"]) == Decimal(150)
    # the two normalisations are said on stderr and kept in the file; "150.00" is not one of them
    notes = [line for line in err.splitlines() if "说明" in line]
    assert len(notes) == 2, err
    assert any("财政拨款" in line and "150万" in line and "万" in line for line in notes)
    assert any("其他资金" in line and "空白" in line and "0" in line for line in notes)
    assert all(line.startswith(f"{path}: ") for line in notes)
    assert "未能导入" not in err and "150.00" not in err
    comments = _comments(target.read_text(encoding="utf-8"))
    assert sum("导入说明" in line for line in comments) == 2
    assert run(["fmt", "--check", str(target)]) == 0


def _messy_form(document, rows: list[list[str]], short_row: int):
    table = _new_table(document, rows)
    _remove_leading_cells(table, short_row, 2)
    return table


def test_two_messy_forms_in_one_document(tmp_path, monkeypatch, capsys):
    document = Document()
    _heading(document)
    _messy_form(document, [
        ["项目名称", "政府网站运维经费", "项目属性", "新增项目"],
        ["主管部门及代码", "[812]银川市人民政府办公室", "实施单位（必填）", "银川市政府办信息中心"],
        ["项目期", "2024年", "", ""],
        ["项目资金（万元）", "年度资金总额：", "30", ""],
        ["项目资金（万元）", "其中：当年财政拨款", "25", ""],
        ["项目资金（万元）", "其他资金", "5", ""],
        ["年度总体\n目标", "保障市政府门户网站安全稳定运行。", "", ""],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标（必填量化）", "网站运维次数", "≥12次"],
        ["", "", "安全检测次数", "≥4次"],
        ["", "", "信息发布条数", "≥3000条"],  # becomes a row with only 三级 and 指标值
        ["", "时效指标\n(必填量化)", "故障响应时间", "2小时内"],
        ["效益指标", "经济效益 指标(选填)", "节约运维成本", "≥1万元"],
        ["", "社会效益 指标（必填）", "政务公开水平", "有所提升"],
        ["满意度指标", "服务对象满意度", "网民满意度", "≥90%"],
    ], short_row=10)
    document.add_paragraph("")
    document.add_paragraph(TITLE)
    document.add_paragraph("（2025年度）")
    _messy_form(document, [
        ["项目 名称", "聘用人员工作经费", "项目期", "2025年"],
        ["实施单位", "银川市人民政府办公室", "", ""],
        ["项目资金（万元）", "资金总额", "52.5", ""],
        ["项目资金（万元）", "其中：财政拨款", "52.5", ""],
        ["项目资金（万元）", "其中：其他资金", "0", ""],
        ["年度\n总体目标", "保障按时足额发放工资。", "", ""],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标（必填量化）", "聘用人数", "7人"],
        ["", "成本指标（必填量化）", "人均年工资", "≤7.5万元"],
        ["", "", "缴纳保险金", "按规定"],  # becomes a row with only 三级 and 指标值
        ["满意度指标", "服务对象满意度（必填量化）", "聘用人员满意度", "≥95%"],
    ], short_row=9)
    path = tmp_path / "两张表.docx"
    document.save(path)
    monkeypatch.chdir(tmp_path)
    code, out, err = _import(capsys, path)
    assert (code, err) == (0, "")
    first = tmp_path / "projects" / "2024" / "政府网站运维经费.yaml"
    second = tmp_path / "projects" / "2025" / "聘用人员工作经费.yaml"
    assert sorted(tmp_path.glob("projects/*/*.yaml")) == [first, second]
    assert out.count("已导入") == 2
    assert _data(first) == _filing(
        项目名称="政府网站运维经费", 主管部门及代码="[812]银川市人民政府办公室", 实施单位="银川市政府办信息中心",
        项目属性="新增项目", 项目期="2024年",
        项目资金={"年度资金总额": "30", "财政拨款": "25", "其他资金": "5"},
        年度总体目标="保障市政府门户网站安全稳定运行。",
        绩效指标={
            "产出指标": {
                "数量指标": {"网站运维次数": "≥12次", "安全检测次数": "≥4次", "信息发布条数": "≥3000条"},
                "时效指标": {"故障响应时间": "2小时内"},
            },
            "效益指标": {"经济效益指标": {"节约运维成本": "≥1万元"}, "社会效益指标": {"政务公开水平": "有所提升"}},
            "满意度指标": {"服务对象满意度指标": {"网民满意度": "≥90%"}},
        },
    )
    assert _data(second) == _filing(
        年度="2025", 项目名称="聘用人员工作经费", 实施单位="银川市人民政府办公室", 项目期="2025年",
        项目资金={"年度资金总额": "52.5", "财政拨款": "52.5", "其他资金": "0"},
        年度总体目标="保障按时足额发放工资。",
        绩效指标={
            "产出指标": {
                "数量指标": {"聘用人数": "7人"},
                "成本指标": {"人均年工资": "≤7.5万元", "缴纳保险金": "按规定"},
            },
            "满意度指标": {"服务对象满意度指标": {"聘用人员满意度": "≥95%"}},
        },
    )
    for target in (first, second):
        text = target.read_text(encoding="utf-8")
        assert any("两张表.docx" in line for line in _comments(text))
        assert run(["fmt", "--check", str(target)]) == 0
    assert "表格 1 第 1 行" in first.read_text(encoding="utf-8")
    assert "表格 2 第 1 行" in second.read_text(encoding="utf-8")


def test_indicator_detail_columns_are_imported(tmp_path, capsys):
    document = Document()
    _heading(document)
    _new_table(document, [
        ["项目名称", "信创设备购置经费", "", "", "", ""],
        ["实施单位", "银川市人民政府办公室", "项目期", "2024年", "", ""],
        ["年度资金总额", "13.2", "财政拨款", "13.2", "其他资金", "0"],
        ["年度总体目标", "采购信创终端。", "", "", "", ""],
        ["一级指标", "二级指标", "三级指标", "指标值", "指标解释", "绩效标准"],
        ["产出指标", "数量指标", "台式电脑数量", "10台", "验收合格的台数", "计划标准"],
        ["产出指标", "成本指标", "台式电脑单价", "6200元", "", ""],
    ])
    path = tmp_path / "明细.docx"
    document.save(path)
    code, _, err = _import(capsys, path, "--out", tmp_path / "out")
    assert (code, err) == (0, "")
    assert _data(tmp_path / "out" / "信创设备购置经费.yaml") == _filing(
        项目名称="信创设备购置经费", 实施单位="银川市人民政府办公室", 项目期="2024年",
        项目资金={"年度资金总额": "13.2", "财政拨款": "13.2", "其他资金": "0"},
        年度总体目标="采购信创终端。",
        绩效指标={"产出指标": {
            "数量指标": {"台式电脑数量": {"指标值": "10台", "指标解释": "验收合格的台数", "绩效标准": "计划标准"}},
            "成本指标": {"台式电脑单价": "6200元"},
        }},
    )


# ----------------------------------------------------------------------------------------------
# 3. Content that is not understood


def _form_with_unknowns(path: Path) -> None:
    document = Document()
    _heading(document)  # paragraphs 1-3
    document.add_paragraph("本表由办公室综合科于3月填写，如有疑问请联系。")  # paragraph 4
    _new_table(document, [
        ["项目名称", "政府信息公开工作经费", "", "", ""],  # row 1
        ["联系人", "张三", "", "", ""],  # row 2: not on the form
        ["实施单位", "银川市人民政府办公室", "项目期", "2024年", ""],  # row 3
        ["年度资金总额", "70", "财政拨款", "70", ""],  # row 4
        ["其他资金", "0", "", "", ""],  # row 5
        ["年度总体目标", "做好政务公开工作。", "", "", ""],  # row 6
        ["一级指标", "二级指标", "三级指标", "指标值", "评分"],  # row 7: 评分 is not on the form
        ["产出指标", "数量指标", "公开信息条数", "≥3000条", "10分"],  # row 8
        ["产出指标", "宣传指标", "宣传活动次数", "≥4次", ""],  # row 9: no such 二级
        ["满意度指标", "服务对象满意度指标", "公众满意度", "≥90%", "5分"],  # row 10
    ])
    document.save(path)


UNKNOWN_EXPECTED = _filing(
    项目名称="政府信息公开工作经费", 实施单位="银川市人民政府办公室", 项目期="2024年",
    项目资金={"年度资金总额": "70", "财政拨款": "70", "其他资金": "0"},
    年度总体目标="做好政务公开工作。",
    绩效指标={
        "产出指标": {"数量指标": {"公开信息条数": "≥3000条"}},
        "满意度指标": {"服务对象满意度指标": {"公众满意度": "≥90%"}},
    },
)


def test_content_not_understood_is_reported_with_its_place_and_kept_as_comments(tmp_path, capsys):
    path = tmp_path / "未识别.docx"
    _form_with_unknowns(path)
    code, out, err = _import(capsys, path, "--out", tmp_path / "strict")
    assert code == 1
    target = tmp_path / "strict" / "政府信息公开工作经费.yaml"
    assert f"已导入 {target}" in out  # the file is still written
    assert "Traceback" not in err
    expected_places = {
        "free paragraph": ("第 4 段", "本表由办公室综合科于3月填写"),
        "unknown header row": ("表格 1 第 2 行", "联系人"),
        "unknown column": ("表格 1 第 7 行", "评分"),
        "unknown column value": ("表格 1 第 8 行", "10分"),
        "unknown 二级": ("表格 1 第 9 行", "宣传指标"),
        "unknown column value 2": ("表格 1 第 10 行", "5分"),
    }
    problems = [line for line in err.splitlines() if "未能导入" in line]
    comments = [line for line in _comments(target.read_text(encoding="utf-8")) if "未能导入" in line]
    for what, (place, text) in expected_places.items():
        assert any(place in line and text in line and line.startswith(f"{path}: ") for line in problems), (what, err)
        assert any(place in line and text in line for line in comments), (what, comments)
    assert any("张三" in line for line in problems)
    assert any("宣传活动次数" in line and "≥4次" in line for line in comments)  # the dropped row, in full
    assert _data(target) == UNKNOWN_EXPECTED
    assert run(["fmt", "--check", str(target)]) == 0
    capsys.readouterr()

    code, out, err_again = _import(capsys, path, "--out", tmp_path / "lenient", "--keep-going")
    assert code == 0
    assert err_again.replace(str(tmp_path / "lenient"), "") == err.replace(str(tmp_path / "strict"), "")
    assert (tmp_path / "lenient" / target.name).read_bytes() == target.read_bytes()


def test_a_table_wider_than_the_form_keeps_the_extra_column_as_comments(tmp_path, capsys):
    document = Document()
    _heading(document)
    _new_table(document, [
        ["项目名称", "聘用人员工作经费", "", "", "", "", ""],
        ["实施单位", "银川市人民政府办公室", "项目期", "2024年", "", "", ""],
        ["年度资金总额", "52.5", "财政拨款", "52.5", "其他资金", "0", ""],
        ["一级指标", "二级指标", "三级指标", "指标值", "备注", "责任人", "完成情况"],
        ["产出指标", "数量指标", "聘用人数", "7人", "", "李四", "已完成"],
    ])
    path = tmp_path / "宽表.docx"
    document.save(path)
    code, _, err = _import(capsys, path, "--out", tmp_path / "out")
    assert code == 1
    assert "Traceback" not in err
    for place, text in [("表格 1 第 4 行", "责任人"), ("表格 1 第 4 行", "完成情况"),
                        ("表格 1 第 5 行", "李四"), ("表格 1 第 5 行", "已完成")]:
        assert any(place in line and text in line for line in err.splitlines()), (place, text, err)
    data = _data(tmp_path / "out" / "聘用人员工作经费.yaml")
    assert data["绩效指标"] == {"产出指标": {"数量指标": {"聘用人数": "7人"}}}
    text = (tmp_path / "out" / "聘用人员工作经费.yaml").read_text(encoding="utf-8")
    assert any("李四" in line for line in _comments(text))


def test_rows_under_an_unknown_group_are_not_filed_under_the_group_above(tmp_path, capsys):
    """An unrecognised 二级 merged (vMerge) over two rows: both rows are reported, neither joins 数量指标."""
    document = Document()
    _heading(document)
    rows = [
        ["项目名称", "督查室工作经费", "", ""],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "督查事项", "≥50项"],  # row 3
        ["", "宣传指标", "宣传次数", "≥4次"],  # row 4: no such 二级 …
        ["", "", "宣传材料", "≥1000份"],  # row 5: … merged down over this row
        ["满意度指标", "服务对象满意度指标", "满意度", "≥90%"],  # row 6
    ]
    table = _new_table(document, rows)
    table.cell(2, 0).merge(table.cell(4, 0))
    table.cell(3, 1).merge(table.cell(4, 1))
    path = tmp_path / "未知二级.docx"
    document.save(path)
    code, _, err = _import(capsys, path, "--out", tmp_path / "out")
    assert code == 1
    data = _data(tmp_path / "out" / "督查室工作经费.yaml")
    assert data["绩效指标"] == {
        "产出指标": {"数量指标": {"督查事项": "≥50项"}},
        "满意度指标": {"服务对象满意度指标": {"满意度": "≥90%"}},
    }
    for place, text in [("表格 1 第 4 行", "宣传次数"), ("表格 1 第 5 行", "宣传材料")]:
        assert any(place in line and text in line for line in err.splitlines()), (place, err)


def test_a_form_without_a_year_needs_the_year_option(tmp_path, capsys):
    document = Document()
    _heading(document, year=None)
    _new_table(document, [["项目名称", "督查室工作经费"], ["实施单位", "银川市人民政府督查室"]])
    path = tmp_path / "无年度.docx"
    document.save(path)
    code, out, err = _import(capsys, path, "--out", tmp_path / "out")
    assert code == 1 and out == ""
    assert f"{path}（表格 1 第 1 行）: 错误：" in err and "--year" in err
    code, out, err = _import(capsys, path, "--out", tmp_path / "out", "--year", "2025")
    assert (code, err) == (0, "")
    assert _data(tmp_path / "out" / "督查室工作经费.yaml") == _filing(
        年度="2025", 项目名称="督查室工作经费", 实施单位="银川市人民政府督查室",
    )


# ----------------------------------------------------------------------------------------------
# 4. Broken input


def _no_form_docx(path: Path) -> None:
    document = Document()
    document.add_paragraph("会议纪要：请各单位于本周五前报送材料。")
    document.save(path)


def _truncated_xml_docx(path: Path, tmp_path: Path) -> None:
    source = tmp_path / "source.docx"
    _no_form_docx(source)
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as broken:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]
            broken.writestr(item.filename, data)


def _xlsx_like(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "这不是 Word 文件")


BROKEN = {
    "empty": (lambda p, t: p.write_bytes(b""), "空文件"),
    "not a zip": (lambda p, t: p.write_text("这只是一个文本文件", encoding="utf-8"), "不是 Word"),
    "encrypted or OLE": (lambda p, t: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024), "加密"),
    "zip without a document": (lambda p, t: _xlsx_like(p), "无法作为 Word 文件打开"),
    "truncated document.xml": (_truncated_xml_docx, "Word"),
    "no form": (lambda p, t: _no_form_docx(p), "没有找到"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_input_gives_a_clear_message(tmp_path, capsys, case):
    make, words = BROKEN[case]
    path = tmp_path / "坏文件.docx"
    make(path, tmp_path)
    code, out, err = _import(capsys, path, "--out", tmp_path / "out")
    assert code == 1
    assert "Traceback" not in err and "Error" not in err
    assert err.startswith(f"{path}: 错误：") and words in err, err
    assert out == ""
    assert not (tmp_path / "out").exists()


def test_missing_file_gives_a_clear_message(tmp_path, capsys):
    path = tmp_path / "不存在.docx"
    code, out, err = _import(capsys, path, "--out", tmp_path / "out")
    assert code == 1
    assert err.startswith(f"{path}: 错误：") and "不存在" in err
    assert "Traceback" not in err and out == ""


def test_one_broken_document_does_not_stop_the_others(tmp_path, capsys, round_trip):
    empty = tmp_path / "空.docx"
    empty.write_bytes(b"")
    good = round_trip["first"] / "督查室工作经费.docx"
    code, out, err = _import(capsys, empty, good, "--out", tmp_path / "out")
    assert code == 1
    assert f"{empty}: 错误：" in err
    assert (tmp_path / "out" / "督查室工作经费.yaml").is_file()


def test_an_existing_target_is_not_overwritten(tmp_path, monkeypatch, capsys, round_trip):
    monkeypatch.chdir(tmp_path)
    existing = tmp_path / "projects" / "2024" / "督查室工作经费.yaml"
    existing.parent.mkdir(parents=True)
    existing.write_text("# 手工编辑过的文件\n", encoding="utf-8")
    document = round_trip["first"] / "督查室工作经费.docx"
    code, out, err = _import(capsys, document)
    assert code == 1
    assert existing.read_text(encoding="utf-8") == "# 手工编辑过的文件\n"
    assert "已经存在" in err and "督查室工作经费.yaml" in err and str(document) in err
    assert out == "" and "Traceback" not in err
    # two documents with the same 项目名称 in one run: the first is written, the second is refused
    copy_of = tmp_path / "副本.docx"
    shutil.copyfile(document, copy_of)
    code, out, err = _import(capsys, document, copy_of, "--out", tmp_path / "twice")
    assert code == 1
    assert out.count("已导入") == 1
    assert f"{copy_of}（表格 1 第 1 行）: 错误：" in err and "已经存在" in err


# ----------------------------------------------------------------------------------------------
# 5. Old .doc files through LibreOffice


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) 未安装，无法转换 .doc")
def test_doc_file_is_converted_with_libreoffice(tmp_path, capsys, round_trip):
    source = round_trip["first"] / "聘用人员工作经费.docx"
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", "doc", "--outdir", str(tmp_path / "doc"), str(source)],
        capture_output=True, timeout=120, check=False,
    )
    doc = tmp_path / "doc" / "聘用人员工作经费.doc"
    assert doc.is_file(), done.stderr
    assert doc.read_bytes().startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    code, out, err = _import(capsys, doc, "--out", tmp_path / "out")
    assert code == 0, err
    imported = tmp_path / "out" / "聘用人员工作经费.yaml"
    assert as_printed(_data(imported)) == as_printed(_data(SEED / "聘用人员工作经费.yaml"))
    assert any("聘用人员工作经费.doc" in line for line in _comments(imported.read_text(encoding="utf-8")))
    assert run(["fmt", "--check", str(imported)]) == 0


def test_doc_file_without_libreoffice_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(generator.importing.run, "find_soffice", lambda: None)
    doc = tmp_path / "旧格式.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    code, out, err = _import(capsys, doc, "--out", tmp_path / "out")
    assert code == 1
    assert err.startswith(f"{doc}: 错误：") and "LibreOffice" in err and ".docx" in err
    assert "Traceback" not in err and out == ""
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("where", ["--out", "projects"])
def test_import_does_not_write_through_a_link_out_of_the_folder(round_trip, tmp_path, monkeypatch, capsys, where):
    work, outside = tmp_path / "work", tmp_path / "outside"
    work.mkdir()
    outside.mkdir()
    monkeypatch.chdir(work)
    if where == "--out":
        (work / "out").symlink_to(outside, target_is_directory=True)
        args = ["--out", "out"]
    else:
        (work / "projects").mkdir()
        (work / "projects" / "2024").symlink_to(outside, target_is_directory=True)
        args = []
    code, _, err = _import(capsys, str(round_trip["built"][0]), *args)
    assert code == 1
    assert "经过指向当前文件夹之外的符号链接" in err and "没有写入" in err
    assert list(outside.iterdir()) == []
