"""The review rules on year-end results (review/rules/results.py): each one's trigger, at its line, and a
near miss that stays silent. The base is the clean example templates/selfeval-2020/example-with-results.yaml."""

from __future__ import annotations

import inspect
from dataclasses import replace

import pytest
from conftest import REPO

from generator.common import resources
from generator.forms.pack import load_forms
from generator.forms.schema import load_schema
from generator.review.check import check_source

EXAMPLE = (REPO / "templates" / "selfeval-2020" / "example-with-results.yaml").read_text(encoding="utf-8")
NO_TOTAL = EXAMPLE.replace("  总分: 83.93\n", "")


def edited(*changes: tuple[str, str], text: str = EXAMPLE) -> str:
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def results_findings(text: str, forms=None) -> list[tuple[str, int, int, str]]:
    checked = check_source("a.yaml", text.encode("utf-8"), forms or load_forms(), load_schema(resources.schema_path()))
    assert checked.filing is not None, checked.findings
    return [(f.rule, f.line, f.col, f.message) for f in sorted(checked.findings) if f.rule.startswith("result.")]


def rules_of(text: str) -> list[str]:
    return [rule for rule, *_ in results_findings(text)]


def line_of(text: str, needle: str, after: str = "自评:") -> int:
    start = text.index(after)
    return text[: text.index(needle, start)].count("\n") + 1


def test_the_example_is_clean():
    assert results_findings(EXAMPLE) == []


def test_a_filing_without_results_gets_no_result_finding():
    assert results_findings(EXAMPLE[: EXAMPLE.index("自评:")]) == []


def test_pack_missing():
    unpaired = {"yinchuan-2024": replace(load_forms()["yinchuan-2024"], self_evaluation="")}
    [(rule, line, _, message)] = results_findings(EXAMPLE, unpaired)
    assert (rule, line) == ("result.pack", line_of(EXAMPLE, "自评:", "绩效指标:"))
    assert "没有配对的自评表样" in message and "表样" in message
    named = edited(("自评:\n", "自评:\n  表样: selfeval-2020\n"))
    assert results_findings(named, unpaired) == []


def test_actual_missing_for_a_target_without_result():
    text = edited(("        话务坐席数量: 40个\n", ""))
    [(rule, line, _, message)] = results_findings(text)
    assert rule == "result.actual-missing" and line == line_of(text, "话务坐席数量", "绩效指标:")  # at the target
    assert "“话务坐席数量”（数量指标）没有自评结果" in message


def test_actual_missing_when_blank():
    text = edited(("        话务坐席数量: 40个\n", "        话务坐席数量: {实际完成值: '', 偏差原因分析及改进措施: 未统计}\n"))
    assert rules_of(text) == ["result.actual-missing"]
    assert results_findings(text)[0][1] == line_of(text, "话务坐席数量: {")


def test_unknown_indicator_with_a_hint():
    text = edited(("        话务坐席数量: 40个\n", "        话务坐席: 40个\n"))
    assert rules_of(text) == ["result.actual-missing", "result.unknown-indicator"]
    moved = edited(("        话务坐席数量: 40个\n", ""), ("      质量指标:\n        来电按时办结率", "      质量指标:\n        话务坐席数量: 40个\n        来电按时办结率"))
    unknown = [f for f in results_findings(moved) if f[0] == "result.unknown-indicator"]
    assert [f[1] for f in unknown] == [line_of(moved, "话务坐席数量: 40个")]
    assert "申报的“话务坐席数量”在“产出指标 → 数量指标”下" in unknown[0][3]


def test_goal_missing():
    text = edited(("  实际完成情况: 全年受理群众来电12.6万件，按时办结率98.6%，完成坐席系统年度运维，来电群众满意度93%。\n", ""))
    assert rules_of(text) == ["result.goal-missing"]
    blank = edited(("实际完成情况: 全年受理群众来电12.6万件，按时办结率98.6%，完成坐席系统年度运维，来电群众满意度93%。", "实际完成情况: ''"))
    assert [(f[0], f[1]) for f in results_findings(blank)] == [("result.goal-missing", line_of(blank, "实际完成情况"))]


