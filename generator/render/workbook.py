"""The year's summary workbook (汇总表.xlsx), streamed into XlsxWriter row by row.

XlsxWriter's constant_memory mode writes each row to its sheet's temporary file as soon as the next
row starts, so the workbook of tens of thousands of filings costs the memory of one row per sheet:
the filings' records arrive one at a time from the caller (cached or just rendered) and are not kept.

Sheets (filing/table.py names them and their columns): 项目汇总 (one row per filing, a 合计 row of
SUM formulas), 指标明细 (one row per indicator, a row per group filed empty), 审核问题 (one row per
finding) and 栏目原文 (every text field and amount exactly as typed, for `jixiao import`).

Amounts are numbers only where that is exact: a Decimal is written as the double nearest to it
only when that double reads back as the same Decimal (see exact_number); otherwise as its text.
The output is byte-reproducible: XlsxWriter gives every zip member a fixed time, the document's
created time is the caller's (SOURCE_DATE_EPOCH or the last commit of the year's filings), and
nothing else varies (no shared string table order, no random ids).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import BinaryIO
from urllib.parse import quote

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from ..common.findings import Finding, Severity
from ..filing.table import (
    FIELDS_SHEET,
    FILE_COLUMN,
    FINDINGS_SHEET,
    HALF_COLUMN,
    INDICATOR_FIXED,
    INDICATOR_SHEET,
    NAME_COLUMN,
    SUMMARY_SHEET,
    WORKBOOK_NAME,
)
from ..forms.definition import FormDefinition

MAX_CELL_CHARS = 32_767  # Excel's limit for the text of a cell
MAX_ROWS = 1_048_576  # rows of a sheet; a longer table continues on a sheet named 指标明细(2) ...
MAX_LINKS = 65_530  # hyperlinks per sheet Excel opens; later files are named, not linked
TOTAL_COLUMN = "年度资金(万元)"
COUNT_COLUMN = "三级指标数"
SELF_SCORE_COLUMN = "自评得分"  # the 总分 of the filing's 自评表, blank without results
SEVERITY_COLUMNS = ("错误", "警告", "提示")
FINDING_COLUMNS = (FILE_COLUMN, NAME_COLUMN, "行", "列", "级别", "规则", "说明")
AMOUNT_FORMAT = '#,##0.00##'  # two decimals at least, up to four (万元 to the yuan); the unit is in the heading
WIDTH_LIMITS = {"short": 40, "long": 80}  # column widths, in characters of Latin text


def exact_number(amount: Decimal) -> float | None:
    """The double to write for an amount, or None when no double is exactly this amount.

    XlsxWriter writes a number as `format(x, ".16G")`; the cell holds exactly the amount when that
    text reads back as the same double and that double's shortest decimal form is the amount. This
    holds for every amount of up to 15 significant digits (a double carries 15 decimal digits
    faithfully), and it is checked here for each one rather than assumed."""
    try:
        number = float(amount)
        same = float(format(number, ".16G")) == number and Decimal(repr(number)) == amount
    except (OverflowError, ValueError, InvalidOperation):
        return None
    return number if same and amount.is_finite() else None


def display_width(text: str) -> int:
    """Columns the text takes on screen: CJK and other wide characters count two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


@dataclass(frozen=True)
class Listed:
    """One filing of the workbook, as the build knows it."""

    path: str  # the filing's file, as check names it
    name: str  # 项目名称 (the form's name field)
    form_id: str
    counts: tuple[int, int, int]  # findings: errors, warnings, notes
    links: dict[str, str]  # link column → file name beside the workbook
    record: dict  # filing/table.py filing_record
    self_score: str = ""  # the 总分 of its 自评表 ("" without one)


@dataclass(frozen=True)
class BookInfo:
    year: int
    timestamp: datetime  # the document's created time
    forms: list[FormDefinition]  # the forms of the listed filings, in the order they first appear
    extra_columns: list[str]  # indicator columns after the fixed ones (filing/table.py extra_columns)
    link_columns: list[str]  # e.g. Word, 预览, PDF: those any listed filing has
    field_columns: list[str]  # 栏目原文 columns after 文件: every field path of the forms
    source: str  # for the document properties: where the filings came from


