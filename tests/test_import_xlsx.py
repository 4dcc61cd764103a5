"""`jixiao import` of Excel workbooks: jixiao's own 汇总表.xlsx comes back as the same filings, and the
one-row-per-indicator sheets of budget systems (written here with openpyxl: merged cells, numbers as text,
date serials, a hidden sheet, trailing formatted rows) become filings, every conversion said with its cell.
Hostile workbooks are refused with a message, never a traceback. Expectations are written out in full."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import REPO, invoke
from openpyxl.styles import PatternFill

import generator.importing.xlsx_read
from generator.cli import run
from generator.common.yamlio import load_document, plain_data
from generator.filing.model import build_filing
from generator.forms.pack import load_forms

SEED = REPO / "projects" / "2024"
EXAMPLES = sorted((REPO / "templates").glob("*/example.yaml"))


def _import(capsys, *args) -> tuple[int, str, str]:
    return invoke(capsys, "import", *map(str, args))


def _data(path: Path) -> dict:
    return plain_data(load_document(path.name, path.read_bytes()).data)


def _body(path: Path) -> str:
    """The file without its comment lines (the schema line, and the importer's notes)."""
    return "".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True) if not line.startswith("#"))


def _model(path: Path) -> dict:
    """Everything the model of a filing holds: fields and money as typed, every indicator with its target,
    parts and details, in file order, groups filed empty included, the long-term half, the grade."""
    document = load_document(path.name, path.read_bytes())
    filing = build_filing(document, load_forms()[document.data["表样"]])

    def tree(groups):
        return [(g.level, g.name, [(i.name, i.value, i.parts, i.details) for i in g.indicators]) for g in groups]

    return {
        "form": filing.form_id, "year": filing.year, "fields": filing.fields, "funds": filing.funds_text,
        "groups": tree(filing.groups), "long_term": tree(filing.long_term), "grade": filing.grade,
    }


def _workbook(tmp_path: Path, files: list[Path], year: str) -> Path:
    projects = tmp_path / "projects" / year
    projects.mkdir(parents=True)
    for path in files:
        shutil.copyfile(path, projects / path.name)
    assert run(["build", str(tmp_path / "projects"), "--out", str(tmp_path / "out"), "--outputs", "xlsx", "-q"]) == 0
    return tmp_path / "out" / year / "汇总表.xlsx"


# ----------------------------------------------------------------------------------------------
# 1. jixiao's own workbook: the round trip


def test_the_seed_comes_back_from_its_workbook_exactly(tmp_path, capsys):
    workbook = _workbook(tmp_path, sorted(SEED.glob("*.yaml")), "2024")
    code, out, err = _import(capsys, workbook, "--out", tmp_path / "imported")
    assert (code, err) == (0, "")
    assert out.count("（表样 yinchuan-2024）") == 6
    for original in sorted(SEED.glob("*.yaml")):
        imported = tmp_path / "imported" / original.name
        assert _data(imported) == _data(original)
        assert _body(imported) == _body(original)  # the same text, key for key, quote for quote
        assert run(["diff", str(original), str(imported)]) == 0
        assert "申报表没有实质变化" in capsys.readouterr().out


def test_jixiao_diff_reports_the_imported_seed_unchanged(tmp_path, capsys, monkeypatch):
    """The done-when check: build → import over the committed filings → `jixiao diff HEAD` finds nothing."""
    monkeypatch.chdir(tmp_path)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    (tmp_path / "projects" / "2024").mkdir(parents=True)
    for path in SEED.glob("*.yaml"):
        shutil.copyfile(path, tmp_path / "projects" / "2024" / path.name)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "seed"], check=True)
    assert run(["build", "projects", "--outputs", "xlsx", "-q"]) == 0
    for path in (tmp_path / "projects" / "2024").glob("*.yaml"):
        path.unlink()
    code, _, err = _import(capsys, "build/2024/汇总表.xlsx", "--out", "projects/2024")
    assert (code, err) == (0, "")
    assert run(["diff", "HEAD"]) == 0
    assert capsys.readouterr().out.startswith("申报表没有实质变化")


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.parent.name for path in EXAMPLES])
def test_every_pack_s_example_comes_back_from_its_workbook(tmp_path, capsys, example):
    year = str(_data(example)["年度"])
    workbook = _workbook(tmp_path, [example], year)
    code, out, err = _import(capsys, workbook, "--out", tmp_path / "imported")
    assert (code, err) == (0, "")
    assert f"（表样 {example.parent.name}）" in out
    (imported,) = sorted((tmp_path / "imported").glob("*.yaml"))
    assert _model(imported) == _model(example)
    assert run(["diff", str(example), str(imported)]) == 0
    assert "申报表没有实质变化" in capsys.readouterr().out
    assert run(["check", "--no-cache", "--format", "json", str(imported)]) == 0
    assert capsys.readouterr().out.strip() == "[]"


