"""The 指标值 parser (generator/values.py), table-driven.

SEED: every distinct 指标值 of the six real seed filings (tests/data/seed_rows.tsv) with its parse
written out literally; `test_seed_table_covers_every_seed_value` fails when a new seed value has no
expectation here. VARIANTS: the real-world spellings of domain.md §3 and §4 (full-width digits,
ASCII and full-width operators, word operators, scrambled and contradicting values, dates, compound
units). Then the helpers of Quantity.
"""

from __future__ import annotations

import csv
from decimal import Decimal as D
from pathlib import Path

import pytest

from generator.filing.values import Empty, Text, parse_value
from generator.filing.values import Quantity as Q
from generator.filing.values import Timing as T

SEED_ROWS = Path(__file__).resolve().parent / "data" / "seed_rows.tsv"


def seed_values() -> list[str]:
    with SEED_ROWS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows and set(rows[0]) == {"项目名称", "一级指标", "二级指标", "三级指标", "指标值"}
    return list(dict.fromkeys(row["指标值"] for row in rows))


# Every distinct 指标值 of tests/data/seed_rows.tsv, in order of first appearance.
SEED = [
    ("≥1次", Q("≥", D("1"), "次")),
    ("≥360次", Q("≥", D("360"), "次")),
    ("≥75台", Q("≥", D("75"), "台")),
    ("≥12个月", T("duration", operator="≥", amount=D("12"), unit="个月")),
    ("≥200次", Q("≥", D("200"), "次")),
    ("100%", Q("", D("100"), "%")),
    ("全年", T("period", unit="全年")),
    ("每月", T("period", unit="每月")),
    ("11月前", T("month", operator="前", month=11)),
    ("12个月", T("duration", amount=D("12"), unit="个月")),
    ("2月份", T("month", month=2)),
    ("62万元", Q("", D("62"), "万元")),
    ("20万元", Q("", D("20"), "万元")),
    ("10万元", Q("", D("10"), "万元")),
    ("3万元", Q("", D("3"), "万元")),
    ("40万元", Q("", D("40"), "万元")),
    ("15万元", Q("", D("15"), "万元")),
    ("长期", Text("长期")),
    ("95%", Q("", D("95"), "%")),
    ("≥1个", Q("≥", D("1"), "个")),
    ("≥50次", Q("≥", D("50"), "次")),
    ("≥600本", Q("≥", D("600"), "本")),
    ("11月份", T("month", month=11)),
    ("≤9.8万元", Q("≤", D("9.8"), "万元")),
    ("≤0.8万元", Q("≤", D("0.8"), "万元")),
    ("≤1.4万元", Q("≤", D("1.4"), "万元")),
    ("99%", Q("", D("99"), "%")),
    ("≥1.1万册", Q("≥", D("1.1"), "万册")),
    ("≥100人", Q("≥", D("100"), "人")),
    ("≥200个", Q("≥", D("200"), "个")),
    ("≥10个", Q("≥", D("10"), "个")),
    ("90%", Q("", D("90"), "%")),
    ("10月", T("month", month=10)),
    ("≤30万元", Q("≤", D("30"), "万元")),
    ("≤14万元", Q("≤", D("14"), "万元")),
    ("≤12万元", Q("≤", D("12"), "万元")),
    ("长期有效", Text("长期有效")),
    ("≥750次", Q("≥", D("750"), "次")),
    ("≥250次", Q("≥", D("250"), "次")),
    ("1个", Q("", D("1"), "个")),
    ("≥95%", Q("≥", D("95"), "%")),
    ("", Empty()),
    ("≥350天", Q("≥", D("350"), "天")),
    ("≤15万元", Q("≤", D("15"), "万元")),
    ("≤5万元", Q("≤", D("5"), "万元")),
    ("0", Q("", D("0"), "")),
    ("明显提升", Text("明显提升")),
    ("≥90%", Q("≥", D("90"), "%")),
    ("1人", Q("", D("1"), "人")),
    ("7人", Q("", D("7"), "人")),
    ("合格", Text("合格")),
    ("≥1次/年", Q("≥", D("1"), "次/年")),
    ("20日内", T("duration", operator="内", amount=D("20"), unit="日")),
    ("3332元/人/月", Q("", D("3332"), "元/人/月")),
    ("3332元/人/年", Q("", D("3332"), "元/人/年")),
    ("5000元/人/年", Q("", D("5000"), "元/人/年")),
    ("1128元/人/年", Q("", D("1128"), "元/人/年")),
    ("有效", Text("有效")),
    ("10台", Q("", D("10"), "台")),
    ("10套", Q("", D("10"), "套")),
    ("优/良好", Text("优/良好")),
    ("≥98%", Q("≥", D("98"), "%")),
    ("6200元", Q("", D("6200"), "元")),
    ("580元", Q("", D("580"), "元")),
    ("480元", Q("", D("480"), "元")),
    ("320元", Q("", D("320"), "元")),
    ("有提升", Text("有提升")),
    ("持续发展", Text("持续发展")),
]


