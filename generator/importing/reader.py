"""Reading one form of a document with one pack: its blocks → filing data, and what could not be placed.

Header fields are found by their label text (with the variants of real forms): label/value pairs
in a row, values under side-by-side headings (中期目标 | 年度目标), a field group's sub-fields, money
items in the money block or among the header rows. The indicator grid is found by its column
headings and read by column: split target parts, detail columns and the long-term half of a
two-halves table each land in their key. Merged cells, repeated labels, "same as above" blanks and
rows with fewer cells all carry the 一级/二级 of the row above. Nothing is dropped: what is not
understood is returned as a problem with its place, to be reported and kept in the YAML as a comment.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..filing.model import target_parts
from ..forms.definition import COLUMN_PARTS, Column, FormDefinition, IndicatorsSpec
from .docx_read import Paragraph, RowCell, TableRow
from .labels import EXACT, Labels, PrintedMatch, PrintedTexts, norm

_YEAR_LINE = re.compile(r"^[(（]?\s*(?P<year>\d{4})\s*年度?\s*[)）]?$")
# Lines many forms print around the grid, whatever the pack: 附件 labels, notes, stamp and unit lines.
_KNOWN_PARAGRAPH = re.compile(r"^(附件\s*\d*\s*[:：]?|注\s*[:：].*|填报单位.*|单位\s*[:：].*)$")
_MONEY = re.compile(r"^(?P<number>[+-]?\d[\d,]*(?:\.\d+)?)\s*(?P<suffix>万元|万)?$")
_TICKS = "☑☒✓✔√■▣●"
_BOXES = "☐□○"
# How much what a pack recognises counts for it: its title (the form's own name), another of its printed
# texts (year line, note, caption, footer ...); what it cannot place and each of its indicator columns
# missing from the grid count against it (labels count EXACT or ALIAS, see labels.py).
TITLE_EVIDENCE = 10
PRINTED_EVIDENCE = 3
PROBLEM_WEIGHT = 3
MISSING_COLUMN_WEIGHT = 2


@dataclass
class Indicator:
    name: str
    entry: str | dict[str, str]  # what the filing holds for it: the target, or a mapping keyed by column
    shown: str  # the target as one text, for messages


@dataclass
class ImportedForm:
    """One form found in a document, as filing data plus what the importer had to say."""

    place: str  # where the form starts, e.g. "表格 1 第 1 行"
    form: FormDefinition
    year: int | None = None
    fields: dict[str, str] = field(default_factory=dict)  # header fields, sub-fields, goals, a text review
    funds: dict[str, str] = field(default_factory=dict)
    groups: dict[tuple[str, str], list[Indicator]] = field(default_factory=dict)  # in the order read
    long_term: dict[tuple[str, str], list[Indicator]] = field(default_factory=dict)
    grade: str = ""
    notes: list[str] = field(default_factory=list)  # normalisations (a suffix stripped, a blank read as 0)
    problems: list[str] = field(default_factory=list)  # content that could not be placed
    evidence: dict[str, int] = field(default_factory=dict)  # what the pack recognised → how surely
    recognition: str = ""  # how the pack was chosen, for the messages

    @property
    def name(self) -> str:
        return self.fields.get(self.form.name_field, "")

    @property
    def score(self) -> int:
        return sum(self.evidence.values()) - PROBLEM_WEIGHT * len(self.problems)


@dataclass(frozen=True)
class _Slot:
    """A column of the indicator grid as found in the document."""

    col: int  # grid column of its heading
    show: str  # as Column.show; "?<heading>" for a column the pack does not know
    half: str
    label: str


def _distinct(cells: tuple[RowCell, ...]) -> list[RowCell]:
    seen, result = set(), []
    for cell in cells:
        if id(cell.cell) not in seen:
            seen.add(id(cell.cell))
            result.append(cell)
    return result


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


def _aligned(row: TableRow) -> bool:
    """Whether the row's cells sit at their grid columns (a row with fewer cells and no gridBefore does not:
    a flattened table; its cells are aligned to the right)."""
    return row.full_width or bool(row.cells) and row.cells[0].cell.col > 0


class FormReader:
    def __init__(self, form: FormDefinition, place: str):
        self.form = form
        self.labels = Labels(form)
        self.printed = PrintedTexts(form)
        self.out = ImportedForm(place, form)
        self.started = False
        self.slots: list[_Slot] | None = None  # the indicator columns, once their heading row is read
        self.below: list[tuple[int, int, str]] | None = None  # side-by-side headings awaiting their values
        self.level = self.group = self.unknown_group = ""
        self.later_group = self.unknown_later = ""  # the 二级 of the long-term half, where it has its own column
        self.in_lines: dict[str, tuple[str, str]] = {}  # field → (value, printed text) from a title or stamp line

    def _seen(self, what: str, weight: int) -> None:
        if what not in self.out.evidence or weight > self.out.evidence[what]:
            self.out.evidence[what] = weight

    # -- text outside the grid -----------------------------------------------------------------
    def is_printed(self, text: str) -> bool:
        """A text the form prints (title, year line, note, footer labels ...); its year and fields are kept."""
        found = self.printed.match(text)
        if found is not None:
            weight = TITLE_EVIDENCE if found.template == self.form.title else PRINTED_EVIDENCE
            self._seen(f"printed:{found.template}", weight)
            self._take(found)
            return True
        if self.printed.is_footer(text):
            self._seen("printed:footer", PRINTED_EVIDENCE)
            return True
        return False

    def _take(self, found: PrintedMatch) -> None:
        if found.year is not None:
            self._year(found.year)
        for key, value in found.fields.items():
            self.in_lines.setdefault(key, (value, found.template))

    def finish(self) -> ImportedForm:
        """The form read, with the fields that only a printed line held (a name in the title, a stamp line)."""
        for key, (value, template) in self.in_lines.items():
            if not self.out.fields.get(key, "").strip():
                self.out.fields[key] = value
            elif self.out.fields[key] != value:
                self.out.notes.append(f"“{template}”中的{key}“{value}”与表中的“{self.out.fields[key]}”不同，按表中的导入")
        return self.out

    def _year(self, year: int) -> None:
        # Before the grid the last year line wins (the form's own); after it, it only fills a gap.
        if not self.started or self.out.year is None:
            self.out.year = year

    def _known(self, text: str) -> bool:
        """Text around the grid that is no data: the pack's printed texts, a year line, a title or a
        stamp, unit or note line of any edition of a form."""
        if self.is_printed(text):
            return True
        folded = unicodedata.normalize("NFKC", text)
        if match := _YEAR_LINE.match(folded.replace(" ", "")):
            self._year(int(match["year"]))
            return True
        return "申报表" in text or "绩效目标表" in text or bool(_KNOWN_PARAGRAPH.match(folded))

    def paragraph(self, paragraph: Paragraph) -> None:
        text = paragraph.text.strip()
        if text and not self._known(text):
            self.out.problems.append(f"第 {paragraph.number} 段（表格外）：{paragraph.text}")

    # -- rows ----------------------------------------------------------------------------------
    def row(self, row: TableRow, start: bool = False) -> None:
        cells = _distinct(row.cells)
        texts = [norm(c.cell.text) for c in cells]
        place = f"表格 {row.table} 第 {row.number} 行"
        self.started = self.started or start
        if not self.started:
            if not all(self._known(c.cell.text.strip()) for c, t in zip(cells, texts) if t):
                self.out.problems.append(f"{place}（表样之外）：{' | '.join(c.cell.text for c in cells)}")
            return
        if self._printed_row(cells, texts):
            return
        if (slots := self._column_headings(cells, texts, place)) is not None:
            self.slots = slots
            self.level = self.group = self.unknown_group = self.later_group = self.unknown_later = ""
        elif texts and texts[0] in self.labels.review and not cells[0].continued:
            self._review(cells, texts, place)
            self.slots = None
        elif self.slots is not None:
            self._indicator(row, cells, place)
        else:
            self._header(row, cells, place)

    def _printed_row(self, cells: list[RowCell], texts: list[str]) -> bool:
        """A row holding only printed text: one cell across the table (a note, a caption), or footer labels."""
        filled = [c for c, t in zip(cells, texts) if t]
        if len(cells) == 1 and filled:
            return self.is_printed(cells[0].cell.text)
        if len(filled) > 1 and all(self.printed.is_footer(c.cell.text) for c in filled):
            self._seen("printed:footer", PRINTED_EVIDENCE)
            return True
        return False

    # -- header fields -------------------------------------------------------------------------
    def _header(self, row: TableRow, cells: list[RowCell], place: str) -> None:
        if self.below is not None:
            self._under_headings(row, cells, place)
            return
        if self._side_by_side_headings(cells):
            return
        index = 0
        unplaced = []
        while index < len(cells):
            cell = cells[index]
            meaning = self.labels.cells.get(norm(cell.cell.text))
            if cell.continued or not norm(cell.cell.text):
                index += 1
                continue
            if meaning is None:
                unplaced.append(cell.cell.text)
                index += 1
                continue
            self._seen(f"{meaning.kind}:{meaning.key}", meaning.weight)
            value = self._value_after(cells, index)
            if meaning.kind == "block":
                index += 1
            elif value is None:
                index += 1  # a label whose value cell is missing: the value stays blank
            else:
                if meaning.kind == "money":
                    self.out.funds[meaning.key] = self._money(meaning.key, value, place)
                else:
                    self.out.fields[meaning.key] = value
                index += 2
        if unplaced:
            self.out.problems.append(f"{place}：无法对应到栏目的内容：{' | '.join(unplaced)}")

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

    def _side_by_side_headings(self, cells: list[RowCell]) -> bool:
        """A row of sub-headings (中期目标 | 年度目标) whose values are in the row below."""
        for layout in (r for r in self.form.layout if r.kind == "side-by-side"):
            headings: dict[str, RowCell] = {}
            others = []
            for cell in cells:
                meaning = self.labels.cells.get(norm(cell.cell.text))
                if meaning is not None and meaning.kind == "field" and meaning.key in layout.keys and not cell.continued:
                    headings.setdefault(meaning.key, cell)
                elif norm(cell.cell.text) and not cell.continued and norm(cell.cell.text) != norm(layout.label):
                    others.append(cell)
            if len(headings) == len(layout.keys) and not others:
                self._seen(f"block:{layout.label}", EXACT)
                for key in headings:
                    self._seen(f"field:{key}", self.labels.cells[norm(headings[key].cell.text)].weight)
                self.below = [(c.cell.col, c.cell.col + c.cell.span, key) for key, c in headings.items()]
                return True
        return False

    def _under_headings(self, row: TableRow, cells: list[RowCell], place: str) -> None:
        below, self.below = self.below, None
        if _aligned(row):
            pairs = [(cell, next((key for start, end, key in below if start <= cell.cell.col < end), None)) for cell in cells]
        else:
            keys = [key for _, _, key in below]
            pairs = [(cell, None) for cell in cells[: -len(keys)]] + list(zip(cells[-len(keys):], keys))
        unplaced = []
        for cell, key in pairs:
            if key is not None:
                self.out.fields[key] = cell.cell.text
            elif norm(cell.cell.text) and not cell.continued and not self.labels.cells.get(norm(cell.cell.text)):
                unplaced.append(cell.cell.text)
        if unplaced:
            self.out.problems.append(f"{place}：无法对应到栏目的内容：{' | '.join(unplaced)}")

    def _money(self, key: str, text: str, place: str) -> str:
        return money_text(self.labels, key, text, place, self.out)

    def _review(self, cells: list[RowCell], texts: list[str], place: str) -> None:
        review = self.form.review
        meaning = self.labels.review[texts[0]]
        self._seen("review", meaning.weight)
        rest = [c for c, t in zip(cells[1:], texts[1:]) if not c.continued]
        if review.kind == "grade":
            self.out.grade = _grade(" ".join(c.cell.text for c in rest), review.field.enum)
            return
        if rest:
            self.out.fields[review.field.key] = rest[0].cell.text
        if extra := [c.cell.text for c in rest[1:] if norm(c.cell.text)]:
            self.out.problems.append(f"{place}：无法对应到栏目的内容：{' | '.join(extra)}")

    # -- indicator grid ------------------------------------------------------------------------
    def _column_headings(self, cells: list[RowCell], texts: list[str], place: str) -> list[_Slot] | None:
        """The indicator columns, if this is the grid's heading row: every column of the pack found by its
        heading, left to right (a two-halves table repeats headings); other headings are detail columns
        (by their key) or columns the pack does not know (reported)."""
        found: dict[int, tuple[Column, RowCell]] = {}
        position = 0
        for column in self.form.indicators.columns:
            wanted = norm(column.label)
            at = next((i for i in range(position, len(cells)) if texts[i] == wanted and i not in found), None)
            if at is not None:
                found[at] = (column, cells[at])
                position = at + 1
        shows = {column.show for column, _ in found.values() if not column.half}
        if not {"level", "group", "name"} <= shows or not shows & {"value", "number"}:
            return None
        slots = [_Slot(cell.cell.col, column.show, column.half, column.label) for column, cell in found.values()]
        for column in self.form.indicators.columns:
            matched = any(column is other for other, _ in found.values())
            self._seen(f"column:{column.half}:{column.label}", EXACT if matched else -MISSING_COLUMN_WEIGHT)
        first = min(slot.col for slot in slots)
        for index, (cell, text) in enumerate(zip(cells, texts)):
            if index in found or not text or cell.continued:
                continue
            if cell.cell.col < first:
                if self._is_indicators_label(cell.cell.text):
                    continue
                self.out.problems.append(f"{place}：无法对应到栏目的内容：{cell.cell.text}")
            elif text in self.labels.details:
                slots.append(_Slot(cell.cell.col, self.labels.details[text], "", cell.cell.text))
            else:
                self.out.problems.append(f"{place}：表样没有的栏目“{cell.cell.text}”，这一列的内容放在注释里")
                slots.append(_Slot(cell.cell.col, f"?{cell.cell.text}", "", cell.cell.text))
        return sorted(slots, key=lambda slot: slot.col)

    def _is_indicators_label(self, text: str) -> bool:
        pattern = self.labels.indicators_label
        if norm(text) == self.labels.indicators_key or pattern is not None and pattern.match(text):
            self._seen("indicators-label", EXACT)
            return True
        return False

    def _cell(self, row: TableRow, cells: list[RowCell], slot: _Slot) -> RowCell | None:
        if _aligned(row):
            return next((c for c in row.cells if c.cell.col <= slot.col < c.cell.col + c.cell.span), None)
        position = self.slots.index(slot) - len(self.slots)
        return cells[position] if -position <= len(cells) else None

    def _texts(self, row: TableRow, cells: list[RowCell], half: str) -> dict[str, tuple[str, bool]]:
        """show → (text, carried from the row above) for the columns of one half."""
        found = {}
        for slot in self.slots:
            if slot.half == half or slot.show == "level":
                cell = self._cell(row, cells, slot)
                found.setdefault(slot.show, ("", True) if cell is None else (cell.cell.text, cell.continued))
        return found

    def _outside_columns(self, row: TableRow, cells: list[RowCell], place: str) -> None:
        """Text in a cell under no column heading (other than the indicator label beside the grid)."""
        used = {id(cell.cell) for slot in self.slots if (cell := self._cell(row, cells, slot)) is not None}
        for cell in cells:
            if id(cell.cell) not in used and not cell.continued and norm(cell.cell.text) and not self._is_indicators_label(cell.cell.text):
                self.out.problems.append(f"{place}：无法对应到栏目的内容：{cell.cell.text}")

    def _indicator(self, row: TableRow, cells: list[RowCell], place: str) -> None:
        whole = " | ".join(c.cell.text for c in cells)
        self._outside_columns(row, cells, place)
        annual = self._texts(row, cells, "")
        level, level_carried = annual.get("level", ("", True))
        if not level_carried and norm(level):
            meaning = self.labels.levels.get(norm(level))
            if meaning is None:
                self.out.problems.append(f"{place}：一级指标“{level}”不是表样中的一级指标：{whole}")
                return
            self._seen(f"level:{meaning.key}", meaning.weight)
            self.level = meaning.key
        explicit = self._group(annual.get("group", ("", True)), place, whole)
        if explicit is None:
            return
        halves = [(annual, self.out.groups, False)]
        later_spec = self.form.indicators.long_term
        if later_spec is not None and any(slot.half for slot in self.slots):
            later = self._texts(row, cells, later_spec.key)
            own_group = "group" in later  # the long-term half has its own 二级 column
            if own_group and self._group(later["group"], place, whole, later=True) is None:
                return
            halves.append((later, self.out.long_term, own_group))
        entries = [(tree, own_group, self._entry(texts, place)) for texts, tree, own_group in halves]
        if all(entry is None for *_, entry in entries):
            if explicit:
                self.out.groups.setdefault((self.level, self.group), [])
            return  # an empty group row, or a blank row
        for tree, own_group, entry in entries:
            if entry is None:
                continue
            group, unknown = (self.later_group, self.unknown_later) if own_group else (self.group, self.unknown_group)
            if not group:
                where = f"属于无法识别的二级指标“{unknown}”" if unknown else "前面没有二级指标"
                self.out.problems.append(f"{place}：指标行{where}：{whole}")
                return
            indicators = tree.setdefault((self.level, group), [])
            if any(existing.name == entry.name for existing in indicators):
                self.out.problems.append(
                    f"{place}：“{group}”中三级指标“{entry.name}”重复出现，第二个（指标值“{entry.shown}”）放在注释里"
                )
                continue
            indicators.append(entry)

    def _group(self, cell: tuple[str, bool], place: str, whole: str, later: bool = False) -> bool | None:
        """Read a 二级 cell: True if it names a group here, False if it carries the one above, None if unknown."""
        text, carried = cell
        if carried or not norm(text):
            return False
        found = self.labels.groups.get(norm(text))
        if found is None:
            self.out.problems.append(f"{place}：二级指标“{text}”不是表样中的二级指标：{whole}")
            # the rows that follow must not fall into the group above
            if later:
                self.later_group, self.unknown_later = "", text
            else:
                self.group, self.unknown_group = "", text
            return None
        level, meaning = found
        self._seen(f"group:{level}:{meaning.key}", self.labels.group_weight(text, meaning))
        if self.level and level != self.level:
            self.out.notes.append(f"{place}：二级指标“{meaning.key}”属于“{level}”，按“{level}”导入")
        self.level = level
        if later:
            self.later_group, self.unknown_later = meaning.key, ""
        else:
            self.group, self.unknown_group = meaning.key, ""
        return True

    def _entry(self, texts: dict[str, tuple[str, bool]], place: str) -> Indicator | None:
        """The indicator in one half of a row, or None if that half is blank (or covered by the row above)."""
        name, name_carried = texts.get("name", ("", True))
        own = {show: cell for show, cell in texts.items() if show not in ("level", "group", "name")}
        if name_carried and all(carried for _, carried in own.values()):
            return None
        # A target cell merged over rows is the target of each of them; a detail cell only of its first row.
        target = ("value", *COLUMN_PARTS)
        values = {show: text if show in target or not carried else "" for show, (text, carried) in own.items()}
        if not name and not any(values.values()):
            return None
        return indicator_from(name, values, self.form.indicators, place, self.out.problems)


def money_text(labels: Labels, key: str, text: str, place: str, out: ImportedForm) -> str:
    """An amount cell as the filing keeps it (notes and problems go to `out`): blank as 0 (or blank where
    the form leaves it so), thousands separators dropped, 万元 dropped where the form prints the unit."""
    compact = text.strip()
    if not compact:
        if labels.form.funds.blank_is_zero:
            return ""  # this form leaves an amount blank when there is none
        out.notes.append(f"{place}：“{key}”是空白，按 0 万元导入")
        return "0"
    match = _MONEY.match(unicodedata.normalize("NFKC", compact))
    if not match:
        out.problems.append(f"{place}：“{key}”的金额“{text}”无法识别，原样导入")
        return text
    number, suffix = match["number"], match["suffix"] or ""
    if "," in number:
        out.notes.append(f"{place}：“{key}”的金额“{text}”去掉了千分位逗号")
        number = number.replace(",", "")
    if suffix and labels.unit_printed:
        # The form prints the unit in its labels: the cell holds a bare number.
        out.notes.append(f"{place}：“{key}”的金额“{text}”去掉了单位“{suffix}”（单位本来就是万元）")
        suffix = ""
    return number + suffix


def indicator_from(name: str, values: dict[str, str], spec: IndicatorsSpec, place: str, problems: list[str]) -> Indicator:
    """An indicator from the texts of its columns, by show (value, operator/number/unit, detail keys,
    "?<heading>" for a column the form does not have, which is reported)."""
    for show in [s for s in values if s.startswith("?") and values[s]]:
        problems.append(f"{place}：“{name}”的“{show[1:]}”栏：{values[show]}")
    target = ("value", *COLUMN_PARTS)
    details = {show: text for show, text in values.items() if text and show not in target and not show.startswith("?")}
    parts = {part: values[part] for part in COLUMN_PARTS if part in values}
    if not parts:
        value = values.get("value", "")
        return Indicator(name, {"指标值": value, **details} if details else value, value)
    operator, number, unit = (parts.get(part, "") for part in COLUMN_PARTS)
    joined = _joined(operator, number, unit, spec)
    shown = operator + number + unit if joined is None else joined
    if values.get("value", "").strip() and values["value"] != shown:
        # a form printing the parts and the whole target: the parts are what the filing keeps
        problems.append(f"{place}：“{name}”的指标值“{values['value']}”与分开的各栏（{shown}）不一致")
    if joined is not None and not details:
        return Indicator(name, joined, shown)
    # A mapping keyed by the column headings, in column order. Empty parts are left out, unless the
    # mapping would then not be read as parts (that takes an operator or unit key, or a number key
    # other than 指标值).
    kept = {part for part, text in parts.items() if text}
    if not kept & {"operator", "unit"} and spec.part_label("number") == "指标值":
        kept = set(parts)
    entry = {}
    for show, text in values.items():
        if show in kept:
            entry[spec.part_label(show)] = text
        elif show in details:
            entry[show] = text
    return Indicator(name, entry, shown)


def _joined(operator: str, number: str, unit: str, spec: IndicatorsSpec) -> str | None:
    """The target as one text when the filing, given that text, prints exactly these parts again."""
    candidates = [f"{operator}{number}{unit}"]
    if spec.qualitative_mark and operator == spec.qualitative_mark and not unit:
        candidates.insert(0, number)
    return next((text for text in candidates if target_parts(text, spec) == (operator, number, unit)), None)


def read_form(blocks: list[Paragraph | TableRow], start: int, form: FormDefinition) -> ImportedForm:
    """A form read with one pack: blocks[start] is its first row; the blocks before it are its title lines."""
    first = blocks[start]
    reader = FormReader(form, f"表格 {first.table} 第 {first.number} 行")
    for index, block in enumerate(blocks):
        if isinstance(block, Paragraph):
            reader.paragraph(block)
        else:
            reader.row(block, start=index == start)
    return reader.finish()


def start_labels(form: FormDefinition) -> dict[str, int]:
    """The labels of the first cell of the pack's header grid (a form starts with its row), with their weight."""
    labels = Labels(form)
    first = form.layout[0]
    key = form.funds.key if first.kind == "funds" else first.label if first.kind == "side-by-side" else first.keys[0]
    return {label: meaning.weight for label, meaning in labels.cells.items() if meaning.key == key}
