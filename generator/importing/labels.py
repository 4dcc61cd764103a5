"""What the words of one form pack mean to the importer: its labels, and the texts it prints around the grid.

Labels are compared normalised (full-width folded, annotations such as "(必填量化)" and "(万元)",
spaces and colons removed). A label read by its key or printed label is exact evidence for the pack,
one read through an alias is weaker evidence: `recognise.py` scores packs by what they recognise.
Printed texts (title, year line, note, caption, footer labels, the line above the grid) are patterns:
`{年度}` and `{<field>}` in them match any text, which comes back as the year or the field's value.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..forms.definition import FormDefinition

_ANNOTATION = re.compile(r"[(（]\s*(必填量化|必填|选填|定量|定性)\s*[)）]")
_UNIT_NOTE = re.compile(r"[(（]\s*(万元|元)\s*[)）]")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
YEAR_KEYS = ("年度", "year")

EXACT, ALIAS = 2, 1  # evidence for the pack: a label as the pack prints it, or one of its aliases


def norm(text: str) -> str:
    """Label text for comparison: full-width folded, annotations, spaces and colons removed."""
    text = _UNIT_NOTE.sub("", _ANNOTATION.sub("", unicodedata.normalize("NFKC", text)))
    return re.sub(r"[\s:：]", "", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class Meaning:
    kind: str  # "field" (header field, sub-field, goal, text review), "money", "block" (a label without a value)
    key: str
    weight: int  # EXACT or ALIAS


def _register(table: dict[str, Meaning], kind: str, key: str, exact: tuple[str, ...], aliases: tuple[str, ...]) -> None:
    for weight, texts in ((EXACT, exact), (ALIAS, aliases)):
        for text in texts:
            label = norm(text)
            if label and (label not in table or table[label].weight < weight):
                table[label] = Meaning(kind, key, weight)


class Labels:
    """Every label of one pack, normalised, to what it means."""

    def __init__(self, form: FormDefinition):
        self.form = form
        self.cells: dict[str, Meaning] = {}  # label cells of the header grid
        for spec in (*form.header, *form.goals):
            _register(self.cells, "field", spec.key, (spec.key, spec.label), spec.aliases)
        funds = form.funds
        for item in funds.items:
            _register(self.cells, "money", item.key, (item.key, item.label), item.aliases)
        _register(self.cells, "block", funds.key, (funds.key, funds.label) if self.prints_funds_block else (), funds.aliases)
        _register(self.cells, "block", f"{funds.key}:headings", funds.headings, ())
        for group in (f for f in form.fields if f.items):
            _register(self.cells, "block", group.key, (group.key, group.label), group.aliases)
        for row in form.layout:
            if row.kind == "side-by-side":
                _register(self.cells, "block", row.label, (row.label,), ())
        self.review: dict[str, Meaning] = {}
        if form.review:
            review = form.review.field
            _register(self.review, "field", review.key, (review.key, review.label), review.aliases)
        spec = form.indicators
        self.indicators_label = Pattern(spec.label) if spec.label else None
        self.indicators_key = norm(spec.key)
        self.details = {norm(d.key): d.key for d in spec.details}
        self.levels: dict[str, Meaning] = {}
        self.groups: dict[str, tuple[str, Meaning]] = {}
        self.printed_groups: set[str] = set()  # 二级 cells exactly as the pack prints them (with marks)
        for level in form.levels:
            _register(self.levels, "level", level.name, (level.name,), (level.name.removesuffix("指标"),))
            for group in level.groups:
                names: dict[str, Meaning] = {}
                _register(names, "group", group.name, (group.name, group.printed_name), group.aliases)
                for label, meaning in names.items():
                    if label not in self.groups or self.groups[label][1].weight < meaning.weight:
                        self.groups[label] = (level.name, meaning)
                self.printed_groups.add(_squeeze(spec.group_label.format(name=group.printed_name, requirement=group.requirement)))

    @property
    def prints_funds_block(self) -> bool:
        return any(row.kind == "funds" for row in self.form.layout)

    def is_label(self, text: str) -> bool:
        key = norm(text)
        return bool(key) and (key in self.cells or key in self.review)

    def group_weight(self, text: str, meaning: Meaning) -> int:
        """A 二级 cell printed exactly as this pack prints it (marks included) is exact evidence."""
        return EXACT if meaning.weight == EXACT and _squeeze(text) in self.printed_groups else ALIAS

    @property
    def unit_printed(self) -> bool:
        """Whether the form prints the money unit in a label, so that amount cells hold bare numbers."""
        funds = self.form.funds
        texts = [*funds.headings, *(item.label for item in funds.items)]
        if self.prints_funds_block:
            texts.append(funds.label)
        return any(funds.unit in text for text in texts)


def _squeeze(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text))


class Pattern:
    """A printed text with placeholders, matched against a paragraph or a cell (full-width folded,
    spaces ignored); the text standing in for each placeholder comes back as typed."""

    def __init__(self, template: str):
        self.template = template
        self.fields: dict[str, str] = {}  # regex group → field key
        regex, year_seen = [], False
        for index, part in enumerate(_PLACEHOLDER.split(template)):
            if index % 2 == 0:
                regex.append(r"\s*".join(map(re.escape, _squeeze(part))))
            elif part in YEAR_KEYS:
                regex.append(r"(?P=year)" if year_seen else r"(?P<year>\d{4})")
                year_seen = True
            else:
                self.fields[f"f{index}"] = part
                regex.append(rf"(?P<f{index}>.*?)")  # may be blank: a stamp line left for the seal
        self.regex = re.compile(r"\s*" + r"\s*".join(regex) + r"\s*", re.S)

    def match(self, text: str) -> PrintedMatch | None:
        folded, origin = _folded(text)
        found = self.regex.fullmatch(folded)
        if found is None:
            return None
        values = {}
        for group, key in self.fields.items():
            start, end = found.span(group)
            values[key] = text[origin[start]: origin[end - 1] + 1].strip() if end > start else ""
        year = found.groupdict().get("year")
        return PrintedMatch(self.template, int(year) if year else None, values)


def _folded(text: str) -> tuple[str, list[int]]:
    """The text full-width folded character by character, with the original index of each folded character."""
    pieces = [(unicodedata.normalize("NFKC", char), index) for index, char in enumerate(text)]
    return "".join(piece for piece, _ in pieces), [index for piece, index in pieces for _ in piece]


@dataclass(frozen=True)
class PrintedMatch:
    template: str  # the pack's text that matched
    year: int | None
    fields: dict[str, str] = field(default_factory=dict)  # field key → the text in its place


class PrintedTexts:
    """The texts a pack prints outside its label/value cells."""

    def __init__(self, form: FormDefinition):
        texts = [form.attachment, form.title, form.year_line, form.note, form.indicators.caption, *form.above_grid]
        if all(form.above_grid):
            texts.append(" ".join(form.above_grid))  # both halves of the line in one paragraph
        self.patterns = [Pattern(text) for text in dict.fromkeys(texts) if text.strip()]
        self.note = Pattern(form.note) if form.note.strip() else None
        self.footer = sorted((_squeeze(label) for label in form.footer if _squeeze(label)), key=len, reverse=True)

    def match(self, text: str) -> PrintedMatch | None:
        return next((found for pattern in self.patterns if (found := pattern.match(text))), None)

    def below_grid(self, text: str) -> bool:
        """The note or the footer labels: what the form prints under its grid."""
        return self.note is not None and self.note.match(text) is not None or self.is_footer(text)

    def is_footer(self, text: str) -> bool:
        """Only footer labels (填表人: 联系电话: ...), with nothing filled in after them."""
        rest = _squeeze(text)
        if not self.footer or not rest:
            return False
        for label in self.footer:
            rest = rest.replace(label, "")
        return not rest.strip("_＿")
