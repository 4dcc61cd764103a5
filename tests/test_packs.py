"""Every shipped form pack: its definition, its example filing checked, built and read back.

The expectations come from the pack's form.yaml and the example filing (read here with PyYAML and
ruamel's safe loader), not from jixiao's own layout code.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import html5lib
import pytest
import yaml
from conftest import REPO
from docx import Document
from docx.oxml.ns import qn

from generator.cli import run
from generator.forms.pack import load_forms

TEMPLATES = REPO / "templates"
# Target packs (a 自评 pack, `kind: self-evaluation`, is tested in test_selfeval_packs.py).
PACKS = sorted(p.parent.name for p in TEMPLATES.glob("*/form.yaml") if "kind" not in yaml.safe_load(p.read_text(encoding="utf-8")))
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def pack(form_id: str) -> dict:
    return yaml.safe_load((TEMPLATES / form_id / "form.yaml").read_text(encoding="utf-8"))


def example(form_id: str) -> dict:
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load((TEMPLATES / form_id / "example.yaml").read_text(encoding="utf-8"))


def test_seven_packs_are_shipped():
    assert PACKS == ["gansu-2023", "hunan-2023", "inner-mongolia-2021", "mof-2021", "ningxia-2019", "wuhan-2020", "yinchuan-2024"]
    assert sorted(load_forms()) == PACKS


def test_forms_lists_every_pack(capsys):
    assert run(["forms"]) == 0
    out = capsys.readouterr().out
    for form_id in PACKS:
        assert f"{form_id}" in out and pack(form_id)["name"] in out


def test_readme_table_of_supported_forms_is_current(capsys):
    assert run(["forms", "--format", "markdown"]) == 0
    table = capsys.readouterr().out
    assert table in (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("form_id", PACKS)
def test_example_filing_is_clean(form_id, capsys):
    code = run(["check", "--no-cache", "--format", "json", str(TEMPLATES / form_id / "example.yaml")])
    assert json.loads(capsys.readouterr().out) == []
    assert code == 0


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Every pack's example, built once (Word and HTML, and PDF where LibreOffice is installed)."""
    work = tmp_path_factory.mktemp("packs")
    for form_id in PACKS:
        year = str(example(form_id)["年度"])
        folder = work / "projects" / year
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(TEMPLATES / form_id / "example.yaml", folder / f"{form_id}.yaml")
    done = subprocess.run(
        [sys.executable, "-m", "generator", "build", "projects", "--out", "out", "-q", "--no-cache",
         *(["--pdf"] if shutil.which("soffice") else [])],
        cwd=work, capture_output=True, text=True, env=_env(work),
    )
    assert done.returncode == 0, done.stderr
    return work


def _env(work: Path) -> dict:
    import os

    return {**os.environ, "JIXIAO_CACHE_DIR": str(work / "cache"), "PYTHONPATH": str(REPO)}


def _output(built: Path, form_id: str, suffix: str) -> Path:
    return built / "out" / str(example(form_id)["年度"]) / f"{form_id}{suffix}"


def _scalars(node) -> list[str]:
    if isinstance(node, dict):
        return [text for key, value in node.items() for text in (str(key), *_scalars(value))]
    return [] if node is None else [str(node)]


def _filed_texts(form_id: str) -> list[str]:
    """Every text the example filing files (keys of indicators and values), as a clerk typed it."""
    data = example(form_id)
    definition = pack(form_id)
    texts = [str(data[field["key"]]) for field in definition.get("header", []) if not field.get("items") and field["key"] in data]
    texts += [str(value) for field in definition.get("header", []) if field.get("items") for value in data[field["key"]].values()]
    texts += [str(data[goal["key"]]) for goal in definition["goals"]]
    texts += [str(v) for v in data[definition["funds"]["key"]].values()]
    for tree in (definition["indicators"]["key"], (definition["indicators"].get("long_term") or {}).get("key")):
        for level in (data.get(tree) or {}).values():
            for group in level.values():
                for name, value in group.items():
                    texts.append(str(name))
                    if not isinstance(value, dict):
                        texts.append(str(value))
    return [t for t in texts if t.strip()]


