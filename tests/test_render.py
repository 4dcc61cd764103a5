"""jixiao's prepared renderer makes the same .docx content as the plain docxtpl loop (the benchmark's
baseline), on the seed and on synthetic filings, by either of its two ways of writing the merges."""

import sys
from datetime import datetime, timezone

import pytest
from conftest import REPO, SEED_DIR

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
