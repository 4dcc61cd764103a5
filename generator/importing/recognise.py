"""`jixiao import`: filled-in Word forms → filing data, reporting whatever could not be placed.

Header fields are found by their label text (with the variants of real forms), the indicator grid
by its column headings; merged cells, repeated labels, "same as above" blanks and rows with fewer
cells all carry the 一级/二级 of the row above. Nothing is dropped: what is not understood is
returned as a problem with its place, to be reported and kept in the YAML as a comment.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..forms.definition import FormDefinition
from .docx_read import DocumentContent, Paragraph, RowCell, TableRow

_ANNOTATION = re.compile(r"[(（]\s*(必填量化|必填|选填|定量|定性)\s*[)）]")
_UNIT_NOTE = re.compile(r"[(（]\s*(万元|元)\s*[)）]")
_YEAR_LINE = re.compile(r"^[(（]?\s*(?P<year>\d{4})\s*年度?\s*[)）]?$")
_KNOWN_PARAGRAPH = re.compile(r"^(附件\s*\d*\s*[:：]?|注\s*[:：].*|填报单位.*|单位\s*[:：].*)$")
_MONEY = re.compile(r"^(?P<number>[+-]?\d[\d,]*(?:\.\d+)?)\s*(?P<suffix>万元|万)?$")
_TICKS = "☑☒✓✔√■▣●"
_BOXES = "☐□○"


def norm(text: str) -> str:
    """Label text for comparison: full-width folded, annotations, spaces and colons removed."""
    text = _UNIT_NOTE.sub("", _ANNOTATION.sub("", unicodedata.normalize("NFKC", text)))
    return re.sub(r"[\s:：]", "", unicodedata.normalize("NFKC", text))


@dataclass
class Indicator:
    name: str
    value: str
    details: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportedForm:
    """One form found in a document, as filing data plus what the importer had to say."""

    place: str  # where the form starts, e.g. "表格 1 第 1 行"
    year: int | None = None
    fields: dict[str, str] = field(default_factory=dict)
    funds: dict[str, str] = field(default_factory=dict)
    groups: dict[tuple[str, str], list[Indicator]] = field(default_factory=dict)
    grade: str = ""
    notes: list[str] = field(default_factory=list)  # normalisations (a suffix stripped, a blank read as 0)
    problems: list[str] = field(default_factory=list)  # content that could not be placed

    name_field: str = "项目名称"

    @property
    def name(self) -> str:
        return self.fields.get(self.name_field, "")


class _Labels:
    """Every label of the form, normalised, to what it means."""

    def __init__(self, form: FormDefinition):
        self.form = form
        self.header: dict[str, str] = {}
        for field_ in (*form.header, *form.goals):
            for label in (field_.key, field_.label, *field_.aliases):
                self.header[norm(label)] = field_.key
        self.funds = {norm(label): item.key for item in form.funds.items for label in (item.key, item.label, *item.aliases)}
        self.funds_block = {norm(label) for label in (form.funds.key, form.funds.label, *form.funds.aliases)}
        review = form.review.field if form.review else None
        self.grade = {norm(label) for label in (review.key, review.label, *review.aliases)} if review else set()
        self.indicators_block = {norm(form.indicators.key), norm(form.indicators.label)}
        self.columns = [norm(c.label) for c in form.indicators.columns]
        self.details = {norm(d.key): d.key for d in form.indicators.details}
        self.levels = {norm(level.name): level.name for level in form.levels}
        self.levels.update({norm(level.name.removesuffix("指标")): level.name for level in form.levels})
        self.groups: dict[str, tuple[str, str]] = {}
        for level in form.levels:
            for group in level.groups:
                for label in (group.name, *group.aliases):
                    self.groups[norm(label)] = (level.name, group.name)

    def is_label(self, text: str) -> bool:
        key = norm(text)
        return bool(key) and (key in self.header or key in self.funds or key in self.funds_block or key in self.grade)


def _distinct(cells: tuple[RowCell, ...]) -> list[RowCell]:
    seen, result = set(), []
    for cell in cells:
        if id(cell.cell) not in seen:
            seen.add(id(cell.cell))
            result.append(cell)
    return result


def _money(key: str, text: str, draft: ImportedForm, place: str) -> str:
    compact = text.strip()
    if not compact:
        draft.notes.append(f"{place}：“{key}”是空白，按 0 万元导入")
        return "0"
    match = _MONEY.match(unicodedata.normalize("NFKC", compact))
    if not match:
        draft.problems.append(f"{place}：“{key}”的金额“{text}”无法识别，原样导入")
        return text
    number = match["number"]
    if "," in number:
        draft.notes.append(f"{place}：“{key}”的金额“{text}”去掉了千分位逗号")
        number = number.replace(",", "")
    if match["suffix"]:
        draft.notes.append(f"{place}：“{key}”的金额“{text}”去掉了单位“{match['suffix']}”（单位本来就是万元）")
    return number


def _grade(text: str, options: tuple[str, ...]) -> str:
    """The ticked option: boxes follow the names ("通过 ☑") unless the text starts with a box ("☑通过")."""
    stripped = text.strip()
    boxes_first = bool(stripped) and (stripped[0] in _TICKS or stripped[0] in _BOXES)
    for option in sorted(options, key=len, reverse=True):
        at = text.find(option)
        if at < 0:
            continue
        beside = text[:at].rstrip()[-1:] if boxes_first else text[at + len(option):].lstrip()[:1]
        if beside and beside in _TICKS:
            return option
    return ""


class _Reader:
    def __init__(self, form: FormDefinition):
        self.labels = _Labels(form)
        self.form = form
        self.forms: list[ImportedForm] = []
        self.pending_year: int | None = None
        self.pending_problems: list[str] = []
        self.current: ImportedForm | None = None
        self.columns: dict[str, int] | None = None  # role → grid column, inside the indicator block
        self.details: dict[str, int] = {}
        self.level = self.group = self.unknown_group = ""

    # -- blocks --------------------------------------------------------------------------------
    def paragraph(self, paragraph: Paragraph) -> None:
        text = paragraph.text.strip()
        if not text:
            return
        if match := _YEAR_LINE.match(unicodedata.normalize("NFKC", text).replace(" ", "")):
            self.pending_year = int(match["year"])
            if self.current is not None and self.current.year is None:
                self.current.year = self.pending_year
            return
        if self.form.title in text or "申报表" in text or _KNOWN_PARAGRAPH.match(unicodedata.normalize("NFKC", text)):
            return
        problem = f"第 {paragraph.number} 段（表格外）：{paragraph.text}"
        (self.current.problems if self.current else self.pending_problems).append(problem)

    def row(self, row: TableRow) -> None:
        cells = _distinct(row.cells)
        texts = [norm(c.cell.text) for c in cells]
        place = f"表格 {row.table} 第 {row.number} 行"
        # A form starts with its 项目名称 row; the label is the row's first cell (a 三级指标 or a value
        # that happens to read "项目名称" sits further right).
        if texts and texts[0] == "项目名称" and not cells[0].continued:
            self._start(place)
        if self.current is None:
            if any(texts):
                self.pending_problems.append(f"{place}（表样之外）：{' | '.join(c.cell.text for c in cells)}")
            return
        if self._is_column_header(texts):
            self._columns(row, cells, texts, place)
        elif texts and texts[0] in self.labels.grade and not cells[0].continued:
            self._grade(cells, texts)
            self.columns = None
        elif self.columns is not None:
            self._indicator(row, cells, place)
        else:
            self._header(cells, place)

    def _start(self, place: str) -> None:
        self.current = ImportedForm(place, self.pending_year, name_field=self.form.name_field)
        self.current.problems.extend(self.pending_problems)
        self.pending_problems = []
        self.forms.append(self.current)
        self.columns = None
        self.level = self.group = self.unknown_group = ""

    # -- header fields -------------------------------------------------------------------------
    def _header(self, cells: list[RowCell], place: str) -> None:
        index = 0
        unplaced = []
        while index < len(cells):
            cell = cells[index]
            key = norm(cell.cell.text)
            value = self._value_after(cells, index)
            if key in self.labels.funds_block and not cell.continued:
                index += 1
                continue
            if cell.continued or not key:
                index += 1
                continue
            if key in self.labels.header and value is not None:
                self.current.fields[self.labels.header[key]] = value
                index += 2
            elif key in self.labels.funds and value is not None:
                fund = self.labels.funds[key]
                self.current.funds[fund] = _money(fund, value, self.current, place)
                index += 2
            elif key in self.labels.header or key in self.labels.funds:
                index += 1  # a label whose value cell is missing: the value stays blank
            else:
                unplaced.append(cell.cell.text)
                index += 1
        if unplaced:
            self.current.problems.append(f"{place}：无法对应到栏目的内容：{' | '.join(unplaced)}")

    def _value_after(self, cells: list[RowCell], index: int) -> str | None:
        """The text of the value cell after a label: the next cell, even if its text reads like a label,
        unless that cell is followed by a value of its own (then this label's value cell is missing)."""
        if index + 1 >= len(cells):
            return None
        following = cells[index + 1].cell.text
        after = cells[index + 2].cell.text if index + 2 < len(cells) else None
        if self.labels.is_label(following) and after is not None and not self.labels.is_label(after):
            return None
        return following

    # -- indicator grid ------------------------------------------------------------------------
    def _is_column_header(self, texts: list[str]) -> bool:
        return all(column in texts for column in self.labels.columns)

    def _columns(self, row: TableRow, cells: list[RowCell], texts: list[str], place: str) -> None:
        roles = ("l1", "l2", "l3", "value")
        self.columns = {role: cells[texts.index(column)].cell.col for role, column in zip(roles, self.labels.columns)}
        self.details = {}
        last = self.columns["value"]
        for cell, text in zip(cells, texts):
            if cell.cell.col > last and text:
                if text in self.labels.details:
                    self.details[self.labels.details[text]] = cell.cell.col
                else:
                    self.current.problems.append(f"{place}：表样没有的栏目“{cell.cell.text}”，这一列的内容放在注释里")
                    self.details[f"?{cell.cell.text}"] = cell.cell.col
        self.level = self.group = self.unknown_group = ""

    def _cell_at(self, row: TableRow, cells: list[RowCell], role: str) -> RowCell | None:
        column = self.columns.get(role) if role in self.columns else self.details.get(role)
        if row.full_width or row.cells and row.cells[0].cell.col > 0:
            return next((c for c in row.cells if c.cell.col <= column < c.cell.col + c.cell.span), None)
        # A row with fewer cells and no gridBefore (a flattened table): align its cells to the right.
        ordered = ["l1", "l2", "l3", "value", *self.details]
        position = ordered.index(role) - len(ordered)
        return cells[position] if -position <= len(cells) else None

    def _indicator(self, row: TableRow, cells: list[RowCell], place: str) -> None:
        def text(role: str) -> tuple[str, bool]:
            cell = self._cell_at(row, cells, role)
            if cell is None:
                return "", True
            return cell.cell.text, cell.continued

        l1, l1_carried = text("l1")
        l2, l2_carried = text("l2")
        name, name_carried = text("l3")
        value, value_carried = text("value")
        if not l1_carried and norm(l1):
            if norm(l1) not in self.labels.levels:
                self.current.problems.append(f"{place}：一级指标“{l1}”不是表样中的一级指标：{' | '.join(c.cell.text for c in cells)}")
                return
            self.level = self.labels.levels[norm(l1)]
        explicit_group = not l2_carried and bool(norm(l2))
        if explicit_group:
            target = self.labels.groups.get(norm(l2))
            if target is None:
                self.current.problems.append(f"{place}：二级指标“{l2}”不是表样中的二级指标：{' | '.join(c.cell.text for c in cells)}")
                self.group, self.unknown_group = "", l2  # its following rows must not fall into the group above
                return
            self.unknown_group = ""
            if self.level and target[0] != self.level:
                self.current.notes.append(f"{place}：二级指标“{target[1]}”属于“{target[0]}”，按“{target[0]}”导入")
            self.level, self.group = target
        if name_carried and value_carried:
            return
        if not (name or value) and not any(d for d in self._details(row, cells).values()):
            if explicit_group:
                self.current.groups.setdefault((self.level, self.group), [])
            return  # an empty group row, or a blank row
        if not self.group:
            where = f"属于无法识别的二级指标“{self.unknown_group}”" if self.unknown_group else "前面没有二级指标"
            self.current.problems.append(f"{place}：指标行{where}：{' | '.join(c.cell.text for c in cells)}")
            return
        indicators = self.current.groups.setdefault((self.level, self.group), [])
        if any(existing.name == name for existing in indicators):
            self.current.problems.append(f"{place}：“{self.group}”中三级指标“{name}”重复出现，第二个（指标值“{value}”）放在注释里")
            return
        details = {k: v for k, v in self._details(row, cells).items() if v}
        for key in [k for k in details if k.startswith("?")]:
            self.current.problems.append(f"{place}：“{name}”的“{key[1:]}”栏：{details.pop(key)}")
        indicators.append(Indicator(name, value, details))

    def _details(self, row: TableRow, cells: list[RowCell]) -> dict[str, str]:
        found = {}
        for role in self.details:
            cell = self._cell_at(row, cells, role)
            found[role] = cell.cell.text if cell and not cell.continued else ""
        return found

    def _grade(self, cells: list[RowCell], texts: list[str]) -> None:
        options_text = " ".join(c.cell.text for c, t in zip(cells, texts) if t not in self.labels.grade)
        self.current.grade = _grade(options_text, self.form.review.field.enum)


def read_forms(content: DocumentContent, form: FormDefinition) -> tuple[list[ImportedForm], list[str]]:
    """The forms found in a document, and problems that belong to no form."""
    reader = _Reader(form)
    for block in content.blocks:
        if isinstance(block, Paragraph):
            reader.paragraph(block)
        else:
            reader.row(block)
    leftovers = list(reader.pending_problems)
    if content.nested_tables:
        leftovers.append(f"文档中有 {content.nested_tables} 个嵌套在单元格里的表格，没有导入")
    return reader.forms, leftovers
