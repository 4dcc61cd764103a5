"""Every way `jixiao check` rejects a filing: rule id, exact line (and column), Chinese hint.

Each test starts from one valid filing (the structure of projects/2024/督查室工作经费.yaml),
changes only what it is about with `filing(...)`, writes it under tmp_path/projects/<年度>/ and
checks it in-process. The review rules (tests/test_rules.py) are switched off here, except the
two that concern files and folders, so that each test sees only the rejection it is about.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest

from generator.cli import run
from generator.common.yamlio import MAX_BYTES, load_document
from generator.filing.model import build_filing
from generator.filing.validate import schema_findings
from generator.forms.definition import Field
from generator.forms.pack import load_forms
from generator.forms.schema import build_schema
from generator.review.check import check_paths
from generator.review.config import Config
from generator.review.rules import REGISTRY

REPO = Path(__file__).resolve().parents[1]

VALID = """\
# yaml-language-server: $schema=../../schema.json
表样: yinchuan-2024
年度: 2024
项目名称: 督查室工作经费
主管部门及代码: ""
实施单位: 银川市人民政府办公室
项目属性: ""
项目期: 2024年
项目资金:
  年度资金总额: 12
  财政拨款: 12
  其他资金: 0
年度总体目标: 本项目通过举办全市督查系统培训班,使督办事项流程更清晰直观。
绩效指标:
  产出指标:
    数量指标:
      宣传片制作期数: ≥1个
      督查差旅费次数: ≥50次
      印刷费: ≥600本
    质量指标:
      宣传片符合要求: 100%
      差旅费符合报销规定: 100%
      资料印刷准确率: 100%
    时效指标:
      宣传片符合制作要求: 11月份
      制作、调研工作开展时间: 12个月
    成本指标:
      宣传片费用制作: ≤9.8万元
      差旅费报销费用: ≤0.8万元
      资料汇编、口袋书、手册印刷费用: ≤1.4万元
  效益指标:
    经济效益指标:
      确保工作落实到位: 长期
    社会效益指标:
      确保工作落实到位: 长期
    生态效益指标:
      节约低碳环保: 长期
    可持续影响指标:
      服务保障全市各职能部门高效运转: 长期
  满意度指标:
    服务对象满意度指标:
      人大政协委员对政府工作满意度: 99%
