"""`jixiao build`: the Word table, the HTML preview, the index page, PDFs, and the build's safety rails.

The six seed filings are built once per module (with --pdf, so LibreOffice runs once for all six);
tests that need hostile or broken input write their own filings under tmp_path/projects/<年度>/.
Expected values come from tests/data/seed_rows.tsv and the seed YAML read with PyYAML, not from
the generator's own model.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import zipfile
from collections import defaultdict
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import generator.common.libreoffice
import generator.render.pages
import pytest
import yaml
from conftest import LEVELS, REPO, SEED_HEADERS
from docx import Document
from docx.oxml.ns import qn
from lxml import etree

import generator.build.runner
from generator.cli import run
from generator.render.word import TemplateProblem

try:  # html5lib in strict mode proves the pages are HTML5 without a single parse error
    import html5lib
except ImportError:  # pragma: no cover - fallback when the test extra is not installed
    html5lib = None

SEED = REPO / "projects" / "2024"
FORM_YAML = REPO / "templates" / "yinchuan-2024" / "form.yaml"
TITLE = "银川市本级部门项目支出年度预算绩效目标申报表"
NOTE = "注:此表填报项目绩效目标涵盖年限为项目预算申报当年。"
GRADE_TEXT = "通过 ☐    退回修改 ☐    退回,不予纳入财政项目库 ☐"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}

LEVEL_ORDER = ("产出指标", "效益指标", "满意度指标")


# ----------------------------------------------------------------------------------------------
# Independent expectations


def _listing() -> dict[str, list[tuple[str, str, str, str]]]:
    rows: dict[str, list] = defaultdict(list)
    with open(REPO / "tests" / "data" / "seed_rows.tsv", encoding="utf-8", newline="") as stream:
        for name, l1, l2, l3, value in list(csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]:
            rows[name].append((l1, l2, l3, value))
    return dict(rows)


LISTING = _listing()
REQUIREMENTS = {
    group["name"]: group["requirement"]
    for level in yaml.safe_load(FORM_YAML.read_text(encoding="utf-8"))["indicators"]["levels"]
    for group in level["groups"]
}


def _label(group: str) -> str:
    return f"{group}\n({REQUIREMENTS[group]})"


def _runs(keys: list) -> list[tuple[int, int, object]]:
    """(first row, span, key) of each run of equal consecutive keys."""
    runs: list[list] = []
    for index, key in enumerate(keys):
        if runs and runs[-1][2] == key:
            runs[-1][1] += 1
        else:
            runs.append([index, 1, key])
    return [tuple(run) for run in runs]


def _seed_yaml(name: str) -> dict:
    return yaml.safe_load((SEED / f"{name}.yaml").read_text(encoding="utf-8"))


def _indicator_count(name: str) -> int:
    return sum(1 for _, _, l3, value in LISTING[name] if (l3, value) != ("", ""))


# ----------------------------------------------------------------------------------------------
# Reading the outputs


def _tc_text(element) -> str:
    """Text of a cell or paragraph: line breaks and paragraph breaks both read as newlines."""
    paragraphs = element.iter(qn("w:p")) if element.tag != qn("w:p") else [element]
    lines = []
    for paragraph in paragraphs:
        parts = []
        for node in paragraph.iter(qn("w:t"), qn("w:br"), qn("w:tab")):
            parts.append(node.text or "" if node.tag == qn("w:t") else "\n" if node.tag == qn("w:br") else "\t")
        lines.append("".join(parts))
    return "\n".join(lines)


def _docx_tables(path: Path) -> list[list[dict]]:
    """Each table as rows of {"flags": trPr children, "cells": [(vMerge, gridSpan, text)]}."""
    document = Document(str(path))
    tables = []
    for table in document.tables:
        rows = []
        for tr in table._tbl.tr_lst:
            flags = {etree.QName(child).localname for child in tr.trPr} if tr.trPr is not None else set()
            rows.append({"flags": flags, "cells": [(tc.vMerge, tc.grid_span, _tc_text(tc)) for tc in tr.tc_lst]})
        tables.append(rows)
    return tables


def _docx_body(path: Path) -> list[tuple[str, str]]:
    """The body's blocks in order: ("p", text), ("hidden p", text) for a paragraph whose mark is hidden, or ("tbl", "")."""
    document = Document(str(path))
    blocks = []
    for child in document.element.body:
        name = etree.QName(child).localname
        if name == "p":
            hidden = child.find("w:pPr/w:rPr/w:vanish", NS) is not None
            blocks.append(("hidden p" if hidden else "p", _tc_text(child)))
        elif name == "tbl":
            blocks.append(("tbl", ""))
    return blocks


def _open_sides(tc) -> set[str]:
    """The sides of a cell printed without a border."""
    borders = tc.find("w:tcPr/w:tcBorders", NS)
    return {etree.QName(side).localname for side in borders if side.get(f"{{{W}}}val") in ("nil", "none")} if borders is not None else set()


def _zip_xml(path: Path, member: str):
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(member))


def _parse_html(path: Path):
    data = path.read_bytes()
    if html5lib is not None:
        return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(data)
    return _StdlibTree.parse(data.decode("utf-8"))


class _StdlibTree:
    """Minimal html.parser → ElementTree builder, used only when html5lib is missing."""

    VOID = {"meta", "br", "col", "img", "link", "input", "hr"}

    @classmethod
    def parse(cls, text: str):
        from html.parser import HTMLParser
        from xml.etree import ElementTree

        root = ElementTree.Element("document")
        stack = [root]

        class Builder(HTMLParser):
            def handle_starttag(self, tag, attrs):
                element = ElementTree.SubElement(stack[-1], tag, {k: v or "" for k, v in attrs})
                if tag not in cls.VOID:
                    stack.append(element)

            def handle_endtag(self, tag):
                if tag in cls.VOID:
                    return
                assert stack[-1].tag == tag, f"mismatched </{tag}>"
                stack.pop()

            def handle_data(self, data):
                parent = stack[-1]
                if len(parent):
                    parent[-1].tail = (parent[-1].tail or "") + data
                else:
                    parent.text = (parent.text or "") + data

        builder = Builder(convert_charrefs=True)
        builder.feed(text)
        builder.close()
        assert stack == [root], "unclosed elements"
        return root


