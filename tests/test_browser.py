"""The review site in a real browser (Chromium through selenium, headless, one session for the module):
the index's search, filters and sorting, every link of every page, no console error, the findings'
anchors, printing a filing to PDF, and the pages with JavaScript switched off.

The site is built once: the six seed filings, a copy under a file name full of URL characters, and a
filing of another form and unit; and the review pages of a change to them (jixiao diff --format html).
Needs chromium and chromium-driver (Debian; .ci/missing-packages installs them) and poppler-utils.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest
from conftest import REPO, SEED_DIR
from test_diff import commit, edit, git

from generator.cli import run

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
webdriver = pytest.importorskip("selenium.webdriver")
if not (CHROMIUM and CHROMEDRIVER):
    pytest.skip("chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)", allow_module_level=True)
if not shutil.which("pdfinfo"):
    pytest.skip("pdfinfo (poppler-utils) is not installed", allow_module_level=True)

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

ODD = "督查 #2 100% ?.yaml"  # built as 督查 #2 100% _.html: "#", "%" and spaces stay in the name
XINXI = "政府办信息中心工作经费"
ROWS = 8


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A filings repository with a pull request's change in its working tree, built, and its review pages."""
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(SEED_DIR, root / "projects" / "2024")
    wuhan = (REPO / "templates" / "wuhan-2020" / "example.yaml").read_text(encoding="utf-8")
    (root / "projects" / "2024" / "武汉.yaml").write_text(wuhan.replace("年度: 2020", "年度: 2024"), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
            patch.delenv(name, raising=False)
        patch.setenv("GIT_CEILING_DIRECTORIES", str(root.parent))
        patch.chdir(root)
        git(root, "init", "-q", "-b", "main")
        commit(root, "seed")
        copy = root / "projects" / "2024" / ODD
        shutil.copy(SEED_DIR / "督查室工作经费.yaml", copy)
        edit(copy, "项目名称: 督查室工作经费", "项目名称: 督查室专项")
        edit(copy, "  年度资金总额: 12\n  财政拨款: 12\n", "  年度资金总额: 20.05\n  财政拨款: 20.05\n")
        edit(root / "projects" / "2024" / "督查室工作经费.yaml", "督查差旅费次数: ≥50次", "督查差旅费次数: ≥60次")
        assert run(["build", "projects", "--out", "build", "-q"]) == 0
        assert run(["diff", "main", "--format", "html", "--out", "review"]) == 0
    return root


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    for argument in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1280,900"):
        options.add_argument(argument)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    started = time.monotonic()
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    print(f"\nbrowser session: {time.monotonic() - started:.1f} s")


def url(path: Path, fragment: str = "") -> str:
    return path.as_uri() + (f"#{fragment}" if fragment else "")


def load(browser, path: Path, fragment: str = "") -> None:
    browser.get(url(path, fragment))
    errors = [entry for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]
    assert errors == [], errors


def index(site: Path) -> Path:
    return site / "build" / "2024" / "index.html"


def visible_names(browser) -> list[str]:
    return [row.find_element(By.CSS_SELECTOR, "td.name").text
            for row in browser.find_elements(By.CSS_SELECTOR, "#filings tbody tr") if row.is_displayed()]


def shown_totals(browser) -> list[str]:
    row = browser.find_element(By.CSS_SELECTOR, "#filings tfoot tr.shown")
    return [cell.text for cell in row.find_elements(By.CSS_SELECTOR, "td")] if row.is_displayed() else []


# --- the index --------------------------------------------------------------------------------------


def test_the_index_loads_with_its_controls(browser, site):
    load(browser, index(site))
    assert browser.find_element(By.ID, "controls").is_displayed()
    assert browser.find_element(By.ID, "shown").text == f"显示 {ROWS} / {ROWS} 个项目"
    assert len(visible_names(browser)) == ROWS and shown_totals(browser) == []


def test_filters_by_unit_form_and_severity(browser, site):
    load(browser, index(site))
    Select(browser.find_element(By.ID, "form")).select_by_visible_text("wuhan-2020")
    assert visible_names(browser) == ["社区公共卫生间改造"]
    Select(browser.find_element(By.ID, "form")).select_by_visible_text("全部")
    Select(browser.find_element(By.ID, "unit")).select_by_visible_text("银川市人民政府办公室")
    assert len(visible_names(browser)) == ROWS - 1 and "社区公共卫生间改造" not in visible_names(browser)
    # the totals of what is shown, added exactly: 327.7 + 20.05 (the copy); 武汉's own items blank
    assert shown_totals(browser)[:8] == ["347.75", "347.75", "0", "", "", "", "", "347.75"]
    Select(browser.find_element(By.ID, "severity")).select_by_visible_text("有错误")
    assert sorted(visible_names(browser)) == sorted(["信创设备购置经费", XINXI, "聘用人员工作经费"])
    Select(browser.find_element(By.ID, "severity")).select_by_visible_text("有提示")
    assert visible_names(browser) == ["聘用人员工作经费"]
    assert browser.find_element(By.ID, "shown").text == f"显示 1 / {ROWS} 个项目"


def test_search_finds_names_units_and_findings(browser, site):
    load(browser, index(site))
    search = browser.find_element(By.ID, "search")
    search.send_keys("督查室")
    assert sorted(visible_names(browser)) == ["督查室专项", "督查室工作经费"]
    search.clear()
    search.send_keys("COST.OVER-FUNDS")  # a rule id, in the findings of one filing, any case
    assert visible_names(browser) == [XINXI]
    search.clear()
    search.send_keys("没有这样的项目")
    assert visible_names(browser) == [] and browser.find_element(By.ID, "shown").text == f"显示 0 / {ROWS} 个项目"


def test_sorting_by_a_column(browser, site):
    load(browser, index(site))
    header = browser.find_element(By.XPATH, "//thead//th[contains(., '项目当年资金')]")
    header.find_element(By.TAG_NAME, "button").click()
    amounts = [float(cell.text) for cell in browser.find_elements(By.CSS_SELECTOR, "#filings tbody td.total")]
    assert amounts == sorted(amounts) and header.get_attribute("aria-sort") == "ascending"
    header.find_element(By.TAG_NAME, "button").click()
    amounts = [float(cell.text) for cell in browser.find_elements(By.CSS_SELECTOR, "#filings tbody td.total")]
    assert amounts == sorted(amounts, reverse=True) and amounts[0] == 150
    errors = browser.find_element(By.XPATH, "//thead//th[normalize-space(.)='错误']")
    errors.find_element(By.TAG_NAME, "button").click()
    counts = [int(cell.text) for cell in browser.find_elements(By.CSS_SELECTOR, "#filings tbody td.count.error")]
    assert counts == sorted(counts) and counts[-1] == 4  # 政府办信息中心工作经费: four errors
    assert header.get_attribute("aria-sort") is None


def test_a_finding_in_the_index_opens_its_cell(browser, site):
    load(browser, index(site))
    row = browser.find_element(By.XPATH, f"//tbody/tr[td[@class='name' and normalize-space(.)='{XINXI}']]")
    row.find_element(By.TAG_NAME, "summary").click()
    link = row.find_element(By.PARTIAL_LINK_TEXT, "第 28 行")
    link.click()
    assert unquote(browser.current_url).endswith(f"/{XINXI}.html#L28")
    target = browser.execute_script("return document.querySelector(':target')")
    assert target.get_attribute("id") == "L28" and target.tag_name == "td"
    assert "成本指标" in target.text and "cost.over-funds" in target.text
    assert {"l2", "flagged", "error"} <= set(target.get_attribute("class").split())


# --- links and console ------------------------------------------------------------------------------


def test_every_link_of_every_page_resolves(browser, site):
    """Every href, as the browser resolves it, is an existing file, and its fragment an id on that page."""
    pages = sorted((site / "build").rglob("*.html")) + sorted((site / "review").rglob("*.html"))
    assert len(pages) == ROWS + 1 + 4  # the review: index, both versions of the changed filing, the new one
    fragments: dict[Path, set[str]] = {}
    for page in pages:
        load(browser, page)
        for href in browser.execute_script("return Array.from(document.links, a => a.href)"):
            address, fragment = urldefrag(href)
            assert urlparse(address).scheme == "file", href
            target = Path(unquote(urlparse(address).path))
            assert target.is_file(), (page, href)
            if fragment:
                fragments.setdefault(target, set()).add(unquote(fragment))
    assert len(fragments) > 5
    for target, wanted in fragments.items():
        load(browser, target)
        ids = set(browser.execute_script("return Array.from(document.querySelectorAll('[id]'), e => e.id)"))
        assert wanted <= ids, (target, wanted - ids)


def test_the_anchor_of_a_line_highlights_its_cell(browser, site):
    page = site / "build" / "2024" / f"{XINXI}.html"
    load(browser, page, "L23")
    cell = browser.execute_script("return document.querySelector(':target')")
    assert cell.get_attribute("id") == "L23" and {"value", "flagged", "error"} <= set(cell.get_attribute("class").split())
    style = browser.execute_script(
        "const s = getComputedStyle(arguments[0]); return [s.outlineStyle, s.backgroundColor]", cell)
    assert style == ["solid", "rgb(255, 243, 191)"]
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top", cell)
    assert 0 <= top < browser.execute_script("return innerHeight")  # scrolled to it
    # a line without a finding is found too, on the cell that prints its value
    load(browser, page, "L25")
    assert browser.execute_script("return document.querySelector(':target').textContent") == "100%"


# --- printing ---------------------------------------------------------------------------------------


def print_pdf(browser, page: Path, folder: Path) -> list[str]:
    """The page printed by Chromium (its own @page size), as the text of each printed page."""
    load(browser, page)
    printed = browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
    pdf = folder / (page.stem + ".pdf")
    pdf.write_bytes(base64.b64decode(printed["data"]))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "x 841.92 pts (A4)" in info  # portrait
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout for n in range(1, pages + 1)]