def test_a_workbook_without_its_fields_sheet_takes_fields_and_money_from_the_summary(tmp_path, capsys):
    workbook = _workbook(tmp_path, [SEED / "聘用人员工作经费.yaml"], "2024")
    book = openpyxl.load_workbook(workbook)
    del book["栏目原文"]
    book.save(tmp_path / "trimmed.xlsx")
    code, _, err = _import(capsys, tmp_path / "trimmed.xlsx", "--out", tmp_path / "imported")
    assert (code, err) == (0, "")
    data = _data(tmp_path / "imported" / "聘用人员工作经费.yaml")
    original = _data(SEED / "聘用人员工作经费.yaml")
    assert data["项目资金"] == {"年度资金总额": "52.5", "财政拨款": "52.5", "其他资金": "0"}  # numbers, read back exactly
    assert data["实施单位"] == "银川市人民政府办公室" and data["年度"] == "2024"
    assert data["年度总体目标"] == ""  # only 栏目原文 has it
    assert data["绩效指标"] == original["绩效指标"]


# ----------------------------------------------------------------------------------------------
# 2. A budget system's sheet


def _budget_sheet(path: Path) -> None:
    """One row per indicator under a title line, two projects, as such exports look."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "绩效目标"
    sheet["A1"] = "2024年度项目支出绩效目标表"
    sheet.merge_cells("A1:I1")
    sheet.append([])
    sheet.append(["序号", "项目名称", "实施单位", "年度资金总额(万元)", "项目期", "一级指标", "二级指标", "三级指标", "指标值"])
    rows = [
        [1, "信息系统运维经费", "单位甲", 150, "2024年", "产出指标", "数量指标", "巡检次数", "≥12次"],
        [2, None, None, None, None, None, None, "培训人次", "≥200人次"],
        [3, None, None, None, None, None, "时效指标", "完成时间", 45626],  # a date serial
        [4, None, None, None, None, "效益指标", "社会效益指标", "群众满意", 0.95],  # a percentage
        [5, None, None, None, None, "满意度指标", "服务对象满意度指标", "满意度", "≥90%"],
        [6, "办公经费", "单位乙", "52.50", 45292, "产出指标", "数量指标", "会议次数", "≥4次"],  # money as text; 项目期 a serial
        [7, None, None, None, None, None, None, "简报期数", None],
        [8, None, None, None, None, None, "时效指标", "完成日期", datetime(2024, 12, 31)],  # a date cell
    ]
    for row in rows:
        sheet.append(row)
    for merged in ("B4:B8", "C4:C8", "D4:D8", "E4:E8", "F4:F6", "I9:I10"):
        sheet.merge_cells(merged)
    sheet["I7"].number_format = "0%"
    sheet["I11"].number_format = "yyyy-mm-dd"
    for row in range(12, 300):  # formatted, empty: trailing rows a user never sees
        sheet.cell(row, 9).fill = PatternFill("solid", fgColor="FFFF00")
    codes = book.create_sheet("代码表")
    codes.append(["代码", "名称"])
    codes.append(["01", "产出指标"])
    codes.sheet_state = "hidden"
    book.save(path)


def _filing(name: str, unit: str, money: str, period: str, indicators: dict) -> dict:
    return {
        "表样": "yinchuan-2024", "年度": "2024", "项目名称": name, "主管部门及代码": "", "实施单位": unit, "项目属性": "",
        "项目期": period, "项目资金": {"年度资金总额": money, "财政拨款": "0", "其他资金": "0"}, "年度总体目标": "",
        "绩效指标": indicators,
    }


def test_a_budget_system_sheet_becomes_filings_and_every_conversion_is_said(tmp_path, capsys):
    _budget_sheet(tmp_path / "预算系统导出.xlsx")
    source = tmp_path / "预算系统导出.xlsx"
    code, out, err = _import(capsys, source, "--out", tmp_path / "out")
    assert _data(tmp_path / "out" / "信息系统运维经费.yaml") == _filing("信息系统运维经费", "单位甲", "150", "2024年", {
        "产出指标": {"数量指标": {"巡检次数": "≥12次", "培训人次": "≥200人次"}, "时效指标": {"完成时间": "2024-11-30"}},
        "效益指标": {"社会效益指标": {"群众满意": "95%"}},
        "满意度指标": {"服务对象满意度指标": {"满意度": "≥90%"}},
    })
    assert _data(tmp_path / "out" / "办公经费.yaml") == _filing("办公经费", "单位乙", "52.50", "2024-01-01", {
        "产出指标": {"数量指标": {"会议次数": "≥4次", "简报期数": "≥4次"}, "时效指标": {"完成日期": "2024-12-31"}},
    })
    assert "已导入" in out and out.count("（表样 yinchuan-2024）") == 2
    lines = err.splitlines()
    for expected in (
        "未能导入：工作表“代码表”是隐藏的，没有导入；需要时请在 Excel 中取消隐藏后再导入",
        "说明：绩效目标!I6：Excel 日期序号 45626 按“2024-11-30”导入",
        "说明：绩效目标!I7：百分比格式的数值 0.95 按“95%”导入",
        "说明：绩效目标!E9：Excel 日期序号 45292 按“2024-01-01”导入",
        "说明：绩效目标!I10：在合并单元格 绩效目标!I9 里，按“≥4次”导入",
        "说明：绩效目标!I11：Excel 日期按“2024-12-31”导入",
    ):
        assert f"{source}: {expected}" in lines, (expected, lines)
    # the pack was chosen by the headings and names; packs that fit as well are named
    assert any("按 yinchuan-2024 导入；如果不对，请用 --form 指定表样重新导入" in line for line in lines)
    assert code == 1  # the hidden sheet was not imported
    assert "Traceback" not in err
    code, _, _ = _import(capsys, source, "--out", tmp_path / "again", "--keep-going")
    assert code == 0


def test_a_sheet_split_in_operator_number_unit_is_read_as_the_pack_that_prints_it(tmp_path, capsys):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["预算年度", "项目名称", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "指标解释"])
    sheet.append([2022, "平台运维", "成本指标", "经济成本指标", "运维总成本", "≤", 500, "万元", "合同金额"])
    sheet.append([2022, "平台运维", "产出指标", "数量指标", "培训人次", "≥", 200, "人次", None])
    sheet.append([2022, "平台运维", "产出指标", "质量指标", "可用率", "≥", "99.9", "%", None])
    sheet.append([2022, "平台运维", "满意度指标", "服务对象满意度指标", "服务质量", "定性", "好", None, None])
    book.save(tmp_path / "split.xlsx")
    code, out, err = _import(capsys, tmp_path / "split.xlsx", "--out", tmp_path / "out")
    assert (code, err) == (0, "")
    assert "（表样 mof-2021）" in out
    data = _data(tmp_path / "out" / "平台运维.yaml")
    assert data["年度"] == "2022"
    assert data["绩效指标"] == {
        "成本指标": {"经济成本指标": {"运维总成本": {"指标性质": "≤", "指标值": "500", "度量单位": "万元", "指标解释": "合同金额"}}},
        "产出指标": {"数量指标": {"培训人次": "≥200人次"}, "质量指标": {"可用率": "≥99.9%"}},
        "满意度指标": {"服务对象满意度指标": {"服务质量": "好"}},
    }
    # --form reads it with another pack: the split target is joined into one text, and said so
    code, out, err = _import(capsys, tmp_path / "split.xlsx", "--out", tmp_path / "forced", "--form", "ningxia-2019", "--keep-going")
    assert "（表样 ningxia-2019）" in out
    forced = _data(tmp_path / "forced" / "平台运维.yaml")
    assert forced["绩效指标"]["产出指标"]["数量指标"] == {"培训人次": "≥200人次"}
    lines = err.splitlines()
    assert f"{tmp_path / 'split.xlsx'}: 说明：Sheet!A3：表样 ningxia-2019 的指标值不分栏，“≥”“200”“人次”合成为“≥200人次”" in lines
    # ningxia-2019 has no 一级 成本指标: that row is reported, not dropped silently
    assert f"{tmp_path / 'split.xlsx'}: 未能导入：Sheet!A2：一级指标“成本指标”不是表样 ningxia-2019 中的一级指标，这一行没有导入" in lines


def test_rows_without_a_project_or_with_unknown_names_are_reported_with_their_cells(tmp_path, capsys):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "指标"
    sheet.append(["项目名称", "一级指标", "二级指标", "三级指标", "指标值"])
    sheet.append(["某项目", "产出指标", "数量指标", "次数", "≥1次"])
    sheet.append([None, "产出指标", "数量指木", "人数", "≥2人"])
    sheet.append([None, "产出指标", "数量指标", "次数", "≥3次"])
    book.save(tmp_path / "odd.xlsx")
    code, _, err = _import(capsys, tmp_path / "odd.xlsx", "--out", tmp_path / "out", "--year", "2024")
    assert code == 1
    lines = err.splitlines()
    source = tmp_path / "odd.xlsx"
    assert f"{source}: 未能导入：指标!A3：二级指标“数量指木”不是表样 yinchuan-2024 中的二级指标，这一行没有导入" in lines
    assert f"{source}: 未能导入：指标!A4：“数量指标”中三级指标“次数”重复出现，第二个（指标值“≥3次”）放在注释里" in lines
    text = (tmp_path / "out" / "某项目.yaml").read_text(encoding="utf-8")
    assert "# 未能导入（请人工处理）：指标!A3：二级指标“数量指木”" in text


# ----------------------------------------------------------------------------------------------
# 3. Files that are not workbooks, or are hostile


def _valid(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    book.active.append(["项目名称", "一级指标", "二级指标", "三级指标", "指标值"])
    book.active.append(["某项目", "产出指标", "数量指标", "次数", "≥1次"])
    book.save(tmp_path / "valid.xlsx")
    return tmp_path / "valid.xlsx"


def _rewritten(source: Path, target: Path, change) -> Path:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            copy.writestr(info.filename, change(info.filename, original.read(info.filename)))
    return target


@pytest.mark.parametrize("case", ["empty", "not a zip", "encrypted", "no workbook", "doctype", "broken sheet", "too big", "too many rows"])
def test_a_file_that_is_not_a_readable_workbook_is_refused_with_a_message(tmp_path, capsys, monkeypatch, case):
    valid = _valid(tmp_path)
    target = tmp_path / "坏.xlsx"
    if case == "empty":
        target.write_bytes(b"")
        expected = "是空文件"
    elif case == "not a zip":
        target.write_text("项目名称,三级指标\n", encoding="utf-8")
        expected = "不是 Excel（.xlsx）文件"
    elif case == "encrypted":
        target.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
        expected = "是加密的 Excel 文件或旧版 .xls 格式"
    elif case == "no workbook":
        with zipfile.ZipFile(target, "w") as archive:
            archive.writestr("hello.txt", "不是工作簿")
        expected = "无法作为 Excel 文件打开"
    elif case == "doctype":
        _rewritten(valid, target, lambda name, data: data.replace(
            b"<workbook", b'<!DOCTYPE w [<!ENTITY e "x">]><workbook', 1) if name == "xl/workbook.xml" else data)
        expected = "含有 DTD 声明"
    elif case == "broken sheet":
        _rewritten(valid, target, lambda name, data: data[:200] if name == "xl/worksheets/sheet1.xml" else data)
        expected = "不是完整的 XML"
    elif case == "too big":
        monkeypatch.setattr(generator.importing.xlsx_read, "MAX_PART_BYTES", 1000)
        shutil.copyfile(valid, target)
        expected = "解压后超过"
    else:
        monkeypatch.setattr(generator.importing.xlsx_read, "MAX_ROWS", 1)
        shutil.copyfile(valid, target)
        expected = "有内容的行超过 1 行"
    code, out, err = _import(capsys, target, "--out", tmp_path / "out")
    assert code == 1 and out == ""
    assert err.startswith(f"{target}: 错误：") and expected in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_zip_bomb_is_refused_before_it_inflates(tmp_path, capsys):
    """A part that claims (and holds) far more than a sheet can need: refused from the zip's directory."""
    valid = _valid(tmp_path)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(valid) as original, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            copy.writestr(info.filename, original.read(info.filename))
        with copy.open("xl/media/zeros.bin", "w") as stream:  # 80 MB of zeros: about 80 KB compressed
            for _ in range(80):
                stream.write(bytes(1 << 20))
    assert bomb.stat().st_size < 1 << 20
    code, _, err = _import(capsys, bomb, "--out", tmp_path / "out")
    assert code == 1 and "xl/media/zeros.bin 解压后超过 64 MB" in err and "压缩炸弹" in err


def test_an_old_xls_file_is_converted_first(tmp_path, capsys):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    _budget_sheet(tmp_path / "导出.xlsx")
    done = subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                           "--convert-to", "xls", "--outdir", str(tmp_path / "old"), str(tmp_path / "导出.xlsx")],
                          capture_output=True, timeout=300)
    old = tmp_path / "old" / "导出.xls"
    if not old.exists():
        pytest.skip(f"LibreOffice could not write .xls (Calc not installed?): {done.stderr.decode()[-200:]}")
    code, out, err = _import(capsys, old, "--out", tmp_path / "out", "--keep-going")
    assert code == 0, err
    assert _data(tmp_path / "out" / "办公经费.yaml")["绩效指标"]["产出指标"]["数量指标"] == {"会议次数": "≥4次", "简报期数": "≥4次"}
    assert yaml.safe_load((tmp_path / "out" / "信息系统运维经费.yaml").read_text(encoding="utf-8"))["项目资金"]["年度资金总额"] == 150