class _Sheet:
    """A worksheet written top to bottom: the heading row, then rows; widths measured as they go.
    A table longer than Excel allows goes on in a new sheet with the same heading."""

    def __init__(self, book: "_Book", name: str, heading: list[str], frozen_columns: int, long_columns: set[int]):
        self.book, self.name, self.heading = book, name, heading
        self.frozen_columns = frozen_columns
        self.limits = [WIDTH_LIMITS["long" if index in long_columns else "short"] for index in range(len(heading))]
        self.parts = 0
        self._start()

    def _start(self) -> None:
        self.parts += 1
        sheet = self.book.workbook.add_worksheet(self.name if self.parts == 1 else f"{self.name}({self.parts})")
        self.sheet = sheet
        self.widths = [display_width(text) for text in self.heading]
        self.chars = [0] * len(self.heading)  # the longest text so far, in characters
        for col, text in enumerate(self.heading):
            sheet.write_string(0, col, text, self.book.heading)
        self.row = 1

    def next_row(self) -> int:
        """The row to write next (starting a new sheet when this one is full)."""
        if self.row >= MAX_ROWS:
            self._finish_part()
            self._start()
        row = self.row
        self.row += 1
        return row

    def text(self, row: int, col: int, text: str, cell_format=None) -> bool:
        """Write a text cell (blank text leaves the cell empty); False if the text had to be cut."""
        if not text:
            return True
        whole = len(text) <= MAX_CELL_CHARS
        if not whole:
            text = text[:MAX_CELL_CHARS]
        # Measuring is the costly part: only the longest text so far is measured.
        if len(text) > self.chars[col] and self.widths[col] < self.limits[col]:
            self.chars[col] = len(text)
            self.widths[col] = max(self.widths[col], display_width(max(text.split("\n"), key=len)))
        self.sheet.write_string(row, col, text, cell_format)
        return whole

    def number(self, row: int, col: int, value, cell_format=None) -> None:
        self.sheet.write_number(row, col, value, cell_format)
        self.widths[col] = max(self.widths[col], len(f"{value:,.2f}"))

    def _finish_part(self, filter_last: int | None = None) -> None:
        sheet, last = self.sheet, self.row - 1 if filter_last is None else filter_last
        for col, width in enumerate(self.widths):
            sheet.set_column(col, col, min(width, self.limits[col]) + 2)
        sheet.freeze_panes(1, self.frozen_columns)
        sheet.autofilter(0, 0, max(last, 0), len(self.heading) - 1)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.repeat_rows(0)
        sheet.fit_to_pages(1, 0)  # all columns on the width of a page, as many pages down as needed
        sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        sheet.set_header("&C&A")
        sheet.set_footer("&C第 &P 页，共 &N 页")

    def finish(self, filter_last: int | None = None) -> None:
        """Widths, panes, filter and print setup; the filter covers every row, or those up to `filter_last`."""
        self._finish_part(filter_last)


class _Book:
    def __init__(self, stream: BinaryIO, info: BookInfo):
        self.workbook = xlsxwriter.Workbook(stream, {
            "constant_memory": True,
            # Text stays text, exactly: nothing typed is turned into a number, a formula or a link.
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        })
        self.heading = self.workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "valign": "top"})
        self.amount = self.workbook.add_format({"num_format": AMOUNT_FORMAT})
        self.count = self.workbook.add_format({"num_format": "0"})
        self.score = self.workbook.add_format({"num_format": "0.00"})
        self.total_label = self.workbook.add_format({"bold": True, "top": 1})
        self.total_amount = self.workbook.add_format({"bold": True, "top": 1, "num_format": AMOUNT_FORMAT})
        self.total_count = self.workbook.add_format({"bold": True, "top": 1, "num_format": "0"})
        timestamp = info.timestamp.astimezone(timezone.utc)
        self.workbook.set_properties({
            "title": f"{info.year}年度项目支出绩效目标汇总表",
            "subject": "项目支出年度预算绩效目标申报表汇总",
            "author": "jixiao",
            "keywords": f"绩效目标, 汇总, {info.year}",
            "comments": f"由 jixiao 生成，来源：{info.source}"[:255],
            "created": timestamp.replace(tzinfo=None),
        })


