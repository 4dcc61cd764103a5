"""汇总表.xlsx: what `jixiao build` writes per year, read back with openpyxl and with LibreOffice Calc.

Expectations come from the seed YAML (read with PyYAML), tests/data/seed_rows.tsv and `jixiao check
--format json`, not from the generator's model. Every number and text of the workbook is compared.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from collections import Counter, defaultdict
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
from openpyxl.utils.escape import unescape
import yaml
from conftest import REPO, SEED_HEADERS

from generator.build.workbook import store_path
from generator.cli import run
from generator.render.workbook import exact_number

SEED = REPO / "projects" / "2024"
EPOCH = "1700000000"  # SOURCE_DATE_EPOCH: 2023-11-14 22:13:20 UTC
SHEETS = ["项目汇总", "指标明细", "审核问题", "栏目原文"]
SUMMARY_HEADING = [
    "项目名称", "表样", "主管部门", "实施单位", "年度资金总额(万元)", "财政拨款(万元)", "其他资金(万元)", "年度资金(万元)",
    "三级指标数", "错误", "警告", "提示", "自评得分",
]
SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}


# ----------------------------------------------------------------------------------------------
# Helpers


@pytest.fixture(autouse=True)
def fixed_time_in_tmp(monkeypatch, tmp_path):
    """A fixed document time, and filings named relative to tmp_path (projects/2024/x.yaml), as users run it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.chdir(tmp_path)


def _listing() -> dict[str, list[tuple[str, str, str, str]]]:
    rows: dict[str, list] = defaultdict(list)
    with open(REPO / "tests" / "data" / "seed_rows.tsv", encoding="utf-8", newline="") as stream:
        for name, l1, l2, l3, value in list(csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]:
            if (l3, value) != ("", ""):
                rows[name].append((l1, l2, l3, value))
    return dict(rows)


LISTING = _listing()


def _seed(name: str) -> dict:
    return yaml.safe_load((SEED / f"{name}.yaml").read_text(encoding="utf-8"))


def _project(tmp_path: Path, files: dict[str, str] | None = None) -> Path:
    """A copy of the seed (or the given files) under tmp_path/projects/2024."""
    folder = tmp_path / "projects" / "2024"
    folder.mkdir(parents=True)
    if files is None:
        for path in SEED.glob("*.yaml"):
            shutil.copyfile(path, folder / path.name)
    else:
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
    return Path("projects") if tmp_path == Path.cwd() else tmp_path / "projects"


def _build(projects: Path, out: Path, *options: str) -> int:
    return run(["build", str(projects), "--out", str(out), "-q", *options])


def _rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _check_json(capsys, monkeypatch, projects: Path) -> list[dict]:
    """What `jixiao check` reports, run where the build ran (file names relative to it)."""
    monkeypatch.chdir(projects.parent)
    capsys.readouterr()
    run(["check", "projects", "--format", "json", "--no-cache"])
    return json.loads(capsys.readouterr().out)