def test_money_missing():
    text = edited(("    其他资金: {年初预算数: 10, 全年预算数: 10, 全年执行数: 9.1}\n", ""))
    assert [f[3] for f in results_findings(text)] == ["“自评 → 项目资金”下没有“其他资金”（写全年预算数、全年执行数）"]
    blank = edited(("全年预算数: 10, 全年执行数: 9.1}", "全年预算数: 10, 全年执行数: ''}"))
    assert [(f[0], f[3]) for f in results_findings(blank)] == [("result.money-missing", "“其他资金”的全年执行数是空的")]
    # 年初预算数 is printed but not needed for the score
    assert results_findings(edited(("{年初预算数: 10, 全年预算数: 10", "{全年预算数: 10"))) == []


def test_money_missing_total_leaves_the_execution_unscored():
    text = edited(("    年度资金总额: {年初预算数: 80.5, 全年预算数: 80.5, 全年执行数: 78.2}\n", ""))
    assert rules_of(text) == ["result.money-missing"]  # 总分 is then not compared (incomplete)


def test_over_budget_and_its_near_miss():
    text = edited(("{年初预算数: 70.5, 全年预算数: 70.5, 全年执行数: 69.1}", "{年初预算数: 70.5, 全年预算数: 70.5, 全年执行数: 71}"))
    [(rule, line, col, message)] = results_findings(text)
    assert (rule, line) == ("result.over-budget", line_of(text, "财政拨款: {"))
    assert message == "“财政拨款”的全年执行数 71 万元超过全年预算数 70.5 万元"
    assert text.splitlines()[line - 1][col - 1:].startswith("71}")
    equal = edited(("全年预算数: 70.5, 全年执行数: 69.1}", "全年预算数: 70.5, 全年执行数: 70.5}"))
    assert results_findings(equal) == []


def test_rate_over_and_its_near_miss():
    text = edited(("{年初预算数: 80.5, 全年预算数: 80.5, 全年执行数: 78.2}", "{年初预算数: 80.5, 全年预算数: 80.5, 全年执行数: 81}"),
                  text=NO_TOTAL)
    [(rule, line, _, message)] = results_findings(text)
    assert (rule, line) == ("result.rate-over", line_of(text, "年度资金总额: {"))
    assert message.startswith("执行率 100.62% 超过 100%")
    full = edited(("全年预算数: 80.5, 全年执行数: 78.2}", "全年预算数: 80.5, 全年执行数: 80.5}"), text=NO_TOTAL)
    assert results_findings(full) == []


def test_unit_and_its_near_miss():
    text = edited(("        受理来电数量: 12.6万件\n", "        受理来电数量: 12.6万项\n"), text=NO_TOTAL)
    [(rule, line, _, message)] = results_findings(text)
    assert (rule, line) == ("result.unit", line_of(text, "12.6万项"))
    assert "“万项”与指标值的单位“万件”不同" in message
    assert results_findings(edited(("12.6万件", "126000件"), text=NO_TOTAL)) == []


def test_unscored_and_its_near_miss():
    text = edited(("        话务坐席数量: 40个\n", "        话务坐席数量: 全部到位\n"))
    [(rule, line, _, message)] = results_findings(text)
    assert (rule, line) == ("result.unscored", line_of(text, "全部到位"))
    assert "实际完成值“全部到位”不是数值" in message
    stated = edited(("        话务坐席数量: 40个\n", "        话务坐席数量: {实际完成值: 全部到位, 得分: 5}\n"))
    assert results_findings(stated) == []


def test_score_over_points_and_its_near_miss():
    text = edited(("        话务坐席数量: 40个\n", "        话务坐席数量: {实际完成值: 40个, 得分: 6}\n"))
    assert [f[0] for f in results_findings(text)] == ["result.score-over-points"]
    assert "“6”不在 0 到分值 5.00 之间" in results_findings(text)[0][3]
    assert results_findings(edited(("        话务坐席数量: 40个\n", "        话务坐席数量: {实际完成值: 40个, 得分: 5}\n"))) == []


QUALITATIVE = (
    ("      群众诉求解决率: ≥90%\n", "      群众诉求解决率: 群众诉求得到解决\n"),
)


def qualitative(result: str) -> str:
    return edited(*QUALITATIVE, ("        群众诉求解决率: 92%\n", f"        群众诉求解决率: {result}\n"), text=NO_TOTAL)