class _Totals:
    """Exact sums of the summary's number columns (for the 合计 row's cached results), by column."""

    def __init__(self):
        self.sums: dict[int, Decimal] = {}
        self.inexact: set[int] = set()  # columns with an amount written as text: SUM leaves it out

    def add(self, col: int, value: Decimal) -> None:
        self.sums[col] = self.sums.get(col, Decimal(0)) + value


def _amount_cell(sheet: _Sheet, row: int, col: int, text: str | None, cell_format, totals: _Totals) -> bool:
    """Write an amount (Decimal text, or None for a blank); False when it could only be written as text."""
    if text is None:
        return True
    amount = Decimal(text)
    totals.add(col, amount)
    number = exact_number(amount)
    if number is None:
        sheet.text(row, col, text)
        totals.inexact.add(col)
        return False
    sheet.number(row, col, number, cell_format)
    return True


def write_workbook(stream: BinaryIO, info: BookInfo, listed: Iterable[Listed], findings: Iterable[Finding]) -> list[Finding]:
    """Write the workbook to `stream`; returns what it could not hold exactly, as findings of the filings concerned."""
    book = _Book(stream, info)
    money = list(dict.fromkeys(item.key for form in info.forms for item in form.funds.items))
    money_labels = _unique([f"{key}(万元)" for key in money], taken={TOTAL_COLUMN})
    summary_heading = [NAME_COLUMN, "表样", "主管部门", "实施单位", *money_labels, TOTAL_COLUMN, COUNT_COLUMN,
                       *SEVERITY_COLUMNS, SELF_SCORE_COLUMN, *info.link_columns, FILE_COLUMN]
    long_term = any(form.indicators.long_term for form in info.forms)
    indicator_heading = [*INDICATOR_FIXED, *info.extra_columns, *([HALF_COLUMN] if long_term else [])]
    fields_heading = [FILE_COLUMN, *info.field_columns]
    summary = _Sheet(book, SUMMARY_SHEET, summary_heading, 1, set())
    indicators = _Sheet(book, INDICATOR_SHEET, indicator_heading, 1, set(range(3, len(indicator_heading))))
    problems = _Sheet(book, FINDINGS_SHEET, list(FINDING_COLUMNS), 0, {6})
    fields = _Sheet(book, FIELDS_SHEET, fields_heading, 1, set(range(1, len(fields_heading))))
    money_col = {key: 4 + index for index, key in enumerate(money)}
    total_col = 4 + len(money)
    count_cols = range(total_col + 1, total_col + 5)  # 三级指标数, 错误, 警告, 提示
    score_col = total_col + 5
    link_col = {label: score_col + 1 + index for index, label in enumerate(info.link_columns)}
    extra_col = {label: len(INDICATOR_FIXED) + index for index, label in enumerate(info.extra_columns)}
    field_col = {key: 1 + index for index, key in enumerate(info.field_columns)}
    totals = _Totals()
    notes: list[Finding] = []
    names: dict[str, str] = {}
    links = count = 0
    for entry in listed:
        count += 1
        names[entry.path] = entry.name
        record = entry.record
        cut: list[str] = []
        row = summary.next_row()
        for col, text in enumerate((entry.name, entry.form_id, record["department"], record["unit"])):
            if not summary.text(row, col, text):
                cut.append(f"{SUMMARY_SHEET}的“{summary_heading[col]}”")
        amounts = [(money_col[key], text) for key, text in record["amounts"].items()] + [(total_col, record["total"])]
        inexact = [text for col, text in amounts if not _amount_cell(summary, row, col, text, book.amount, totals)]
        for col, value in zip(count_cols, (record["indicators"], *entry.counts)):
            summary.number(row, col, value, book.count)
            totals.add(col, Decimal(value))
        score = exact_number(Decimal(entry.self_score)) if entry.self_score else None
        if score is not None:
            summary.number(row, score_col, score, book.score)
        for label, href in entry.links.items():
            links += _link(summary, row, link_col[label], href, label, links < MAX_LINKS)
        summary.text(row, len(summary_heading) - 1, entry.path)
        for half, level, group, rows in record["groups"]:
            for name, value, extras in rows or [("", "", {})]:  # a group filed empty: one row without 三级
                row = indicators.next_row()
                for col, text in enumerate((entry.name, level, group, name, value)):
                    if not indicators.text(row, col, text):
                        cut.append(f"{INDICATOR_SHEET}的“{indicator_heading[col]}”")
                for label, text in extras.items():
                    if not indicators.text(row, extra_col[label], text):
                        cut.append(f"{INDICATOR_SHEET}的“{label}”")
                indicators.text(row, len(indicator_heading) - 1, half)
        row = fields.next_row()
        fields.text(row, 0, entry.path)
        for key, text in record["fields"]:
            if not fields.text(row, field_col[key], text):
                cut.append(f"{FIELDS_SHEET}的“{key}”")
        if cut:
            notes.append(Finding(entry.path, 1, 1, Severity.WARNING, "build.workbook", (
                f"{WORKBOOK_NAME} 的单元格最多 {MAX_CELL_CHARS} 个字，{'、'.join(dict.fromkeys(cut))}只写入了前 {MAX_CELL_CHARS} 个字；"
                "从这个汇总表导入时会缺少后面的文字"
            )))
        if inexact:
            notes.append(Finding(entry.path, 1, 1, Severity.WARNING, "build.workbook", (
                f"金额“{'”“'.join(inexact)}”的有效数字超过 Excel 能精确保存的 15 位，在 {WORKBOOK_NAME} 中作为文字写入，合计行不包括它"
            )))
    _total_row(book, summary, count, [*money_col.values(), total_col], count_cols, totals)
    for finding in findings:
        row = problems.next_row()
        problems.text(row, 0, finding.file)
        problems.text(row, 1, names.get(finding.file, ""))
        problems.number(row, 2, finding.line, book.count)
        problems.number(row, 3, finding.col, book.count)
        for col, text in ((4, finding.severity.label), (5, finding.rule), (6, finding.message)):
            problems.text(row, col, text)
    for sheet in (problems, indicators, fields):
        sheet.finish()
    if links >= MAX_LINKS:
        notes.append(Finding(SUMMARY_SHEET, 1, 1, Severity.INFO, "build.workbook", (
            f"{WORKBOOK_NAME}：Excel 一张表最多 {MAX_LINKS} 个链接，其余申报表的输出文件只写了文件名"
        )))
    book.workbook.close()
    return notes


