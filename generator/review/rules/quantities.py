"""Quantified targets (细化量化): units, directions, ranges and deadlines of 指标值."""

from __future__ import annotations

import re
from decimal import Decimal

from ...common.findings import Severity
from ...filing.values import GE, GT, LE, LT, Quantity, Text, Timing, excel_serial_date
from . import Hit, rule
from .indicators import excel_serial, placed


def _checked(filing, form):
    """Rows with a real value (empty and placeholder rows have rules of their own)."""
    return [p for p in placed(filing, form) if p.indicator.value.strip() and not p.is_placeholder]


def _serial_date(item) -> bool:
    """A 时效 row holding an Excel date serial: timeliness.excel-serial reports it, not as text or a bare number."""
    return item.role == "timeliness" and excel_serial(item.indicator) is not None


@rule(
    "quantified.text",
    Severity.ERROR,
    "必填量化的指标写成了文字",
    "表上标注“必填量化”的二级指标（数量、质量、时效、成本、服务对象满意度）必须写成“运算符 数值 单位”"
    "（如 ≥95%、≤9.8万元、10台）或时间（如 2024年11月30日前）。“合格”“优/良好”“有效”这类文字无法在年底评价。",
)
def quantified_text(filing, form):
    for item in _checked(filing, form):
        if item.spec.quantified and isinstance(item.value, Text) and not _serial_date(item):
            yield Hit(
                item.indicator.value_position,
                f"“{item.group.name}”是必填量化分组，“{item.indicator.name}”的指标值“{item.indicator.value}”不是数量或时间；"
                "请写成运算符、数值和单位，例如“≥95%”",
            )


@rule(
    "quantified.bare-number",
    Severity.ERROR,
    "数值没有单位",
    "定量指标的数值必须带单位（次、台、人、%、万元……）；只有数字时无法判断是 95 次还是 95%。",
)
def bare_number(filing, form):
    for item in _checked(filing, form):
        value = item.value
        if isinstance(value, Quantity) and not value.unit and not _serial_date(item):
            yield Hit(item.indicator.value_position, f"“{item.indicator.name}”的指标值“{item.indicator.value}”只有数字，没有单位")


@rule(
    "direction.cost",
    Severity.ERROR,
    "成本指标用了 ≥ 或 ＞",
    "成本指标是上限：花费不能超过目标值，应写“≤”“＜”或固定金额。写成“≥”等于鼓励多花钱。",
)
def cost_direction(filing, form):
    for item in _checked(filing, form):
        value = item.value
        if item.role == "cost" and isinstance(value, Quantity) and value.operator in (GE, GT):
            yield Hit(
                item.indicator.value_position,
                f"成本指标“{item.indicator.name}”写成了“{item.indicator.value}”；成本是上限，应为“≤{value.number}{value.unit}”",
            )


@rule(
    "direction.satisfaction",
    Severity.ERROR,
    "满意度指标用了 ≤ 或 ＜",
    "满意度是下限：服务对象满意的比例应不低于目标值，应写“≥”。",
)
def satisfaction_direction(filing, form):
    for item in _checked(filing, form):
        value = item.value
        if item.role == "satisfaction" and isinstance(value, Quantity) and value.operator in (LE, LT):
            yield Hit(
                item.indicator.value_position,
                f"满意度指标“{item.indicator.name}”写成了“{item.indicator.value}”，应为“≥{value.number}{value.unit}”",
            )


@rule(
    "range.percent",
    Severity.ERROR,
    "百分比超出 0–100%",
    "比率类指标（合格率、覆盖率、满意度……）在 0% 到 100% 之间；超过 100% 多半是把数量写成了百分比。",
)
def percent_range(filing, form):
    for item in _checked(filing, form):
        value = item.value
        if isinstance(value, Quantity) and value.is_percent and not Decimal(0) <= value.number <= Decimal(100):
            yield Hit(item.indicator.value_position, f"“{item.indicator.name}”的指标值 {value.number}% 不在 0% 到 100% 之间")


@rule(
    "range.satisfaction",
    Severity.ERROR,
    "满意度不在 80%–100% 之间",
    "服务对象满意度通常设在 80% 到 100% 之间（一般为 ≥90%）；低于 80% 的目标不合理，也可能是单位写错。",
)
def satisfaction_range(filing, form):
    for item in _checked(filing, form):
        value = item.value
        if item.role != "satisfaction":
            continue
        if not isinstance(value, Quantity) or not value.is_percent:
            if isinstance(value, Quantity):
                yield Hit(item.indicator.value_position, f"满意度指标“{item.indicator.name}”的单位应为 %，现在是“{value.unit or '无单位'}”")
        elif Decimal(0) <= value.number < Decimal(80):
            yield Hit(item.indicator.value_position, f"满意度指标“{item.indicator.name}”的目标 {value.number}% 低于 80%")


@rule(
    "range.satisfaction-full",
    Severity.WARNING,
    "满意度目标为 100%",
    "满意度定为 100% 意味着每一位服务对象都满意，实际上无法达到，也难以核实；一般定为 ≥90% 或 ≥95%。",
)
def satisfaction_full(filing, form):
    for item in _checked(filing, form):
        value = item.value
        if item.role == "satisfaction" and isinstance(value, Quantity) and value.is_percent and value.number == 100:
            yield Hit(item.indicator.value_position, f"满意度指标“{item.indicator.name}”的目标是 100%，无法核实")


_YEAR_IN_TEXT = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")


@rule(
    "timeliness.outside-year",
    Severity.ERROR,
    "时间超出预算年度",
    "表下注明“此表填报项目绩效目标涵盖年限为项目预算申报当年”：时效指标的完成时间必须在预算年度之内，"
    "期限不能超过 12 个月。跨年度的内容应拆到以后年度的申报表中。",
)
def outside_year(filing, form):
    for item in _checked(filing, form):
        value = item.value
        if isinstance(value, Timing):
            if value.year is not None and value.year != filing.year:
                yield Hit(item.indicator.value_position, f"“{item.indicator.name}”的时间“{item.indicator.value}”不在 {filing.year} 年度内")
            elif value.kind == "duration" and value.unit == "个月" and value.amount > 12:
                yield Hit(item.indicator.value_position, f"“{item.indicator.name}”的期限 {value.amount} 个月超过一个预算年度")
        elif item.role == "timeliness" and isinstance(value, Text):
            years = sorted({int(m.group()) for m in _YEAR_IN_TEXT.finditer(item.indicator.value)} - {filing.year})
            if years:
                yield Hit(
                    item.indicator.value_position,
                    f"“{item.indicator.name}”的时间“{item.indicator.value}”涉及 {'、'.join(map(str, years))} 年，不在 {filing.year} 年度内",
                )


@rule(
    "timeliness.excel-serial",
    Severity.ERROR,
    "时效指标写成了 Excel 的日期序号",
    "从 Excel 或预算系统导出的表里，日期常常变成“44561”“45,657”这样的五位数：这是 Excel 内部的日期序号"
    "（从 1899 年 12 月 30 日起的天数），不是日期。问题里写明它代表哪一天；请改写成日期，例如“2024年12月31日前”。",
)
def excel_serial_in_timeliness(filing, form):
    for item in _checked(filing, form):
        if item.role == "timeliness" and (serial := excel_serial(item.indicator)) is not None:
            yield Hit(
                item.indicator.value_position,
                f"“{item.indicator.name}”的“{serial}”是 Excel 的日期序号，不是日期（它代表 {excel_serial_date(serial).isoformat()}）；请写成日期",
            )