def test_score_outside_band_and_its_near_miss():
    text = qualitative("{实际完成值: 大部分解决, 评价档次: 部分达成年度指标并具有一定效果, 得分: 13, 偏差原因分析及改进措施: 跨部门诉求}")
    [(rule, line, _, message)] = results_findings(text)
    # 15 × 60% = 9 … 15 × 80% = 12
    assert (rule, line) == ("result.score-outside-band", line_of(text, "{实际完成值: 大部分解决"))
    assert "得分 13 不在评价档次“部分达成年度指标并具有一定效果”的范围 9.00–12.00 分之内" in message
    inside = qualitative("{实际完成值: 大部分解决, 评价档次: 部分达成年度指标并具有一定效果, 得分: 12, 偏差原因分析及改进措施: 跨部门诉求}")
    assert results_findings(inside) == []


def test_top_band_scores_full_without_a_stated_score():
    assert results_findings(qualitative("{实际完成值: 全部解决, 评价档次: 达成年度指标}")) == []
    # without a band: no score, said why
    assert rules_of(qualitative("全部解决")) == ["result.unscored"]


def test_band_differs_and_its_near_miss():
    text = edited(("        话务坐席数量: 40个\n", "        话务坐席数量: {实际完成值: 40个, 评价档次: 未达成年度指标且效果较差}\n"))
    [(rule, _, _, message)] = results_findings(text)
    assert rule == "result.band-differs" and "按规则得 5.00 分（正向），不在评价档次“未达成年度指标且效果较差”的范围内" in message
    assert results_findings(edited(("        话务坐席数量: 40个\n", "        话务坐席数量: {实际完成值: 40个, 评价档次: 达成年度指标}\n"))) == []


def test_score_differs_and_its_near_miss():
    text = edited(("          实际完成值: 180人次\n", "          实际完成值: 180人次\n          得分: 4\n"))
    [(rule, line, _, message)] = results_findings(text)
    assert (rule, line) == ("result.score-differs", line_of(text, "得分: 4"))
    assert message == "“坐席人员培训人次”填写的得分 4 与按规则计算的 4.50 不同（正向：指标值“≥200人次”，实际完成值“180人次”，分值 5.00）"
    assert results_findings(edited(("          实际完成值: 180人次\n", "          实际完成值: 180人次\n          得分: 4.5\n"))) == []


def test_reason_missing_and_its_near_miss():
    text = edited(("          偏差原因分析及改进措施: 下半年两期培训合并举办，参训人数减少；下年度按季度分期培训。\n", ""))
    [(rule, line, _, message)] = results_findings(text)
    assert (rule, line) == ("result.reason-missing", line_of(text, "坐席人员培训人次:"))
    assert message == "“坐席人员培训人次”得 4.50 分，低于分值 5.00 分，请写偏差原因分析及改进措施"
    # full score: nothing to explain
    assert results_findings(edited(("        受理来电数量: 12.6万件\n", "        受理来电数量: {实际完成值: 12.6万件, 偏差原因分析及改进措施: ''}\n"))) == []


def test_weights_filed_above_the_weight():
    text = edited(("        话务坐席数量: 40个\n", "        话务坐席数量: {实际完成值: 40个, 分值: 60}\n"), text=NO_TOTAL)
    weights = [f for f in results_findings(text) if f[0] == "result.weights"]
    assert [(f[1], f[3]) for f in weights] == [(line_of(text, "  绩效指标:"), "产出指标下各指标的分值合计 60.00 分，应为 50 分")]
    assert results_findings(edited(("        话务坐席数量: 40个\n", "        话务坐席数量: {实际完成值: 40个, 分值: 5}\n"), text=NO_TOTAL)) == []


def test_weights_all_filed_not_adding_up():
    text = edited(("        来电群众满意度: 93%\n", "        来电群众满意度: {实际完成值: 93%, 分值: 8}\n"), text=NO_TOTAL)
    assert [f[3] for f in results_findings(text)] == ["满意度指标下各指标的分值合计 8.00 分，应为 10 分"]


def test_weights_without_any_indicator():
    text = edited(
        ("  满意度指标:\n    服务对象满意度指标:\n      来电群众满意度: ≥90%\n", "  满意度指标:\n    服务对象满意度指标: {}\n"),
        ("    满意度指标:\n      服务对象满意度指标:\n        来电群众满意度: 93%\n", ""),
        text=NO_TOTAL,
    )
    assert [f[3] for f in results_findings(text)] == ["满意度指标的 10 分没有指标可以分配；总分最多 90 分"]


