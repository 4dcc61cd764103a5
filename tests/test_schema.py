"""schema.json: draft-07, generated from the form definitions, helpful in the editor."""

import json

from conftest import REPO
from jsonschema import Draft7Validator

from generator.forms.pack import load_forms
from generator.forms.schema import render_schema

SCHEMA = json.loads((REPO / "schema.json").read_text(encoding="utf-8"))
# With one form its fields are at the top level; with several, under allOf → if/then (yinchuan-2024's branch here).
FORM = next(
    branch["then"] for branch in SCHEMA["allOf"] if branch["if"]["properties"]["表样"]["const"] == "yinchuan-2024"
) if "allOf" in SCHEMA else SCHEMA


def test_schema_is_valid_draft_07():
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"
    Draft7Validator.check_schema(SCHEMA)


def test_committed_schema_is_generated_from_the_forms():
    assert (REPO / "schema.json").read_text(encoding="utf-8") == render_schema(load_forms())


def _field_schemas(schema):
    """Every schema that describes a field a clerk fills in."""
    for key, sub in schema.get("properties", {}).items():
        yield key, sub
        yield from _field_schemas(sub)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        yield "(三级指标)", extra
        yield from _field_schemas(extra)


def test_every_field_has_chinese_title_description_and_examples():
    fields = list(_field_schemas(SCHEMA)) + list(_field_schemas(FORM))
    assert len(fields) > 30
    for key, sub in fields:
        assert sub.get("title"), key
        assert sub.get("description"), key
        if sub.get("type") not in ("object",) and "enum" not in sub:
            assert sub.get("examples"), key


def test_enums_offer_form_level1_and_level2_names():
    assert SCHEMA["properties"]["表样"]["enum"] == sorted(load_forms())
    assert "yinchuan-2024" in SCHEMA["properties"]["表样"]["enum"]
    indicators = FORM["properties"]["绩效指标"]
    assert indicators["propertyNames"]["enum"] == ["产出指标", "效益指标", "满意度指标"]
    assert indicators["properties"]["产出指标"]["propertyNames"]["enum"] == ["数量指标", "质量指标", "时效指标", "成本指标"]
    assert indicators["properties"]["效益指标"]["propertyNames"]["enum"] == [
        "经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标",
    ]
    assert "必填量化" in indicators["properties"]["产出指标"]["properties"]["数量指标"]["description"]


def test_typos_are_errors():
    # Each form names its own keys; no other key is accepted.
    assert FORM["propertyNames"]["enum"][:2] == ["表样", "年度"] and "项目名称" in FORM["propertyNames"]["enum"]
    assert FORM["properties"]["项目资金"]["additionalProperties"] is False


def test_seed_filings_valid_for_an_editor_that_reads_yaml_types(seed_files):
    """An editor loads `150` as a number and `0` as an integer: the schema must accept that too."""
    from ruamel.yaml import YAML

    validator = Draft7Validator(SCHEMA)
    for path in seed_files:
        data = json.loads(json.dumps(YAML(typ="safe").load(path.read_text(encoding="utf-8")), default=str))
        assert list(validator.iter_errors(data)) == [], path.name
