"""jixiao's prepared renderer makes the same .docx content as the plain docxtpl loop (the benchmark's
baseline), on the seed and on synthetic filings, by either of its two ways of writing the merges."""

import io
import sys
from datetime import datetime, timezone

import pytest
from conftest import REPO, SEED_DIR
from docx import Document
from docx.oxml.ns import qn

from generator.forms.pack import load_forms
from generator.render.layout import form_context
from generator.render.word import DocumentInfo, PreparedTemplate, render_docx
from generator.review.check import check_paths

sys.path.insert(0, str(REPO / "benchmarks"))
from baseline import render_plain  # noqa: E402
from compare import same_content  # noqa: E402
from synthetic import write_filings  # noqa: E402

INFO = DocumentInfo("标题", "projects/2024/x.yaml @ 1a2b3c4", datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc))
FORM = load_forms()["yinchuan-2024"]


@pytest.fixture(scope="module")
def contexts(tmp_path_factory):
    synthetic = write_filings(tmp_path_factory.mktemp("synthetic") / "projects", 12, seed=11)
    _, filings = check_paths(sorted(SEED_DIR.glob("*.yaml")) + synthetic)
    assert len(filings) == 18
    return [form_context(filing, FORM) for filing in filings]


def test_same_content_as_the_plain_docxtpl_loop(contexts):
    for context in contexts:
        assert same_content(render_docx(FORM, context, INFO), render_plain(FORM, context, INFO)), context["field"]["项目名称"]


def test_the_parsing_way_gives_the_same_content(contexts):
    parsing = PreparedTemplate(FORM.word_template)
    parsing.text_merges = False  # what a template with column loops or nested tables takes
    for context in contexts:
        assert same_content(parsing.render(context, INFO), render_plain(FORM, context, INFO))


def test_the_comparison_can_tell_a_difference(contexts):
    context = contexts[0]
    changed = {**context, "rows": context["rows"][:-1]}
    assert not same_content(render_docx(FORM, changed, INFO), render_plain(FORM, context, INFO))


def test_rendering_twice_in_one_process_gives_the_same_bytes(contexts):
    first = [render_docx(FORM, c, INFO) for c in contexts]
    assert [render_docx(FORM, c, INFO) for c in contexts] == first


def _label_column(docx: bytes) -> list[tuple[str | None, str]]:
    """(vMerge, text) of the first cell of each row of the indicator table."""
    table = Document(io.BytesIO(docx)).tables[1]
    return [(tr.tc_lst[0].vMerge, "".join(t.text or "" for t in tr.tc_lst[0].iter(qn("w:t")))) for tr in table._tbl.tr_lst]


def test_a_label_merged_down_from_the_header_row_still_renders(contexts, tmp_path):
    """A hand-made template in the earlier way (the header row's 绩效指标 cell merged down into the
    indicator rows): the label cell of the rows continues that merge, in both ways of writing merges."""
    document = Document(FORM.word_template)
    header, _, row = (tr.tc_lst[0] for tr in document.tables[1]._tbl.tr_lst[:3])  # the label cells
    for tc, merge in ((header, "restart"), (row, "continue")):
        tc.tcPr.remove(tc.tcPr.find(qn("w:tcBorders")))
        tc.vMerge = merge
    header.p_lst[0].add_r().text = "{{ label['绩效指标'] }}"
    for r in row.p_lst[0].r_lst:
        row.p_lst[0].remove(r)
    path = tmp_path / "template.docx"
    document.save(path)
    context = contexts[0]
    expected = [("restart", "绩效指标")] + [("continue", "")] * len(context["rows"]) + [(None, "综合评定等级")]
    prepared = PreparedTemplate(path)
    assert _label_column(prepared.render(context, INFO)) == expected
    prepared.text_merges = False
    assert _label_column(prepared.render(context, INFO)) == expected