def test_a_filing_prints_on_one_a4_page_like_the_form(browser, site, tmp_path):
    (page,) = print_pdf(browser, site / "build" / "2024" / "督查室工作经费.html", tmp_path)
    flat = "".join(page.split())
    for printed in ("附件2:", "银川市本级部门项目支出年度预算绩效目标申报表", "一级指标", "人大政协委员对政府工作满意度", "退回,不予纳入财政项目库",
                    "注:此表填报项目绩效目标涵盖年限为项目预算申报当年。"):
        assert printed in flat, printed
    # what the screen adds is not printed: the links, the list of findings, the notes on the cells
    assert "年度总览" not in flat and "检查发现" not in flat and "vague.value" not in flat


def test_a_longer_filing_repeats_the_table_heading_on_the_next_page(browser, site, tmp_path):
    pages = print_pdf(browser, site / "build" / "2024" / "市政府办公室工作经费.html", tmp_path)
    assert len(pages) == 2
    first, second = ("".join(page.split()) for page in pages)
    heading = ("一级指标", "二级指标", "三级指标", "指标值")
    assert all(h in first for h in heading) and "会费缴纳次数" in first  # the table starts on page 1
    assert all(h in second for h in heading) and "退回,不予纳入财政项目库" in second  # and its heading repeats


# --- without JavaScript -----------------------------------------------------------------------------


def test_the_pages_without_javascript(browser, site):
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        load(browser, index(site))
        assert not browser.find_element(By.ID, "controls").is_displayed()  # they need the script
        assert len(visible_names(browser)) == ROWS
        assert not browser.find_elements(By.CSS_SELECTOR, "thead th button")
        row = browser.find_element(By.XPATH, f"//tbody/tr[td[@class='name' and normalize-space(.)='{XINXI}']]")
        row.find_element(By.TAG_NAME, "summary").click()  # <details> opens without a script
        assert row.find_element(By.PARTIAL_LINK_TEXT, "第 28 行").is_displayed()
        load(browser, site / "build" / "2024" / f"{XINXI}.html", "L28")
        assert "成本指标" in browser.execute_script("return document.querySelector(':target').textContent")
        load(browser, site / "review" / "index.html")
        assert "修改：督查室工作经费" in browser.find_element(By.TAG_NAME, "body").text
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
