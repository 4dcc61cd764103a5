"""`jixiao diff --format html --out DIR`: the review pages of a pull request.

A temporary repository holds the seed filings on main; the tests edit it and read the pages back with
html5lib (strict). What each page must say comes from the edits themselves and from `diff --format json`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import unquote, urldefrag

import html5lib
import pytest
from conftest import REPO, SEED_DIR, invoke
from test_diff import edit, make_repo


DUCHA = "projects/2024/督查室工作经费.yaml"
PINYONG = "projects/2024/聘用人员工作经费.yaml"
ODD_NAME = "projects/2024/新 项目#1 100%.yaml"


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch, tmp_path):
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    root = make_repo(tmp_path / "filings")
    monkeypatch.chdir(root)
    return root


def parse(path: Path):
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(path.read_bytes())


def classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def text(element) -> str:
    return "".join(element.itertext())


def diff(capsys, *args: str) -> tuple[int, str, str]:
    return invoke(capsys, "diff", *args)


def ids(tree) -> set[str]:
    found = [element.get("id") for element in tree.iter() if element.get("id")]
    assert len(found) == len(set(found))
    return set(found)


def every_link_resolves(folder: Path) -> int:
    """Every href of every page names an existing file of the folder, and an id on it; the count of links."""
    count = 0
    for page in folder.rglob("*.html"):
        for anchor in parse(page).iter("a"):
            path, fragment = urldefrag(anchor.get("href"))
            target = (page.parent / unquote(path)).resolve() if path else page
            assert target.is_file() and target.is_relative_to(folder.resolve()), (page, anchor.get("href"))
            assert not fragment or fragment in ids(parse(target)), (page, anchor.get("href"))
            count += 1
    return count


def section(tree, name: str):
    (found,) = [s for s in tree.iter("section") if text(s.find("h2")).endswith(f"：{name}")]
    return found


def rows(table) -> dict[str, tuple[str, str]]:
    """三级指标 → (row status, the 变化 cell)."""
    found = {}
    for tr in table.find("tbody"):
        cells = [c for c in tr if c.tag == "td"]
        found[text(cells[-3])] = (tr.get("class") or "", text(cells[-1]))
    return found


def test_a_pull_request_review(repo, capsys):
    edit(repo / DUCHA, "督查差旅费次数: ≥50次", "督查差旅费次数: ≥60次")
    edit(repo / DUCHA, "      印刷费: ≥600本\n", "      印刷费: ≥600本\n      培训班期数: ≥2期\n")
    edit(repo / DUCHA, "      差旅费符合报销规定: 100%\n", "")
    edit(repo / DUCHA, "  年度资金总额: 12\n  财政拨款: 12\n", "  年度资金总额: 15\n  财政拨款: 15\n")
    edit(repo / DUCHA, "实施单位: 银川市人民政府办公室", "实施单位: 银川市人民政府督查室")
    edit(repo / DUCHA, "    生态效益指标:\n      节约低碳环保: 长期\n", "    生态效益指标: {}\n")
    edit(repo / DUCHA, "      服务保障全市各职能部门高效运转: 长期\n", "      服务保障全市各职能部门高效运转: 长期\n      节约低碳环保: ≥1次\n")
    edit(repo / DUCHA, "    经济效益指标:\n      确保工作落实到位: 长期\n", "    经济效益指标:\n      确保工作落实到位: 长期\n      节约经费: ≥1万元\n")
    shutil.copy(repo / DUCHA, repo / ODD_NAME)
    edit(repo / ODD_NAME, "项目名称: 督查室工作经费", "项目名称: 新项目")
    (repo / PINYONG).unlink()
    report = json.loads(diff(capsys, "HEAD", "--format", "json")[1])

    code, out, err = diff(capsys, "HEAD", "--format", "html", "--out", "review")
    assert code == 0, err
    folder = repo / "review"
    assert out.strip() == "审核页面：review/index.html（5 个文件）"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "index.html", "new/projects/2024/新 项目#1 100%.html", "new/projects/2024/督查室工作经费.html",
        "old/projects/2024/督查室工作经费.html", "old/projects/2024/聘用人员工作经费.html",
    ]
    assert every_link_resolves(folder) > 30
    tree = parse(folder / "index.html")
    summary = [[text(c) for c in tr] for tr in tree.find(".//table[@class='changes']/tbody")]
    counts = {c["name"]: (str(len(c["new_findings"])), str(len(c["fixed_findings"]))) for c in report["changes"]}
    assert counts == {"新项目": ("6", "0"), "督查室工作经费": ("1", "1"), "聘用人员工作经费": ("0", "8")}
    assert summary == [
        ["新项目", "新增", "15", *counts["新项目"], "新版本"],
        ["督查室工作经费", "修改", "12 → 15", *counts["督查室工作经费"], "旧版本 · 新版本"],
        ["聘用人员工作经费", "删除", "52.5", *counts["聘用人员工作经费"], "旧版本"],
    ]
    # 327.7 + 3 (督查室 12 → 15) + 15 (新项目) - 52.5 (聘用人员)
    assert "部门年度资金总额合计：327.7 → 293.2 万元（-34.5 万元）；申报表 6 → 6 个" in text(tree.find("body"))

    changed = section(tree, "督查室工作经费")
    header = changed.find(".//table[@class='form header']")
    marked = {text(td.find("del")): td for td in header.iter("td") if "changed" in classes(td)}
    assert set(marked) == {"12", "银川市人民政府办公室"}
    money = [td for td in header.iter("td") if "changed" in classes(td) and "amount" in classes(td)]
    assert [(td.text.strip(), text(td.find("del")), text(td.find("span"))) for td in money] == [("15", "12", "+3")] * 2
    assert marked["银川市人民政府办公室"].text.strip() == "银川市人民政府督查室"
    indicator_rows = rows(changed.find(".//table[@class='form indicators']"))
    assert indicator_rows["培训班期数"] == ("added", "新增")
    assert indicator_rows["差旅费符合报销规定"] == ("removed", "删除")  # put back where it was, struck out
    assert indicator_rows["督查差旅费次数"] == ("changed", "修改：原为 ≥50次")
    assert indicator_rows["节约经费"] == ("added", "新增")
    assert indicator_rows["节约低碳环保"] == ("moved", "移动：原在 效益指标/生态效益指标，原为 长期")
    assert indicator_rows["宣传片制作期数"] == ("", "")

    deleted = section(tree, "聘用人员工作经费")
    assert {status for status, _ in rows(deleted.find(".//table[@class='form indicators']")).values()} == {"removed"}
    assert [text(h3) for h3 in deleted.iter("h3")] == ["已解决的问题"]
    (fixed,) = [ul for ul in deleted.iter("ul") if "findings" in classes(ul)]
    hrefs = [li.find("a").get("href") for li in fixed]
    assert len(hrefs) == 8 and all(unquote(h).startswith("old/projects/2024/聘用人员工作经费.html#L") for h in hrefs)

    added = section(tree, "新项目")
    assert [a.get("href") for a in added.find("p").iter("a")] == ["new/projects/2024/%E6%96%B0%20%E9%A1%B9%E7%9B%AE%231%20100%25.html"]
    new_findings = [a.get("href") for a in added.iter("a") if "#L" in a.get("href")]
    assert len(new_findings) == len(next(c for c in report["changes"] if c["name"] == "新项目")["new_findings"])

    # each version's own page: the filing's form with its findings, links back and to the other version
    page = parse(folder / "new" / "projects" / "2024" / "督查室工作经费.html")
    nav = [(a.get("href"), text(a)) for a in page.find(".//nav").iter("a")]
    assert nav == [("../../../index.html#c2", "返回变更审核"), ("../../../old/projects/2024/%E7%9D%A3%E6%9F%A5%E5%AE%A4%E5%B7%A5%E4%BD%9C%E7%BB%8F%E8%B4%B9.html", "旧版本")]
    assert "银川市人民政府督查室" in text(page.find(".//table[@class='header']"))


def test_html_needs_an_out_folder_and_out_needs_html(repo, capsys):
    code, _, err = diff(capsys, "HEAD", "--format", "html")
    assert code == 2 and "--out" in err
    code, _, err = diff(capsys, "HEAD", "--format", "markdown", "--out", "review")
    assert code == 2 and "--out" in err
    assert not (repo / "review").exists()


def test_no_change_says_so(repo, capsys):
    code, _, _ = diff(capsys, "HEAD", "--format", "html", "--out", "review")
    assert code == 0
    tree = parse(repo / "review" / "index.html")
    assert "申报表没有实质变化" in text(tree.find("body")) and not list(tree.iter("section"))


def test_two_files_anywhere_write_only_into_the_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    old, new = tmp_path / "a" / "旧.yaml", tmp_path / "b" / "新.yaml"
    for path in (old, new):
        path.parent.mkdir()
        shutil.copy(SEED_DIR / "督查室工作经费.yaml", path)
    edit(new, "督查差旅费次数: ≥50次", "督查差旅费次数: ≥60次")
    code, _, err = diff(capsys, str(old), "../" + new.relative_to(tmp_path.parent).as_posix(), "--format", "html", "--out", "out")
    assert code == 0, err
    written = [p for p in tmp_path.rglob("*.html")]
    assert written and all(p.is_relative_to(tmp_path / "out") for p in written)
    assert every_link_resolves(tmp_path / "out") > 0


def test_an_unreadable_version_is_listed_without_its_page(repo, capsys):
    (repo / DUCHA).write_text("表样: yinchuan-2024\n年度: [\n", encoding="utf-8")
    code, _, _ = diff(capsys, "HEAD", "--format", "html", "--out", "review")
    assert code == 1
    tree = parse(repo / "review" / "index.html")
    broken = section(tree, "督查室工作经费")
    assert "无法读取" in text(broken) and [text(a) for a in broken.find("p").iter("a")] == ["旧版本"]
    assert every_link_resolves(repo / "review") > 0


def test_a_filing_that_changed_its_form_is_drawn_on_the_new_form(repo, capsys):
    """Indicators removed from groups the new form does not have are listed, not put back into its table."""
    (repo / DUCHA).write_text((REPO / "templates" / "mof-2021" / "example.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    code, _, err = diff(capsys, "HEAD", "--format", "html", "--out", "review")
    assert code == 0, err
    changed = [s for s in parse(repo / "review" / "index.html").iter("section") if "projects/2024/督查室工作经费.yaml" in text(s.find("p"))]
    (changed,) = changed
    lines = [text(li) for li in changed.find("ul")]
    assert "表样：yinchuan-2024 → mof-2021" in lines and "删除指标 效益指标/可持续影响指标/服务保障全市各职能部门高效运转：长期" in lines
    table = rows(changed.find(".//table[@class='form indicators']"))
    assert "服务保障全市各职能部门高效运转" not in table  # the mof form has no 可持续影响指标
    assert ("removed", "删除") in table.values() and ("added", "新增") in table.values()
    assert every_link_resolves(repo / "review") > 0