def test_total_differs_and_its_near_misses():
    text = edited(("  总分: 83.93\n", "  总分: 84\n"))
    [(rule, line, _, message)] = results_findings(text)
    assert (rule, line) == ("result.total-differs", line_of(text, "总分: 84"))
    assert message == "总分 84 与计算的 83.93 不同（预算执行率 9.71 + 各指标 74.22）"
    assert results_findings(edited(("  总分: 83.93\n", "  总分: 83.930\n"))) == []
    # an incomplete total is not compared: the missing part is reported instead
    incomplete = edited(("        话务坐席数量: 40个\n", "        话务坐席数量: 全部到位\n"), ("  总分: 83.93\n", "  总分: 84\n"))
    assert rules_of(incomplete) == ["result.unscored"]


@pytest.mark.parametrize(("section", "rule", "said"), [
    ("  绩效指标:\n    产出指标:\n      进度指标: {}\n", "schema.enum", "进度指标"),
    ("  评价: 好\n", "schema.enum", "评价"),
    ("  表样: yinchuan-2024\n", "schema.enum", "yinchuan-2024"),
    ("  项目资金:\n    年度资金总额: {全年执行数: 12万个}\n", "schema.pattern", "12万个"),
])
def test_the_schema_checks_the_section(section, rule, said):
    text = EXAMPLE[: EXAMPLE.index("自评:")] + "自评:\n" + section
    checked = check_source("a.yaml", text.encode("utf-8"), load_forms(), load_schema(resources.schema_path()))
    errors = [f for f in checked.findings if f.rule.startswith("schema.")]
    assert errors and errors[0].rule == rule and said in errors[0].message and errors[0].line > line_of(text, "自评:", "表样")


def test_weights_of_a_named_pack_that_leaves_indicators_out():
    from generator.review.rules import run_filing_rules

    form = load_forms()["yinchuan-2024"]
    checked = check_source("a.yaml", NO_TOTAL.encode("utf-8"), load_forms(), load_schema(resources.schema_path()))
    results = checked.filing.results
    narrow = replace(results.pack, weights=results.pack.weights[:2])  # no weight takes 满意度指标
    filing = replace(checked.filing, results=replace(results, pack=narrow))
    found = [(f.line, f.message) for f in run_filing_rules(filing, form) if f.rule == "result.weights"]
    assert found == [
        (line_of(NO_TOTAL, "自评:", "绩效指标:"), "自评表样“selfeval-2020”的分值（weights）没有覆盖这些指标：满意度指标/服务对象满意度指标"
                                                   "（按二级或一级指标的 role 归入）；这些指标不计分"),
    ]


# Each rule on results and the test that asserts its trigger (test_rules.py counts these as covered).
TRIGGERS = {
    "result.pack": test_pack_missing,
    "result.actual-missing": test_actual_missing_for_a_target_without_result,
    "result.unknown-indicator": test_unknown_indicator_with_a_hint,
    "result.goal-missing": test_goal_missing,
    "result.money-missing": test_money_missing,
    "result.over-budget": test_over_budget_and_its_near_miss,
    "result.rate-over": test_rate_over_and_its_near_miss,
    "result.unit": test_unit_and_its_near_miss,
    "result.unscored": test_unscored_and_its_near_miss,
    "result.score-over-points": test_score_over_points_and_its_near_miss,
    "result.score-outside-band": test_score_outside_band_and_its_near_miss,
    "result.band-differs": test_band_differs_and_its_near_miss,
    "result.score-differs": test_score_differs_and_its_near_miss,
    "result.reason-missing": test_reason_missing_and_its_near_miss,
    "result.weights": test_weights_filed_above_the_weight,
    "result.total-differs": test_total_differs_and_its_near_misses,
}


def test_every_result_rule_has_a_trigger_test():
    from generator.review.rules import REGISTRY

    assert set(TRIGGERS) == {rule_id for rule_id in REGISTRY if rule_id.startswith("result.")}
    for rule_id, test in TRIGGERS.items():
        assert f'"{rule_id}"' in inspect.getsource(test), rule_id