def _printed_labels(form_id: str) -> list[str]:
    definition = pack(form_id)
    labels = [f.get("label", f["key"]) for f in definition.get("header", [])]
    labels += [item.get("label", item["key"]) for f in definition.get("header", []) for item in f.get("items", [])]
    labels += [item.get("label", item["key"]) for item in definition["funds"]["items"]]
    labels += [goal.get("label", goal["key"]) for goal in definition["goals"]]
    labels += [column["label"] for column in definition["indicators"]["columns"]]
    placeholders = set(re.findall(r"\{([^{}]+)\}", definition["title"] + str(definition.get("above_grid", ""))))
    return [label for label in labels if label not in placeholders]


def _docx_text(path: Path) -> str:
    """All text of the document body, cells and paragraphs, with line breaks as newlines."""
    root = Document(str(path)).element.body
    parts = []
    for element in root.iter(qn("w:t"), qn("w:br"), qn("w:p")):
        parts.append("\n" if element.tag != qn("w:t") else (element.text or ""))
    return "".join(parts)


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("form_id", PACKS)
def test_word_file_prints_the_title_every_label_and_every_value(built, form_id):
    text = _squeezed(_docx_text(_output(built, form_id, ".docx")))
    data = example(form_id)
    title = pack(form_id)["title"].replace("{年度}", str(data["年度"]))
    title = re.sub(r"\{([^{}]+)\}", lambda m: str(data.get(m.group(1), "")), title)
    assert _squeezed(title) in text
    for label in _printed_labels(form_id):
        assert _squeezed(label) in text, label
    for value in _filed_texts(form_id):
        assert _squeezed(value) in text, value


def _indicator_table(path: Path):
    """The table whose header row holds the pack's indicator column labels."""
    document = Document(str(path))
    for table in document.tables:
        for row in table.rows[:2]:
            texts = [c.text for c in row.cells]
            if "三级指标" in "".join(texts):
                return table, row
    raise AssertionError("no indicator table")


@pytest.mark.parametrize("form_id", PACKS)
def test_word_indicator_table_has_the_pack_columns_and_merges(built, form_id):
    definition = pack(form_id)["indicators"]
    table, header = _indicator_table(_output(built, form_id, ".docx"))
    label_column = definition.get("label_column", True)
    tbl = table._tbl
    grid = len(tbl.tblGrid.findall(qn("w:gridCol")))
    assert grid == len(definition["columns"]) + (1 if label_column else 0)
    header_texts = [tc.xpath("string(.)") for tc in header._tr.findall(qn("w:tc"))]
    assert [t for t in header_texts if t and t != definition["label"].split("\n")[0]][-len(definition["columns"]):] == [
        c["label"] for c in definition["columns"]
    ] or all(c["label"] in "".join(header_texts) for c in definition["columns"])
    merges = tbl.xpath(".//w:vMerge")
    restarts = [m for m in merges if m.get(qn("w:val")) == "restart"]
    if definition.get("merge", "vertical") == "none":
        # Only the left label column may be merged; 一级 and 二级 are printed on every row.
        assert len(restarts) <= (1 if label_column else 0)
    else:
        assert len(restarts) >= 1 + (1 if label_column else 0)


@pytest.mark.parametrize("form_id", PACKS)
def test_word_page_and_review_block(built, form_id):
    definition = pack(form_id)
    document = Document(str(_output(built, form_id, ".docx")))
    section = document.sections[0]
    landscape = definition.get("orientation") == "landscape"
    assert (section.page_width > section.page_height) == landscape
    text = _docx_text(_output(built, form_id, ".docx"))
    review = definition.get("review")
    assert (review is not None and review.get("label", review["key"]) in text) or review is None
    for item in definition.get("footer", []):
        assert item in text
    if not review:
        assert "综合评定等级" not in text and "审核意见" not in text


