"""Scores of year-end results, worked out by hand from the rules of docs/selfeval.md §4 (the 10号 note:
正向 B/A × 分值, 反向 A/B × 分值, never above the 分值; deadlines; three qualitative bands; rounding)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from conftest import REPO

from generator.common import resources
from generator.filing.scoring import (
    BACKWARD,
    DEADLINE,
    FORWARD,
    QUALITATIVE,
    band_score,
    deadline_score,
    execution_score,
    quantity_score,
    score_filing,
    spread,
)
from generator.filing.values import parse_value
from generator.forms.pack import load_forms, load_self_evaluations
from generator.forms.schema import load_schema
from generator.forms.selfeval import Scoring
from generator.review.check import check_source

PACK = load_self_evaluations()["selfeval-2020"]
TWO = Scoring(2, "half-up")
EXAMPLE = (REPO / "templates" / "selfeval-2020" / "example-with-results.yaml").read_text(encoding="utf-8")


# -- spreading the weights ----------------------------------------------------------------------------


@pytest.mark.parametrize(("points", "count", "shares"), [
    ("50", 3, ["16.67", "16.67", "16.66"]),  # 16.66 × 3 = 49.98: two cents to the first two
    ("10", 3, ["3.34", "3.33", "3.33"]),
    ("100", 7, ["14.29", "14.29", "14.29", "14.29", "14.28", "14.28", "14.28"]),
    ("30", 2, ["15.00", "15.00"]),
    ("10", 1, ["10.00"]),
    ("0", 2, ["0.00", "0.00"]),
])
def test_spread_shares_equally_and_adds_up_exactly(points, count, shares):
    got = spread(D(points), count, TWO)
    assert [str(s) for s in got] == shares
    assert sum(got) == D(points)


def test_spread_over_no_indicator_is_nothing():
    assert spread(D(50), 0, TWO) == []


def test_spread_with_whole_points():
    assert [str(s) for s in spread(D(10), 3, Scoring(0, "half-up"))] == ["4", "3", "3"]


# -- budget execution ----------------------------------------------------------------------------------


def test_execution_rate_and_score():
    result = execution_score(D("80.5"), D("78.2"), D(10), TWO)
    # 78.2 / 80.5 = 0.971428…: 97.14%, 9.714… points
    assert (result.rate, result.score, result.reason) == (D("97.14"), D("9.71"), "")


def test_execution_over_the_budget_is_capped_at_the_points():
    result = execution_score(D("80.5"), D("81"), D(10), TWO)
    assert (result.rate, result.score) == (D("100.62"), D("10.00"))


def test_execution_one_third():
    result = execution_score(D(3), D(1), D(10), TWO)
    assert (result.rate, result.score) == (D("33.33"), D("3.33"))


@pytest.mark.parametrize(("rounding", "expected"), [("half-up", "1.3"), ("half-even", "1.2"), ("down", "1.2")])
def test_execution_rounding_follows_the_pack(rounding, expected):
    # 1 / 8 × 10 = 1.25 exactly: the rounding decides the last digit
    assert execution_score(D(8), D(1), D(10), Scoring(1, rounding)).score == D(expected)


@pytest.mark.parametrize(("budget", "spent", "reason"), [
    (None, D(5), "没有填写全年预算数"),
    (D(5), None, "没有填写全年执行数"),
    (D(0), D(0), "全年预算数为 0 万元"),
    (D(5), D(-1), "是负数"),
])
def test_execution_that_cannot_be_computed_says_why(budget, spent, reason):
    result = execution_score(budget, spent, D(10), TWO)
    assert result.score is None and result.rate is None and reason in result.reason


# -- quantitative targets -------------------------------------------------------------------------------


def quantity(target: str, actual: str, points: str = "5", cost: bool = False):
    return quantity_score(parse_value(target), parse_value(actual), D(points), cost, TWO)


@pytest.mark.parametrize(("target", "actual", "score", "method"), [
    ("≥200人次", "250人次", "5.00", FORWARD),  # over-achieved: capped at the 分值
    ("≥200人次", "180人次", "4.50", FORWARD),  # 180 / 200 × 5
    ("≥200人次", "200人次", "5.00", FORWARD),
    ("40个", "30个", "3.75", FORWARD),  # no operator outside a cost group: 正向
    ("＝40个", "50个", "5.00", FORWARD),  # ＝ is 正向, capped
    ("＞90%", "90%", "5.00", FORWARD),  # ＞ is treated as ≥
    ("≥3个", "1个", "1.67", FORWARD),  # 1/3 × 5 = 1.666…
    ("≥0个", "3个", "5.00", FORWARD),
    ("≤42.5万元", "45万元", "4.72", BACKWARD),  # 42.5 / 45 × 5 = 4.722…
    ("≤30万元", "29.6万元", "5.00", BACKWARD),
    ("≤8万元", "0万元", "5.00", BACKWARD),  # nothing spent: within any upper bound
    ("＜5次", "5次", "5.00", BACKWARD),
    ("＝0次", "0次", "5.00", BACKWARD),  # zero incidents
    ("＝0次", "1次", "0.00", BACKWARD),
    ("≤30万元", "296000元", "5.00", BACKWARD),  # 元 converted to 万元
    ("≤30万元", "320000元", "4.69", BACKWARD),  # 30 / 32 × 5 = 4.6875
    ("≥12万件", "126000件", "5.00", FORWARD),  # a scale of the same unit
    ("≥12万件", "6万件", "2.50", FORWARD),
    ("1日内", "2日", "2.50", BACKWARD),  # a duration with 内 is an upper bound
    ("1日内", "1日", "5.00", BACKWARD),
])
def test_quantity_scores(target, actual, score, method):
    got, got_method, reason, mismatch = quantity(target, actual)
    assert (str(got), got_method, reason, mismatch) == (score, method, "", False)


def test_a_cost_without_operator_is_backward():
    # 6200 / 6500 × 5 = 4.769…
    assert quantity("6200元/台", "6500元/台", cost=True)[:2] == (D("4.77"), BACKWARD)


@pytest.mark.parametrize(("target", "actual", "said"), [
    ("≥10个", "10项", "“项”与指标值的单位“个”"),
    ("≥10次", "10人次", "“人次”与指标值的单位“次”"),
    ("≥10次", "10", "没有单位"),
    ("≥95%", "95个", "“个”与指标值的单位“%”"),
    ("6200元/台", "6200元/套", "“元/套”"),
])
def test_different_units_give_no_score_and_a_reason(target, actual, said):
    score, _, reason, mismatch = quantity(target, actual)
    assert score is None and mismatch and said in reason


def test_negative_numbers_give_no_score():
    score, _, reason, mismatch = quantity("≥10个", "-1个")
    assert score is None and not mismatch and "负数" in reason


# -- deadlines ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("target", "actual", "score"), [
    ("2024年12月31日前", "2024年12月20日", "5"),
    ("2024年12月31日前", "2024年12月31日", "5"),  # on the day: on time
    ("2024年12月31日前", "2025年1月5日", "0"),  # late: 0
    ("2024年6月30日前", "2024年7月1日", "0"),
    ("11月前", "2024年11月30日", "5"),  # a month without year: the filing's year, met by its last day
    ("11月前", "2024年12月1日", "0"),
    ("11月份", "11月15日", "5"),
    ("第四季度", "2024年12月31日", "5"),  # a quarter ends with its last month
    ("第二季度", "2024年7月1日", "0"),
    ("2024年12月31日前", "2024年10月", "5"),  # a month ending before the deadline
    ("2024年6月30日前", "2024年8月", "0"),  # a month starting after it
    ("2024年11月30日前", "2024年11月", "5"),  # the month ends on the deadline
])
def test_deadlines(target, actual, score):
    got, reason = deadline_score(parse_value(target), parse_value(actual), D(5), 2024)
    assert (got, reason) == (D(score), "")


@pytest.mark.parametrize(("target", "actual", "reason"), [
    ("2024年11月20日前", "2024年11月", "只写到月份"),
    ("2024年11月30日前", "已完成", "不是日期"),
    ("2024年11月30日前", "30天", "不是日期"),
])
def test_deadlines_that_cannot_be_decided(target, actual, reason):
    got, why = deadline_score(parse_value(target), parse_value(actual), D(5), 2024)
    assert got is None and reason in why


# -- qualitative bands (selfeval-2020: 100–80, 80–60, 60–0) ------------------------------------------------------

TOP, MIDDLE, BOTTOM = PACK.bands


@pytest.mark.parametrize(("band", "stated", "score"), [
    (TOP, None, "10.00"),  # the top band's default: 100%
    (TOP, "9", "9"),
    (TOP, "8", "8"),  # the boundary belongs to both neighbours
    (MIDDLE, "8", "8"),
    (MIDDLE, "7", "7"),
    (MIDDLE, "6", "6"),
    (BOTTOM, "3", "3"),
    (BOTTOM, "0", "0"),
])
def test_band_scores(band, stated, score):
    got, reason = band_score(band, D(10), None if stated is None else D(stated), TWO)
    assert (str(got), reason) == (score, "")


@pytest.mark.parametrize(("band", "stated", "reason"), [
    (MIDDLE, None, "请在 6.00 到 8.00 分（分值的 60%–80%）之间填写得分"),  # no default: the filer's judgement
    (BOTTOM, None, "请在 0.00 到 6.00 分"),
    (MIDDLE, "9", "得分 9 不在评价档次“部分达成年度指标并具有一定效果”的范围 6.00–8.00 分之内"),
    (TOP, "7.99", "不在评价档次“达成年度指标”的范围 8.00–10.00 分之内"),
    (BOTTOM, "6.5", "范围 0.00–6.00 分"),
])
def test_band_scores_left_to_the_filer(band, stated, reason):
    got, why = band_score(band, D(10), None if stated is None else D(stated), TWO)
    assert got is None and reason in why


def test_band_range_of_an_uneven_points():
    # 16.67 × 60% = 10.002, × 80% = 13.336: the check uses exact bounds, the message rounded ones
    assert band_score(MIDDLE, D("16.67"), D("10.01"), TWO) == (D("10.01"), "")
    assert band_score(MIDDLE, D("16.67"), D("10.00"), TWO)[0] is None


# -- a whole filing ---------------------------------------------------------------------------------------


def scored(text: str, form_id: str = "yinchuan-2024"):
    checked = check_source("a.yaml", text.encode("utf-8"), load_forms(), load_schema(resources.schema_path()))
    assert checked.filing is not None, checked.findings
    return score_filing(checked.filing, load_forms()[form_id]), checked


def test_the_example_scores_as_worked_out_by_hand():
    card, _ = scored(EXAMPLE)
    # 预算执行率: 78.2 / 80.5 × 10 = 9.71; 产出 50 over 10 indicators = 5 each: 4.5 (180/200) and 4.72
    # (42.5/45) below full; 效益 30 over 2 = 15 each, one late (0); 满意度 10.
    assert card.execution.score == D("9.71")
    assert [str(s.points) for s in card.indicators] == ["5.00"] * 10 + ["15.00", "15.00", "10.00"]
    assert {s.name: str(s.score) for s in card.indicators if s.score != s.points} == {
        "坐席人员培训人次": "4.50", "话务外包服务费": "4.72", "热线运行管理制度修订": "0.00",
    }
    assert card.total == D("83.93") and card.complete and card.stated_total == D("83.93")
    assert card.level_points("产出指标") == D(50) and card.level_points("效益指标") == D(30)
    assert [s.method for s in card.indicators][5:8] == [DEADLINE, BACKWARD, BACKWARD]


def test_filed_points_and_the_remainder_spread():
    text = EXAMPLE.replace("        受理来电数量: 12.6万件\n", "        受理来电数量: {实际完成值: 12.6万件, 分值: 23}\n")
    card, _ = scored(text.replace("  总分: 83.93\n", ""))
    points = {s.name: s.points for s in card.indicators if s.level == "产出指标"}
    # 50 − 23 = 27 over the other nine: 3.00 each
    assert points["受理来电数量"] == D(23) and {v for k, v in points.items() if k != "受理来电数量"} == {D(3)}
    assert sum(points.values()) == D(50)
    assert [s.points_from for s in card.indicators][:2] == ["分值", "分配"]


def test_qualitative_indicator_with_a_band_and_a_stated_score():
    text = EXAMPLE.replace("        群众诉求解决率: 92%\n", (
        "        群众诉求解决率: {实际完成值: 大部分诉求得到解决, 评价档次: 部分达成年度指标并具有一定效果, 得分: 10.5, 偏差原因分析及改进措施: 个别诉求跨部门}\n"
    )).replace("      群众诉求解决率: ≥90%\n", "      群众诉求解决率: 群众诉求得到解决\n").replace("  总分: 83.93\n", "")
    card, _ = scored(text)
    score = card.indicator("效益指标", "社会效益指标", "群众诉求解决率")
    # 15 × 60% = 9 … 15 × 80% = 12: the stated 10.5 lies inside
    assert (score.method, score.score, score.reason) == (QUALITATIVE, D("10.50"), "")
    assert card.total == D("83.93") - D(15) + D("10.5")


def test_a_score_that_cannot_be_computed_uses_the_stated_one():
    text = EXAMPLE.replace("        话务坐席数量: 40个\n", "        话务坐席数量: {实际完成值: 全部到位, 得分: 4}\n").replace("  总分: 83.93\n", "")
    card, _ = scored(text)
    score = card.indicator("产出指标", "数量指标", "话务坐席数量")
    assert score.computed is None and score.score == D(4) and "不是数值" in score.reason
    assert card.complete and card.total == D("82.93")


def test_a_score_that_cannot_be_computed_nor_stated_leaves_the_total_incomplete():
    text = EXAMPLE.replace("        话务坐席数量: 40个\n", "        话务坐席数量: 全部到位\n")
    card, _ = scored(text)
    assert card.indicator("产出指标", "数量指标", "话务坐席数量").score is None
    assert not card.complete and card.total == D("78.93")


def test_the_section_may_name_another_pack():
    text = EXAMPLE.replace("自评:\n", "自评:\n  表样: selfeval-local-2022\n").replace("  总分: 83.93\n", "")
    card, checked = scored(text)
    # 预算执行 20: 78.2 / 80.5 × 20 = 19.43; 产出 40 over 10 = 4 each
    assert card.pack.id == "selfeval-local-2022"
    assert card.execution.score == D("19.43") and card.indicators[0].points == D(4)
    assert [f for f in checked.findings if f.rule.startswith("result.")] == []


def test_a_blank_pack_name_is_the_pairing():
    text = EXAMPLE.replace("自评:\n", "自评:\n  表样: ''\n")
    card, checked = scored(text)
    assert card.pack.id == "selfeval-2020" and card.total == D("83.93")
    assert [f for f in checked.findings if f.rule.startswith(("result.", "schema."))] == []


def test_without_results_there_is_no_scorecard():
    card, checked = scored(EXAMPLE[: EXAMPLE.index("自评:")])
    assert card is None and checked.filing.results is None


def test_a_target_pack_with_its_own_points_column():
    # inner-mongolia-2021 prints a 分值 per target: the scorecard uses it
    example = (REPO / "templates" / "inner-mongolia-2021" / "example.yaml").read_text(encoding="utf-8")
    checked = check_source("a.yaml", example.encode("utf-8"), load_forms(), load_schema(resources.schema_path()))
    text = example + "自评:\n  实际完成情况: 完成\n"
    card, _ = scored(text, "inner-mongolia-2021")
    targets = {i.name: D(i.detail("分值")) for i in checked.filing.indicators}
    assert {s.name: s.points for s in card.indicators} == targets
    assert {s.points_from for s in card.indicators} == {"指标分值"}
