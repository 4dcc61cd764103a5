"""Filings from an Excel workbook: jixiao's own 汇总表.xlsx read back exactly, and the one-row-per-indicator
sheet that budget systems export.

A sheet is known by its heading row (found by its labels among its first rows), not by its name:
- an indicator sheet has 三级指标 and a target column (指标值, 指标目标值, or 指标性质/指标值/度量单位 ...):
  one row per indicator; its project name column (项目名称, or the pack's own name field) splits it into
  filings, and a blank name, 一级 or 二级 cell carries the row above (merged, or "same as above");
- 栏目原文 (文件, 表样, 年度 and a column per field): every text field and amount of each filing as typed.
  Where it is, it decides each filing's pack, year, fields and money: the round trip is exact;
- 项目汇总 (项目名称, 表样, amounts): the pack, department, unit and amounts where no 栏目原文 says;
- 审核问题 is made from the filings and is not read.
Other columns of an indicator sheet that name a header field or an amount of the pack (主管部门,
年度资金总额 ...) fill it. A sheet of a budget system names no pack: it is read with the pack whose
columns and 一级/二级 names fit it best (or --form). Cells are read as the text they show: numbers
without binary noise, percentages with %, dates (and date serials in date fields and 时效 values)
as 2024-12-31, each conversion said with its cell address (Sheet!C12). Nothing is dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from openpyxl.utils.cell import get_column_letter

from ..filing.table import FILE_COLUMN, FORM_KEY, HALF_COLUMN, PATH_SEPARATOR, YEAR_KEY, part_columns
from ..forms.definition import COLUMN_PARTS, FormDefinition
from .labels import ALIAS, EXACT, Labels, norm
from .reader import ImportedForm, indicator_from, money_text
from .xlsx_read import SheetRows, Workbook, XCell

HEADING_ROWS = 30  # a heading row is looked for among a sheet's first rows (title lines above it)
CLOSE = 4  # a runner-up pack within this many points is named in the messages
NAME_LABELS = ("项目名称", "项目", "项目全称")
LEVEL_LABELS = ("一级指标",)
GROUP_LABELS = ("二级指标",)
INDICATOR_LABELS = ("三级指标", "三级指标名称", "指标名称", "绩效指标名称")
VALUE_LABELS = ("指标值", "指标目标值", "目标值", "指标值及单位", "年度指标值", "绩效指标值", "预期指标值")
OPERATOR_LABELS = ("指标性质", "运算符", "指标方向", "运算符号", "符号")
UNIT_LABELS = ("度量单位", "计量单位", "单位")
YEAR_LABELS = ("年度", "预算年度", "年份")
IGNORED_LABELS = ("序号", "编号")  # row numbers: nothing of the filing
DEPARTMENT_LABELS = ("主管部门", "主管单位", "预算部门", "部门名称")
UNIT_FIELD_LABELS = ("实施单位", "项目实施单位", "单位名称")
# Date serials of 1990 to 2100: a bare number in a date cell outside these is a number, not a date.
SERIALS = (32_874, 73_415)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def _address(sheet: SheetRows, row: int, col: int) -> str:
    return f"{sheet.name}!{get_column_letter(col)}{row}"


def _plain(number: float | int) -> str:
    """A number as Excel shows it at most (15 significant digits), without exponent or trailing zeros."""
    if isinstance(number, int):
        return str(number)
    value = Decimal(format(number, ".15g"))
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class _Reading:
    """One workbook being read: what the cells say, and what was said about them."""

    book: Workbook
    notes: list[str] = field(default_factory=list)  # for the filing being read (moved onto it)

    def text(self, sheet: SheetRows, row: int, col: int, cell: XCell | None, kind: str = "") -> str:
        """The text a cell shows; `kind` "date" converts a date serial (in a date field or a 时效 value)."""
        if cell is None or cell.value is None:
            return ""
        value = cell.value
        where = _address(sheet, row, col)
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            self.notes.append(f"{where}：逻辑值按“{'TRUE' if value else 'FALSE'}”导入")
            return "TRUE" if value else "FALSE"
        if isinstance(value, datetime):
            text = _date_text(value)
            self.notes.append(f"{where}：Excel 日期按“{text}”导入")
            return text
        if isinstance(value, (date, time, timedelta)):
            self.notes.append(f"{where}：Excel 日期或时间按“{value}”导入")
            return str(value)
        if kind == "date" and float(value).is_integer() and SERIALS[0] <= value <= SERIALS[1]:
            text = _date_text(self.book.epoch + timedelta(days=int(value)))
            self.notes.append(f"{where}：Excel 日期序号 {int(value)} 按“{text}”导入")
            return text
        if "%" in cell.number_format:
            text = _plain(float(Decimal(format(value, ".15g")) * 100)) + "%"
            self.notes.append(f"{where}：百分比格式的数值 {_plain(value)} 按“{text}”导入")
            return text
        return _plain(value)


def _date_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d") if moment.time() == time(0) else moment.strftime("%Y-%m-%d %H:%M")


class _Grid:
    """A sheet's cells by (row, col), a merged range's value in each cell it covers."""

    def __init__(self, sheet: SheetRows):
        self.sheet = sheet
        self.covered: dict[tuple[int, int], tuple[int, int]] = {}
        for top, left, bottom, right in sheet.merges:
            for row in range(top, bottom + 1):
                for col in range(left, right + 1):
                    if (row, col) != (top, left):
                        self.covered[(row, col)] = (top, left)

    def cell(self, row: int, col: int) -> tuple[XCell | None, tuple[int, int] | None]:
        """The cell (the first cell of its merged range) and, if merged, where that range starts."""
        origin = self.covered.get((row, col))
        at_row, at_col = origin or (row, col)
        cells = self.sheet.rows.get(at_row, [])
        return (cells[at_col - 1] if at_col <= len(cells) else None), origin

    def rows(self, after: int) -> list[int]:
        """Row numbers below `after` that hold something, merged ranges included."""
        return sorted({r for r in self.sheet.rows if r > after} | {r for r, _ in self.covered if r > after})


def _heading(sheet: SheetRows, labels: set[str]) -> tuple[int, dict[int, str]] | None:
    """The first row (among the first HEADING_ROWS with content) holding one of `labels`: its number and texts by column."""
    for number in sorted(sheet.rows)[:HEADING_ROWS]:
        texts = {col: cell.value.strip() for col, cell in enumerate(sheet.rows[number], start=1) if isinstance(cell.value, str) and cell.value.strip()}
        if {norm(text) for text in texts.values()} & labels:
            return number, texts
    return None


def _normed(*groups: tuple[str, ...]) -> set[str]:
    return {norm(text) for group in groups for text in group}


@dataclass
class _Project:
    """A filing being read from the sheets."""

    name: str
    place: str  # where it was first seen, e.g. 指标明细!A2
    form_id: str = ""  # from 栏目原文 or 项目汇总, or the pack the indicator sheet was recognised as
    recognition: str = ""
    year: int | None = None
    exact: bool = False  # its fields and money come from 栏目原文, as typed
    fields: dict[str, str] = field(default_factory=dict)  # 栏目原文: field path → text
    header: dict[str, tuple[str, str]] = field(default_factory=dict)  # other columns: "field:<key>"/"money:<key>" → (text, cell)
    rows: list[tuple[SheetRows, int, dict[int, str], dict]] = field(default_factory=list)  # indicator rows, read with the pack
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _column_roles(form: FormDefinition, texts: dict[int, str]) -> dict[int, str]:
    """What each heading of an indicator sheet means for this pack: "name", "level", "group", "indicator",
    "value" (the whole target), a part ("operator"/"number"/"unit"), a detail key, "half", "year", "form",
    "skip", "field:<key>" / "money:<key>", or "?<heading>" (not the pack's)."""
    spec = form.indicators
    labels = Labels(form)
    own_parts = dict(part_columns(form))  # jixiao's own workbook: 指标值(数值) ...
    pack_columns = {norm(c.label): c.show for c in spec.columns if not c.half}
    details = {norm(d.key): d.key for d in spec.details}
    name_labels = _normed(NAME_LABELS) | {norm(form.name_field)} | {
        label for label, meaning in labels.cells.items() if meaning.kind == "field" and meaning.key == form.name_field}
    roles: dict[int, str] = {}
    targets = []  # columns that hold the target whole or its number, decided once the parts are known
    for col, text in texts.items():
        key = norm(text)
        if text in own_parts:
            role = own_parts[text]
        elif key in name_labels:
            role = "name"
        elif key in _normed(LEVEL_LABELS) or pack_columns.get(key) == "level":
            role = "level"
        elif key in _normed(GROUP_LABELS) or pack_columns.get(key) == "group":
            role = "group"
        elif key in _normed(INDICATOR_LABELS) or pack_columns.get(key) == "name":
            role = "indicator"
        elif key == norm(HALF_COLUMN):
            role = "half"
        elif pack_columns.get(key) in ("value", "number") or key in _normed(VALUE_LABELS):
            targets.append(col)
            continue
        elif key in pack_columns:
            role = pack_columns[key]
        elif key in details:
            role = details[key]
        elif key in _normed(OPERATOR_LABELS):
            role = "operator"
        elif key in _normed(UNIT_LABELS):
            role = "unit"
        elif key in _normed(YEAR_LABELS):
            role = "year"
        elif key == norm(FORM_KEY):
            role = "form"
        elif key in _normed(IGNORED_LABELS) or key == norm(FILE_COLUMN):
            role = "skip"
        elif (meaning := labels.cells.get(key)) is not None and meaning.kind in ("field", "money"):
            role = f"{meaning.kind}:{meaning.key}"
        elif key in _normed(DEPARTMENT_LABELS) and form.department_field:
            role = f"field:{form.department_field}"
        elif key in _normed(UNIT_FIELD_LABELS) and form.unit_field:
            role = f"field:{form.unit_field}"
        else:
            role = f"?{text}"
        roles[col] = role
    # Beside an operator or unit column, a target column is the number (指标性质 | 指标值 | 度量单位),
    # unless another column already is (jixiao's own 指标值(数值)): then it is the whole target.
    split = bool({"operator", "unit"} & set(roles.values()))
    for col in targets:
        number_taken = "number" in roles.values()
        roles[col] = "number" if split and not number_taken else "value"
    return dict(sorted(roles.items()))


def _fit(form: FormDefinition, texts: dict[int, str], names: list[tuple[str, str]]) -> int:
    """How well a pack fits an indicator sheet: headings it prints itself count more than generic ones or
    aliases, 一级/二级 names it has count, and what it cannot place counts against it."""
    labels = Labels(form)
    own = {norm(c.label) for c in form.indicators.columns} | {norm(d.key) for d in form.indicators.details}
    score = 0
    for col, role in _column_roles(form, texts).items():
        key = norm(texts[col])
        if role.startswith("?"):
            score -= EXACT
        elif role.startswith(("field:", "money:")):
            meaning = labels.cells.get(key)
            score += meaning.weight if meaning else ALIAS
        elif role not in ("skip", "year", "form"):
            score += EXACT if key in own else ALIAS
    for level in dict.fromkeys(level for level, _ in names if norm(level)):
        meaning = labels.levels.get(norm(level))
        score += meaning.weight if meaning else -EXACT
    for group in dict.fromkeys(group for _, group in names if norm(group)):
        found = labels.groups.get(norm(group))
        score += found[1].weight if found else -EXACT
    return score


class WorkbookReader:
    """Reads the filings of one workbook; each becomes an ImportedForm (to_yaml writes it)."""

    def __init__(self, book: Workbook, forms: list[FormDefinition], forced: bool):
        self.book = book
        self.forms = {form.id: form for form in forms}
        self.forced = forms[0] if forced else None
        self.reading = _Reading(book)
        self.messages: list[str] = []  # about the workbook as a whole
        self.projects: dict[str, _Project] = {}
        self.duplicates: set[str] = set()
        self.recognition = self.close = ""  # how the last budget sheet's pack was chosen; a close call

    def read(self) -> list[ImportedForm]:
        indicator_labels = _normed(INDICATOR_LABELS) | {
            norm(c.label) for form in self.forms.values() for c in form.indicators.columns if c.show == "name"}
        sheets = []
        for sheet in self.book.sheets:
            if sheet.hidden:
                if sheet.rows:
                    self.messages.append(f"工作表“{sheet.name}”是隐藏的，没有导入；需要时请在 Excel 中取消隐藏后再导入")
                continue
            found = _heading(sheet, indicator_labels | {norm(FORM_KEY), norm(FILE_COLUMN)})
            kind = _kind(found, indicator_labels)
            if kind is None and sheet.rows:
                self.messages.append(
                    f"工作表“{sheet.name}”找不到指标表的表头（三级指标、指标值等栏目），也不是 jixiao 汇总表的工作表，没有导入")
            elif kind is not None:
                sheets.append((kind, sheet, *found))
        # 栏目原文 and 项目汇总 first: they decide each filing's pack, and the pack how its indicator rows read.
        for order, read in (("fields", self._fields), ("summary", self._summary), ("indicators", self._indicators)):
            for kind, sheet, heading_row, texts in sheets:
                if kind == order:
                    read(sheet, heading_row, texts)
        return [imported for project in self.projects.values() if (imported := self._finish(project)) is not None]

    def _text(self, sheet: SheetRows, row: int, col: int, grid: "_Grid", notes: list[str], kind: str = "") -> str:
        self.reading.notes = notes
        return self.reading.text(sheet, row, col, grid.cell(row, col)[0], kind)

    def _project(self, name: str, place: str) -> _Project:
        if name not in self.projects:
            self.projects[name] = _Project(name, place)
        return self.projects[name]

    # -- 栏目原文 -------------------------------------------------------------------------------
    def _fields(self, sheet: SheetRows, heading_row: int, texts: dict[int, str]) -> None:
        grid = _Grid(sheet)
        for row in grid.rows(heading_row):
            notes: list[str] = []
            values = {text: self._text(sheet, row, col, grid, notes) for col, text in texts.items()}
            place = _address(sheet, row, 1)
            form = self.forms.get(values.get(FORM_KEY, "").strip())
            if form is None:
                self.messages.append(f"{place}：表样“{values.get(FORM_KEY, '')}”不存在，这一行没有导入")
                continue
            name = values.get(form.name_field, "")
            if name in self.projects and self.projects[name].exact:
                self.duplicates.add(name)
                self.messages.append(f"{place}：{form.name_field}“{name}”在上面已经有了，两个申报表的指标无法区分，都没有导入")
                continue
            project = self._project(name, place)
            project.form_id, project.exact, project.year = form.id, True, _year(values.get(YEAR_KEY, ""))
            project.fields = {text: value for text, value in values.items() if text not in (FILE_COLUMN, FORM_KEY, YEAR_KEY)}
            project.notes += notes

    # -- 项目汇总 -------------------------------------------------------------------------------
    def _summary(self, sheet: SheetRows, heading_row: int, texts: dict[int, str]) -> None:
        grid = _Grid(sheet)
        name_col = next(col for col, text in texts.items() if norm(text) in _normed(NAME_LABELS))
        form_col = next(col for col, text in texts.items() if norm(text) == norm(FORM_KEY))
        for row in grid.rows(heading_row):
            notes: list[str] = []
            form_id = self._text(sheet, row, form_col, grid, notes).strip()
            name = self._text(sheet, row, name_col, grid, notes)
            if not form_id and name == "合计":
                continue  # the total row
            project = self._project(name, _address(sheet, row, name_col))
            if project.exact:
                continue  # 栏目原文 has it all, as typed
            form = self.forms.get(form_id)
            if form is None:
                self.messages.append(f"{_address(sheet, row, form_col)}：表样“{form_id}”不存在，这一行没有导入")
                continue
            project.form_id = form.id
            for col, role in _column_roles(form, texts).items():
                if role.startswith(("field:", "money:")):
                    text = self._text(sheet, row, col, grid, notes, _kind_of(form, role))
                    project.header.setdefault(role, (text, _address(sheet, row, col)))
            project.notes += notes

    # -- indicator sheets -----------------------------------------------------------------------
    def _indicators(self, sheet: SheetRows, heading_row: int, texts: dict[int, str]) -> None:
        grid = _Grid(sheet)
        name_labels = _normed(NAME_LABELS) | {norm(form.name_field) for form in self.forms.values()}
        name_col = next((col for col, text in texts.items() if norm(text) in name_labels), None)
        title = [cell.value for row in sorted(sheet.rows) if row < heading_row for cell in sheet.rows[row] if isinstance(cell.value, str)]
        title_year = next(filter(None, map(_year, title)), None)
        current, rows = "", []
        for row in grid.rows(heading_row):
            notes: list[str] = []
            if name_col is not None:
                name = self._text(sheet, row, name_col, grid, notes)
                current = name if name.strip() else current  # blank: the project of the row above
            if not current:
                self.messages.append(f"{_address(sheet, row, 1)}：这一行前面没有项目名称（找不到“项目名称”栏），没有导入")
                continue
            rows.append((current, row, {col: grid.cell(row, col) for col in texts}, notes))
        unknown = any(not self.projects.get(name, _Project("", "")).form_id for name, *_ in rows)
        sheet_form = self._sheet_form(sheet, texts, rows) if unknown or self.forced else None
        for name, row, cells, notes in rows:
            project = self._project(name, _address(sheet, row, name_col or 1))
            project.notes += notes
            if project.year is None:
                project.year = title_year
            if not project.form_id and sheet_form is not None:
                project.form_id, project.recognition = sheet_form.id, self.recognition
                if self.close:
                    project.notes.append(self.close)
            project.rows.append((sheet, row, texts, cells))

    def _sheet_form(self, sheet: SheetRows, texts: dict[int, str], rows: list) -> FormDefinition:
        """The pack a budget system's sheet is read with: --form, or the one that fits it best."""
        self.close = ""
        if self.forced is not None:
            self.recognition = f"按 --form 指定的表样 {self.forced.id}（{self.forced.name}）读取"
            return self.forced
        columns = [next((col for col, text in texts.items() if norm(text) in _normed(labels)), None)
                   for labels in (LEVEL_LABELS, GROUP_LABELS)]
        names = [tuple(_shown(cells[col][0]) if col else "" for col in columns) for _, _, cells, _ in rows]
        fits = {form.id: _fit(form, texts, names) for form in self.forms.values()}
        ranked = sorted(self.forms.values(), key=lambda form: (-fits[form.id], not form.default, form.id))
        best = ranked[0]
        self.recognition = f"按表头和指标名称识别为表样 {best.id}（{best.name}）"
        if close := [form.id for form in ranked[1:] if fits[best.id] - fits[form.id] < CLOSE]:
            self.close = (f"工作表“{sheet.name}”：表样 {'、'.join(close)} 与 {best.id} 几乎一样符合，按 {best.id} 导入；"
                          "如果不对，请用 --form 指定表样重新导入")
        return best

    # -- one filing -----------------------------------------------------------------------------
    def _finish(self, project: _Project) -> ImportedForm | None:
        form = self.forced or self.forms.get(project.form_id)
        if project.name in self.duplicates or form is None:
            return None
        year = project.year or _year(self.book.title)  # a sheet without years: the workbook's title may say
        imported = ImportedForm(project.place, form, year=year, notes=project.notes, problems=project.problems)
        imported.recognition = project.recognition or f"按汇总表的“{FORM_KEY}”栏读取为表样 {form.id}（{form.name}）"
        if self.forced and project.form_id and project.form_id != form.id:
            imported.notes.append(f"{project.place}：汇总表写的表样是 {project.form_id}，按 --form 指定的 {form.id} 导入")
        if project.exact:
            _exact_fields(project, form, imported)
        rows = _IndicatorRows(self, form, project, imported)
        for sheet, row, texts, cells in project.rows:
            rows.read(sheet, row, texts, cells)
        if not project.exact:
            labels = rows.labels
            for role, (text, where) in project.header.items():
                kind, key = role.split(":", 1)
                if kind == "money":
                    imported.funds[key] = money_text(labels, key, text, where, imported)
                else:
                    imported.fields[key] = text
            imported.fields.setdefault(form.name_field, project.name)
        return imported


def _kind(found: tuple[int, dict[int, str]] | None, indicator_labels: set[str]) -> str | None:
    """What a sheet is, by its heading: indicators, fields (栏目原文), summary (项目汇总), findings (审核问题)."""
    if found is None:
        return None
    names = {norm(text) for text in found[1].values()}
    if names & indicator_labels:
        return "indicators"
    if {norm(FILE_COLUMN), norm(FORM_KEY), norm(YEAR_KEY)} <= names:
        return "fields"
    if norm(FORM_KEY) in names and names & _normed(NAME_LABELS):
        return "summary"
    if {norm(FILE_COLUMN), "级别", "规则", "说明"} <= names:
        return "findings"  # 审核问题: made from the filings, nothing to import
    return None


def _shown(cell: XCell | None) -> str:
    return cell.value if cell is not None and isinstance(cell.value, str) else ""


def _kind_of(form: FormDefinition, role: str) -> str:
    """How a header cell reads: a date field converts a date serial."""
    spec = form.field(role.split(":", 1)[1]) if role.startswith("field:") else None
    return "date" if spec is not None and spec.type in ("date", "period") else ""


def _exact_fields(project: _Project, form: FormDefinition, imported: ImportedForm) -> None:
    """栏目原文's texts into the filing: fields (a sub-field by its group path), money, the review."""
    money = f"{form.funds.key}{PATH_SEPARATOR}"
    sub_fields = {PATH_SEPARATOR.join(spec.path): spec.key for spec in form.header if spec.parent}
    for path, text in project.fields.items():
        if path.startswith(money) and form.funds.item(path[len(money):]):
            imported.funds[path[len(money):]] = text
        elif path in sub_fields:
            imported.fields[sub_fields[path]] = text
        elif form.review and path == form.review.field.key and form.review.kind == "grade":
            imported.grade = text
        elif form.field(path) is not None:
            imported.fields[path] = text
        elif text:
            imported.problems.append(f"{project.place}：表样 {form.id} 没有栏目“{path}”：{text}")


class _IndicatorRows:
    """A filing's indicator rows read with its pack; blank 一级/二级 cells carry the row above."""

    def __init__(self, reader: WorkbookReader, form: FormDefinition, project: _Project, imported: ImportedForm):
        self.reader, self.form, self.project, self.imported = reader, form, project, imported
        self.labels = Labels(form)
        self.roles: dict[int, dict[int, str]] = {}
        self.level = self.group = self.later_group = ""

    def _text(self, sheet: SheetRows, row: int, col: int, cell: XCell | None, kind: str = "") -> str:
        self.reader.reading.notes = self.imported.notes
        return self.reader.reading.text(sheet, row, col, cell, kind)

    def read(self, sheet: SheetRows, row: int, texts: dict[int, str], cells: dict) -> None:
        roles = self.roles.setdefault(id(texts), _column_roles(self.form, texts))
        place = _address(sheet, row, 1)
        by_role = {}
        for col, role in roles.items():
            by_role.setdefault(role, (col, *cells[col]))

        def text(role: str, kind: str = "") -> str:
            if role not in by_role:
                return ""
            col, cell, _ = by_role[role]
            return self._text(sheet, row, col, cell, kind)

        long_term = self.form.indicators.long_term
        later = long_term is not None and text("half").strip() == long_term.key
        if not self._place(text("level"), text("group"), later, place):
            return
        group = self.later_group if later else self.group
        spec = self.form.group(self.level, group)
        timely = spec is not None and spec.role == "timeliness"
        values: dict[str, str] = {}
        for role, (col, cell, origin) in by_role.items():
            if role in ("name", "level", "group", "half", "skip", "form"):
                continue
            if role == "year":
                if self.imported.year is None:
                    self.imported.year = _year(text(role))
                continue
            if role.startswith(("field:", "money:")):
                if not self.project.exact and (value := text(role, _kind_of(self.form, role))).strip():
                    self._header(role, value, _address(sheet, row, col))
                continue
            value = text(role, "date" if timely and role in ("value", "number") else "")
            values[role] = value
            if origin is not None and origin[0] != row and value.strip() and role != "indicator":
                self.imported.notes.append(f"{_address(sheet, row, col)}：在合并单元格 {_address(sheet, *origin)} 里，按“{value}”导入")
        name = values.pop("indicator", "")
        tree = self.imported.long_term if later else self.imported.groups
        indicators = tree.setdefault((self.level, group), [])
        if not name and not any(values.values()):
            return  # a group filed without indicators
        entry = indicator_from(name, self._target(values, place), self.form.indicators, place, self.imported.problems)
        if any(existing.name == entry.name for existing in indicators):
            self.imported.problems.append(f"{place}：“{group}”中三级指标“{entry.name}”重复出现，第二个（指标值“{entry.shown}”）放在注释里")
        else:
            indicators.append(entry)

    def _place(self, level_text: str, group_text: str, later: bool, place: str) -> bool:
        """Take the row's 一级 and 二级 (or carry the row above's); False when the row cannot be placed."""
        if level_text.strip():
            meaning = self.labels.levels.get(norm(level_text))
            if meaning is None:
                self.imported.problems.append(f"{place}：一级指标“{level_text}”不是表样 {self.form.id} 中的一级指标，这一行没有导入")
                self.level = self.group = self.later_group = ""
                return False
            self.level = meaning.key
        if group_text.strip():
            found = self.labels.groups.get(norm(group_text))
            if found is None:
                self.imported.problems.append(f"{place}：二级指标“{group_text}”不是表样 {self.form.id} 中的二级指标，这一行没有导入")
                self.group = self.later_group = ""
                return False
            level, meaning = found
            if self.level and level != self.level:
                self.imported.notes.append(f"{place}：二级指标“{meaning.key}”属于“{level}”，按“{level}”导入")
            self.level = level
            if later:
                self.later_group = meaning.key
            else:
                self.group = meaning.key
        if not (self.later_group if later else self.group):
            self.imported.problems.append(f"{place}：这一行前面没有二级指标，没有导入")
            return False
        return True

    def _target(self, values: dict[str, str], place: str) -> dict[str, str]:
        """A target split in columns, for a pack that keeps it whole: joined into one text (and said so)."""
        if self.form.indicators.split or not any(part in values for part in COLUMN_PARTS):
            return values
        operator, number, unit = (values.pop(part, "") for part in COLUMN_PARTS)
        marks = {"定性", *(form.indicators.qualitative_mark for form in self.reader.forms.values())} - {""}
        joined = number if operator.strip() in marks else f"{operator}{number}{unit}"
        whole = values.get("value", "")
        if not whole.strip():
            values["value"] = joined
            if joined != number:
                self.imported.notes.append(f"{place}：表样 {self.form.id} 的指标值不分栏，“{operator}”“{number}”“{unit}”合成为“{joined}”")
        elif joined.strip() and whole != joined:
            self.imported.problems.append(f"{place}：指标值“{whole}”与分开的各栏（{joined}）不一致，按指标值导入")
        return values

    def _header(self, role: str, text: str, where: str) -> None:
        earlier = self.project.header.get(role)
        if earlier is None:
            self.project.header[role] = (text, where)
        elif earlier[0] != text:
            key = role.split(":", 1)[1]
            self.imported.problems.append(f"{where}：“{key}”是“{text}”，与 {earlier[1]} 的“{earlier[0]}”不同，按 {earlier[1]} 导入")


def _year(value) -> int | None:
    if isinstance(value, (int, float)) and float(value).is_integer():
        return int(value)
    match = _YEAR.search(str(value or ""))
    return int(match[1]) if match else None