@pytest.mark.parametrize("form_id", PACKS)
def test_pdf_is_one_page_with_the_title(built, form_id):
    if not shutil.which("soffice") or not shutil.which("pdftotext"):
        pytest.skip("LibreOffice (soffice) 或 pdftotext 未安装，无法生成和读取 PDF")
    pdf = _output(built, form_id, ".pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info  # every example fits one A4 page
    data = example(form_id)
    title = re.sub(r"\{([^{}]+)\}", lambda m: str(data["年度"] if m.group(1) == "年度" else data.get(m.group(1), "")), pack(form_id)["title"])
    assert _squeezed(title) in _squeezed(text)


LONG = 60  # indicators added to each example's first 数量指标 group: more than a page of rows


@pytest.fixture(scope="module")
def long_built(tmp_path_factory) -> Path:
    """Every pack's example with LONG more indicators, built once with --pdf."""
    if not shutil.which("soffice") or not shutil.which("pdftotext"):
        pytest.skip("LibreOffice (soffice) 或 pdftotext 未安装，无法生成和读取 PDF")
    work = tmp_path_factory.mktemp("long-packs")
    anchor = "\n    数量指标:\n"
    added = "".join(f"      第{number}项指标: ≥{number}次\n" for number in range(1, LONG + 1))
    for form_id in PACKS:
        text = (TEMPLATES / form_id / "example.yaml").read_text(encoding="utf-8")
        assert anchor in text
        folder = work / "projects" / str(example(form_id)["年度"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{form_id}.yaml").write_text(text.replace(anchor, anchor + added, 1), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "generator", "build", "projects", "--out", "out", "-q", "--no-cache", "--pdf"],
        cwd=work, capture_output=True, text=True, env=_env(work),
    )
    assert done.returncode == 0, done.stderr
    return work


@pytest.mark.parametrize("form_id", PACKS)
def test_a_long_filing_repeats_the_indicator_header_on_every_page(long_built, form_id):
    pdf = _output(long_built, form_id, ".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = [
        _squeezed(subprocess.run(["pdftotext", "-raw", "-f", str(page), "-l", str(page), str(pdf), "-"],
                                 capture_output=True, text=True, check=True).stdout)
        for page in range(1, int(re.search(r"^Pages:\s+(\d+)$", info, re.M)[1]) + 1)
    ]
    # -raw gives a page's text in the order it is drawn: a header row repeated on a page comes first.
    header = "".join(_squeezed(column["label"]) for column in pack(form_id)["indicators"]["columns"])
    with_rows = [page for page in pages if re.search(r"第\d+项指标", page)]
    assert len(with_rows) >= 2
    assert header in with_rows[0]
    assert [page[:len(header)] for page in with_rows[1:]] == [header] * (len(with_rows) - 1)
    text = "".join(pages)
    assert [text.count(f"第{number}项指标≥{number}次") for number in range(1, LONG + 1)] == [1] * LONG  # every row, once


def _html_texts(path: Path) -> str:
    tree = html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)
    return "".join(tree.find("body").itertext())


@pytest.mark.parametrize("form_id", PACKS)
def test_html_page_prints_the_same_texts(built, form_id):
    path = _output(built, form_id, ".html")
    text = _squeezed(_html_texts(path))
    for label in _printed_labels(form_id):
        assert _squeezed(label) in text, label
    for value in _filed_texts(form_id):
        assert _squeezed(value) in text, value
    tree = html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)
    cells = tree.findall(".//td") + tree.findall(".//th")
    assert all(int(c.get("colspan", "1")) >= 1 and int(c.get("rowspan", "1")) >= 1 for c in cells)


def test_a_new_pack_added_as_data_only_builds(tmp_path):
    """A copy of jixiao with one more folder under templates/: schema, check and build, no code change."""
    copy = tmp_path / "jixiao"
    for name in ("generator", "templates", "schema.json", "pyproject.toml"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, copy / name)
    new = copy / "templates" / "test-city-2026"
    new.mkdir()
    definition = (TEMPLATES / "ningxia-2019" / "form.yaml").read_text(encoding="utf-8")
    definition = definition.replace("id: ningxia-2019", "id: test-city-2026").replace(
        'title: "自治区本级部门{年度}年项目支出预算绩效目标表"', 'title: "试验市{年度}年项目绩效目标表"'
    ).replace("    - {label: 指标值, show: value}", "    - {label: 指标值, show: value}\n    - {label: 备注, show: 备注}").replace(
        "  levels:", "  details:\n    - {key: 备注, description: 其他说明。, examples: [无]}\n  levels:", 1
    )
    (new / "form.yaml").write_text(definition, encoding="utf-8")
    filing = (TEMPLATES / "ningxia-2019" / "example.yaml").read_text(encoding="utf-8").replace("表样: ningxia-2019", "表样: test-city-2026")
    filing = filing.replace("      办事群众满意度: ≥90%", "      办事群众满意度: {指标值: ≥90%, 备注: 年底问卷}")
    projects = copy / "projects" / "2019"
    projects.mkdir(parents=True)
    (projects / "试验.yaml").write_text(filing, encoding="utf-8")
    env = {**_env(tmp_path), "PYTHONPATH": str(copy)}
    for args in (["schema"], ["check", "projects", "--no-cache"], ["build", "projects", "--out", "out", "-q", "--no-cache"]):
        done = subprocess.run([sys.executable, "-m", "generator", *args], cwd=copy, capture_output=True, text=True, env=env)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    text = _docx_text(copy / "out" / "2019" / "试验.docx")
    assert "试验市2019年项目绩效目标表" in text and "备注" in text and "年底问卷" in text
    assert "test-city-2026" in json.loads((copy / "schema.json").read_text(encoding="utf-8"))["properties"]["表样"]["enum"]


