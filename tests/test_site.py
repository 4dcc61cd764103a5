"""The review site `jixiao build` writes: each filing's page marks its findings on the cells they concern,
with an anchor per YAML line; the year's index totals every money item of every form, counts the findings
and links to every page and finding, whatever the file names hold.

Everything is read back with html5lib (strict: a single parse error fails); the expected findings come
from `jixiao check --format json`, the expected amounts from the YAML text. The browser tests
(test_browser.py) check what only a browser can tell: scripts, printing, following links.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import unquote, urldefrag

import html5lib
import pytest
from conftest import REPO, SEED_DIR

from generator.cli import run

TEMPLATES = REPO / "templates"
XINXI = "政府办信息中心工作经费"


def parse(path: Path):
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(path.read_bytes())


def classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def text(element) -> str:
    """What an element prints: <br> as a line break, without the findings' notes (shown on screen only)."""
    parts = [element.text or ""]
    for child in element:
        if "finding-note" not in classes(child):
            parts.append("\n" if child.tag == "br" else text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def notes(cell) -> list[str]:
    return ["".join(note.itertext()) for note in cell.iter("span") if "finding-note" in classes(note)]


def by_id(tree) -> dict[str, object]:
    ids = [element.get("id") for element in tree.iter() if element.get("id")]
    assert len(ids) == len(set(ids)), "an id is used twice"
    return {element.get("id"): element for element in tree.iter() if element.get("id")}


def check_json(capsys, *paths: Path) -> list[dict]:
    capsys.readouterr()
    run(["check", "--format", "json", "--no-cache", *map(str, paths)])
    return json.loads(capsys.readouterr().out)


def build(*args) -> int:
    return run(["build", *map(str, args), "-q"])


@pytest.fixture
def seed(tmp_path, monkeypatch) -> Path:
    """The six seed filings in a folder of their own, built; the working folder is that folder."""
    shutil.copytree(SEED_DIR, tmp_path / "projects" / "2024")
    monkeypatch.chdir(tmp_path)
    assert build("projects", "--out", "out") == 0
    return tmp_path


def row_of(cell, tree):
    return next(tr for tr in tree.iter("tr") if any(c is cell for c in tr))


# --- a filing's page ------------------------------------------------------------------------------


def test_every_finding_is_on_its_cell_with_the_anchor_of_its_line(seed, capsys):
    findings = check_json(capsys, Path("projects/2024") / f"{XINXI}.yaml")
    tree = parse(seed / "out" / "2024" / f"{XINXI}.html")
    anchors = by_id(tree)

    def cell_with(message: str):
        (cell,) = [c for c in tree.iter("td") if any(message in note for note in notes(c))]
        return cell

    assert len(findings) == 10
    for finding in findings:  # each on one cell, which holds the anchor of the finding's line
        cell = cell_with(finding["message"])
        assert cell is anchors[f"L{finding['line']}"] and {"flagged", finding["severity"]} <= classes(cell)
        assert f"[{finding['rule']}] {finding['message']}" in "".join(notes(cell))

    # 23:17 a blank value: the value cell of the row whose 三级指标 is 政务小助手APP (the 质量指标 one)
    blank = cell_with("三级指标“政务小助手APP”（质量指标）没有指标值")
    assert blank.get("id") == "L23" and {"value", "flagged", "error"} <= classes(blank) and text(blank) == ""
    assert [text(c) for c in row_of(blank, tree)][-2:] == ["政务小助手APP", ""]
    # 28:5 the costs over the funds: the 成本指标 cell (the 二级 group's key)
    cost = cell_with("超过年度资金总额 30 万元")
    assert cost.get("id") == "L28" and "l2" in classes(cost) and text(cost) == "成本指标\n(必填量化)"
    # 34:7 the placeholder "0: 0": the 三级 cell of its row (the name), not the value on the same line
    placeholder = cell_with("“经济效益指标”中的“0: 0”是占位内容")
    assert "l3" in classes(placeholder) and text(placeholder) == "0" and placeholder.get("id") == "L34"
    # 5:10 the blank 主管部门及代码: its value cell, beside its label
    department = cell_with("“主管部门及代码”没有填写")
    assert department.get("id") == "L5" and text(department) == ""
    assert text(row_of(department, tree)[0]) == "主管部门及代码"
    # a line without findings still has its anchor, on its value: L25 运维费支付及时率: 100%
    assert text(anchors["L25"]) == "100%" and "flagged" not in classes(anchors["L25"])


def test_the_list_above_the_form_links_every_finding_to_its_cell(seed, capsys):
    findings = check_json(capsys, Path("projects/2024") / f"{XINXI}.yaml")
    tree = parse(seed / "out" / "2024" / f"{XINXI}.html")
    (section,) = [s for s in tree.iter("section") if "findings" in classes(s)]
    assert "screen" in classes(section)
    assert text(section.find("h2")) == "检查发现：错误 4 个，警告 6 个，提示 0 个"
    items = list(section.iter("li"))
    assert [(li.get("class"), li.find("a").get("href")) for li in items] == [
        (f["severity"], f"#L{f['line']}") for f in findings
    ]
    for li, finding in zip(items, findings):
        assert f"[{finding['rule']}] {finding['message']}" in text(li)
    anchors = by_id(tree)
    assert all(a.get("href")[1:] in anchors for a in tree.iter("a") if a.get("href").startswith("#"))


def test_a_finding_on_a_line_the_form_does_not_print_holds_its_anchor_in_the_list(tmp_path, monkeypatch, capsys):
    # 年度 2024 in the 2025 folder: the finding is on the 年度 line, which no cell prints.
    folder = tmp_path / "projects" / "2025"
    folder.mkdir(parents=True)
    shutil.copy(TEMPLATES / "yinchuan-2024" / "example.yaml", folder / "x.yaml")
    monkeypatch.chdir(tmp_path)
    (finding,) = check_json(capsys, Path("projects"))
    assert (finding["rule"], finding["line"]) == ("header.year-folder", 3)
    assert build("projects", "--out", "out") == 0
    tree = parse(tmp_path / "out" / "2024" / "x.html")
    anchor = by_id(tree)["L3"]
    assert anchor.tag == "li" and finding["message"] in text(anchor) and "表上没有对应的格子" in text(anchor)
    assert not [c for c in tree.iter("td") if "flagged" in classes(c)]


def test_the_page_follows_the_configuration_in_an_incremental_build(seed):
    page = seed / "out" / "2024" / "督查室工作经费.html"
    assert 'class="value flagged warning" id="L33"' in page.read_text(encoding="utf-8")
    (seed / "pyproject.toml").write_text('[tool.jixiao.severity]\n"vague.value" = "error"\n', encoding="utf-8")
    assert build("projects", "--out", "out") == 0
    raised = page.read_text(encoding="utf-8")
    assert 'class="value flagged error" id="L33"' in raised and "检查发现：错误 4 个，警告 2 个，提示 0 个" in raised
    (seed / "pyproject.toml").write_text('[tool.jixiao]\ndisable = ["vague.value", "header.missing-recommended"]\n', encoding="utf-8")
    assert build("projects", "--out", "out") == 0
    tree = parse(page)
    assert not [c for c in tree.iter("td") if "flagged" in classes(c)]
    assert text(next(s for s in tree.iter("section")).find("h2")) == "检查没有发现问题"


def test_a_suppressed_finding_is_not_on_the_page(seed):
    path = seed / "projects" / "2024" / "督查室工作经费.yaml"
    source = path.read_text(encoding="utf-8")
    path.write_text(source.replace("节约低碳环保: 长期\n", "节约低碳环保: 长期  # jixiao: ignore[vague.value]\n"), encoding="utf-8")
    assert build("projects", "--out", "out") == 0
    cell = by_id(parse(seed / "out" / "2024" / "督查室工作经费.html"))["L37"]
    assert text(cell) == "长期" and "flagged" not in classes(cell) and notes(cell) == []


def test_a_page_links_to_the_overview_and_its_word_file(seed):
    tree = parse(seed / "out" / "2024" / "督查室工作经费.html")
    (nav,) = list(tree.iter("nav"))
    assert "screen" in classes(nav)
    assert [(a.get("href"), text(a)) for a in nav.iter("a")] == [
        ("index.html", "2024年度总览"), ("%E7%9D%A3%E6%9F%A5%E5%AE%A4%E5%B7%A5%E4%BD%9C%E7%BB%8F%E8%B4%B9.docx", "Word 文件"),
    ]


# --- the year's index -----------------------------------------------------------------------------


def index_rows(path: Path) -> tuple[list[str], list[dict], list[str]]:
    tree = parse(path)
    headings = [text(th) for th in next(tree.iter("thead")).iter("th")]
    rows = []
    for tr in next(tree.iter("tbody")).iter("tr"):
        cells = [c for c in tr if c.tag in ("td", "th")]
        rows.append({"cells": dict(zip(headings, (text(c).strip() for c in cells))), "tr": tr, "elements": cells})
    foot = [text(c).strip() for c in next(next(tree.iter("tfoot")).iter("tr")) if c.tag in ("td", "th")]
    return headings, rows, foot


def test_index_totals_every_money_item_of_every_form_of_the_year(tmp_path, monkeypatch):
    folder = tmp_path / "projects" / "2024"
    folder.mkdir(parents=True)
    for name, pack in (("银川", "yinchuan-2024"), ("武汉", "wuhan-2020"), ("湖南", "hunan-2023")):
        source = (TEMPLATES / pack / "example.yaml").read_text(encoding="utf-8")
        (folder / f"{name}.yaml").write_text(source.replace("年度: 2020", "年度: 2024").replace("年度: 2023", "年度: 2024"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert build("projects", "--out", "out") == 0
    headings, rows, foot = index_rows(tmp_path / "out" / "2024" / "index.html")
    # the items of the forms in the order of the files (武汉, 湖南, 银川); an item two forms share is one column
    money = ["资金总额", "财政拨款", "其他资金", "当年资金总额", "当年财政拨款", "当年其他资金", "年度本级预算金额",
             "该项目支出上级资金", "年度资金总额"]
    assert headings == ["项目名称", "实施单位", "表样", *(f"{key}（万元）" for key in money), "项目当年资金（万元）",
                        "三级指标数", "错误", "警告", "提示", "自评得分", "检查发现的问题", "文件"]
    by_form = {row["cells"]["表样"]: row["cells"] for row in rows}
    # each form's own items in their columns (a blank amount blank), nothing elsewhere; 项目当年资金 is each
    # form's own total: 当年资金总额 (武汉), 年度本级预算金额 + 该项目支出上级资金 (湖南), 年度资金总额 (银川)
    assert [by_form["wuhan-2020"][f"{key}（万元）"] for key in money] == ["108", "108", "", "36", "36", "", "", "", ""]
    assert [by_form["hunan-2023"][f"{key}（万元）"] for key in money] == ["", "", "", "", "", "", "36", "0", ""]
    assert [by_form["yinchuan-2024"][f"{key}（万元）"] for key in money] == ["", "70.5", "10", "", "", "", "", "", "80.5"]
    assert [by_form[form]["项目当年资金（万元）"] for form in ("wuhan-2020", "hunan-2023", "yinchuan-2024")] == ["36", "36", "80.5"]
    assert [by_form[form]["实施单位"] for form in ("wuhan-2020", "hunan-2023", "yinchuan-2024")] == [
        "武汉市江岸区环境卫生服务中心", "", "银川市政务服务热线中心"]  # 湖南's form has no 实施单位
    indicators = sum(int(row["cells"]["三级指标数"]) for row in rows)
    assert foot == ["合计（3 个）", "108", "178.5", "10", "36", "36", "0", "36", "0", "80.5", "152.5", str(indicators),
                    "3", "2", "0", ""]
    # the filters offer every unit and form of the year
    tree = parse(tmp_path / "out" / "2024" / "index.html")
    options = {select.get("id"): [text(o) for o in select.iter("option")] for select in tree.iter("select")}
    assert options["form"] == ["全部", "hunan-2023", "wuhan-2020", "yinchuan-2024"]
    assert options["unit"] == ["全部", "武汉市江岸区环境卫生服务中心", "银川市政务服务热线中心"]
    assert next(tree.iter("form")).get("hidden") is not None  # the controls need the script: hidden without it


def test_index_counts_and_links_every_finding(seed, capsys):
    findings = check_json(capsys, Path("projects"))
    _, rows, foot = index_rows(seed / "out" / "2024" / "index.html")
    for row in rows:
        stem = unquote(row["elements"][0].find("a").get("href")).removesuffix(".html")
        own = [f for f in findings if f["file"] == f"projects/2024/{stem}.yaml"]
        counts = [str(sum(f["severity"] == s for f in own)) for s in ("error", "warning", "info")]
        assert [row["cells"][h] for h in ("错误", "警告", "提示")] == counts
        assert [row["tr"].get(f"data-{s}") for s in ("error", "warning", "info")] == counts
        links = [unquote(a.get("href")) for a in row["elements"][-2].iter("a")]
        assert links == [f"{stem}.html#L{f['line']}" for f in own]
    assert foot[-4:] == ["6", "37", "1", ""]


def test_links_survive_any_file_name(tmp_path, monkeypatch):
    folder = tmp_path / "projects" / "2024"
    folder.mkdir(parents=True)
    names = ["a#b", "百分之%20", "带 空格", "问?号", "x&y'\""]
    for name in names:
        shutil.copy(SEED_DIR / "督查室工作经费.yaml", folder / f"{name}.yaml")
    monkeypatch.chdir(tmp_path)
    assert build("projects", "--out", "out") == 0  # the five have the same 项目名称: an error, still built
    out = tmp_path / "out" / "2024"
    tree = parse(out / "index.html")
    hrefs = [a.get("href") for a in tree.iter("a")]
    assert len(hrefs) == len(names) * (3 + 7)  # name, preview, Word; 6 findings of the file and the duplicate name
    for href in hrefs:
        path, fragment = urldefrag(href)
        assert (out / unquote(path)).is_file(), href
        if fragment:
            assert fragment in by_id(parse(out / unquote(path))), href
    assert "a%23b.html" in hrefs and "%E7%99%BE%E5%88%86%E4%B9%8B%2520.html" in hrefs and "%E9%97%AE_%E5%8F%B7.html" in hrefs
    # the duplicate name is a finding across files: not on the page, so its link is the page itself
    duplicate = [li.find("a") for li in tree.iter("li") if "项目名称“督查室工作经费”与" in text(li)]
    assert len(duplicate) == len(names) and all("#" not in a.get("href") for a in duplicate)