@pytest.mark.parametrize(("raw", "expected"), SEED, ids=[raw or "<empty>" for raw, _ in SEED])
def test_seed_value(raw, expected):
    assert parse_value(raw) == expected


def test_seed_table_covers_every_seed_value():
    values = seed_values()
    table = [raw for raw, _ in SEED]
    assert len(table) == len(set(table)), "a value is listed twice in SEED"
    assert [v for v in values if v not in table] == [], "seed values without an expected parse"
    assert [v for v in table if v not in values] == [], "SEED lists values that are not in the seed"
    assert len(values) >= 60


# Real-world spellings from domain.md §3 (operators, units, 满意度) and §4 (checklist evidence).
VARIANTS = [
    # full-width digits and ％
    ("≥９５％", Q("≥", D("95"), "%")),
    ("９５％", Q("", D("95"), "%")),
    ("１０台", Q("", D("10"), "台")),
    ("不低于９０％", Q("≥", D("90"), "%")),
    ("≤５０００元/人/年", Q("≤", D("5000"), "元/人/年")),
    ("１２月３１日前", T("date", operator="前", month=12, day=31)),
    # ASCII operators → the canonical form symbols
    (">=95%", Q("≥", D("95"), "%")),
    ("<=9.8万元", Q("≤", D("9.8"), "万元")),
    ("=100%", Q("＝", D("100"), "%")),
    (">3次", Q("＞", D("3"), "次")),
    ("<2天", Q("＜", D("2"), "天")),
    # full-width operators
    ("＞80%", Q("＞", D("80"), "%")),
    ("＜5万元", Q("＜", D("5"), "万元")),
    ("＝100%", Q("＝", D("100"), "%")),
    ("≤9.8 万元", Q("≤", D("9.8"), "万元")),
    ("≥ 95 %", Q("≥", D("95"), "%")),
    # word operators, before and after the number
    ("95%以上", Q("≥", D("95"), "%")),
    ("95％以上", Q("≥", D("95"), "%")),
    ("90%以下", Q("≤", D("90"), "%")),
    ("不低于95%", Q("≥", D("95"), "%")),
    ("不高于10万元", Q("≤", D("10"), "万元")),
    ("不超过5万元", Q("≤", D("5"), "万元")),
    ("5万元以内", Q("≤", D("5"), "万元")),
    ("控制在250万元以内", Q("≤", D("250"), "万元")),
    ("不少于12万件", Q("≥", D("12"), "万件")),
    ("≥95%以上", Q("≥", D("95"), "%")),  # the same direction twice is still one operator
    # a trailing full stop (values written as sentences) is not part of the value
    ("95%以上。", Q("≥", D("95"), "%")),
    ("≥95%。", Q("≥", D("95"), "%")),
    ("88%以上。", Q("≥", D("88"), "%")),
    ("2025年12月底前完成。", T("month", operator="前", year=2025, month=12)),
    # a bare 万 after the number is money in 万元; before another unit it is a scale
    ("10万", Q("", D("10"), "万")),
    ("250万", Q("", D("250"), "万")),
    ("≤9.8万", Q("≤", D("9.8"), "万")),
    ("≤36万", Q("≤", D("36"), "万")),
    ("≥12万件", Q("≥", D("12"), "万件")),
    ("=12台", Q("＝", D("12"), "台")),
    # Chinese numerals
    ("三期", Q("", D("3"), "期")),
    ("两台", Q("", D("2"), "台")),
    ("一百零五次", Q("", D("105"), "次")),
    ("≥一千二百人次", Q("≥", D("1200"), "人次")),
    ("三万人次", Q("", D("3"), "万人次")),
    ("百分之百", Q("", D("100"), "%")),
    ("百分之九十五", Q("", D("95"), "%")),
    ("百分之九十五以上", Q("≥", D("95"), "%")),
    ("不低于百分之九十", Q("≥", D("90"), "%")),
    ("百分之98", Q("", D("98"), "%")),
    # 百分比 → %, other units kept as written
    ("≥100百分比", Q("≥", D("100"), "%")),
    ("=100百分比", Q("＝", D("100"), "%")),
    ("≥80M", Q("≥", D("80"), "M")),
    ("≥2000平米", Q("≥", D("2000"), "平方米")),
    ("≥0.5‰", Q("≥", D("0.5"), "‰")),
    ("1.2万人次", Q("", D("1.2"), "万人次")),
    ("28.8万元", Q("", D("28.8"), "万元")),
    ("500千元", Q("", D("500"), "千元")),
    ("≥1.5亿元", Q("≥", D("1.5"), "亿元")),
    # compound units
    ("3332元/人/月", Q("", D("3332"), "元/人/月")),
    ("≥1次/年", Q("≥", D("1"), "次/年")),
    ("6200元/台", Q("", D("6200"), "元/台")),
    ("≥500人次/年", Q("≥", D("500"), "人次/年")),
    ("≥100万元/年", Q("≥", D("100"), "万元/年")),
    # bare numbers: quantities without a unit (the rules report them)
    ("8", Q("", D("8"), "")),
    ("2", Q("", D("2"), "")),
    ("≥ 95", Q("≥", D("95"), "")),
    ("1,200", Q("", D("1200"), "")),
    # scrambled, sentence-like or contradicting values stay text for a human
    ("%=99", Text("%=99")),
    ("二100", Text("二100")),
    ("出差人数 = 8", Text("出差人数 = 8")),
    ("反向 = 3 万元", Text("反向 = 3 万元")),
    ("≥95%以下", Text("≥95%以下")),
    ("合格率≥95%", Text("合格率≥95%")),
    ("二〇", Text("二〇")),  # not a number: a year typed in numerals, or OCR
    ("一百五次", Text("一百五次")),  # 150 in speech, 105 on paper: not guessed
    ("千元", Text("千元")),  # a unit alone, not 1000元
    ("零投诉", Text("零投诉")),
    ("。", Text("。")),
    ("一般", Text("一般")),
    ("按月安排", Text("按月安排")),
    ("贯穿全年", Text("贯穿全年")),
    ("当年的所有时间", Text("当年的所有时间")),
    ("2023.07-2024.01", Text("2023.07-2024.01")),
    ("13月前", Text("13月前")),
    # deadlines and dates
    ("2024年12月31日前", T("date", operator="前", year=2024, month=12, day=31)),
    ("2025年3月31日前", T("date", operator="前", year=2025, month=3, day=31)),
    ("2024年6月30日以前", T("date", operator="以前", year=2024, month=6, day=30)),
    ("≤2024-06-30", T("date", operator="≤", year=2024, month=6, day=30)),
    ("≤2024/06/30", T("date", operator="≤", year=2024, month=6, day=30)),
    ("≤ 2024年6月30日", T("date", operator="≤", year=2024, month=6, day=30)),
    ("2024-06-30前", T("date", operator="前", year=2024, month=6, day=30)),
    ("2024.6.30", T("date", year=2024, month=6, day=30)),
    ("6月30日前", T("date", operator="前", month=6, day=30)),
    ("2021年12月底完成", T("month", year=2021, month=12)),
    ("2024年底前", T("month", operator="前", year=2024, month=12)),
    ("2024年2月30日", Text("2024年2月30日")),  # no such day: left to a human, not read as a date
    ("2月29日", T("date", month=2, day=29)),
    ("2024年12月底前", T("month", operator="前", year=2024, month=12)),
    ("2024年6月", T("month", year=2024, month=6)),
    ("12月底", T("month", month=12)),
    ("十二月底前", T("month", operator="前", month=12)),
    # quarters: the deadline is the quarter's last month
    ("第四季度", T("month", month=12)),
    ("第一季度", T("month", month=3)),
    ("四季度末", T("month", month=12)),
    ("第三季度前完成", T("month", operator="前", month=9)),
    ("2024年第四季度", T("month", year=2024, month=12)),
    ("2025年第二季度内", T("month", operator="内", year=2025, month=6)),
    ("4季度", Q("", D("4"), "季度")),  # in digits: four quarters, as before
    # durations and periods
    ("24个月", T("duration", amount=D("24"), unit="个月")),
    ("≤24个月", T("duration", operator="≤", amount=D("24"), unit="个月")),
    ("十二个月", T("duration", amount=D("12"), unit="个月")),
    ("三个月内", T("duration", operator="内", amount=D("3"), unit="个月")),
    ("6个月内", T("duration", operator="内", amount=D("6"), unit="个月")),
    ("20个工作日内", T("duration", operator="内", amount=D("20"), unit="个工作日")),
    ("30日以内", T("duration", operator="以内", amount=D("30"), unit="日")),
    ("5天内", T("duration", operator="内", amount=D("5"), unit="天")),
    ("2周内", T("duration", operator="内", amount=D("2"), unit="周")),
    ("按月", T("period", unit="按月")),
    ("年底前", T("period", unit="年底前")),
    # blank
    ("   ", Empty()),
    ("\u3000", Empty()),
]