def _seed_text(name: str = "督查室工作经费") -> str:
    return (SEED / f"{name}.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory):
    """The seed built once with every format: (projects folder, output folder)."""
    root = tmp_path_factory.mktemp("seed")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        patch.chdir(root)
        _project(root)
        assert run(["build", "projects", "--out", "out", "-q"]) == 0
    return root / "projects", root / "out"


@pytest.fixture(scope="module")
def seed_book(seed_build):
    return openpyxl.load_workbook(seed_build[1] / "2024" / "汇总表.xlsx")


# ----------------------------------------------------------------------------------------------
# The seed's workbook, read with openpyxl


def test_the_seed_workbook_has_its_sheets_and_properties(seed_book):
    assert seed_book.sheetnames == SHEETS
    properties = seed_book.properties
    assert properties.title == "2024年度项目支出绩效目标汇总表"
    assert properties.creator == "jixiao"
    assert properties.created == properties.modified == datetime.fromtimestamp(int(EPOCH), timezone.utc).replace(tzinfo=None)
    assert "6 个申报表" in properties.description


def test_project_summary_lists_every_filing_with_its_money_counts_and_links(seed_build, seed_book, capsys, monkeypatch):
    projects, out = seed_build
    sheet = seed_book["项目汇总"]
    rows = _rows(sheet)
    assert rows[0] == SUMMARY_HEADING + ["Word", "预览", "文件"]
    findings = Counter((f["file"], f["severity"]) for f in _check_json(capsys, monkeypatch, projects))
    body = rows[1:-1]
    assert [row[0] for row in body] == sorted(SEED_HEADERS, key=lambda name: f"projects/2024/{name}.yaml")
    for number, row in enumerate(body, start=2):
        name = row[0]
        data = _seed(name)
        path = f"projects/2024/{name}.yaml"
        total, fiscal, other, _ = SEED_HEADERS[name]
        assert row[1:4] == ["yinchuan-2024", data["主管部门及代码"] or None, data["实施单位"]]
        # money as numbers, exactly the amounts filed; the pack's total in its own column
        assert [Decimal(repr(value)) for value in row[4:8]] == [Decimal(total), Decimal(fiscal), Decimal(other), Decimal(total)]
        assert row[8] == len(LISTING[name])
        assert row[9:12] == [findings[(path, level)] for level in ("error", "warning", "info")]
        assert row[12] is None  # no 自评表: no 自评得分
        assert row[13:15] == ["Word", "预览"] and row[15] == path
        for col, suffix in ((14, ".docx"), (15, ".html")):
            target = unquote(sheet.cell(number, col).hyperlink.target)
            assert target == f"{name}{suffix}" and (out / "2024" / target).is_file()  # relative to the workbook's folder
        assert sheet.cell(number, 5).number_format == "#,##0.00##"
    total_row = rows[-1]
    assert total_row[0] == "合计"
    # formulas, not pasted numbers
    assert total_row[4:12] == [f"=SUM({column}2:{column}7)" for column in "EFGHIJKL"]
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == "A1:P7"  # the filings; the 合计 row stays below the filter


def test_the_total_row_caches_the_exact_sums(seed_build):
    book = openpyxl.load_workbook(seed_build[1] / "2024" / "汇总表.xlsx", data_only=True)
    total_row = _rows(book["项目汇总"])[-1]
    assert total_row[4:12] == [327.7, 327.7, 0, 327.7, 119, 6, 37, 1]


def test_indicator_sheet_has_every_indicator_of_the_seed_in_file_order(seed_book):
    rows = _rows(seed_book["指标明细"])
    assert rows[0] == ["项目名称", "一级指标", "二级指标", "三级指标", "指标值"]
    by_name: dict[str, list] = defaultdict(list)
    empty = []
    for name, l1, l2, l3, value in rows[1:]:
        if l3 is None and value is None:
            empty.append((name, l1, l2))  # a group filed without indicators
        else:
            by_name[name].append((l1, l2, l3, value or ""))  # a blank target is an empty cell
    assert dict(by_name) == LISTING
    assert empty == [("信创设备购置经费", "效益指标", "经济效益指标")]  # the one `{}` of the seed
    assert sum(len(rows) for rows in LISTING.values()) == 119
    sheet = seed_book["指标明细"]
    assert sheet.freeze_panes == "B2" and sheet.auto_filter.ref == f"A1:E{len(rows)}"


def test_findings_sheet_lists_what_check_reports(seed_build, seed_book, capsys, monkeypatch):
    expected = [
        [f["file"], Path(f["file"]).stem, f["line"], f["col"], SEVERITY[f["severity"]], f["rule"], f["message"]]
        for f in _check_json(capsys, monkeypatch, seed_build[0])
    ]
    assert len(expected) == 6 + 37 + 1
    rows = _rows(seed_book["审核问题"])
    assert rows[0] == ["文件", "项目名称", "行", "列", "级别", "规则", "说明"]
    assert rows[1:] == expected


def test_fields_sheet_keeps_every_field_as_typed(seed_book):
    rows = _rows(seed_book["栏目原文"])
    assert rows[0] == [
        "文件", "表样", "年度", "项目名称", "主管部门及代码", "实施单位", "项目属性", "项目期",
        "项目资金/年度资金总额", "项目资金/财政拨款", "项目资金/其他资金", "年度总体目标", "综合评定等级",
    ]
    for row in rows[1:]:
        name = Path(row[0]).stem
        text = (SEED / f"{name}.yaml").read_text(encoding="utf-8")
        data = _seed(name)
        total, fiscal, other, goal = SEED_HEADERS[name]
        assert row[1:4] == ["yinchuan-2024", "2024", name]
        assert row[6] == (data["项目属性"] or None) and row[7] == data["项目期"]
        assert row[8:11] == [total, fiscal, other]  # text, as typed
        assert row[11].startswith(goal) and f"年度总体目标: {row[11]}\n" in text
        assert row[12] is None


def test_spreadsheet_manners_widths_and_print_setup(seed_book):
    for name in SHEETS:
        sheet = seed_book[name]
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.freeze_panes in ("A2", "B2")
    summary = seed_book["项目汇总"]
    longest = max(len(row[0]) for row in _rows(summary)[1:-1])  # all CJK: two columns each
    assert summary.column_dimensions["A"].width >= 2 * longest
    indicators = seed_book["指标明细"]
    assert indicators.column_dimensions["D"].width > indicators.column_dimensions["B"].width


# ----------------------------------------------------------------------------------------------
# LibreOffice Calc: the total row is computed from its formulas


def _calc_csv(workbook: Path, folder: Path, recalculate: bool) -> dict[str, list[list[str]]]:
    """Every sheet of the workbook as LibreOffice exports it to CSV (the values it calculated or read)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = folder / "profile"
    (profile / "user").mkdir(parents=True)
    if recalculate:  # Calc's setting "recalculate on load: always" for Excel 2007 and newer files
        (profile / "user" / "registrymodifications.xcu").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">'
            '<value>0</value></prop></item></oor:items>\n', encoding="utf-8")
    out = folder / "csv"
    done = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--convert-to",
         # , separated, " quoted, UTF-8, values (not as shown), every sheet (-1)
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", str(out), str(workbook)],
        capture_output=True, timeout=300,
    )
    files = sorted(out.glob("*.csv")) if out.is_dir() else []
    if not files:
        pytest.skip(f"LibreOffice could not convert the workbook (Calc not installed?): {done.stderr.decode()[-300:]}")
    return {path.stem.removeprefix(f"{workbook.stem}-"): list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
            for path in files}


def _without_cached_results(source: Path, target: Path) -> None:
    """A copy whose formulas hold 0 as their cached result: only a calculation can give the totals."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(rb"(<f>[^<]*</f><v>)[^<]*(</v>)", rb"\g<1>0\2", data)
                assert count == 8
            copy.writestr(info, data)


def test_libreoffice_calc_computes_the_total_from_the_formulas(seed_build, tmp_path):
    workbook = seed_build[1] / "2024" / "汇总表.xlsx"
    zeroed = tmp_path / "zeroed.xlsx"
    _without_cached_results(workbook, zeroed)
    calculated = _calc_csv(zeroed, tmp_path / "recalculated", recalculate=True)
    assert set(calculated) == set(SHEETS)
    assert calculated["项目汇总"][-1][:12] == ["合计", "", "", "", "327.7", "327.7", "0", "327.7", "119", "6", "37", "1"]
    # As Calc opens the workbook by default (keeping stored results), the same figures.
    opened = _calc_csv(workbook, tmp_path / "opened", recalculate=False)
    assert opened["项目汇总"][-1][:12] == calculated["项目汇总"][-1][:12]
    by_name: dict[str, list] = defaultdict(list)
    for name, *row in opened["指标明细"][1:]:
        if row[2] or row[3]:
            by_name[name].append(tuple(row))
    assert dict(by_name) == LISTING


# ----------------------------------------------------------------------------------------------
# Exact numbers and texts


@pytest.mark.parametrize("text", ["0", "52.5", "13.2", "9.3", "0.1", "0.0001", "150.00", "12345678901234.5", "99999999999999.9"])
def test_an_amount_of_up_to_15_digits_is_an_exact_number(text):
    amount = Decimal(text)
    number = exact_number(amount)
    assert number is not None and Decimal(repr(number)) == amount
    assert float(format(number, ".16G")) == number  # what XlsxWriter writes reads back as the same double


@pytest.mark.parametrize("text", ["1234567890123456.78", "0.12345678901234567", "1E+400"])
def test_an_amount_a_double_cannot_hold_is_not_a_number(text):
    assert exact_number(Decimal(text)) is None


def _with(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def _money(text: str, total: str, fiscal: str) -> str:
    text = re.sub(r"年度资金总额: .*", f"年度资金总额: {total}", text)
    return re.sub(r"财政拨款: .*", f"财政拨款: {fiscal}", text)


def test_amounts_and_texts_come_out_exactly(tmp_path, capsys):
    text = _seed_text()
    odd = _with(text, "项目名称: 督查室工作经费", '项目名称: "=SUM(A1) _x0041_ 督查"')
    odd = _with(odd, "实施单位: 银川市人民政府办公室", '实施单位: "  前后有空格  "')
    odd = _money(odd, "9.3", "9.30")
    huge = _with(_money(text, "1234567890123456.78", "1234567890123456.78"), "项目名称: 督查室工作经费", "项目名称: 巨额经费")
    projects = _project(tmp_path, {"odd.yaml": odd, "huge.yaml": huge})
    capsys.readouterr()
    assert run(["build", str(projects), "--out", str(tmp_path / "out"), "--outputs", "xlsx"]) == 0
    err = capsys.readouterr().err
    book = openpyxl.load_workbook(tmp_path / "out" / "2024" / "汇总表.xlsx")
    rows = _rows(book["项目汇总"])
    assert [row[-1] for row in rows[1:-1]] == ["projects/2024/huge.yaml", "projects/2024/odd.yaml"]
    huge_row, odd_row = rows[1:3]
    # openpyxl leaves Excel's _xHHHH_ escapes in; Excel shows the text unescaped
    assert unescape(odd_row[0]) == "=SUM(A1) _x0041_ 督查" and odd_row[3] == "  前后有空格  "
    assert book["项目汇总"]["A3"].data_type == "s"  # text, not a formula
    assert odd_row[4:8] == [9.3, 9.3, 0, 9.3]
    # More digits than a double holds: text, never rounded, and the build says so.
    assert huge_row[4:6] == ["1234567890123456.78", "1234567890123456.78"]
    assert "projects/2024/huge.yaml:1:1: 警告 [build.workbook] 金额“1234567890123456.78”" in err
    fields = {row[0]: row for row in _rows(book["栏目原文"])}
    assert unescape(fields["projects/2024/odd.yaml"][3]) == "=SUM(A1) _x0041_ 督查"
    assert fields["projects/2024/odd.yaml"][8:10] == ["9.3", "9.30"]


# ----------------------------------------------------------------------------------------------
# Reproducible, incremental, atomic


def _outputs(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.xlsx"))}


def test_the_workbook_is_byte_identical_across_builds_time_zones_and_caches(tmp_path):
    projects = _project(tmp_path)
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    built = []
    for number, (zone, cache) in enumerate((("UTC", ()), ("Asia/Shanghai", ("--no-cache",)), ("America/New_York", ("-j", "2")))):
        out = tmp_path / f"out{number}"
        done = subprocess.run(
            [str(Path(os.sys.executable).with_name("jixiao")), "build", str(projects), "--out", str(out), "-q", "--outputs", "xlsx", *cache],
            env={**env, "TZ": zone}, capture_output=True, timeout=300,
        )
        assert done.returncode == 0, done.stderr.decode()
        built.append(_outputs(out))
    assert built[0] == built[1] == built[2] and list(built[0]) == ["2024/汇总表.xlsx"]


def test_the_workbook_is_rewritten_only_when_its_content_changes(tmp_path, capsys):
    projects = _project(tmp_path)
    out = tmp_path / "out"
    workbook = out / "2024" / "汇总表.xlsx"
    assert _build(projects, out) == 0
    stamp = workbook.stat().st_mtime_ns
    assert _build(projects, out) == 0
    assert workbook.stat().st_mtime_ns == stamp  # nothing changed: not rewritten
    # One filing changes: only it is checked and rendered again; the others' rows come from the store.
    changed = projects / "2024" / "督查室工作经费.yaml"
    changed.write_text(re.sub(r"年度资金总额: .*", "年度资金总额: 15", changed.read_text(encoding="utf-8")), encoding="utf-8")
    assert run(["build", str(projects), "--out", str(out)]) == 0
    assert "写入 4 个文件" in capsys.readouterr().err  # its .docx and .html, index.html, 汇总表.xlsx
    rows = _rows(openpyxl.load_workbook(workbook)["项目汇总"])
    assert [row[4] for row in rows[1:-1]] == [13.2, 150, 70, 30, 15, 52.5]
    assert _rows(openpyxl.load_workbook(workbook, data_only=True)["项目汇总"])[-1][4] == 330.7
    indicators = _rows(openpyxl.load_workbook(workbook)["指标明细"])
    assert Counter(row[0] for row in indicators[1:]) == Counter(
        {name: len(rows) + (name == "信创设备购置经费") for name, rows in LISTING.items()})
    # A filing removed: gone from the workbook.
    (projects / "2024" / "聘用人员工作经费.yaml").unlink()
    assert _build(projects, out) == 0
    assert [row[0] for row in _rows(openpyxl.load_workbook(workbook)["项目汇总"])[1:-1]] == [
        "信创设备购置经费", "市政府办公室工作经费", "政府信息公开工作经费", "政府办信息中心工作经费", "督查室工作经费"]


def test_an_incremental_workbook_equals_a_cold_one(tmp_path):
    projects = _project(tmp_path)
    out = tmp_path / "out"
    assert _build(projects, out) == 0
    changed = projects / "2024" / "政府信息公开工作经费.yaml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("项目期: 2024年", "项目期: 2024-2025年"), encoding="utf-8")
    assert _build(projects, out) == 0
    assert _build(projects, tmp_path / "cold", "--no-cache") == 0
    assert _outputs(out) == _outputs(tmp_path / "cold")


@pytest.mark.parametrize("damage", ["deleted workbook", "edited workbook", "deleted store", "garbage store"])
def test_a_damaged_workbook_or_store_means_rebuilding_never_a_stale_file(tmp_path, damage):
    projects = _project(tmp_path)
    out = tmp_path / "out"
    assert _build(projects, out) == 0
    cold = _outputs(out)
    workbook, store = out / "2024" / "汇总表.xlsx", store_path(out)
    assert store.is_file()
    if damage == "deleted workbook":
        workbook.unlink()
    elif damage == "edited workbook":
        workbook.write_bytes(b"PK edited by hand")
    elif damage == "deleted store":
        store.unlink()
    else:
        store.write_bytes(b"not a database" * 100)
    assert _build(projects, out) == 0
    assert _outputs(out) == cold


def test_the_workbook_lists_only_filings_with_outputs_of_its_year(tmp_path):
    text = _seed_text()
    files = {
        "督查室工作经费.yaml": text,
        "坏.yaml": re.sub(r"年度资金总额: .*", "年度资金总额: 十二万", text),
        "明年.yaml": _with(_with(text, "年度: 2024", "年度: 2025"), "项目期: 2024年", "项目期: 2025年"),
    }
    projects = _project(tmp_path, files)
    assert _build(projects, tmp_path / "out") == 1  # 坏.yaml cannot be built
    this_year = _rows(openpyxl.load_workbook(tmp_path / "out" / "2024" / "汇总表.xlsx")["项目汇总"])
    assert [row[-1] for row in this_year[1:-1]] == ["projects/2024/督查室工作经费.yaml"]
    next_year = _rows(openpyxl.load_workbook(tmp_path / "out" / "2025" / "汇总表.xlsx")["项目汇总"])
    assert [row[-1] for row in next_year[1:-1]] == ["projects/2024/明年.yaml"]
    findings = _rows(openpyxl.load_workbook(tmp_path / "out" / "2024" / "汇总表.xlsx")["审核问题"])
    assert {row[0] for row in findings[1:]} == {"projects/2024/督查室工作经费.yaml"}


@pytest.mark.parametrize("cache", [(), ("--no-cache",)], ids=["cached", "no-cache"])
def test_a_year_whose_filings_are_gone_loses_its_workbook(tmp_path, cache):
    text = _seed_text()
    projects = _project(tmp_path, {"a.yaml": text, "b.yaml": _with(_with(text, "年度: 2024", "年度: 2025"), "项目期: 2024年", "项目期: 2025年")})
    out = tmp_path / "out"
    assert _build(projects, out, *cache) == 0
    assert (out / "2025" / "汇总表.xlsx").is_file()
    (projects / "2024" / "b.yaml").unlink()
    assert _build(projects, out, *cache) == 0
    assert not (out / "2025" / "汇总表.xlsx").exists() and (out / "2024" / "汇总表.xlsx").is_file()


def test_a_build_without_xlsx_leaves_no_workbook_and_xlsx_alone_writes_only_it(tmp_path):
    projects = _project(tmp_path)
    assert _build(projects, tmp_path / "a", "--outputs", "docx,html") == 0
    assert not (tmp_path / "a" / "2024" / "汇总表.xlsx").exists()
    assert _build(projects, tmp_path / "b", "--outputs", "xlsx") == 0
    assert sorted(p.name for p in (tmp_path / "b" / "2024").iterdir()) == ["汇总表.xlsx"]
    assert [row[13:] for row in _rows(openpyxl.load_workbook(tmp_path / "b" / "2024" / "汇总表.xlsx")["项目汇总"])[1:2]] == [
        ["projects/2024/信创设备购置经费.yaml"]]  # no output files to link to


def test_a_table_longer_than_a_sheet_goes_on_in_the_next_one_and_imports_back(tmp_path, monkeypatch, capsys):
    import generator.render.workbook

    monkeypatch.setattr(generator.render.workbook, "MAX_ROWS", 50)  # Excel's 1,048,576, scaled down
    projects = _project(tmp_path)
    assert _build(projects, tmp_path / "out", "--outputs", "xlsx") == 0
    book = openpyxl.load_workbook(tmp_path / "out" / "2024" / "汇总表.xlsx")
    assert book.sheetnames == ["项目汇总", "指标明细", "审核问题", "栏目原文", "指标明细(2)", "指标明细(3)"]
    parts = [_rows(book[name]) for name in ("指标明细", "指标明细(2)", "指标明细(3)")]
    assert [len(rows) - 1 for rows in parts] == [49, 49, 22]  # 119 indicators and one empty group, under a heading each
    assert parts[0][0] == parts[1][0] == parts[2][0]
    assert run(["import", str(tmp_path / "out" / "2024" / "汇总表.xlsx"), "--out", str(tmp_path / "back")]) == 0
    for original in SEED.glob("*.yaml"):
        assert yaml.safe_load((tmp_path / "back" / original.name).read_text(encoding="utf-8")) == yaml.safe_load(
            original.read_text(encoding="utf-8"))


def test_a_text_longer_than_a_cell_is_cut_and_said(tmp_path, capsys):
    long_goal = "提" * 40_000
    text = re.sub(r"年度总体目标: .*", f"年度总体目标: {long_goal}", _seed_text())
    projects = _project(tmp_path, {"长.yaml": text})
    capsys.readouterr()
    assert run(["build", str(projects), "--out", str(tmp_path / "out"), "--outputs", "xlsx"]) == 0
    err = capsys.readouterr().err
    assert "projects/2024/长.yaml:1:1: 警告 [build.workbook] 汇总表.xlsx 的单元格最多 32767 个字，栏目原文的“年度总体目标”只写入了前 32767 个字" in err
    fields = _rows(openpyxl.load_workbook(tmp_path / "out" / "2024" / "汇总表.xlsx")["栏目原文"])
    assert fields[1][11] == "提" * 32_767


def test_a_workbook_interrupted_while_zipping_leaves_no_file_and_no_noise(tmp_path, monkeypatch):
    """Ctrl-C inside XlsxWriter's close: the temporary file goes, and the half-written zip, collected later,
    finds its stream still open (a closed one made Python print a traceback at exit)."""
    import gc
    import sys

    import xlsxwriter
    import xlsxwriter.workbook

    from generator.common.atomic import write_stream_atomic

    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(xlsxwriter.workbook.ZipFile, "write", interrupted)

    def write(stream):
        book = xlsxwriter.Workbook(stream, {"constant_memory": True})
        book.add_worksheet().write_string(0, 0, "汇总")
        book.close()

    try:
        write_stream_atomic(tmp_path / "汇总表.xlsx", write)
    except KeyboardInterrupt:
        pass
    else:
        pytest.fail("the interruption was lost")
    gc.collect()
    assert unraisable == []
    assert list(tmp_path.iterdir()) == []


def test_a_build_of_one_filing_still_lists_the_whole_year(tmp_path):
    """As the year's index.html: filings built earlier keep their rows; only the given one is rebuilt."""
    projects = _project(tmp_path)
    out = tmp_path / "out"
    assert _build(projects, out) == 0
    whole = _outputs(out)
    changed = projects / "2024" / "督查室工作经费.yaml"
    changed.write_text(re.sub(r"年度资金总额: .*", "年度资金总额: 15", changed.read_text(encoding="utf-8")), encoding="utf-8")
    assert _build(changed, out) == 0
    rows = _rows(openpyxl.load_workbook(out / "2024" / "汇总表.xlsx")["项目汇总"])
    assert [row[4] for row in rows[1:-1]] == [13.2, 150, 70, 30, 15, 52.5]
    changed.write_text(_seed_text(), encoding="utf-8")
    assert _build(changed, out) == 0
    assert _outputs(out) == whole


def test_with_its_rows_lost_a_build_of_one_filing_builds_the_others_rows_again(tmp_path):
    projects = _project(tmp_path)
    out = tmp_path / "out"
    assert _build(projects, out) == 0
    whole = _outputs(out)
    store_path(out).unlink()
    (out / "2024" / "汇总表.xlsx").unlink()
    assert _build(projects / "2024" / "督查室工作经费.yaml", out) == 0
    assert _outputs(out) == whole
