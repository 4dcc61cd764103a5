"""The 自评表 as `jixiao build` writes it (Word, HTML, PDF), the 自评得分 column of the index and the 汇总表,
`jixiao diff` of results and scores, and `jixiao rollover` leaving the results behind (issue #16, part 5).

The Word file is read back cell by cell (merges from the raw vMerge/gridSpan XML), the HTML parsed with
html5lib; the expected texts are worked out from the example filings by hand."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import unquote

import html5lib
import openpyxl
import pytest
from conftest import REPO
from lxml import etree
from test_generated_forms import NS, _docx_table, _docx_text, _expanded, _html_table

from generator.build.manifest import VERSION
from generator.cli import run
from generator.common.libreoffice import find_soffice
from generator.forms.pack import load_self_evaluations

EXAMPLES = {
    "selfeval-2020": ("2024", "热线", REPO / "templates" / "selfeval-2020" / "example-with-results.yaml"),
    "selfeval-local-2022": ("2023", "共享", REPO / "templates" / "selfeval-local-2022" / "example-with-results.yaml"),
}
PLAIN = REPO / "projects" / "2024" / "督查室工作经费.yaml"  # a filing without results
EPOCH = "1700000000"
INDICATOR_HEADINGS = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
FUNDS_HEADINGS = ["年初预算数", "全年预算数(A)", "全年执行数(B)", "分值", "执行率(B/A)", "得分"]


def _projects(root: Path) -> Path:
    for year, stem, example in EXAMPLES.values():
        (root / "projects" / year).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(example, root / "projects" / year / f"{stem}.yaml")
    shutil.copyfile(PLAIN, root / "projects" / "2024" / PLAIN.name)
    return root / "projects"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Both example filings with results and one without, built once with --pdf."""
    root = tmp_path_factory.mktemp("selfeval-build")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        _projects(root)
        assert run(["build", "projects", "--out", "out", "--pdf"]) == 0
        assert run(["build", "projects", "--out", "again"]) == 0  # without PDFs, for the byte comparison
    return root


def _selfeval(root: Path, pack: str, suffix: str, out: str = "out") -> Path:
    year, stem, _ = EXAMPLES[pack]
    return root / out / year / "自评表" / f"{stem}-自评表{suffix}"


def _tables(path: Path) -> list[list[list[str]]]:
    with zipfile.ZipFile(path) as archive:
        body = etree.fromstring(archive.read("word/document.xml")).find("w:body", NS)
    return [_expanded(_docx_table(tbl)) for tbl in body.findall("w:tbl", NS)]


