"""Rules on the header fields of a filing."""

from __future__ import annotations

import re
from pathlib import PurePath

from ...common.findings import Severity
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


def _empty_fields(filing, form, required: bool):
    for field in (*form.header, form.goal):
        if field.required == required and not filing.fields.get(field.key, "").strip():
            yield Hit(filing.value_at(field.key), f"“{field.key}”没有填写：{field.description}")


@rule(
    "header.missing",
    Severity.ERROR,
    "必填的表头栏目为空",
    "项目名称、实施单位、项目期和年度总体目标是申报表的基本信息，不能为空。",
)
def missing(filing, form):
    yield from _empty_fields(filing, form, required=True)


@rule(
    "header.missing-recommended",
    Severity.WARNING,
    "表头栏目为空：主管部门及代码、项目属性",
    "主管部门及代码、项目属性是表上的栏目，应当填写；实际报送中常被留空，所以默认只作警告。",
)
def missing_recommended(filing, form):
    yield from _empty_fields(filing, form, required=False)


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
            yield Hit(filing.value_at(field.key), f"{field.key}“{value}”不是表样的选项（{'、'.join(field.options)}）")


_CODE = re.compile(r"^\s*(?:[\[【(（]\s*\d{3,}\s*[\]】)）]|\d{3,}\s*[-—－\s])")


@rule(
    "header.department-code",
    Severity.WARNING,
    "主管部门及代码缺少代码",
    "“主管部门及代码”要写预算代码和部门名称，例如“[812]银川市人民政府办公室”“【812033】…”“(433)…”“219-…”。",
)
def department_code(filing, form):
    value = filing.fields.get("主管部门及代码", "")
    if value.strip() and not _CODE.match(value):
        yield Hit(filing.value_at("主管部门及代码"), f"主管部门及代码“{value}”中没有预算代码，例如“[812]{value.strip()}”")


_PERIOD_RANGE = re.compile(r"^(?P<start>\d{4})\s*年?\s*(?:[-—－~～至到]\s*(?P<end>\d{4})\s*年?)?(?:度)?$")
_PERIOD_LENGTH = re.compile(r"^(?P<years>\d{1,2}|[一二三四五六七八九十])\s*年(?:期)?$")


@rule(
    "header.period",
    Severity.ERROR,
    "项目期不包含预算年度",
    "项目期写项目的实施年份，例如“2024年”“2024-2026年”或“3年”，并且必须包含本表的预算年度。",
)
def period(filing, form):
    value = filing.fields.get("项目期", "").strip()
    if not value:
        return
    if match := _PERIOD_RANGE.match(value):
        start, end = int(match["start"]), int(match["end"] or match["start"])
        if not start <= filing.year <= end:
            yield Hit(filing.value_at("项目期"), f"项目期“{value}”不包含预算年度 {filing.year} 年")
        return
    if not _PERIOD_LENGTH.match(value):
        yield Hit(filing.value_at("项目期"), f"项目期“{value}”无法识别；请写成“{filing.year}年”或“{filing.year}-{filing.year + 2}年”")


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
GOAL_MIN_LENGTH = 30


@rule(
    "goal.other-years",
    Severity.WARNING,
    "年度总体目标写了其他年份",
    "年度总体目标只写预算年度内要达到的产出和效果；写进以后年度或整个实施期的目标，会被认为把中期目标当作年度目标。",
)
def goal_other_years(filing, form):
    years = sorted({int(y) for y in _YEAR.findall(filing.fields.get(form.goal.key, ""))} - {filing.year})
    if years:
        yield Hit(filing.value_at(form.goal.key), f"年度总体目标提到了 {'、'.join(map(str, years))} 年；年度目标只写 {filing.year} 年内的内容")


@rule(
    "goal.too-short",
    Severity.WARNING,
    "年度总体目标过于简短",
    f"年度总体目标要概括主要产出和效果（做什么、做多少、达到什么效果），少于 {GOAL_MIN_LENGTH} 个字通常说不清楚。",
)
def goal_too_short(filing, form):
    goal = filing.fields.get(form.goal.key, "").strip()
    if goal and len(goal) < GOAL_MIN_LENGTH:
        yield Hit(filing.value_at(form.goal.key), f"年度总体目标只有 {len(goal)} 个字，请写明主要产出和效果")
