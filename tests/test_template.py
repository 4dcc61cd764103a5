"""The committed Word template is exactly what its script makes, and uses only documented names."""

import runpy

from conftest import REPO, SEED_DIR
from docxtpl import DocxTemplate

from generator.forms.pack import load_forms
from generator.render.layout import form_context
from generator.review.check import check_paths

FORM_DIR = REPO / "templates" / "yinchuan-2024"


def test_committed_template_is_what_the_script_makes(tmp_path):
    build = runpy.run_path(str(FORM_DIR / "make_template.py"))["build"]
    made = build(tmp_path / "template.docx")
    assert made == (FORM_DIR / "template.docx").read_bytes()


def test_template_uses_only_names_of_the_context():
    _, filings = check_paths(sorted(SEED_DIR.glob("*.yaml")))
    form = load_forms()["yinchuan-2024"]
    context = form_context(filings[0], form)
    needed = DocxTemplate(FORM_DIR / "template.docx").get_undeclared_template_variables()
    assert needed <= set(context), needed - set(context)
    assert {"form", "label", "field", "funds", "rows", "columns", "grade_options"} <= needed


def test_templates_readme_documents_every_context_name():
    _, filings = check_paths(sorted(SEED_DIR.glob("*.yaml")))
    context = form_context(filings[0], load_forms()["yinchuan-2024"])
    readme = (REPO / "templates" / "README.md").read_text(encoding="utf-8")
    for name in context:
        assert f"`{name}" in readme, name
