"""Rules on the header fields of a filing."""

from __future__ import annotations

import re
from pathlib import PurePath

from ...common.findings import Severity
from ...filing.values import excel_serial_date, is_period_length, looks_like_excel_serial, parse_day, parse_period
from . import Hit, rule


@rule(
    "header.year-folder",
    Severity.ERROR,
    "年度与所在文件夹不一致",
    "申报表按年度放在 projects/<年度>/ 下。文件里的“年度”与文件夹的年份不同，多半是复制上一年的文件后忘了改年度，"
    "或者放错了文件夹；打印出来的表头年度会是错的。",
)
def year_folder(filing, form):
    folder = PurePath(filing.path).parent.name
    if folder.isdigit() and len(folder) == 4 and int(folder) != filing.year:
        yield Hit(
            filing.value_at("年度"),
            f"年度是 {filing.year}，但文件放在 {folder} 年的文件夹里；请改正年度，或把文件移到 projects/{filing.year}/",
        )


def _empty_fields(filing, form, need: str):
    for field in (*form.header, *form.goals):
        if field.need == need and not filing.fields.get(field.key, "").strip():
            yield Hit(filing.field_at(field.key), f"“{field.key}”没有填写" + (f"：{field.description}" if field.description else ""))


@rule(
    "header.missing",
    Severity.ERROR,
    "必填的表头栏目为空",
    "表样标为必填的表头栏目和目标（如项目名称、实施单位、项目期、年度总体目标）是申报表的基本信息，不能为空。",
    draft_tolerant=True,
)
def missing(filing, form):
    yield from _empty_fields(filing, form, "required")


@rule(
    "header.missing-recommended",
    Severity.WARNING,
    "应当填写的表头栏目为空",
    "表样标为“应当填写”（need: recommended）的栏目，例如银川表样的主管部门及代码、项目属性；实际报送中常被留空，所以默认只作警告。"
    "表样里没有的栏目不会报告。",
    draft_tolerant=True,
)
def missing_recommended(filing, form):
    yield from _empty_fields(filing, form, "recommended")


@rule(
    "header.option",
    Severity.WARNING,
    "栏目的值不是表样的选项",
    "有的栏目只有几种写法，例如项目属性是“新增项目”或“延续项目”。写成“上年延续性项目”“持续性项目”等变体，"
    "汇总统计时会被当成不同的类别。",
)
def option(filing, form):
    for field in form.header:
        value = filing.fields.get(field.key, "").strip()
        if field.options and value and value not in field.options:
            yield Hit(filing.field_at(field.key), f"{field.key}“{value}”不是表样的选项（{'、'.join(field.options)}）")


_CODE = re.compile(r"^\s*(?:[\[【(（]\s*\d{2,}\s*[\]】)）]|\d{3,}\s*[-—－\s])")


@rule(
    "header.department-code",
    Severity.WARNING,
    "带代码的栏目缺少代码",
    "表样标为带代码（type: code）的栏目，例如“主管部门及代码”，要写预算代码和名称，"
    "例如“[812]银川市人民政府办公室”“【812033】…”“(433)…”“219-…”。",
)
def department_code(filing, form):
    for field in form.header:
        value = filing.fields.get(field.key, "")
        if field.type == "code" and value.strip() and not _CODE.match(value):
            yield Hit(filing.field_at(field.key), f"{field.key}“{value}”中没有预算代码；代码写在名称前，例如“[812]{value.strip()}”")


@rule(
    "header.period",
    Severity.ERROR,
    "项目期不包含预算年度",
    "表样标为期间（type: period）的栏目，例如项目期、项目支出实施期、项目起止时间，写项目的实施年份或年月，"
    "例如“2024年”“2024-2026年”“2023.07-2024.01”“202001-202012”“2023年7月-2024年1月”或“3年”；"
    "开始不能晚于结束，并且必须包含本表的预算年度。",
)
def period(filing, form):
    for field in form.header:
        value = filing.fields.get(field.key, "").strip()
        if field.type != "period" or not value:
            continue
        where = filing.field_at(field.key)
        span = parse_period(value)
        if span is None:
            if not is_period_length(value):
                yield Hit(where, f"{field.key}“{value}”无法识别；请写成“{filing.year}年”“{filing.year}-{filing.year + 2}年”或“{filing.year}.01-{filing.year}.12”")
        elif span.start > span.end:
            yield Hit(where, f"{field.key}“{value}”的开始晚于结束")
        elif not span.covers(filing.year):
            yield Hit(where, f"{field.key}“{value}”不包含预算年度 {filing.year} 年")


@rule(
    "header.date",
    Severity.ERROR,
    "日期栏目写错",
    "表样标为日期（type: date）的栏目，例如项目开始日期、项目完成日期，写成“2025-01-01”或“2025年1月1日”。"
    "从 Excel 复制来的“44561”这类数字是 Excel 内部的日期序号，不是日期；开始日期不能晚于完成日期，"
    "两个日期之间必须包含预算年度。",
)
def date_fields(filing, form):
    dates = []
    for field in form.header:
        value = filing.fields.get(field.key, "").strip()
        if field.type != "date" or not value:
            continue
        where = filing.field_at(field.key)
        if looks_like_excel_serial(value):
            yield Hit(where, f"{field.key}“{value}”是 Excel 的日期序号，不是日期（它代表 {excel_serial_date(value).isoformat()}）；请写成日期")
        elif (day := parse_day(value)) is None:
            yield Hit(where, f"{field.key}“{value}”不是日期；请写成“{filing.year}-01-01”或“{filing.year}年1月1日”")
        else:
            dates.append((field.key, day, where))
    if len(dates) == 2:  # a start and an end date, in the form's order
        (first, start, _), (second, end, where) = dates
        if start > end:
            yield Hit(where, f"{first} {start.isoformat()} 晚于{second} {end.isoformat()}")
        elif not start.year <= filing.year <= end.year:
            yield Hit(where, f"{first}到{second}（{start.isoformat()} 至 {end.isoformat()}）不包含预算年度 {filing.year} 年")


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
GOAL_MIN_LENGTH = 30


@rule(
    "goal.other-years",
    Severity.WARNING,
    "年度目标写了其他年份",
    "年度总体目标只写预算年度内要达到的产出和效果；写进以后年度或整个实施期的目标，会被认为把中期目标当作年度目标。",
)
def goal_other_years(filing, form):
    years = sorted({int(y) for y in _YEAR.findall(filing.fields.get(form.annual_goal, ""))} - {filing.year})
    if years:
        yield Hit(filing.field_at(form.annual_goal), f"{form.annual_goal}提到了 {'、'.join(map(str, years))} 年；年度目标只写 {filing.year} 年内的内容")


@rule(
    "goal.too-short",
    Severity.WARNING,
    "年度目标过于简短",
    f"年度总体目标要概括主要产出和效果（做什么、做多少、达到什么效果），少于 {GOAL_MIN_LENGTH} 个字通常说不清楚。",
)
def goal_too_short(filing, form):
    goal = filing.fields.get(form.annual_goal, "").strip()
    if goal and len(goal) < GOAL_MIN_LENGTH:
        yield Hit(filing.field_at(form.annual_goal), f"{form.annual_goal}只有 {len(goal)} 个字，请写明主要产出和效果")