@pytest.mark.parametrize(("raw", "expected"), VARIANTS, ids=[raw.strip() or "<blank>" for raw, _ in VARIANTS])
def test_real_world_variant(raw, expected):
    assert parse_value(raw) == expected


def test_variant_table_has_no_duplicates():
    raws = [raw for raw, _ in VARIANTS]
    assert len(raws) == len(set(raws))


def test_text_keeps_the_value_exactly_as_typed():
    # Full-width characters and spaces are folded only for parsing; a Text keeps the original.
    assert parse_value("出差人数 ＝ ８") == Text("出差人数 ＝ ８")
    assert parse_value("三项工作按期完成。") == Text("三项工作按期完成。")


def test_square_metre_sign_is_a_unit():
    # domain.md §3.3 lists 平方米/㎡, and ㎡ is in BASE_UNITS; "≥2000㎡" is a quantity, like "≥2000平米".
    value = parse_value("≥2000㎡")
    assert isinstance(value, Q), value
    assert (value.operator, value.number) == ("≥", D("2000"))
    assert value.unit in ("㎡", "平方米")


def test_middle_dot_compound_unit_is_a_unit_price():
    # domain.md §3.3 lists 元/人·月 beside 元/人/月 as a unit of a 成本指标.
    value = parse_value("3332元/人·月")
    assert isinstance(value, Q), value
    assert (value.operator, value.number, value.base_unit) == ("", D("3332"), "元")
    assert value.is_money and value.per_unit
    assert value.unit.replace("·", "/") == "元/人/月"


