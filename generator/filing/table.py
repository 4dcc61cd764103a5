"""A filing as flat rows: what the year's summary workbook (汇总表.xlsx) holds of it.

One vocabulary for both directions: render/workbook.py writes these rows and columns, and
importing/xlsx_import.py reads them back into filings, so the sheet names, column labels and the
meaning of each column are defined here once. A record is plain JSON-able data (it is cached and
sent between processes): every text exactly as filed, amounts as Decimal text.
"""

from __future__ import annotations

from ..forms.definition import COLUMN_PARTS, FormDefinition
from .model import Filing, Group

WORKBOOK_NAME = "汇总表.xlsx"  # in each year's output folder
SUMMARY_SHEET = "项目汇总"
INDICATOR_SHEET = "指标明细"
FINDINGS_SHEET = "审核问题"
FIELDS_SHEET = "栏目原文"  # every text field and amount exactly as typed: what makes the import exact

NAME_COLUMN = "项目名称"
LEVEL_COLUMN, GROUP_COLUMN, INDICATOR_COLUMN, VALUE_COLUMN = "一级指标", "二级指标", "三级指标", "指标值"
INDICATOR_FIXED = (NAME_COLUMN, LEVEL_COLUMN, GROUP_COLUMN, INDICATOR_COLUMN, VALUE_COLUMN)
HALF_COLUMN = "指标类别"  # on a form with a long-term half: the tree a row belongs to (绩效指标 / 长期绩效指标)
FILE_COLUMN = "文件"  # the filing's file, in 项目汇总, 审核问题 and 栏目原文
FORM_KEY, YEAR_KEY = "表样", "年度"
PATH_SEPARATOR = "/"  # 栏目 of a sub-field or an amount: 项目资金/年度资金总额
# A part column printed under a label the fixed columns already use (财政部 prints the number as 指标值).
PART_NAMES = {"operator": "运算符", "number": "数值", "unit": "单位"}


def part_columns(form: FormDefinition) -> list[tuple[str, str]]:
    """(sheet label, show) of the split target columns the form prints, in its order."""
    columns = []
    for column in form.indicators.columns:
        if column.show in COLUMN_PARTS and not column.half:
            label = column.label if column.label not in INDICATOR_FIXED else f"{column.label}({PART_NAMES[column.show]})"
            columns.append((label, column.show))
    return columns


def detail_columns(form: FormDefinition) -> list[str]:
    """The per-indicator fields of the form: those it prints first, then the others it allows."""
    printed = [c.show for c in form.indicators.columns if not c.half and c.show not in ("level", "group", "name", "value", *COLUMN_PARTS)]
    declared = [d.key for d in form.indicators.details]
    return list(dict.fromkeys([*printed, *declared]))


def printed_columns(form: FormDefinition) -> list[str]:
    """The sheet labels of the columns beyond the fixed ones that the form prints (parts and details), in its order."""
    parts = {show: label for label, show in part_columns(form)}
    fixed = ("level", "group", "name", "value")
    return [parts.get(c.show, c.show) for c in form.indicators.columns if not c.half and c.show not in fixed]


def extra_columns(forms: list[FormDefinition], used: set[str]) -> list[str]:
    """The indicator sheet's columns after the fixed ones, for filings of these forms: every column a
    form prints, and the other per-indicator fields some filing has (`used`), in the forms' order."""
    columns: list[str] = []
    for form in forms:
        columns += printed_columns(form) + [key for key in detail_columns(form) if key in used]
    return list(dict.fromkeys([*columns, *sorted(used - set(columns))]))


def field_entries(filing: Filing, form: FormDefinition) -> list[list[str]]:
    """[栏目, 原文] of every text field and amount, in the order the form keeps its keys."""
    entries = [[FORM_KEY, filing.form_id], [YEAR_KEY, str(filing.year)]]
    sub_fields = {f.key for f in form.header if f.parent}
    for key in form.top_level_keys[2:]:
        if key == form.funds.key:
            entries += [[f"{key}{PATH_SEPARATOR}{item.key}", filing.funds_text[item.key]] for item in form.funds.items]
        elif (spec := form.field(key)) is not None and spec.items:
            entries += [[PATH_SEPARATOR.join(item.path), filing.fields.get(item.key, "")] for item in spec.items]
        elif key in filing.fields and key not in sub_fields:
            entries.append([key, filing.fields[key]])
        elif form.review and key == form.review.field.key and filing.grade:
            entries.append([key, filing.grade])
    return entries


def field_columns(forms: list[FormDefinition]) -> list[str]:
    """Every 栏目 field_entries gives for filings of these forms, in the forms' order."""
    columns = [FORM_KEY, YEAR_KEY]
    for form in forms:
        for key in form.top_level_keys[2:]:
            if key == form.funds.key:
                columns += [f"{key}{PATH_SEPARATOR}{item.key}" for item in form.funds.items]
            elif (spec := form.field(key)) is not None and spec.items:
                columns += [PATH_SEPARATOR.join(item.path) for item in spec.items]
            elif spec is not None:
                columns.append(key)
    return list(dict.fromkeys(columns))


def _group_rows(groups: tuple[Group, ...], form: FormDefinition, half: str) -> list:
    parts = part_columns(form)
    rows = []
    for group in groups:
        indicators = []
        for indicator in group.indicators:
            extras = {label: text for (label, show), text in zip(parts, indicator.parts or ()) if text}
            extras.update((key, text) for key, text in indicator.details if text)
            indicators.append([indicator.name, indicator.value, extras])
        rows.append([half, group.level, group.name, indicators])
    return rows


def filing_record(filing: Filing, form: FormDefinition) -> dict:
    """What the summary workbook lists of a filing, beyond its path, name and findings.

    groups: [half ("" or the long-term key), 一级, 二级, [[三级, 指标值, {column: text}], ...]] in file
    order, a group filed without indicators included (it comes back as one)."""
    def field(key: str) -> str:
        return filing.fields.get(key, "") if key else ""

    groups = _group_rows(filing.groups, form, "")
    if form.indicators.long_term:
        groups += _group_rows(filing.long_term, form, form.indicators.long_term.key)
    return {
        "department": field(form.department_field),
        "unit": field(form.unit_field),
        "amounts": {key: None if value is None else str(value) for key, value in filing.amounts.items()},
        "total": str(filing.total),
        "indicators": len(filing.indicators),
        "fields": field_entries(filing, form),
        "groups": groups,
    }


def used_details(record: dict) -> set[str]:
    """The per-indicator columns a record has text in."""
    return {label for *_, indicators in record["groups"] for _, _, extras in indicators for label in extras}