"""


# ---------------------------------------------------------------------------------------------
# helpers


def filing(*changes: tuple[str, str]) -> str:
    """The valid filing with each (old, new) applied once; `old` must be in the text exactly once."""
    text = VALID
    for old, new in changes:
        assert text.count(old) == 1, f"mutation target {old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def line_of(text: str, fragment: str, nth: int = 1) -> int:
    """1-based line number of the nth line containing `fragment`."""
    hits = [number for number, line in enumerate(text.splitlines(), start=1) if fragment in line]
    assert len(hits) >= nth, f"{fragment!r} found on {len(hits)} lines"
    return hits[nth - 1]


def col_of(text: str, fragment: str, nth: int = 1, *, on: str | None = None) -> int:
    """1-based column (in characters) of `fragment` on the nth line containing `on` (default: `fragment`)."""
    return text.splitlines()[line_of(text, on or fragment, nth) - 1].index(fragment) + 1


def write(tmp_path: Path, content: str | bytes, name: str = "a.yaml", year: str = "2024") -> Path:
    folder = tmp_path / "projects" / year
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


TARGETED_REVIEW_RULES = {"header.year-folder", "project.duplicate-name"}
REVIEW_OFF = Config(disabled=frozenset(
    rule.id for rule in REGISTRY.values() if rule.stage == "review" and rule.id not in TARGETED_REVIEW_RULES
))


def check(*paths: Path):
    findings, _ = check_paths(list(paths), REVIEW_OFF)
    return findings


def only(findings, rule: str | None = None):
    """The single finding of a check (optionally asserting its rule)."""
    assert len(findings) == 1, [(f.line, f.col, f.rule, f.message) for f in findings]
    finding = findings[0]
    if rule is not None:
        assert finding.rule == rule, (finding.rule, finding.message)
    assert finding.severity.value == "error"
    return finding


def check_one(tmp_path: Path, content: str | bytes, rule: str, **where):
    return only(check(write(tmp_path, content, **where)), rule)


def run_json(capsys, *argv: str) -> tuple[int, list[dict]]:
    code = run(["check", *argv, "--format", "json"])
    out = capsys.readouterr().out
    return code, [r for r in json.loads(out) if r["rule"] not in REVIEW_OFF.disabled]


# ---------------------------------------------------------------------------------------------
# the baseline


def test_the_unchanged_filing_checks_clean(tmp_path):
    findings, filings = check_paths([write(tmp_path, VALID)], REVIEW_OFF)
    assert findings == []
    assert [f.name for f in filings] == ["督查室工作经费"]


# ---------------------------------------------------------------------------------------------
# duplicate keys


def test_duplicate_top_level_key(tmp_path):
    text = filing(("实施单位: 银川市人民政府办公室\n", "实施单位: 银川市人民政府办公室\n实施单位: 督查室\n"))
    f = check_one(tmp_path, text, "yaml.duplicate-key")
    assert (f.line, f.col) == (line_of(text, "实施单位", 2), 1) == (7, 1)
    assert "实施单位" in f.message
    assert "第 6 行" in f.message


def test_duplicate_key_inside_funds(tmp_path):
    text = filing(("  其他资金: 0\n", "  其他资金: 0\n  财政拨款: 10\n"))
    f = check_one(tmp_path, text, "yaml.duplicate-key")
    assert (f.line, f.col) == (line_of(text, "财政拨款", 2), 3)
    assert f"第 {line_of(text, '财政拨款')} 行" in f.message
    assert "财政拨款" in f.message


def test_two_third_level_indicators_with_the_same_name_in_one_group(tmp_path):
    text = filing(("      印刷费: ≥600本\n", "      印刷费: ≥600本\n      宣传片制作期数: ≥2个\n"))
    f = check_one(tmp_path, text, "yaml.duplicate-key")
    assert (f.line, f.col) == (line_of(text, "宣传片制作期数", 2), 7) == (20, 7)
    assert "第 17 行" in f.message
    assert "宣传片制作期数" in f.message


def test_every_duplicate_is_reported_not_only_the_first(tmp_path):
    text = filing(
        ("项目期: 2024年\n", "项目期: 2024年\n项目期: 2025年\n"),
        ("      印刷费: ≥600本\n", "      印刷费: ≥600本\n      印刷费: ≥700本\n"),
    )
    findings = check(write(tmp_path, text))
    assert [(f.rule, f.line) for f in findings] == [
        ("yaml.duplicate-key", line_of(text, "项目期", 2)),
        ("yaml.duplicate-key", line_of(text, "印刷费", 2)),
    ]
    assert f"第 {line_of(text, '项目期')} 行" in findings[0].message
    assert f"第 {line_of(text, '印刷费')} 行" in findings[1].message


def test_the_same_third_level_name_in_two_different_groups_is_allowed(tmp_path):
    # 确保工作落实到位 sits under both 经济效益指标 and 社会效益指标 in the valid filing.
    assert VALID.count("确保工作落实到位") == 2
    assert check(write(tmp_path, VALID)) == []


# ---------------------------------------------------------------------------------------------
# anchors and aliases


def test_anchor_and_alias_are_rejected(tmp_path):
    text = filing(('项目属性: ""\n', "项目属性: &a 延续项目\n"), ("项目期: 2024年\n", "项目期: *a\n"))
    f = check_one(tmp_path, text, "yaml.alias")
    assert (f.line, f.col) == (line_of(text, "&a"), col_of(text, "&a")) == (7, 7)
    assert "锚点" in f.message


def test_alias_alone_is_rejected(tmp_path):
    text = filing(("项目期: 2024年\n", "项目期: *a\n"))
    f = check_one(tmp_path, text, "yaml.alias")
    assert (f.line, f.col) == (line_of(text, "*a"), col_of(text, "*a")) == (8, 6)
    assert "别名" in f.message


def test_billion_laughs_is_rejected_quickly_without_expansion(tmp_path):
    names = "abcdefghij"
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip(names, names[1:]):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 10) + "]")
    started = time.perf_counter()
    f = check_one(tmp_path, "\n".join(lines) + "\n", "yaml.alias")
    assert time.perf_counter() - started < 1.0
    assert (f.line, f.col) == (1, 4)


# ---------------------------------------------------------------------------------------------
# size and encoding


def test_file_over_one_megabyte_is_rejected(tmp_path):
    content = VALID.encode("utf-8") + b"#" * (MAX_BYTES + 1 - len(VALID.encode("utf-8"))) + b"\n"
    assert len(content) > 1_000_000
    f = check_one(tmp_path, content, "file.too-large")
    assert (f.line, f.col) == (1, 1)
    assert "文件过大" in f.message


def test_file_of_exactly_the_limit_is_accepted(tmp_path):
    body = VALID.encode("utf-8")
    content = body + b"#" * (MAX_BYTES - len(body) - 1) + b"\n"
    assert len(content) == MAX_BYTES
    assert check(write(tmp_path, content)) == []


def test_gbk_file_is_rejected_with_a_resave_hint(tmp_path):
    content = VALID.encode("gbk")
    f = check_one(tmp_path, content, "file.encoding")
    assert (f.line, f.col) == (2, 1)  # line 1 is the ASCII comment; 表样 is the first Chinese text
    assert "GBK" in f.message
    assert "UTF-8 重新保存" in f.message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be-bom"])
def test_utf16_with_bom_is_rejected(tmp_path, encoding):
    content = VALID.encode("utf-16") if encoding == "utf-16" else b"\xfe\xff" + VALID.encode("utf-16-be")
    f = check_one(tmp_path, content, "file.encoding")
    assert (f.line, f.col) == (1, 1)
    assert "UTF-16" in f.message
    assert "UTF-8" in f.message


def test_utf8_with_bom_is_accepted(tmp_path, capsys):
    path = write(tmp_path, b"\xef\xbb\xbf" + VALID.encode("utf-8"))
    assert check(path) == []
    assert run_json(capsys, str(path)) == (0, [])


# ---------------------------------------------------------------------------------------------
# indentation characters


def test_tab_indentation(tmp_path):
    text = filing(("  财政拨款: 12\n", "\t财政拨款: 12\n"))
    f = check_one(tmp_path, text, "yaml.tab")
    assert (f.line, f.col) == (line_of(text, "财政拨款"), 1) == (11, 1)
    assert "Tab" in f.message


def test_tab_after_spaces_in_indentation(tmp_path):
    text = filing(("      印刷费: ≥600本\n", "    \t  印刷费: ≥600本\n"))
    f = check_one(tmp_path, text, "yaml.tab")
    assert (f.line, f.col) == (line_of(text, "印刷费"), 5)


def test_fullwidth_space_indentation(tmp_path):
    text = filing(("  财政拨款: 12\n", "\u3000财政拨款: 12\n"))
    f = check_one(tmp_path, text, "yaml.fullwidth-space")
    assert (f.line, f.col) == (11, 1)
    assert "全角空格" in f.message


# ---------------------------------------------------------------------------------------------
# syntax errors and their hints


def test_fullwidth_colon_line(tmp_path):
    text = filing(("项目名称: 督查室工作经费\n", "项目名称：督查室工作经费\n"))
    f = check_one(tmp_path, text, "yaml.syntax")
    assert (f.line, f.col) == (line_of(text, "项目名称："), col_of(text, "：")) == (4, 5)
    assert "全角冒号" in f.message


def test_fullwidth_colon_on_an_indicator_line(tmp_path):
    text = filing(("      印刷费: ≥600本\n", "      印刷费：≥600本\n"))
    f = check_one(tmp_path, text, "yaml.syntax")
    assert (f.line, f.col) == (line_of(text, "印刷费："), col_of(text, "："))
    assert "全角冒号" in f.message


@pytest.mark.parametrize("typed", [">=95%", ">95%", "> 95%"])
def test_value_starting_with_greater_than(tmp_path, typed):
    text = filing(("资料印刷准确率: 100%\n", f"资料印刷准确率: {typed}\n"))
    f = check_one(tmp_path, text, "yaml.syntax")
    assert (f.line, f.col) == (line_of(text, "资料印刷准确率"), col_of(text, typed))
    assert "“>”" in f.message
    assert "≥" in f.message


def test_unquoted_colon_space_inside_a_value(tmp_path):
    text = filing(("项目期: 2024年\n", "项目期: 2024年: 全年\n"))
    f = check_one(tmp_path, text, "yaml.syntax")
    assert (f.line, f.col) == (line_of(text, "项目期"), col_of(text, ": 全年")) == (8, 11)
    assert "引号" in f.message


def test_quoted_colon_space_inside_a_value_is_fine(tmp_path):
    text = filing(("项目期: 2024年\n", '项目期: "2024年: 全年"\n'))
    assert check(write(tmp_path, text)) == []


def test_key_dedented_out_of_its_block(tmp_path):
    text = filing(("  其他资金: 0\n", " 其他资金: 0\n"))
    f = check_one(tmp_path, text, "yaml.syntax")
    assert (f.line, f.col) == (line_of(text, "其他资金"), 2) == (12, 2)
    assert "缩进" in f.message


def test_key_indented_deeper_than_its_siblings(tmp_path):
    text = filing(("  财政拨款: 12\n", "   财政拨款: 12\n"))
    f = check_one(tmp_path, text, "yaml.syntax")
    assert f.line == line_of(text, "财政拨款") == 11


def test_unclosed_quote_is_reported_where_the_quote_opens(tmp_path):
    text = filing(("项目期: 2024年\n", '项目期: "2024年\n'))
    f = check_one(tmp_path, text, "yaml.syntax")
    assert "引号" in f.message
    # The quote opened on line 8 is never closed; the report must point there, not past the
    # last line of the file where the scanner gave up.
    assert (f.line, f.col) == (line_of(text, '"2024年'), col_of(text, '"', on="项目期")) == (8, 6)


# ---------------------------------------------------------------------------------------------
# control characters


def test_raw_control_character(tmp_path):
    text = filing(("实施单位: 银川市人民政府办公室\n", "实施单位: 银川\x01市人民政府办公室\n"))
    f = check_one(tmp_path, text, "text.control-char")
    assert (f.line, f.col) == (line_of(text, "\x01"), col_of(text, "\x01")) == (6, 9)
    assert "U+0001" in f.message


def test_escaped_control_character_in_double_quotes(tmp_path):
    text = filing(('主管部门及代码: ""\n', '主管部门及代码: "[812]\\x01银川"\n'))
    f = check_one(tmp_path, text, "text.control-char")
    assert (f.line, f.col) == (line_of(text, "主管部门及代码"), col_of(text, '"[812]')) == (5, 10)
    assert "U+0001" in f.message


# ---------------------------------------------------------------------------------------------
# schema errors


def test_unknown_top_level_key_with_suggestion(tmp_path):
    text = filing(("项目期: 2024年\n", "项目期: 2024年\n项目名: 督查\n"))
    f = check_one(tmp_path, text, "schema.additionalProperties")
    assert (f.line, f.col) == (line_of(text, "项目名:"), 1) == (9, 1)
    assert "项目名" in f.message
    assert "是不是“项目名称”" in f.message


def test_misspelt_second_level_under_output_indicators(tmp_path):
    text = filing(("    数量指标:\n", "    数量指木:\n"))
    f = check_one(tmp_path, text, "schema.enum")
    assert (f.line, f.col) == (line_of(text, "数量指木"), 5) == (16, 5)
    for phrase in ("二级指标", "数量指木", "产出指标", "数量指标、质量指标、时效指标、成本指标"):
        assert phrase in f.message
    assert "是不是“数量指标”" in f.message


def test_second_level_under_the_wrong_first_level(tmp_path):
    text = filing(("    经济效益指标:\n", "    成本指标:\n"))
    f = check_one(tmp_path, text, "schema.enum")
    assert (f.line, f.col) == (line_of(text, "成本指标", 2), 5)
    assert "成本指标" in f.message
    assert "效益指标" in f.message
    assert "经济效益指标、社会效益指标、生态效益指标、可持续影响指标" in f.message


def test_unknown_first_level(tmp_path):
    text = filing(("  效益指标:\n", "  效果指标:\n"))
    f = check_one(tmp_path, text, "schema.enum")
    assert (f.line, f.col) == (line_of(text, "效果指标"), 3)
    assert "一级指标" in f.message
    assert "产出指标、效益指标、满意度指标" in f.message


def test_unknown_form(tmp_path):
    text = filing(("表样: yinchuan-2024\n", "表样: yinchuan-2025\n"))
    f = check_one(tmp_path, text, "schema.enum")
    assert (f.line, f.col) == (2, 5)
    assert "yinchuan-2025" in f.message
    assert "yinchuan-2024" in f.message


def test_missing_required_top_level_field(tmp_path):
    text = filing(("实施单位: 银川市人民政府办公室\n", ""))
    f = check_one(tmp_path, text, "schema.required")
    assert (f.line, f.col) == (1, 1)
    assert "缺少必填的“实施单位”" in f.message


def test_missing_required_amount_is_reported_at_its_block(tmp_path):
    text = filing(("  财政拨款: 12\n", ""))
    f = check_one(tmp_path, text, "schema.required")
    assert (f.line, f.col) == (line_of(text, "项目资金"), 1) == (9, 1)
    assert "“项目资金”缺少必填的“财政拨款”" in f.message


def test_every_missing_amount_of_one_block_is_reported(tmp_path):
    text = filing(("  财政拨款: 12\n  其他资金: 0\n", ""))
    findings = check(write(tmp_path, text))
    assert [(f.rule, f.line, f.col) for f in findings] == [("schema.required", 9, 1), ("schema.required", 9, 1)]
    assert {f.message for f in findings} == {"“项目资金”缺少必填的“财政拨款”", "“项目资金”缺少必填的“其他资金”"}


def test_every_missing_top_level_field_is_reported(tmp_path):
    text = filing(("实施单位: 银川市人民政府办公室\n", ""), ("项目期: 2024年\n", ""))
    findings = check(write(tmp_path, text))
    assert [(f.rule, f.line, f.col) for f in findings] == [("schema.required", 1, 1), ("schema.required", 1, 1)]
    assert {f.message for f in findings} == {"申报表缺少必填的“实施单位”", "申报表缺少必填的“项目期”"}


@pytest.mark.parametrize(("old", "new", "key", "named", "guess"), [
    ('项目属性: ""\n', '项目类型: ""\n', "项目类型", "项目属性", "项目期"),
    ("项目期: 2024年\n", "实施期限: 2024年\n", "实施期限", "项目期", "实施单位"),
    ('主管部门及代码: ""\n', '主管单位: ""\n', "主管单位", "主管部门及代码", "实施单位"),
], ids=["项目类型", "实施期限", "主管单位"])
def test_another_offices_name_of_a_field_is_named_not_guessed(tmp_path, old, new, key, named, guess):
    # The form's aliases (x-aliases in schema.json) know what the key means; a spelling guess would
    # point at the field that merely looks alike.
    text = filing((old, new))
    findings = check(write(tmp_path, text))
    assert [(f.rule, f.line) for f in findings] == [("schema.required", 1), ("schema.additionalProperties", line_of(text, key))]
    assert f"缺少必填的“{named}”" in findings[0].message
    assert findings[1].message.endswith(f"。“{key}”在本表样中叫“{named}”")
    assert f"是不是“{guess}”" not in findings[1].message


def test_another_offices_name_of_a_group_is_named_not_guessed(tmp_path):
    text = filing(("    时效指标:\n", "    进度指标:\n"))
    f = check_one(tmp_path, text, "schema.enum")
    assert (f.line, f.col) == (line_of(text, "进度指标"), 5)
    assert f.message.endswith("。“进度指标”在本表样中叫“时效指标”")
    assert "质量指标”？" not in f.message


def test_an_alias_of_an_amount_is_named_in_its_block(tmp_path):
    text = filing(("  财政拨款: 12\n", "  当年财政拨款: 12\n"))
    findings = check(write(tmp_path, text))
    assert [(f.rule, f.line) for f in findings] == [("schema.required", 9), ("schema.additionalProperties", 11)]
    assert findings[1].message.endswith("。“当年财政拨款”在本表样中叫“财政拨款”")


def test_with_several_forms_an_unknown_key_is_reported_once_against_the_filings_own_form():
    # schema.json of several forms checks keys twice: against the union of all forms and in the
    # filing's own form's branch. One finding each, listing this form's keys and its aliases.
    yinchuan = load_forms()["yinchuan-2024"]
    other = dataclasses.replace(yinchuan, id="other-2024", fields=(*yinchuan.fields, Field("填报单位", "填报单位")), _by_key={})
    schema = build_schema({form.id: form for form in (yinchuan, other)})
    assert "allOf" in schema
    text = filing(("项目期: 2024年\n", "项目期: 2024年\n项目名: 督查\n填报单位: 督查室\n项目类型: 延续项目\n"))
    findings = schema_findings(load_document("a.yaml", text.encode("utf-8")), schema)
    assert [(f.rule, f.line, f.col) for f in sorted(findings, key=lambda f: f.line)] == [
        ("schema.additionalProperties", 9, 1), ("schema.additionalProperties", 10, 1), ("schema.additionalProperties", 11, 1),
    ]
    by_line = {f.line: f.message for f in findings}
    own_keys = "、".join([*yinchuan.top_level_keys, "自评"])  # and the year-end results
    assert all(f"（可选：{own_keys}）" in message for message in by_line.values())
    assert by_line[9].endswith("是不是“项目名称”？")
    assert by_line[10].startswith("字段“填报单位”不是申报表下的可选项")
    assert by_line[11].endswith("。“项目类型”在本表样中叫“项目属性”")


@pytest.mark.parametrize("amount", ["12万", "12万元"])
def test_money_in_the_fields_unit_is_accepted(tmp_path, amount):
    assert check(write(tmp_path, filing(("  年度资金总额: 12\n", f"  年度资金总额: {amount}\n")))) == []


@pytest.mark.parametrize("amount", ["12元", "十二", "1,200"])
def test_money_in_another_unit_or_words(tmp_path, amount):
    text = filing(("  年度资金总额: 12\n", f"  年度资金总额: {amount}\n"))
    f = check_one(tmp_path, text, "schema.pattern")
    assert (f.line, f.col) == (line_of(text, amount), col_of(text, amount)) == (10, 11)
    assert f"“{amount}”" in f.message
    assert "单位是万元" in f.message


@pytest.mark.parametrize("year", ["24", "20244", "二〇二四"])
def test_year_not_four_digits(tmp_path, year):
    text = filing(("年度: 2024\n", f"年度: {year}\n"))
    f = check_one(tmp_path, text, "schema.pattern")
    assert (f.line, f.col) == (3, 5)
    assert "四位数字" in f.message


@pytest.mark.parametrize("written", ["项目期: [2024年, 2025年]\n", "项目期:\n  - 2024年\n  - 2025年\n"])
def test_list_where_text_is_expected(tmp_path, written):
    text = filing(("项目期: 2024年\n", written))
    f = check_one(tmp_path, text, "schema.type")
    assert f.line == line_of(text, "2024年")
    assert "“项目期”应为文字，实际是列表" in f.message


def test_empty_group_must_be_written_as_braces(tmp_path):
    text = filing(("    生态效益指标:\n      节约低碳环保: 长期\n", "    生态效益指标:\n"))
    f = check_one(tmp_path, text, "schema.type")
    assert "生态效益指标" in f.message
    assert "写 {}" in f.message
    # The empty group is the key on line 36; line 37 is the next, correctly filled group (可持续影响指标).
    assert f.line == line_of(text, "生态效益指标") == 36


def test_empty_group_written_as_braces_is_accepted(tmp_path):
    text = filing(("    生态效益指标:\n      节约低碳环保: 长期\n", "    生态效益指标: {}\n"))
    assert check(write(tmp_path, text)) == []


def test_indicator_mapping_with_an_unknown_column(tmp_path):
    text = filing(("      印刷费: ≥600本\n", "      印刷费:\n        指标值: ≥600本\n        单位: 本\n"))
    f = check_one(tmp_path, text, "schema.additionalProperties")
    assert (f.line, f.col) == (line_of(text, "单位: 本"), 9)
    assert "栏目“单位”" in f.message
    assert "指标值、指标解释、绩效标准、备注" in f.message


def test_indicator_mapping_with_known_columns_is_accepted(tmp_path):
    text = filing(("      印刷费: ≥600本\n", "      印刷费:\n        指标值: ≥600本\n        绩效标准: 计划标准\n"))
    assert check(write(tmp_path, text)) == []


# ---------------------------------------------------------------------------------------------
# review rules: year folder, duplicate names


def test_year_differs_from_its_folder(tmp_path):
    f = check_one(tmp_path, VALID, "header.year-folder", year="2025")
    assert (f.line, f.col) == (line_of(VALID, "年度: 2024"), 5) == (3, 5)
    assert "2024" in f.message and "2025" in f.message


def test_same_project_name_in_two_files_is_reported_in_both(tmp_path):
    first = write(tmp_path, VALID, name="a.yaml")
    second = write(tmp_path, filing(("项目期: 2024年\n", "项目期: 2024年\n")), name="b.yaml")
    findings = check(first, second)
    assert [(f.file, f.rule, f.line, f.col) for f in findings] == [
        (first.as_posix(), "project.duplicate-name", 4, 7),
        (second.as_posix(), "project.duplicate-name", 4, 7),
    ]
    assert "督查室工作经费" in findings[0].message
    assert second.as_posix() in findings[0].message
    assert first.as_posix() in findings[1].message


# ---------------------------------------------------------------------------------------------
# empty and unreadable files


@pytest.mark.parametrize("content", ["", "# 只有注释\n# 还没有填\n", "\n\n   \n"])
def test_empty_or_comment_only_file(tmp_path, content):
    f = check_one(tmp_path, content, "file.empty")
    assert (f.line, f.col) == (1, 1)
    assert "空" in f.message


def test_directory_named_like_a_filing(tmp_path, capsys):
    write(tmp_path, VALID, name="ok.yaml")
    (tmp_path / "projects" / "2024" / "x.yaml").mkdir()
    code, records = run_json(capsys, str(tmp_path / "projects"))
    assert code == 1
    assert [(Path(r["file"]).name, r["rule"], r["line"], r["col"]) for r in records] == [
        ("x.yaml", "file.unreadable", 1, 1),
    ]
    assert "文件夹" in records[0]["message"]


# ---------------------------------------------------------------------------------------------
# typed-looking scalars stay text


def test_typed_looking_scalars_are_kept_as_typed(tmp_path):
    text = filing(
        ("宣传片制作期数: ≥1个", "宣传片制作期数: 0"),
        ("督查差旅费次数: ≥50次", "督查差旅费次数: 0.10"),
        ("印刷费: ≥600本", "印刷费: 12"),
        ("宣传片符合要求: 100%", "宣传片符合要求: no"),
        ("差旅费符合报销规定: 100%", "差旅费符合报销规定: 2024-01-01"),
        ("资料印刷准确率: 100%", "资料印刷准确率: null"),
        ("宣传片符合制作要求: 11月份", "宣传片符合制作要求: ~"),
        ("节约低碳环保: 长期", "0: 长期"),
        ("年度资金总额: 12", "年度资金总额: 52.5"),
        ("财政拨款: 12", "财政拨款: 52.40"),
        ("其他资金: 0", "其他资金: 0.10"),
    )
    path = write(tmp_path, text)
    findings, filings = check_paths([path], REVIEW_OFF)
    assert findings == []
    (checked,) = filings

    document = load_document(path.as_posix(), path.read_bytes())
    model = build_filing(document, load_forms()["yinchuan-2024"])
    assert model == checked
    values = {i.name: i.value for i in model.indicators}
    assert values["宣传片制作期数"] == "0"
    assert values["督查差旅费次数"] == "0.10"
    assert values["印刷费"] == "12"
    assert values["宣传片符合要求"] == "no"
    assert values["差旅费符合报销规定"] == "2024-01-01"
    assert values["资料印刷准确率"] == "null"
    assert values["宣传片符合制作要求"] == "~"
    assert values["0"] == "长期"
    assert all(type(i.name) is str and type(i.value) is str for i in model.indicators)
    assert model.total == Decimal("52.5") and str(model.total) == "52.5"
    assert model.amounts["其他资金"] == Decimal("0.10") and str(model.amounts["其他资金"]) == "0.10"
    assert model.funds_text == {"年度资金总额": "52.5", "财政拨款": "52.40", "其他资金": "0.10"}
    assert model.year == 2024


# ---------------------------------------------------------------------------------------------
# output formats and ordering


def _two_broken_files(tmp_path) -> tuple[Path, Path]:
    a = write(tmp_path, filing(("年度资金总额: 12", "年度资金总额: 12元"), ("项目期: 2024年\n", "项目期: 2024年\n项目名: x\n")), name="a.yaml")
    b = write(tmp_path, filing(("项目名称: 督查室工作经费", "项目名称：督查室工作经费")), name="b.yaml")
    return a, b


def test_text_format(tmp_path, capsys):
    a, b = _two_broken_files(tmp_path)
    code = run(["check", str(a), str(b)])
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert code == 1
    assert len(lines) == 3
    pattern = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): 错误 \[(?P<rule>[a-z][\w.-]*)\] (?P<message>.+)$")
    parsed = [pattern.match(line) for line in lines]
    assert all(parsed), lines
    assert [(m["file"], int(m["line"]), int(m["col"]), m["rule"]) for m in parsed] == [
        (a.as_posix(), 9, 1, "schema.additionalProperties"),
        (a.as_posix(), 11, 11, "schema.pattern"),
        (b.as_posix(), 4, 5, "yaml.syntax"),
    ]
    assert "3 个错误" in captured.err


def test_json_format(tmp_path, capsys):
    a, b = _two_broken_files(tmp_path)
    code, records = run_json(capsys, str(a), str(b))
    assert code == 1
    assert len(records) == 3
    for record in records:
        assert set(record) == {"file", "line", "col", "severity", "rule", "message"}
        assert record["severity"] in ("error", "warning", "info")
        assert isinstance(record["line"], int) and isinstance(record["col"], int)
    assert [(r["file"], r["line"], r["col"], r["rule"]) for r in records] == [
        (a.as_posix(), 9, 1, "schema.additionalProperties"),
        (a.as_posix(), 11, 11, "schema.pattern"),
        (b.as_posix(), 4, 5, "yaml.syntax"),
    ]
    assert "全角冒号" in records[2]["message"]


def test_github_format(tmp_path, capsys):
    a, b = _two_broken_files(tmp_path)
    code = run(["check", str(a), str(b), "--format", "github"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert len(lines) == 3
    for line in lines:
        assert line.startswith("::error file=")
        assert re.search(r",line=\d+,col=\d+,title=[\w.-]+::", line), line
    assert ",line=11,col=11,title=schema.pattern::" in lines[1]
    assert ",line=4,col=5,title=yaml.syntax::" in lines[2]


def test_findings_are_sorted_by_file_line_col(tmp_path):
    # Written in reverse order, with several findings per file.
    z = write(tmp_path, filing(("年度: 2024", "年度: 24"), ("年度资金总额: 12", "年度资金总额: 12元"), ("    数量指标:", "    数量指木:")), name="z.yaml")
    # With an unknown 表样 only what every form shares (表样, 年度) can be checked.
    a = write(tmp_path, filing(("年度: 2024", "年度: 二四"), ("表样: yinchuan-2024", "表样: x")), name="a.yaml")
    findings = check(z, a)
    keys = [(f.file, f.line, f.col) for f in findings]
    assert keys == sorted(keys)
    assert [f.file for f in findings] == [a.as_posix()] * 2 + [z.as_posix()] * 3
    assert [f.line for f in findings] == [2, 3, 3, 10, 16]


# ---------------------------------------------------------------------------------------------
# exit codes


def test_real_filings_load_cleanly_and_exit_1_for_their_review_errors(capsys):
    code, records = run_json(capsys, str(REPO / "projects" / "2024"))
    assert records == []
    assert code == 1  # the seed's own flaws (tests/test_rules.py pins them)


def test_exit_0_on_a_clean_filing(tmp_path):
    path = write(tmp_path, (REPO / "templates" / "yinchuan-2024" / "example.yaml").read_text(encoding="utf-8"))
    assert run(["check", str(path)]) == 0


def test_exit_1_on_any_error(tmp_path, capsys):
    path = write(tmp_path, filing(("年度: 2024", "年度: 24")))
    assert run(["check", str(path)]) == 1


@pytest.mark.parametrize("argv", [
    ["check", "/nonexistent/projects/2024/none.yaml"],
    ["check", "--format", "xml"],
    ["check", "--no-such-option"],
])
def test_exit_2_on_usage_errors(argv, capsys):
    assert run(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "用法错误" in captured.err


# ---------------------------------------------------------------------------------------------
# one broken file does not hide the others


def test_one_broken_file_does_not_hide_findings_in_others(tmp_path, capsys):
    write(tmp_path, VALID.encode("gbk"), name="a_gbk.yaml")
    write(tmp_path, filing(("      印刷费: ≥600本\n", "      印刷费: ≥600本\n      印刷费: ≥1本\n")), name="b_dup.yaml")
    write(tmp_path, filing(("项目名称: 督查室工作经费", "项目名称：督查室工作经费")), name="c_syntax.yaml")
    write(tmp_path, filing(("    数量指标:", "    数量指木:"), ("项目名称: 督查室工作经费", "项目名称: 另一个项目")), name="d_schema.yaml")
    write(tmp_path, VALID, name="e_year.yaml", year="2025")
    write(tmp_path, filing(("项目名称: 督查室工作经费", "项目名称: 第三个项目")), name="f_ok.yaml")
    code, records = run_json(capsys, str(tmp_path / "projects"))
    assert code == 1
    assert [(Path(r["file"]).name, r["rule"], r["line"]) for r in records] == [
        ("a_gbk.yaml", "file.encoding", 2),
        ("b_dup.yaml", "yaml.duplicate-key", 20),
        ("c_syntax.yaml", "yaml.syntax", 4),
        ("d_schema.yaml", "schema.enum", 16),
        ("e_year.yaml", "header.year-folder", 3),
    ]