# ---------------------------------------------------------------------------------------------
# Quantity helpers


@pytest.mark.parametrize(("raw", "wan"), [
    ("6200元", D("0.62")),
    ("≤9.8万元", D("9.8")),
    ("500千元", D("50")),
    ("80千元", D("8")),
    ("1.5亿元", D("15000")),
    ("3332元/人/月", D("0.3332")),
    ("1000000元", D("100")),
    ("250万", D("250")),
    ("≤9.8万", D("9.8")),
])
def test_in_wan_yuan(raw, wan):
    value = parse_value(raw)
    assert value.is_money
    assert value.in_wan_yuan() == wan


@pytest.mark.parametrize(("raw", "is_money", "per_unit", "is_percent", "base_unit"), [
    ("≤9.8万元", True, False, False, "万元"),
    ("6200元", True, False, False, "元"),
    ("500千元", True, False, False, "千元"),
    ("3332元/人/月", True, True, False, "元"),
    ("6200元/台", True, True, False, "元"),
    ("≥1次/年", False, True, False, "次"),
    ("≥95%", False, False, True, "%"),
    ("≥100百分比", False, False, True, "%"),
    ("95％以上", False, False, True, "%"),
    ("≥0.5‰", False, False, False, "‰"),
    ("≥1.1万册", False, False, False, "万册"),
    ("≥12万件", False, False, False, "万件"),
    ("250万", True, False, False, "万"),
    ("百分之九十五", False, False, True, "%"),
    ("10台", False, False, False, "台"),
    ("8", False, False, False, ""),
])
def test_quantity_helpers(raw, is_money, per_unit, is_percent, base_unit):
    value = parse_value(raw)
    assert isinstance(value, Q)
    assert (value.is_money, value.per_unit, value.is_percent, value.base_unit) == (is_money, per_unit, is_percent, base_unit)