def test_examples_are_in_the_canonical_style_and_keep_the_filers_order(capsys):
    """fmt follows each form: keys in the order the form prints them, groups as filed where the form prints them so."""
    examples = [str(TEMPLATES / form_id / "example.yaml") for form_id in PACKS]
    assert run(["fmt", "--check", *examples]) == 0
    assert list(example("ningxia-2019")["绩效指标"]) == ["产出指标", "满意度指标", "效益指标"]
    assert list(example("ningxia-2019")["绩效指标"]["产出指标"]) == ["成本指标", "时效指标", "数量指标", "质量指标"]


def _invoke(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_new_takes_the_form_of_the_years_folder_then_the_config_then_the_default(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "projects" / "2023").mkdir(parents=True)
    shutil.copy(REPO / "schema.json", tmp_path / "schema.json")  # a filings repository: new refuses without one
    shutil.copy(TEMPLATES / "gansu-2023" / "example.yaml", tmp_path / "projects" / "2023" / "a.yaml")
    code, _, err = _invoke(capsys, "new", "档案数字化", "--year", "2023")
    assert code == 0 and "表样：gansu-2023（projects/2023 里的其他申报表用的是这个表样" in err
    made = (tmp_path / "projects" / "2023" / "档案数字化.yaml").read_text(encoding="utf-8")
    assert "表样: gansu-2023" in made and "二级项目名称: 档案数字化" in made and "项目实施计划:" in made
    assert _invoke(capsys, "check", "--no-cache", "--format", "json", "projects/2023/档案数字化.yaml")[1].count("schema.") == 0

    (tmp_path / "pyproject.toml").write_text('[tool.jixiao]\ndefault-form = "mof-2021"\n', encoding="utf-8")
    code, _, err = _invoke(capsys, "new", "数据治理", "--year", "2026")
    assert code == 0 and "表样：mof-2021" in err and "default-form" in err
    (tmp_path / "pyproject.toml").unlink()
    code, _, err = _invoke(capsys, "new", "数据治理二期", "--year", "2026")
    assert code == 0 and "表样：mof-2021（projects/2026 里的其他申报表用的是这个表样" in err
    code, _, err = _invoke(capsys, "new", "数据治理二期", "--year", "2027")
    assert code == 0 and "表样：yinchuan-2024（表样定义中标为默认" in err
    code, _, err = _invoke(capsys, "new", "数据治理三期", "--year", "2026", "--form", "hunan-2023")
    assert code == 0 and "表样：" not in err
    assert "表样: hunan-2023" in (tmp_path / "projects" / "2026" / "数据治理三期.yaml").read_text(encoding="utf-8")
    assert _invoke(capsys, "new", "x", "--form", "beijing-2030")[0] == 2


def test_rollover_moves_periods_and_dates_and_clears_the_review(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    old = tmp_path / "projects" / "2023"
    old.mkdir(parents=True)
    shutil.copy(TEMPLATES / "gansu-2023" / "example.yaml", old / "gansu.yaml")
    hunan = (TEMPLATES / "hunan-2023" / "example.yaml").read_text(encoding="utf-8")
    (old / "hunan.yaml").write_text(hunan.replace('财政部门审核意见: ""', "财政部门审核意见: 同意"), encoding="utf-8")
    assert _invoke(capsys, "rollover", "2023", "2024")[0] == 0
    gansu = (tmp_path / "projects" / "2024" / "gansu.yaml").read_text(encoding="utf-8")
    assert "项目开始日期: 2024-01-01" in gansu and "项目完成日期: 2024-12-31" in gansu and "年度: 2024" in gansu
    rolled = (tmp_path / "projects" / "2024" / "hunan.yaml").read_text(encoding="utf-8")
    assert "项目支出实施期: 2023.03-2024.02" in rolled  # still covers 2024: left as it is
    assert '财政部门审核意见: ""' in rolled