def _link(sheet: _Sheet, row: int, col: int, href: str, label: str, allowed: bool) -> int:
    """A relative link to a file beside the workbook (1), or its name as text (0) where Excel takes no more
    links or the name is too long for one."""
    if allowed:
        try:
            # Percent-encoded: XlsxWriter leaves an encoded link alone, so # % and spaces in a name survive.
            sheet.sheet.write_url(row, col, "external:" + quote(href), string=label)
            return 1
        except ValueError:  # longer than Excel allows a link to be
            pass
    sheet.text(row, col, href)
    return 0


def _unique(labels: list[str], taken: set[str]) -> list[str]:
    result = []
    for label in labels:
        unique, number = label, 2
        while unique in taken:
            unique, number = f"{label}{number}", number + 1
        taken.add(unique)
        result.append(unique)
    return result


def _total_row(book: _Book, summary: _Sheet, count: int, amount_cols: list[int], count_cols: range, totals: _Totals) -> None:
    """合计: SUM formulas over the filings' rows, with their exact results cached for readers that do not
    calculate (a viewer, or LibreOffice, which by default shows the cached results of an .xlsx)."""
    row = summary.next_row()
    summary.text(row, 0, "合计", book.total_label)
    sums = [(col, book.total_amount) for col in amount_cols] + [(col, book.total_count) for col in count_cols]
    for col, cell_format in sums:
        letter = xl_col_to_name(col)
        formula = f"=SUM({letter}2:{letter}{count + 1})" if count else "=0"
        cached = None if col in totals.inexact else exact_number(totals.sums.get(col, Decimal(0)))
        summary.sheet.write_formula(row, col, formula, cell_format, "" if cached is None else cached)
    summed = {col for col, _ in sums}
    for col in range(1, len(summary.heading)):
        if col not in summed:
            summary.sheet.write_blank(row, col, None, book.total_label)
    summary.finish(filter_last=count)  # the filter covers the filings, not the 合计 row