def _html_text(element) -> str:
    """The text a cell prints; a finding's note on it (shown on screen only) is not part of the form."""
    parts = [element.text or ""]
    for child in element:
        if not isinstance(child.tag, str):  # comments
            pass
        elif "finding-note" in (child.get("class") or "").split():
            pass
        elif child.tag == "br":
            parts.append("\n")
        else:
            parts.append(_html_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _html_table(tree, css_class: str):
    tables = [t for t in tree.iter("table") if css_class in (t.get("class") or "").split()]
    assert len(tables) == 1, f"expected one table.{css_class}"
    return [tr for tr in tables[0].iter("tr")]


def _cells(tr) -> list:
    return [child for child in tr if child.tag in ("td", "th")]


def _no_whitespace(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _build(*args) -> int:
    return run(["build", *map(str, args)])


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every output file (the build's own bookkeeping, manifest and lock, is left out)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*")) if p.is_file() and p.name not in (".jixiao-manifest.json", ".jixiao-build.lock")
    }


# ----------------------------------------------------------------------------------------------
# The shared build of the six seed filings


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed-build")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)  # provenance (git revision) is looked up from the working directory
        code = _build(SEED, "--out", out, "--pdf")
    assert code == 0
    return out / "2024"


def test_seed_listing_and_files_agree():
    assert sum(len(rows) for rows in LISTING.values()) == 120
    assert set(LISTING) == set(SEED_HEADERS) == {p.stem for p in SEED.glob("*.yaml")}
    for name in LISTING:  # the file stem is the project name for every seed filing
        assert _seed_yaml(name)["项目名称"] == name


def test_build_writes_docx_and_html_for_each_filing(seed_build):
    for name in LISTING:
        assert (seed_build / f"{name}.docx").is_file()
        assert (seed_build / f"{name}.html").is_file()
    assert (seed_build / "index.html").is_file()
    assert not [p for p in seed_build.parent.rglob("*") if p.name.endswith(".tmp")]


# 1. The Word table ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SEED_HEADERS))
def test_docx_header_table(seed_build, name):
    header, _ = _docx_tables(seed_build / f"{name}.docx")
    total, fiscal, other, goal_start = SEED_HEADERS[name]
    goal = _seed_yaml(name)["年度总体目标"]
    assert goal.startswith(goal_start)
    expected = [
        [(None, 1, "项目名称"), (None, 4, name)],
        [(None, 1, "主管部门及代码"), (None, 2, ""), (None, 1, "实施单位"), (None, 1, "银川市人民政府办公室")],
        [(None, 1, "项目属性"), (None, 2, ""), (None, 1, "项目期"), (None, 1, "2024年")],
        [("restart", 1, "项目资金 (万元)"), (None, 2, "年度资金总额:"), (None, 2, total)],
        [("continue", 1, ""), (None, 2, "其中:财政拨款"), (None, 2, fiscal)],
        [("continue", 1, ""), (None, 2, "其他资金"), (None, 2, other)],
        [(None, 1, "年度总体目标"), (None, 4, goal)],
    ]
    assert [row["cells"] for row in header] == expected
    assert all(sum(span for _, span, _ in row["cells"]) == 5 for row in header)


@pytest.mark.parametrize("name", list(SEED_HEADERS))
def test_docx_indicator_rows_and_merges(seed_build, name):
    _, table = _docx_tables(seed_build / f"{name}.docx")
    expected_rows = LISTING[name]
    count = len(expected_rows)
    assert len(table) == count + 2  # header row, one row per indicator row, 综合评定等级
    head, body, grade = table[0], table[1:-1], table[-1]

    assert head["cells"] == [
        (None, 1, ""), (None, 1, "一级指标"), (None, 1, "二级指标"), (None, 1, "三级指标"), (None, 1, "指标值"),
    ]
    assert {"tblHeader", "cantSplit"} <= head["flags"]
    assert grade["cells"] == [(None, 1, "综合评定等级"), (None, 4, GRADE_TEXT)]
    for row in body:
        assert len(row["cells"]) == 5 and all(span == 1 for _, span, _ in row["cells"])

    # 绩效指标 is one cell over every indicator row, and nothing else: the repeated header row holds no
    # merge into the rows below (LibreOffice repeats it only then). Its empty cell above the label is
    # open at the bottom and the label cell open at the top, so the two print as one cell.
    assert [row["cells"][0] for row in body] == [("restart", 1, "绩效指标")] + [("continue", 1, "")] * (count - 1)
    rows = _zip_xml(seed_build / f"{name}.docx", "word/document.xml").findall(".//w:tbl", NS)[1].findall("w:tr", NS)
    assert [_open_sides(tr.find("w:tc", NS)) for tr in rows[:2]] == [{"bottom"}, {"top"}]

    # Recover 一级/二级 by carrying the text of the last starting cell down.
    recovered, l1, l2 = [], None, None
    for row in body:
        (m1, _, t1), (m2, _, t2), (_, _, l3), (_, _, value) = row["cells"][1:]
        if m1 != "continue":
            l1 = t1
        else:
            assert t1 == ""
        if m2 != "continue":
            l2 = t2
        else:
            assert t2 == ""
        recovered.append((l1, l2, l3, value))
    assert recovered == [(a, _label(b), c, d) for a, b, c, d in expected_rows]

    # Exact spans: a run starts with "restart" (or no vMerge when it covers one row) and continues below.
    for column, key in ((1, lambda r: r[0]), (2, lambda r: r[:2])):
        runs = _runs([key(r) for r in expected_rows])
        for first, span, _ in runs:
            starts = body[first]["cells"][column][0]
            assert starts == ("restart" if span > 1 else None), (column, first, span)
            assert [body[first + k]["cells"][column][0] for k in range(1, span)] == ["continue"] * (span - 1)
        spans = [span for _, span, _ in runs]
        assert sum(spans) == count
    level_spans = [(key, span) for _, span, key in _runs([r[0] for r in expected_rows])]
    assert [key for key, _ in level_spans] == list(LEVEL_ORDER)


def test_docx_has_120_indicator_rows_in_total(seed_build):
    assert sum(len(_docx_tables(seed_build / f"{name}.docx")[1]) - 2 for name in LISTING) == 120


@pytest.mark.parametrize("name", list(SEED_HEADERS))
def test_docx_text_around_the_tables(seed_build, name):
    # Between the tables a paragraph that prints nothing keeps them two tables: joined into one, the
    # indicator header row would not be the top row of a table, and no office repeats such a row.
    assert _docx_body(seed_build / f"{name}.docx") == [
        ("p", "附件2:"), ("p", TITLE), ("p", "(2024年度)"), ("tbl", ""), ("hidden p", ""), ("tbl", ""), ("p", NOTE),
    ]


# 2. Fonts and page --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SEED_HEADERS))
def test_docx_fonts_language_and_page(seed_build, name):
    path = seed_build / f"{name}.docx"
    document, styles = _zip_xml(path, "word/document.xml"), _zip_xml(path, "word/styles.xml")
    east_asia = [
        f.get(f"{{{W}}}eastAsia") for tree in (document, styles) for f in tree.iter(f"{{{W}}}rFonts")
    ]
    assert [font for font in east_asia if font], "no w:eastAsia font declared"
    languages = [lang.get(f"{{{W}}}eastAsia") for tree in (document, styles) for lang in tree.iter(f"{{{W}}}lang")]
    assert "zh-CN" in languages

    sections = document.findall(".//w:sectPr", NS)
    assert len(sections) == 1
    size, margins = sections[0].find("w:pgSz", NS), sections[0].find("w:pgMar", NS)
    width, height = int(size.get(f"{{{W}}}w")), int(size.get(f"{{{W}}}h"))
    assert abs(width - 11906) <= 2 and abs(height - 16838) <= 2
    assert size.get(f"{{{W}}}orient") in (None, "portrait")
    text_width = width - int(margins.get(f"{{{W}}}left")) - int(margins.get(f"{{{W}}}right"))

    tables = document.findall(".//w:tbl", NS)
    assert len(tables) == 2
    for table in tables:
        grid = sum(int(col.get(f"{{{W}}}w")) for col in table.findall("w:tblGrid/w:gridCol", NS))
        assert len(table.findall("w:tblGrid/w:gridCol", NS)) == 5
        assert 0 < grid <= text_width + 2
        table_width = table.find("w:tblPr/w:tblW", NS)
        assert table_width.get(f"{{{W}}}type") == "dxa" and int(table_width.get(f"{{{W}}}w")) <= text_width + 2
        rows = table.findall("w:tr", NS)
        assert rows and all(row.find("w:trPr/w:cantSplit", NS) is not None for row in rows)


# 3. HTML -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SEED_HEADERS))
def test_html_preview_rows_and_rowspans(seed_build, name):
    tree = _parse_html(seed_build / f"{name}.html")
    total, fiscal, other, _ = SEED_HEADERS[name]
    goal = _seed_yaml(name)["年度总体目标"]

    header = [[(c.tag, c.get("rowspan"), c.get("colspan"), _html_text(c)) for c in _cells(tr)]
              for tr in _html_table(tree, "header")]
    assert header == [
        [("td", None, None, "项目名称"), ("td", None, "4", name)],
        [("td", None, None, "主管部门及代码"), ("td", None, "2", ""), ("td", None, None, "实施单位"),
         ("td", None, None, "银川市人民政府办公室")],
        [("td", None, None, "项目属性"), ("td", None, "2", ""), ("td", None, None, "项目期"), ("td", None, None, "2024年")],
        [("td", "3", None, "项目资金 (万元)"), ("td", None, "2", "年度资金总额:"), ("td", None, "2", total)],
        [("td", None, "2", "其中:财政拨款"), ("td", None, "2", fiscal)],
        [("td", None, "2", "其他资金"), ("td", None, "2", other)],
        [("td", None, None, "年度总体目标"), ("td", None, "4", goal)],
    ]

    expected_rows = LISTING[name]
    trs = _html_table(tree, "indicators")
    assert len(trs) == len(expected_rows) + 2
    # The heading row is the thead (repeated on every printed page); 绩效指标 spans the indicator rows below
    # its empty corner, the two drawn as one cell.
    (thead,) = [t for t in tree.iter("table") if t.get("class") == "indicators"][0].iter("thead")
    assert list(thead.iter("tr")) == [trs[0]]
    head = [(c.tag, c.get("rowspan"), c.get("class"), _html_text(c)) for c in _cells(trs[0])]
    assert head == [("th", None, "label corner", ""), ("th", None, None, "一级指标"), ("th", None, None, "二级指标"),
                    ("th", None, None, "三级指标"), ("th", None, None, "指标值")]
    label = _cells(trs[1]).pop(0)
    assert (label.get("rowspan"), _html_text(label)) == (str(len(expected_rows)), "绩效指标")
    grade = _cells(trs[-1])
    assert [_html_text(c) for c in grade][0] == "综合评定等级" and grade[1].get("colspan") == "4"
    assert _html_text(grade[1]).split() == ["通过", "☐", "退回修改", "☐", "退回,不予纳入财政项目库", "☐"]

    starts = {1: _runs([r[0] for r in expected_rows]), 2: _runs([r[:2] for r in expected_rows])}
    l1_spans = {first: span for first, span, _ in starts[1]}
    l2_spans = {first: span for first, span, _ in starts[2]}
    recovered, l1, l2 = [], None, None
    for index, tr in enumerate(trs[1:-1]):
        cells = _cells(tr)[1:] if index == 0 else _cells(tr)
        assert all(c.tag == "td" for c in cells)
        expected_width = 2 + (index in l1_spans) + (index in l2_spans)
        assert len(cells) == expected_width, f"row {index}: {[_html_text(c) for c in cells]}"
        if index in l1_spans:
            cell = cells.pop(0)
            assert int(cell.get("rowspan") or 1) == l1_spans[index]
            l1 = _html_text(cell)
        if index in l2_spans:
            cell = cells.pop(0)
            assert int(cell.get("rowspan") or 1) == l2_spans[index]
            l2 = _html_text(cell)
        assert all(c.get("rowspan") in (None, "1") for c in cells)
        recovered.append((l1, l2, _html_text(cells[0]), _html_text(cells[1])))
    assert recovered == [(a, _label(b), c, d) for a, b, c, d in expected_rows]


@pytest.mark.parametrize("page", [*SEED_HEADERS, "index"])
def test_html_is_self_contained_and_printable(seed_build, page):
    path = seed_build / f"{page}.html"
    tree = _parse_html(path)
    scripts = list(tree.iter("script"))
    # Only the index has a script (its search, filters and sorting), inline; a filing page has none.
    assert len(scripts) == (1 if page == "index" else 0) and not [s for s in scripts if s.get("src") is not None]
    policy = [m.get("content") for m in tree.iter("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert len(policy) == 1 and policy[0].startswith("default-src 'none';")  # the browser loads nothing from anywhere
    assert not [link for link in tree.iter("link") if "stylesheet" in (link.get("rel") or "")]
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in ("src", "href", "action", "data", "poster"):
            value = element.get(attribute)
            assert value is None or "://" not in value and not value.startswith("//"), (element.tag, value)
    raw = path.read_text(encoding="utf-8")
    assert "http://" not in raw and "https://" not in raw and "@import" not in raw
    styles = "".join(_html_text(style) for style in tree.iter("style"))
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", styles)
    if page != "index":
        assert re.search(r"@page\s*\{[^}]*size:\s*A4\s+portrait", styles)


def test_index_lists_every_filing_with_links_and_total(seed_build):
    tree = _parse_html(seed_build / "index.html")
    body = [t for t in tree.iter("tbody")]
    assert len(body) == 1
    headings = [_html_text(th) for th in next(tree.iter("thead")).iter("th")]
    assert headings == ["项目名称", "实施单位", "表样", "年度资金总额（万元）", "财政拨款（万元）", "其他资金（万元）",
                        "项目当年资金（万元）", "三级指标数", "错误", "警告", "提示", "自评得分", "检查发现的问题", "文件"]
    rows = {}
    for tr in body[0].iter("tr"):
        texts = dict(zip(headings, (_html_text(c).strip() for c in _cells(tr))))
        links = [unquote(a.get("href")) for a in _cells(tr)[-1].iter("a")]
        rows[texts["项目名称"]] = (texts, links)
    assert set(rows) == set(LISTING)
    with_pdf = shutil.which("soffice") is not None or shutil.which("libreoffice") is not None
    for name, (texts, links) in rows.items():
        total, fiscal, other, _ = SEED_HEADERS[name]
        assert (texts["实施单位"], texts["表样"]) == ("银川市人民政府办公室", "yinchuan-2024")
        assert [Decimal(texts[f"{key}（万元）"]) for key in ("年度资金总额", "财政拨款", "其他资金", "项目当年资金")] == [
            Decimal(total), Decimal(fiscal), Decimal(other), Decimal(total)]
        assert int(texts["三级指标数"]) == _indicator_count(name)
        expected = {f"{name}.html", f"{name}.docx"} | ({f"{name}.pdf"} if with_pdf else set())
        assert set(links) == expected
        assert all((seed_build / href).is_file() for href in links)
    foot = [_html_text(c).strip() for tr in tree.iter("tfoot") for c in _cells(next(tr.iter("tr")))]
    assert foot[0] == "合计（6 个）"
    assert [Decimal(text) for text in foot[1:5]] == [Decimal("327.7"), Decimal("327.7"), Decimal(0), Decimal("327.7")]
    assert Decimal("327.7") == sum(Decimal(h[0]) for h in SEED_HEADERS.values())
    assert int(foot[5]) == sum(_indicator_count(name) for name in LISTING)
    assert [int(text) for text in foot[6:9]] == [6, 37, 1]  # the seed findings (README, tests/test_seed_findings.py)


# 4. Reproducible -----------------------------------------------------------------------------------


def test_two_builds_are_byte_identical(seed_build, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert _build(SEED, "--out", tmp_path / "a") == 0
    assert _build(SEED, "--out", tmp_path / "b") == 0
    first, second = _snapshot(tmp_path / "a"), _snapshot(tmp_path / "b")
    assert first == second
    assert len([k for k in first if k.endswith((".docx", ".html"))]) == 13
    for key, data in first.items():  # the shared --pdf build wrote the same .docx and .html too
        if key.endswith((".docx", ".html")) and not key.endswith("index.html"):
            assert (seed_build.parent / key).read_bytes() == data, key


@pytest.mark.parametrize("name", list(SEED_HEADERS))
def test_docx_zip_times_and_core_properties(seed_build, name):
    path = seed_build / f"{name}.docx"
    with zipfile.ZipFile(path) as archive:
        assert all(info.date_time == ZIP_TIME for info in archive.infolist())
    core = _zip_xml(path, "docProps/core.xml")
    values = {etree.QName(e).localname: e.text or "" for e in core}
    assert values["title"] == name
    source = f"projects/2024/{name}.yaml"
    assert source in values.get("identifier", "") + values.get("description", "")


def test_source_date_epoch_sets_created_and_modified(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234567890")
    assert _build(SEED / "督查室工作经费.yaml", "--out", tmp_path) == 0
    core = _zip_xml(tmp_path / "2024" / "督查室工作经费.docx", "docProps/core.xml")
    stamps = {etree.QName(e).localname: e.text for e in core if etree.QName(e).localname in ("created", "modified")}
    expected = datetime(2009, 2, 13, 23, 31, 30, tzinfo=timezone.utc)
    assert set(stamps) == {"created", "modified"}
    for text in stamps.values():
        assert datetime.fromisoformat(text.replace("Z", "+00:00")) == expected


# 5. Escaping ---------------------------------------------------------------------------------------

NASTY = "<5%&\"' {{ x }} {% if %} 😀"
HOSTILE_NAME = NASTY + " " + "名" * 2000
HOSTILE_GOAL = "a\nb " + NASTY
HOSTILE_L3 = NASTY + " 三级"
HOSTILE_VALUE = "≥1\n" + NASTY


def _seed_text(name: str = "督查室工作经费") -> str:
    return (SEED / f"{name}.yaml").read_text(encoding="utf-8")


def _replace_line(text: str, prefix: str, new_line: str) -> str:
    lines = text.split("\n")
    hits = [i for i, line in enumerate(lines) if line.startswith(prefix)]
    assert len(hits) == 1, prefix
    lines[hits[0]] = new_line
    return "\n".join(lines)


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _hostile_filing(folder: Path) -> Path:
    text = _seed_text("信创设备购置经费")
    text = _replace_line(text, "项目名称:", f"项目名称: {_q(HOSTILE_NAME)}")
    text = _replace_line(text, "年度总体目标:", f"年度总体目标: {_q(HOSTILE_GOAL)}")
    text = _replace_line(text, "      台式电脑数量:", f"      {_q(HOSTILE_L3)}: {_q(HOSTILE_VALUE)}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_hostile_text_is_kept_exactly_in_word(tmp_path):
    source = _hostile_filing(tmp_path / "projects" / "2024")
    assert _build(source, "--out", tmp_path / "out") == 0
    path = tmp_path / "out" / "2024" / "hostile.docx"
    header, table = _docx_tables(path)
    assert header[0]["cells"][1] == (None, 4, HOSTILE_NAME)
    assert header[6]["cells"][1] == (None, 4, HOSTILE_GOAL)
    rows = [tuple(text for _, _, text in row["cells"][3:]) for row in table[1:-1]]
    assert (HOSTILE_L3, HOSTILE_VALUE) in rows
    assert rows[0] == (HOSTILE_L3, HOSTILE_VALUE)
    document = _zip_xml(path, "word/document.xml")
    # newlines are line breaks, never a raw newline inside w:t
    assert not [t.text for t in document.iter(f"{{{W}}}t") if t.text and "\n" in t.text]
    core = _zip_xml(path, "docProps/core.xml")
    title = {etree.QName(e).localname: e.text for e in core}["title"]
    assert title and HOSTILE_NAME.startswith(title)  # the title property may be shortened, never altered


def test_hostile_text_is_escaped_in_html(tmp_path):
    source = _hostile_filing(tmp_path / "projects" / "2024")
    assert _build(source, "--out", tmp_path / "out") == 0
    path = tmp_path / "out" / "2024" / "hostile.html"
    raw = path.read_text(encoding="utf-8")
    assert "<5%" not in raw and "&lt;5%&amp;" in raw
    tree = _parse_html(path)
    assert not list(tree.iter("script"))
    header = _html_table(tree, "header")
    assert _html_text(_cells(header[0])[1]) == HOSTILE_NAME
    assert _html_text(_cells(header[6])[1]) == HOSTILE_GOAL
    first = _cells(_html_table(tree, "indicators")[1])
    assert [_html_text(c) for c in first[-2:]] == [HOSTILE_L3, HOSTILE_VALUE]
    assert len(list(first[-1].iter("br"))) == 1
    assert _html_text(next(tree.iter("title"))).startswith(HOSTILE_NAME)
    index = _parse_html(tmp_path / "out" / "2024" / "index.html")
    assert [_html_text(td) for td in index.iter("td") if td.get("class") == "name"] == [HOSTILE_NAME]


# 6. Atomicity and failures -------------------------------------------------------------------------

THREE = ("督查室工作经费", "聘用人员工作经费", "信创设备购置经费")


def _project(tmp_path: Path, names=THREE, edit=lambda text: text) -> Path:
    folder = tmp_path / "projects" / "2024"
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / f"{name}.yaml").write_text(edit(_seed_text(name)), encoding="utf-8")
    return tmp_path / "projects"


def _no_temporary_files(folder: Path) -> None:
    leftovers = [
        p for p in folder.rglob("*")
        if p.name.endswith(".tmp") or (p.name.startswith(".") and p.name not in (".jixiao-manifest.json", ".jixiao-build.lock"))
    ]
    assert not leftovers, leftovers


def test_a_failing_render_keeps_the_previous_output(tmp_path, monkeypatch):
    projects = _project(tmp_path)
    out = tmp_path / "out"
    assert _build(projects, "--out", out) == 0
    before = _snapshot(out)

    _project(tmp_path, edit=lambda text: text.replace("年度总体目标: ", "年度总体目标: 第二版。"))
    original = generator.render.pages.render_preview

    def failing_preview(form, context, source):
        if context["field"]["项目名称"] == "聘用人员工作经费":
            raise TemplateProblem("模板 preview.html.j2 无法渲染：测试")
        return original(form, context, source)

    monkeypatch.setattr(generator.render.pages, "render_preview", failing_preview)
    assert _build(projects, "--out", out) == 1
    after = _snapshot(out)
    for suffix in (".docx", ".html"):  # neither file of the failed filing was replaced
        assert after[f"2024/聘用人员工作经费{suffix}"] == before[f"2024/聘用人员工作经费{suffix}"]
    for name in ("督查室工作经费", "信创设备购置经费"):  # the others were rebuilt from the new text
        assert after[f"2024/{name}.docx"] != before[f"2024/{name}.docx"]
        assert "第二版。" in _docx_tables(out / "2024" / f"{name}.docx")[0][6]["cells"][1][2]
        assert "第二版。" in after[f"2024/{name}.html"].decode("utf-8")
    _no_temporary_files(out)


def test_an_index_that_cannot_be_rendered_fails_the_build_and_leaves_no_stale_index(tmp_path, monkeypatch, capsys):
    projects = _project(tmp_path)
    out = tmp_path / "out"
    assert _build(projects, "--out", out) == 0
    _project(tmp_path, edit=lambda text: text.replace("年度总体目标: ", "年度总体目标: 第二版。"))

    def broken_index(templates_root, context):
        raise TemplateProblem("模板 index.html.j2 第 3 行 无法渲染：测试")

    monkeypatch.setattr(generator.render.pages, "render_index", broken_index)
    capsys.readouterr()
    assert _build(projects, "--out", out, "-q") == 1
    err = capsys.readouterr().err
    assert f"{(out / '2024' / 'index.html').as_posix()}:1:1: 错误 [build.template] 模板 index.html.j2 第 3 行" in err
    assert not (out / "2024" / "index.html").exists()  # the old one listed the previous versions as current
    assert "第二版。" in (out / "2024" / "督查室工作经费.html").read_text(encoding="utf-8")
    monkeypatch.undo()
    assert _build(projects, "--out", out) == 0
    assert "督查室工作经费" in (out / "2024" / "index.html").read_text(encoding="utf-8")
    _no_temporary_files(out)


def test_a_rebuild_with_nothing_changed_counts_every_output_as_unchanged(tmp_path, capsys):
    projects = _project(tmp_path)
    out = tmp_path / "out"
    assert _build(projects, "--out", out) == 0
    assert "写入 8 个文件" in capsys.readouterr().err  # 3 filings × (.docx, .html) + index.html + 汇总表.xlsx
    assert _build(projects, "--out", out) == 0
    assert "写入 0 个文件到" in (err := capsys.readouterr().err) and "（8 个没有变化" in err


def test_temporary_files_of_a_killed_build_are_removed_by_the_next(tmp_path):
    projects = _project(tmp_path)
    out = tmp_path / "out"
    assert _build(projects, "--out", out) == 0
    # What a build killed mid-write leaves: its running marker and half-written temporary files.
    (out / generator.build.runner.RUNNING_NAME).touch()
    (out / "2024" / ".jixiao-督查室工作经费.docx.abc123.tmp").write_bytes(b"PK half")
    (out / ".jixiao-index.html.def456.tmp").write_bytes(b"<html")
    assert _build(projects, "--out", out) == 0
    _no_temporary_files(out)


def test_a_filing_with_a_schema_error_is_reported_and_not_written(tmp_path, capsys):
    projects = _project(tmp_path)
    broken = projects / "2024" / "坏.yaml"
    broken.write_text(_replace_line(_seed_text(), "  年度资金总额:", "  年度资金总额: 十二万"), encoding="utf-8")
    out = tmp_path / "out"
    assert _build(projects, "--out", out) == 1
    err = capsys.readouterr().err
    assert "坏.yaml" in err and "schema." in err
    written = sorted(p.name for p in (out / "2024").iterdir())
    assert written == sorted([f"{n}{s}" for n in THREE for s in (".docx", ".html")] + ["index.html", "汇总表.xlsx"])
    _no_temporary_files(out)
    # Built again unchanged, the failure comes from the check cache and is reported the same way.
    assert _build(projects, "--out", out) == 1
    err = capsys.readouterr().err
    assert "坏.yaml" in err and "schema." in err and "1 个申报表未能生成" in err


def test_an_unreadable_filing_counts_as_not_built(tmp_path, capsys):
    projects = _project(tmp_path)
    (projects / "2024" / "失效.yaml").symlink_to(tmp_path / "已删除.yaml")
    assert _build(projects, "--out", tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert "失效.yaml" in err and "file.unreadable" in err and "1 个申报表未能生成" in err


# 7. Safe output names ------------------------------------------------------------------------------


def test_file_names_with_spaces_and_chinese(tmp_path):
    folder = tmp_path / "projects" / "2024"
    folder.mkdir(parents=True)
    (folder / "a b 项目.yaml").write_text(_seed_text(), encoding="utf-8")
    assert _build(tmp_path / "projects", "--out", tmp_path / "out") == 0
    assert sorted(p.name for p in (tmp_path / "out" / "2024").iterdir()) == ["a b 项目.docx", "a b 项目.html", "index.html", "汇总表.xlsx"]


@pytest.mark.parametrize("stem", [
    "CON", "con", "CON.backup", "..", ".", "", "a/b", "x:y", "../../etc/passwd", "a\\b", "NUL", "COM1", "LPT9",
    " . ", 'q"<>|?*', "tab\there", "名" * 300,
])
def test_safe_stem_stays_inside_the_output_folder(tmp_path, stem):
    out = tmp_path / "out"
    safe = generator.common.names.safe_stem(stem)
    assert safe and safe not in (".", "..")
    assert not set(safe) & set('/\\:<>"|?*\x00\t')
    assert safe.split(".")[0].strip().upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT9"}
    assert not safe.endswith((" ", "."))
    for suffix in (".docx", ".html", ".pdf"):
        target = out / "2024" / f"{safe}{suffix}"
        assert target.resolve().parent == (out / "2024").resolve()
        assert len(target.name.encode("utf-8")) <= 255  # one path component on Linux and macOS


def test_reserved_and_dotted_file_names_build_inside_out(tmp_path):
    folder = tmp_path / "projects" / "2024"
    folder.mkdir(parents=True)
    for stem, name in (("CON", "督查室工作经费"), ("lpt1", "聘用人员工作经费")):
        (folder / f"{stem}.yaml").write_text(_seed_text(name), encoding="utf-8")
    before = {p for p in tmp_path.rglob("*")}
    assert _build(tmp_path / "projects", "--out", tmp_path / "out") == 0
    created = {p for p in tmp_path.rglob("*")} - before
    assert created and all(p == tmp_path / "out" or p.is_relative_to(tmp_path / "out") for p in created)
    assert sorted(p.name for p in (tmp_path / "out" / "2024").iterdir()) == [
        "_CON.docx", "_CON.html", "_lpt1.docx", "_lpt1.html", "index.html", "汇总表.xlsx",
    ]


def test_a_long_legal_file_name_still_builds(tmp_path):
    # 80 CJK characters + ".yaml" is 245 bytes: a legal file name on Linux and macOS.
    folder = tmp_path / "projects" / "2024"
    folder.mkdir(parents=True)
    (folder / ("名" * 80 + ".yaml")).write_text(_seed_text(), encoding="utf-8")
    out = tmp_path / "out"
    assert _build(tmp_path / "projects", "--out", out) == 0
    written = sorted(p.suffix for p in (out / "2024").iterdir())
    assert written == [".docx", ".html", ".html", ".xlsx"]
    _no_temporary_files(out)


def test_two_files_with_the_same_output_name_are_not_overwritten(tmp_path, capsys):
    folder = tmp_path / "projects" / "2024"
    (folder / "sub").mkdir(parents=True)
    (folder / "x.yaml").write_text(_seed_text("督查室工作经费"), encoding="utf-8")
    (folder / "sub" / "x.yaml").write_text(_seed_text("聘用人员工作经费"), encoding="utf-8")
    out = tmp_path / "out"
    assert _build(tmp_path / "projects", "--out", out) == 1
    assert "build.name-clash" in capsys.readouterr().err
    assert _docx_tables(out / "2024" / "x.docx")[0][0]["cells"][1][2] in ("督查室工作经费", "聘用人员工作经费")


# 8. PDF --------------------------------------------------------------------------------------------


def _pdf_text(path: Path, *options: str) -> str:
    done = subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True)
    return done.stdout


def _column_bounds(docx: Path) -> list[tuple[float, float]]:
    """x ranges (points) of the five grid columns of the indicator table, from the Word file's own geometry."""
    document = _zip_xml(docx, "word/document.xml")
    section = document.find(".//w:sectPr", NS)
    width = int(section.find("w:pgSz", NS).get(f"{{{W}}}w"))
    margins = section.find("w:pgMar", NS)
    left, right = int(margins.get(f"{{{W}}}left")), int(margins.get(f"{{{W}}}right"))
    table = document.findall(".//w:tbl", NS)[1]
    columns = [int(col.get(f"{{{W}}}w")) for col in table.findall("w:tblGrid/w:gridCol", NS)]
    assert table.find("w:tblPr/w:jc", NS).get(f"{{{W}}}val") == "center"
    x = left + (width - left - right - sum(columns)) / 2
    bounds = []
    for column in columns:
        bounds.append((x / 20, (x + column) / 20))
        x += column
    return bounds


def _pdf_columns(pdf: Path, bounds: list[tuple[float, float]]) -> list[str]:
    """The text of each column, top to bottom over all pages, whitespace removed.

    pdftotext -layout prints the lines of a wrapped cell beside the lines of the neighbouring cells,
    so a long 三级 name is never contiguous there; words are assigned to columns by position instead.
    """
    tree = etree.fromstring(subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True,
    ).stdout)
    columns: list[list] = [[] for _ in bounds]
    for page_number, page in enumerate(tree.iter("{*}page")):
        for line in page.iter("{*}line"):
            top = float(line.get("yMin"))
            for word in line.iter("{*}word"):
                centre = (float(word.get("xMin")) + float(word.get("xMax"))) / 2
                for index, (start, end) in enumerate(bounds):
                    if start <= centre < end:
                        columns[index].append((page_number, top, float(word.get("xMin")), word.text or ""))
    return ["".join(text for *_, text in sorted(column)) for column in columns]


@pytest.mark.parametrize("name", list(SEED_HEADERS))
def test_pdf_contains_every_indicator(seed_build, name):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed; --pdf cannot be tested")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = seed_build / f"{name}.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    layout = _no_whitespace(_pdf_text(pdf, "-layout"))
    for text in (name, TITLE, "(2024年度)", NOTE):
        assert _no_whitespace(text) in layout
    l3_column, value_column = _pdf_columns(pdf, _column_bounds(seed_build / f"{name}.docx"))[3:]
    rows = LISTING[name]
    assert [l3 for _, _, l3, _ in rows if _no_whitespace(l3) not in l3_column] == []
    assert [value for _, _, _, value in rows if _no_whitespace(value) not in value_column] == []
    # in order, too: each 三级 name is found after the previous one
    position = 0
    for _, _, l3, _ in rows:
        found = l3_column.find(_no_whitespace(l3), position)
        assert found >= 0, l3
        position = found + len(_no_whitespace(l3))
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"Page size:\s+595(\.\d+)? x 841(\.\d+)? pts", info)


HEADER_ROW = "一级指标二级指标三级指标指标值"  # the indicator table's header row, as printed


def _pdf_pages(pdf: Path) -> list[str]:
    """Each page's text, whitespace removed, in the order the page draws it (pdftotext -raw): a table
    row's cells one after another, a header row repeated on the page first."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)$", info, re.M)[1])
    return [_no_whitespace(_pdf_text(pdf, "-raw", "-f", str(page), "-l", str(page))) for page in range(1, count + 1)]


def _needs_pdf_tools() -> None:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed; --pdf cannot be tested")
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.skip("pdftotext / pdfinfo (poppler-utils) are not installed")


def test_a_filing_that_fits_a_page_prints_on_one_page(seed_build):
    _needs_pdf_tools()
    pages = _pdf_pages(seed_build / "督查室工作经费.pdf")
    assert len(pages) == 1  # its 20 indicators and the note fit one A4 page
    assert pages[0].startswith("附件2:" + TITLE) and pages[0].endswith(_no_whitespace(NOTE))


@pytest.mark.parametrize("name", list(SEED_HEADERS))
def test_seed_pdf_is_one_page_or_repeats_the_indicator_header(seed_build, name):
    _needs_pdf_tools()
    pages = _pdf_pages(seed_build / f"{name}.pdf")
    assert HEADER_ROW in pages[0]
    assert [page[:len(HEADER_ROW)] for page in pages[1:]] == [HEADER_ROW] * (len(pages) - 1)
    assert "".join(pages).count("绩效指标") == 1  # the label column is one cell, printed once
    assert pages[-1].endswith(_no_whitespace(NOTE))


# A filing far longer than a page: 90 indicators under the 督查室 header. The groups left out
# (经济效益指标, 生态效益指标) print one blank row each.
LONG_GROUPS = {
    "产出指标": {"数量指标": 30, "质量指标": 20, "时效指标": 10, "成本指标": 14},
    "效益指标": {"社会效益指标": 8, "可持续影响指标": 5},
    "满意度指标": {"服务对象满意度指标": 3},
}


@pytest.fixture(scope="module")
def long_build(tmp_path_factory) -> Path:
    """The long filing, built once (with --pdf where LibreOffice is installed)."""
    work = tmp_path_factory.mktemp("long")
    folder = work / "projects" / "2024"
    folder.mkdir(parents=True)
    seed = _seed_text()
    lines, number = [seed[:seed.index("\n绩效指标:\n")], "绩效指标:"], 0
    for level, groups in LONG_GROUPS.items():
        lines.append(f"  {level}:")
        for group, count in groups.items():
            lines.append(f"    {group}:")
            for _ in range(count):
                number += 1
                lines.append(f"      第{number}项指标: ≥{number}次")
    (folder / "长.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _build(folder, "--out", work / "out", *(["--pdf"] if shutil.which("soffice") else [])) == 0
    return work / "out" / "2024"


def _merge_counts(body: list[dict]) -> dict[int, tuple[int, int]]:
    """Column → (restarts, continues) of the vertical merges in the indicator rows."""
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in body:
        for column, (merge, _, _) in enumerate(row["cells"]):
            if merge is not None:
                counts[column][merge == "continue"] += 1
    return {column: tuple(pair) for column, pair in counts.items()}


def _merges(spans: list[int]) -> tuple[int, int]:
    """(restarts, continues) that merging cells over these runs of rows takes: none for a run of one row."""
    return sum(1 for span in spans if span > 1), sum(span - 1 for span in spans)


def test_long_filing_merges_in_word(long_build):
    head, *body, grade = _docx_tables(long_build / "长.docx")[1]
    assert [merge for merge, _, _ in head["cells"]] == [None] * 5 and "tblHeader" in head["flags"]
    assert grade["cells"][0] == (None, 1, "综合评定等级")
    group_spans = [LONG_GROUPS[level].get(group) or 1 for level, groups in LEVELS.items() for group in groups]
    level_spans = [sum(LONG_GROUPS[level].get(group) or 1 for group in groups) for level, groups in LEVELS.items()]
    assert len(body) == sum(group_spans) == 92
    # 绩效指标 one cell over every indicator row; each 一级 over its groups' rows, each 二级 over its indicators' rows
    assert _merge_counts(body) == {0: (1, len(body) - 1), 1: _merges(level_spans), 2: _merges(group_spans)}
    assert body[0]["cells"][0] == ("restart", 1, "绩效指标")


def test_long_filing_repeats_the_indicator_header_on_every_page(long_build):
    _needs_pdf_tools()
    pages = _pdf_pages(long_build / "长.pdf")
    assert len(pages) >= 2
    assert HEADER_ROW in pages[0]
    assert [page[:len(HEADER_ROW)] for page in pages[1:]] == [HEADER_ROW] * (len(pages) - 1)
    text = "".join(pages)
    assert text.count("绩效指标") == 1
    rows = [f"第{number}项指标≥{number}次" for number in range(1, 91)]
    assert [text.count(row) for row in rows] == [1] * len(rows)
    assert sorted(rows, key=text.find) == rows  # every indicator row, once, in order


def test_six_pdfs_from_one_build(seed_build):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed; --pdf cannot be tested")
    assert sorted(p.stem for p in seed_build.glob("*.pdf")) == sorted(LISTING)


def test_pdf_without_libreoffice_says_so_and_builds_the_rest(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(generator.common.libreoffice, "find_soffice", lambda: None)
    monkeypatch.setattr(generator.build.runner, "find_soffice", lambda: None)
    out = tmp_path / "out"
    assert _build(SEED, "--out", out, "--pdf") == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "LibreOffice" in line]
    assert len(lines) == 1 and "未找到" in lines[0]
    assert "Traceback" not in err
    files = sorted(p.name for p in (out / "2024").iterdir())
    assert files == sorted([f"{n}{s}" for n in LISTING for s in (".docx", ".html")] + ["index.html", "汇总表.xlsx"])


# 9. Options ----------------------------------------------------------------------------------------


def test_outputs_docx_writes_no_html(tmp_path):
    out = tmp_path / "out"
    assert _build(SEED, "--out", out, "--outputs", "docx") == 0
    assert sorted(_snapshot(out)) == sorted(f"2024/{n}.docx" for n in LISTING)


def test_unknown_output_is_a_usage_error(tmp_path, capsys):
    assert _build(SEED, "--out", tmp_path / "out", "--outputs", "xml") == 2
    assert "--outputs 只能是" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_old_name_format_still_works_with_a_notice(tmp_path, capsys):
    """--format was the file types' option before it was --outputs (--format is the output format elsewhere)."""
    out = tmp_path / "out"
    capsys.readouterr()
    assert _build(SEED, "--out", out, "--format", "html") == 0
    err = capsys.readouterr().err
    assert "build 的 --format 已改名为 --outputs" in err
    assert sorted(_snapshot(out)) == sorted([f"2024/{n}.html" for n in LISTING] + ["2024/index.html"])
    assert _build(SEED, "--out", out, "--format", "xml") == 2
    assert "--format 只能是" in capsys.readouterr().err


def test_outputs_and_the_old_format_together_are_a_usage_error(tmp_path, capsys):
    capsys.readouterr()
    assert _build(SEED, "--out", tmp_path / "out", "--outputs", "docx", "--format", "docx") == 2
    assert "--outputs 和 --format 不能同时使用" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_strict_fails_on_an_error_finding(tmp_path):
    folder = tmp_path / "projects" / "2025"
    folder.mkdir(parents=True)
    (folder / "督查室工作经费.yaml").write_text(_seed_text(), encoding="utf-8")  # 年度 2024 in the 2025 folder
    assert _build(tmp_path / "projects", "--out", tmp_path / "lenient") == 0
    assert (tmp_path / "lenient" / "2024" / "督查室工作经费.docx").is_file()
    assert _build(tmp_path / "projects", "--out", tmp_path / "strict", "--strict") == 1
    clean = tmp_path / "clean_projects" / "2024"
    clean.mkdir(parents=True)
    (clean / "clean.yaml").write_text((REPO / "templates" / "yinchuan-2024" / "example.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert _build(clean, "--out", tmp_path / "clean", "--strict") == 0