def _paragraphs(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        body = etree.fromstring(archive.read("word/document.xml")).find("w:body", NS)
    return [_docx_text(p) for p in body.findall("w:p", NS)]


def _spans(path: Path, table: int) -> list[list[tuple[str, int, int]]]:
    with zipfile.ZipFile(path) as archive:
        body = etree.fromstring(archive.read("word/document.xml")).find("w:body", NS)
    return _docx_table(body.findall("w:tbl", NS)[table])


# 1. The files, the manifest, reproducibility -------------------------------------------------------


def test_every_filing_with_results_gets_its_selfeval_outputs_and_only_those(built):
    suffixes = (".docx", ".html", ".pdf") if find_soffice() else (".docx", ".html")
    for pack in EXAMPLES:
        for suffix in suffixes:
            assert _selfeval(built, pack, suffix).is_file(), (pack, suffix)
    assert sorted(p.name for p in (built / "out" / "2024" / "自评表").iterdir()) == [f"热线-自评表{s}" for s in suffixes]
    manifest = json.loads((built / "out" / ".jixiao-manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == VERSION
    entries = {Path(source).name: entry for source, entry in manifest["entries"].items()}
    assert {f"2024/自评表/热线-自评表{s}" for s in suffixes} <= set(entries["热线.yaml"]["outputs"])
    assert not any("自评表" in output for output in entries[PLAIN.name]["outputs"])
    assert entries["热线.yaml"]["row"][7] == "83.93" and entries["共享.yaml"]["row"][7] == "92.50"
    assert entries[PLAIN.name]["row"][7] is None


def test_selfeval_outputs_are_byte_reproducible(built):
    for pack in EXAMPLES:
        for suffix in (".docx", ".html"):
            assert _selfeval(built, pack, suffix).read_bytes() == _selfeval(built, pack, suffix, "again").read_bytes()
    with zipfile.ZipFile(_selfeval(built, "selfeval-2020", ".docx")) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2023-11-14T22:13:20Z" in core and "政务服务热线运行经费" in core and "项目支出绩效自评表" in core


# 2. The Word file ---------------------------------------------------------------------------------


def test_national_selfeval_docx_prints_the_form(built):
    path = _selfeval(built, "selfeval-2020", ".docx")
    paragraphs = [p for p in _paragraphs(path) if p.strip()]
    assert paragraphs[:2] == ["项目支出绩效自评表", "(2024年度)"]
    assert paragraphs[2].startswith("注:1.一级指标和分值原则上为产出指标50分、效益指标30分、满意度指标10分,预算执行率10分")
    header, funds, goal, indicators = _tables(path)
    assert header == [["项目名称", "政务服务热线运行经费", "", ""], ["主管部门", "[812]银川市人民政府办公室", "实施单位", "银川市政务服务热线中心"]]
    assert funds == [
        ["项目资金(万元)", "", *FUNDS_HEADINGS],
        ["", "年度资金总额", "80.5", "80.5", "78.2", "10", "97.14%", "9.71"],
        ["", "其中:财政拨款", "70.5", "70.5", "69.1", "", "", ""],
        ["", "其他资金", "10", "10", "9.1", "", "", ""],
    ]
    assert goal[0] == ["年度总体目标", "预期目标", "实际完成情况"]
    assert goal[1][1].startswith("2024年全年受理群众来电不少于12万件") and goal[1][2].startswith("全年受理群众来电12.6万件")
    assert indicators[0] == INDICATOR_HEADINGS
    rows = {row[2]: row for row in indicators[1:-1]}
    assert len(rows) == 13
    # 产出 50 over 10 indicators = 5 each; 效益 30 over 2 = 15; 满意度 10. Scores by hand:
    assert rows["坐席人员培训人次"][3:7] == ["≥200人次", "180人次", "5", "4.50"]  # 180/200 × 5
    assert rows["话务外包服务费"][3:7] == ["≤42.5万元", "45万元", "5", "4.72"]  # 42.5/45 × 5 = 4.722
    assert rows["热线运行管理制度修订"][4:7] == ["2024年7月15日", "15", "0.00"]  # late: 0
    assert rows["话务外包服务费"][7].startswith("话务量高于预期")
    assert indicators[-1][0] == "总分" and indicators[-1][5:7] == ["100", "83.93"]
    spans = _spans(path, 3)
    assert spans[1][:2] == [("产出指标(50分)", 1, 10), ("数量指标", 1, 3)]
    assert ("效益指标(30分)", 1, 2) in spans[11] and ("满意度指标(10分)", 1, 1) in spans[13]
    assert spans[-1][0] == ("总分", 5, 1)


def test_local_selfeval_docx_has_tick_boxes_footer_and_signature(built):
    path = _selfeval(built, "selfeval-local-2022", ".docx")
    paragraphs = [p for p in _paragraphs(path) if p.strip()]
    assert paragraphs[:3] == ["项目支出绩效自评表", "(2023年度)", "填报单位(盖章):长沙市数据资源管理局\t单位:万元"]
    assert paragraphs[-2:] == ["填表人:李明\t联系电话:0731-88880000\t填报日期:2024年1月20日", "单位负责人(签字):\t单位(盖章)"]
    header, funds, _, indicators = _tables(path)
    assert header[2][:2] == ["项目类别", "□专项业务类  □工程建设类  ☑信息化建设类  □其他类"]
    assert header[3] == ["项目属性", "□新增项目  ☑延续项目", "项目类型", "□一次性项目  ☑经常性项目"]
    # the total is a sum of two items: a 合计 row carries 预算执行率 20 分; 34.2/36 = 95%, 19.00
    assert funds[1] == ["", "合计", "36", "36", "34.2", "20", "95.00%", "19.00"]
    rows = {row[2]: row for row in indicators[1:-1]}
    assert rows["平台运维管理制度"][5:7] == ["15", "10.00"]  # the filer's score inside its band 50-80%
    assert rows["部门间数据共享事项办理时间缩短比例"][5:7] == ["15", "13.50"]  # 27/30 × 15
    assert indicators[1][0] == "产出指标(40分)" and indicators[5][0] == "效益指标(40分)"  # satisfaction filed under 效益
    assert indicators[-1][5:7] == ["100", "92.50"]


# 3. The HTML page and the PDF ----------------------------------------------------------------------


def test_selfeval_html_prints_the_same_grids(built):
    for pack in EXAMPLES:
        page = html5lib.parse(_selfeval(built, pack, ".html").read_bytes(), treebuilder="lxml", namespaceHTMLElements=False)
        tables = page.findall(".//table")
        word = _tables(_selfeval(built, pack, ".docx"))
        html = [_expanded(_html_table(table)) for table in tables]
        indicators = html[-1]
        assert indicators == word[-1], pack
        assert html[-2] == word[2] and html[-3] == word[1]  # goal and funds
        assert page.find(".//h1").text == "项目支出绩效自评表"
        assert "@page { size: A4 landscape" in page.find(".//style").text
        links = [unquote(a.get("href")) for a in page.findall(".//nav/a")]
        year, stem, _ = EXAMPLES[pack]
        assert links == ["../index.html", f"../{stem}.html", f"{stem}-自评表.docx"]


def test_selfeval_pdf_is_one_page_with_the_total(built):
    if find_soffice() is None or shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.skip("LibreOffice or pdftotext/pdfinfo (poppler-utils) are not installed")
    path = _selfeval(built, "selfeval-2020", ".pdf")
    assert path.read_bytes().startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1) == "1"
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "项目支出绩效自评表" in text and "总分" in text and "83.93" in text


def test_every_shipped_selfeval_pack_renders():
    from generator.filing.model import build_filing
    from generator.common.yamlio import load_document
    from generator.forms.pack import FormShelf
    from generator.render.pages import render_selfeval
    from generator.render.selfeval_sheet import selfeval_sheet
    from generator.render.selfeval_word import render_selfeval_docx
    from generator.render.word import DocumentInfo
    from datetime import datetime, timezone

    packs = load_self_evaluations()
    assert set(packs) == set(EXAMPLES)  # a new pack needs its example here
    for pack in packs.values():
        example = pack.directory / "example-with-results.yaml"
        document = load_document(str(example), example.read_bytes())
        form = FormShelf()[str(document.data["表样"])]
        sheet = selfeval_sheet(build_filing(document, form), form)
        assert sheet.pack_id == pack.id
        docx = render_selfeval_docx(sheet, DocumentInfo("x", "x", datetime(2024, 1, 1, tzinfo=timezone.utc)))
        assert docx.startswith(b"PK")
        assert sheet.title in render_selfeval(REPO / "templates", sheet, "x", "x", [])


# 4. Index and 汇总表 --------------------------------------------------------------------------------


def test_index_has_the_selfeval_score_and_links(built):
    page = html5lib.parse((built / "out" / "2024" / "index.html").read_bytes(), treebuilder="lxml", namespaceHTMLElements=False)
    headings = ["".join(th.itertext()) for th in page.find(".//thead").iter("th")]
    column = headings.index("自评得分")
    rows = {"".join(tr.findall("td")[0].itertext()): tr.findall("td") for tr in page.find(".//tbody").findall("tr")}
    assert "".join(rows["政务服务热线运行经费"][column].itertext()) == "83.93"
    assert "".join(rows["督查室工作经费"][column].itertext()) == ""
    links = {a.text: unquote(a.get("href")) for a in rows["政务服务热线运行经费"][-1].iter("a")}
    assert links["自评表"] == "自评表/热线-自评表.html" and links["自评表 Word"] == "自评表/热线-自评表.docx"
    assert links["自评表 PDF"] == "自评表/热线-自评表.pdf"
    assert not any("自评" in (a.text or "") for a in rows["督查室工作经费"][-1].iter("a"))
    preview = (built / "out" / "2024" / "热线.html").read_text(encoding="utf-8")
    assert 'href="%E8%87%AA%E8%AF%84%E8%A1%A8/%E7%83%AD%E7%BA%BF-%E8%87%AA%E8%AF%84%E8%A1%A8.html"' in preview


def test_workbook_has_the_selfeval_score_column(built):
    sheet = openpyxl.load_workbook(built / "out" / "2024" / "汇总表.xlsx")["项目汇总"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    column = rows[0].index("自评得分")
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["政务服务热线运行经费"][column] == 83.93
    number = next(i for i, row in enumerate(rows, start=1) if row[0] == "政务服务热线运行经费")
    assert sheet.cell(number, column + 1).number_format == "0.00"
    assert by_name["督查室工作经费"][column] is None
    assert by_name["合计"][column] is None  # scores are not added up


# 5. What the build removes and rebuilds ------------------------------------------------------------


def test_selfeval_outputs_follow_the_results(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    projects = _projects(tmp_path)
    filing = projects / "2024" / "热线.yaml"
    docx = tmp_path / "out" / "2024" / "自评表" / "热线-自评表.docx"
    assert run(["build", "projects", "--out", "out", "--format", "docx,html"]) == 0
    before = docx.read_bytes()
    text = filing.read_text(encoding="utf-8")
    filing.write_text(text.replace("全年执行数: 78.2}", "全年执行数: 80.5}"), encoding="utf-8")
    assert run(["build", "projects", "--out", "out", "--format", "docx,html"]) == 0
    assert docx.read_bytes() != before  # rebuilt: 执行率 100%, 10 分
    assert ["", "年度资金总额", "80.5", "80.5", "80.5", "10", "100.00%", "10.00"] in _tables(docx)[1]
    filing.write_text(text[: text.index("\n自评:")] + "\n", encoding="utf-8")  # the results removed
    assert run(["build", "projects", "--out", "out", "--format", "docx,html"]) == 0
    assert not docx.exists() and not docx.with_suffix(".html").exists()
    assert (tmp_path / "out" / "2024" / "热线.docx").is_file()
    shared = tmp_path / "out" / "2023" / "自评表" / "共享-自评表.docx"
    assert shared.is_file()
    (projects / "2023" / "共享.yaml").unlink()  # the filing deleted
    assert run(["build", "projects", "--out", "out", "--format", "docx,html"]) == 0
    assert not shared.exists() and not (tmp_path / "out" / "2023" / "共享.docx").exists()
    assert not shared.parent.exists()  # no empty 自评表 folder left
    assert not (tmp_path / "out" / "2024" / "自评表").exists()  # 2024's only 自评表 went with its results


# 6. diff and rollover ------------------------------------------------------------------------------


def test_diff_shows_result_and_score_changes(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    example = EXAMPLES["selfeval-2020"][2].read_text(encoding="utf-8")
    (tmp_path / "old.yaml").write_text(example, encoding="utf-8")
    changed = (example.replace("全年执行数: 78.2}", "全年执行数: 80}")
               .replace("        受理来电数量: 12.6万件", "        受理来电数量:\n          实际完成值: 11万件\n          偏差原因分析及改进措施: 来电减少")
               .replace("  总分: 83.93", "  总分: 83.7"))
    (tmp_path / "new.yaml").write_text(changed, encoding="utf-8")
    run(["diff", "old.yaml", "new.yaml"])
    out = capsys.readouterr().out
    for line in (
        "自评 项目资金/年度资金总额/全年执行数：78.2 → 80",
        "自评 产出指标/数量指标/受理来电数量/实际完成值：12.6万件 → 11万件",
        "自评 产出指标/数量指标/受理来电数量/偏差原因分析及改进措施：（空） → 来电减少",
        "自评 总分：83.93 → 83.7",
        "自评计算 执行率：97.14% → 99.38%",  # 80/80.5
        "自评计算 预算执行率得分：9.71 → 9.94",
        "自评计算 产出指标/数量指标/受理来电数量/得分：5.00 → 4.58",  # 11/12 × 5
        "自评计算 总分：83.93 → 83.74",
    ):
        assert f"  {line}\n" in out, line
    run(["diff", "old.yaml", "new.yaml", "--format", "json"])
    change = json.loads(capsys.readouterr().out)["changes"][0]
    assert {"field": "总分", "old": "83.93", "new": "83.74"} in change["scores"]
    # the same scores written as 10 and 10.00: no change
    (tmp_path / "same.yaml").write_text(example.replace("  总分: 83.93", "  总分: 83.930"), encoding="utf-8")
    run(["diff", "old.yaml", "same.yaml"])
    assert capsys.readouterr().out.startswith("申报表没有实质变化")
    # results added as a whole: one line
    plain = example[: example.index("\n自评:")] + "\n"
    (tmp_path / "plain.yaml").write_text(plain, encoding="utf-8")
    run(["diff", "plain.yaml", "old.yaml"])
    assert "  新增年终自评：总分 83.93\n" in capsys.readouterr().out


def test_rollover_starts_the_new_year_without_results(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    projects = _projects(tmp_path)
    assert run(["rollover", "2024", "2025"]) == 0
    captured = capsys.readouterr()
    assert "已创建 projects/2025/热线.yaml（没有复制年终自评“自评:”）" in captured.out
    assert f"已创建 projects/2025/{PLAIN.name}\n" in captured.out
    assert "1 个申报表的年终自评（“自评:”部分）留在 2024 年度" in captured.err
    rolled = (projects / "2025" / "热线.yaml").read_text(encoding="utf-8")
    assert "\n自评:" not in rolled and "实际完成值" not in rolled and "年度: 2025" in rolled
    assert "受理来电数量: ≥12万件" in rolled  # the targets stay
    assert run(["check", "projects/2025/热线.yaml"]) in (0, 1)
    assert "result." not in capsys.readouterr().out
