"""Import of a filled 项目支出绩效自评表 (Word): the targets and the results back into one filing.

A document is a 自评表 when a paragraph is a 自评 pack's title and a table row carries its indicator
headings (实际完成值 ...). Which 自评 pack: the one whose printed texts the document holds most (note,
footer and signature labels, above-grid text, header labels, the 预算执行率 points printed); which
target pack: `--form`, else the pack paired with it whose 一级/二级 names and money items fit best.

Rows are read by their headings, not by position: the 项目资金 grid (a row of its column headings,
then one row per money item), the 年度总体目标 row (预期目标 | 实际完成情况 headings, the texts below),
the indicator grid (its headings, then a row per 三级指标 up to the 总分 row), header label/value
pairs and tick boxes, the footer's `label:value` items. The targets go into the target pack's fields,
the results into the 自评 section. What the form prints beyond the filing is kept only where the
rules would not give it: a printed 分值 that differs from the weights' spread becomes `分值`; a
qualitative row's band is read from its printed score (its share of the 分值); a printed 得分 that
differs from the computed one (or that the rules leave to the filer) becomes `得分`, with a message
naming the Word row, so that `jixiao score` reports it at that line. The printed 总分 is kept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ruamel.yaml.comments import CommentedMap

from ..common.yamlio import YamlRejected, dump_text, load_document
from ..filing.model import build_filing
from ..filing.results import parse_decimal
from ..filing.scoring import QUALITATIVE, plain, score_filing
from ..forms.definition import FormDefinition
from ..forms.selfeval import HUNDRED, PACK_KEY, RESULTS_KEY, SOURCES, SelfEvaluation
from .docx_read import DocumentContent, Paragraph, TableRow
from .labels import norm
from .reader import ImportedForm, indicator_from

TICKS = "☑☒■√✓✔"  # a ticked box as offices print or type it
MIN_INDICATOR_HEADINGS = 4


def _plain_norm(text: str) -> str:
    return norm(text).removeprefix("其中")


def is_selfeval(content: DocumentContent, packs: dict[str, SelfEvaluation]) -> bool:
    """The document holds a 自评表: a pack's title (a paragraph, or a cell: some offices put it in the table's
    first row) and its indicator headings in a row."""
    titles = {norm(p.title) for p in packs.values()}
    texts = (text for b in content.blocks for text in ([b.text] if isinstance(b, Paragraph) else [c.text for c in _own(b)]))
    if not any(norm(text) in titles for text in texts):
        return False
    return any(_indicator_columns(row, pack) for pack in packs.values() for row in _rows(content))


def _rows(content: DocumentContent) -> list[TableRow]:
    return [b for b in content.blocks if isinstance(b, TableRow)]


def _paragraphs(content: DocumentContent) -> list[str]:
    return [b.text for b in content.blocks if isinstance(b, Paragraph) and b.text.strip()]


def _own(row: TableRow) -> list:
    """The cells that start in this row (not continued from above), left to right."""
    return [c.cell for c in row.cells if not c.continued]


def _at(row: TableRow, col: int) -> tuple[str, bool]:
    """The text of the cell covering grid column `col`, and whether it continues from a row above."""
    for cell in row.cells:
        if cell.cell.col <= col < cell.cell.col + cell.cell.span:
            return cell.cell.text, cell.continued
    return "", False


def _headings(row: TableRow, labels: dict[str, str]) -> dict[str, int]:
    """label key → grid column, for the cells of the row whose text is one of `labels` (norm → key)."""
    found = {}
    for cell in _own(row):
        key = labels.get(norm(cell.text))
        if key is not None and key not in found:
            found[key] = cell.col
    return found


def _indicator_columns(row: TableRow, pack: SelfEvaluation) -> dict[str, int]:
    found = _headings(row, {norm(label): show for label, show in pack.indicators.columns})
    return found if len(found) >= MIN_INDICATOR_HEADINGS and "name" in found and "actual" in found else {}


def _place(row: TableRow) -> str:
    return f"表格 {row.table} 第 {row.number} 行"


def _evidence(content: DocumentContent, pack: SelfEvaluation) -> int:
    """How much of what this pack prints (beyond what every 自评表 prints) the document holds."""
    text = norm("".join(_paragraphs(content)))
    cells = {norm(cell.text) for row in _rows(content) for cell in _own(row)}
    score = 0
    for line in pack.note.splitlines()[:3]:
        score += 3 * (norm(line)[:30] in text)
    for template in (*pack.footer, *pack.signature, *pack.above_grid):
        prefix = norm(template.split("{")[0])
        score += bool(prefix) and prefix in text
    score += sum(norm(f.label or f.key) in cells for f in pack.fields)
    points = norm(plain(pack.execution_points))
    score += 2 * any(_scored_points(row, pack) == points for row in _rows(content))
    return score


def _scored_points(row: TableRow, pack: SelfEvaluation) -> str:
    """The printed points cell of a funds row, if the row has a points heading above it (checked loosely)."""
    texts = [norm(cell.text) for cell in _own(row)]
    label = norm(pack.execution_label)
    return texts[texts.index(label) + 1] if label in texts[:-1] else ""


@dataclass
class SelfevalRead:
    """What was read: the target form's data, the 自评 section, messages naming the Word rows."""

    imported: ImportedForm
    pack: SelfEvaluation
    section: CommentedMap
    notes: list[str] = field(default_factory=list)
    rows: list = field(default_factory=list)  # the indicator rows as read (_Row), with their Word places


@dataclass
class _Row:
    level: str
    group: str
    name: str
    target: str
    actual: str
    reason: str
    points: str
    score: str
    band: str
    place: str


class _Reader:
    def __init__(self, content: DocumentContent, pack: SelfEvaluation):
        self.content, self.pack = content, pack
        self.fields: dict[str, str] = {}
        self.money: dict[str, dict[str, str]] = {}  # money label (norm) → amount key → text
        self.money_places: dict[str, str] = {}
        self.execution_score = ("", "")  # printed 得分 of 预算执行率, its place
        self.goal = ("", "")
        self.rows: list[_Row] = []
        self.total = ""
        self.problems: list[str] = []
        self.year: int | None = None

    def read(self) -> None:
        pack = self.pack
        self._lines()
        funds_cols: dict[str, int] = {}
        goal_cols: dict[str, int] = {}
        indicator_cols: dict[str, int] = {}
        funds_labels = {norm(c.label): c.key or c.show for c in pack.funds.columns}
        for row in _rows(self.content):
            if indicator_cols:
                if self._indicator_row(row, indicator_cols):
                    continue
                indicator_cols = {}
            if found := _indicator_columns(row, pack):
                indicator_cols, funds_cols, goal_cols = found, {}, {}
                continue
            found = _headings(row, funds_labels)
            if len(found) >= 3:
                funds_cols, goal_cols = found, {}
                continue
            found = _headings(row, {norm(pack.goal.target_label): "target", norm(pack.goal.actual_label): "actual"})
            if len(found) == 2:
                goal_cols, funds_cols = found, {}
                continue
            if goal_cols:
                self.goal = (_at(row, goal_cols["target"])[0], _at(row, goal_cols["actual"])[0])
                goal_cols = {}
                continue
            if funds_cols and self._funds_row(row, funds_cols):
                continue
            funds_cols = {}
            self._pairs(row)

    def _lines(self) -> None:
        """The year line, the text above the grid and the footer: `label:{key}` templates filled in."""
        year_pattern = re.escape(self.pack.year_line).replace(r"\{年度\}", r"(?P<year>\d{4})")
        templates = [*self.pack.above_grid, *self.pack.footer]
        for text in _paragraphs(self.content):
            folded = unicodedata.normalize("NFKC", text).strip()
            if match := re.fullmatch(unicodedata.normalize("NFKC", year_pattern), folded):
                self.year = int(match["year"])
            for template in templates:
                key_match = re.search(r"\{([^{}]+)\}", template)
                if not key_match:
                    continue
                prefix = unicodedata.normalize("NFKC", template[: key_match.start()])
                others = [unicodedata.normalize("NFKC", t.split("{")[0]) for t in templates if t != template and "{" in t]
                at = folded.find(prefix)
                if not prefix or at < 0:
                    continue
                rest = folded[at + len(prefix):]
                ends = [rest.find(other) for other in others if other and other in rest] + [len(rest)]
                value = re.split(r"\t| {2,}", rest[: min(ends)])[0].strip()
                self.fields.setdefault(key_match.group(1), value)

    def _pairs(self, row: TableRow) -> None:
        """Header label/value pairs: a cell naming a field of the pack, the next cell its value."""
        labels = {norm(f.label or f.key): f.key for f in self.pack.fields}
        cells = _own(row)
        for cell, following in zip(cells, cells[1:]):
            key = labels.get(norm(cell.text))
            if key is not None and norm(following.text) not in labels:
                self.fields[key] = self._field_value(key, following.text)

    def _field_value(self, key: str, text: str) -> str:
        spec = self.pack.field(key)
        if spec is None or not spec.enum or key not in self.pack.boxes:
            return text.strip()
        folded = unicodedata.normalize("NFKC", text)
        ticked = [option for option in spec.enum if re.search(f"[{TICKS}]\\s*{re.escape(option)}", folded)]
        if len(ticked) > 1:
            self.problems.append(f"“{key}”勾选了多项（{'、'.join(ticked)}），只导入了第一项")
        return ticked[0] if ticked else ""

    def _funds_row(self, row: TableRow, columns: dict[str, int]) -> bool:
        amount_keys = [c.key for c in self.pack.funds.columns if c.show == "amount"]
        first_amount = min(col for key, col in columns.items() if key in amount_keys)
        labels = [cell for cell in _own(row) if cell.col < first_amount and cell.text.strip()]
        if not labels:
            return False
        label = _plain_norm(labels[-1].text)
        texts = {key: _at(row, col)[0].strip() for key, col in columns.items()}
        self.money[label] = {key: texts.get(key, "") for key in amount_keys}
        self.money_places[label] = _place(row)
        if texts.get("score"):
            self.execution_score = (texts["score"], _place(row))
        return True

    def _indicator_row(self, row: TableRow, columns: dict[str, int]) -> bool:
        texts = {show: _at(row, col)[0].strip() for show, col in columns.items()}
        first = norm(_own(row)[0].text) if _own(row) else ""
        if first == norm(self.pack.total_label) or (not texts.get("name") and norm(texts.get("level", "")) == norm(self.pack.total_label)):
            self.total = texts.get("score", "")
            return False
        if not texts.get("name"):
            return bool(texts.get("level") or texts.get("group"))  # a blank or spanning row inside the grid
        self.rows.append(_Row(
            self._level(texts.get("level", "")), texts.get("group", ""), texts["name"], texts.get("target", ""),
            texts.get("actual", ""), texts.get("reason", ""), texts.get("points", ""), texts.get("score", ""),
            texts.get("band", ""), _place(row),
        ))
        return True

    def _level(self, text: str) -> str:
        """The 一级 name from its printed cell (产出指标(50分) → 产出指标)."""
        pattern = re.escape(unicodedata.normalize("NFKC", self.pack.indicators.level_label))
        pattern = pattern.replace(r"\{name\}", "(?P<name>.+?)").replace(r"\{points\}", r"[0-9.]+")
        match = re.fullmatch(pattern, unicodedata.normalize("NFKC", text).replace("\n", "").strip())
        return match["name"] if match else text.replace("\n", "").strip()


def choose_pack(content: DocumentContent, packs: dict[str, SelfEvaluation]) -> SelfEvaluation:
    return max(sorted(packs.values(), key=lambda p: p.id), key=lambda pack: _evidence(content, pack))


def choose_form(reader: _Reader, pack: SelfEvaluation, forms: list[FormDefinition], forced: bool) -> FormDefinition:
    """The target pack: the one given, else among those paired with the 自评 pack the one whose 一级/二级
    names and money items the form holds most (a tie: the default pack, then the first by id)."""
    if forced:
        return forms[0]
    paired = [form for form in forms if form.self_evaluation == pack.id] or forms
    groups = {(row.level, row.group) for row in reader.rows}

    def fit(form: FormDefinition) -> tuple:
        known = sum(form.group(level, group) is not None for level, group in groups)
        money = sum(any(_plain_norm(item.label) == label or _plain_norm(item.key) == label for item in form.funds.items)
                    for label in reader.money)
        return (known + money, form.default)

    return max(sorted(paired, key=lambda form: form.id), key=fit)  # max keeps the first of equals


def read_selfeval(content: DocumentContent, packs: dict[str, SelfEvaluation], forms: list[FormDefinition],
                  forced: bool, source: str) -> SelfevalRead:
    pack = choose_pack(content, packs)
    reader = _Reader(content, pack)
    reader.read()
    form = choose_form(reader, pack, forms, forced)
    first_row = next((b for b in content.blocks if isinstance(b, TableRow)), None)
    imported = ImportedForm(_place(first_row) if first_row else "表格 1 第 1 行", form, reader.year)
    imported.recognition = f"按标题和栏目识别为{pack.title}（自评表样 {pack.id}），绩效目标按表样 {form.id}（{form.name}）导入"
    imported.problems += reader.problems
    roles = {"name": form.name_field, "department": form.department_field, "unit": form.unit_field}
    section_fields = {}
    for spec in pack.fields:
        value = reader.fields.get(spec.key, "")
        source_key = pack.sources.get(spec.key, "")
        target_key = roles.get(source_key, source_key) if source_key else ""
        if target_key and form.field(target_key) is not None:
            imported.fields[target_key] = value
        elif source_key not in SOURCES and value:
            section_fields[spec.key] = value
    imported.fields[form.annual_goal] = reader.goal[0]
    section = CommentedMap()
    if form.self_evaluation != pack.id:
        section[PACK_KEY] = pack.id
    section.update(section_fields)
    money = CommentedMap()
    planned = pack.funds.amount_key("planned")
    for item in form.funds.items:
        found = reader.money.get(_plain_norm(item.label)) or reader.money.get(_plain_norm(item.key))
        if found is None:
            imported.problems.append(f"{pack.funds.label}中没有“{item.label}”这一行")
            continue
        money[item.key] = CommentedMap((key, text) for key, text in found.items())
        imported.funds[item.key] = found.get(planned, "") if planned else ""
    section[pack.funds.key] = money
    section[pack.goal.key] = reader.goal[1]
    notes = []
    for row in reader.rows:
        if form.group(row.level, row.group) is None:
            imported.problems.append(f"{row.place}：“{row.level}/{row.group}”不是表样 {form.id} 的指标分类，三级指标“{row.name}”没有导入")
            continue
        indicator = indicator_from(row.name, {"value": row.target}, form.indicators, row.place, imported.problems)
        imported.groups.setdefault((row.level, row.group), []).append(indicator)
    section[pack.indicators.key] = _results_tree(reader.rows, form, pack)
    if reader.total:
        section[pack.total_label] = reader.total
    notes += _settle(imported, section, reader, form, pack, source)
    _in_column_order(section[pack.indicators.key], pack)
    return SelfevalRead(imported, pack, section, notes, reader.rows)


def _results_tree(rows: list[_Row], form: FormDefinition, pack: SelfEvaluation) -> CommentedMap:
    keys = pack.indicators.result_keys
    tree = CommentedMap()
    for row in rows:
        if form.group(row.level, row.group) is None:
            continue
        entry = CommentedMap([(keys["actual"], row.actual)])
        if row.reason:
            entry[keys["reason"]] = row.reason
        tree.setdefault(row.level, CommentedMap()).setdefault(row.group, CommentedMap())[row.name] = entry
    return tree


def _in_column_order(tree: CommentedMap, pack: SelfEvaluation) -> None:
    """Each result's keys in the pack's column order, as `jixiao fmt` writes them (_settle adds them last)."""
    order = pack.result_key_order
    for groups in tree.values():
        for rows in groups.values():
            for entry in rows.values():
                for key in sorted(entry, key=order.index):
                    entry.move_to_end(key)


def _scorecard(imported: ImportedForm, section: CommentedMap, form: FormDefinition, source: str):
    """Score the filing as it would be written (the same loader and model as `jixiao check`)."""
    from .to_yaml import filing_data

    data = filing_data(imported, imported.year or 2000)
    data[RESULTS_KEY] = section
    try:
        document = load_document(source, dump_text(data).encode("utf-8"))
        return score_filing(build_filing(document, form), form)
    except (YamlRejected, KeyError, TypeError, ValueError, AttributeError):  # imported as read, unscored
        return None


def _entry(section: CommentedMap, pack: SelfEvaluation, row: _Row) -> CommentedMap:
    return section[pack.indicators.key][row.level][row.group][row.name]


def _settle(imported: ImportedForm, section: CommentedMap, reader: _Reader, form: FormDefinition,
            pack: SelfEvaluation, source: str) -> list[str]:
    """Keep the printed 分值, band and 得分 where the rules would not give them; say so, naming the Word row."""
    keys = pack.indicators.result_keys
    rows = [row for row in reader.rows if form.group(row.level, row.group) is not None]
    notes = []
    card = _scorecard(imported, section, form, source)
    if card is None:
        return [f"{imported.place}：自评得分无法计算，印的分值和得分原样导入"]
    for row in rows:
        score = card.indicator(row.level, row.group, row.name)
        printed = parse_decimal(row.points) if row.points else None
        if score is not None and printed is not None and printed != score.points:
            _entry(section, pack, row)[keys["points"]] = row.points
    card = _scorecard(imported, section, form, source) or card
    for row in rows:  # the band: printed in its own column, else read from a qualitative row's printed score
        score = card.indicator(row.level, row.group, row.name)
        printed = parse_decimal(row.score) if row.score else None
        band = row.band
        if not band and score is not None and printed is not None and score.method == QUALITATIVE and score.points:
            share = printed * HUNDRED / score.points
            band = next((b.label for b in pack.bands if b.low <= share <= b.high), "")
        if band:
            _entry(section, pack, row)[keys["band"]] = band
    card = _scorecard(imported, section, form, source) or card
    for row in rows:
        score = card.indicator(row.level, row.group, row.name)
        printed = parse_decimal(row.score) if row.score else None
        if score is None or printed is None:
            if row.score and printed is None:
                notes.append(f"{row.place}（三级指标“{row.name}”）：得分“{row.score}”不是数字，没有导入")
            continue
        if score.computed is None or printed != score.computed:
            _entry(section, pack, row)[keys["score"]] = row.score
            if score.computed is not None:
                notes.append(f"{row.place}（三级指标“{row.name}”）：印的得分 {row.score} 与按规则计算的 {plain(score.computed)} "
                             f"不同，已作为“{keys['score']}”导入；运行 jixiao score 查看")
    execution = card.execution
    printed_execution = parse_decimal(reader.execution_score[0]) if reader.execution_score[0] else None
    if printed_execution is not None and execution.score is not None and printed_execution != execution.score:
        notes.append(f"{reader.execution_score[1]}（{pack.execution_label}）：印的得分 {reader.execution_score[0]} 与按规则计算的 "
                     f"{plain(execution.score)} 不同（自评部分只记录金额，得分由 jixiao 计算）")
    return notes


def missing_fields(form: FormDefinition, imported: ImportedForm) -> list[str]:
    """Fields of the target pack to be filled in that the 自评表 does not print (left blank for the filer)."""
    return [f.key for f in (*form.fields, *form.goals)
            if f.need != "optional" and not f.items and not imported.fields.get(f.key, "").strip()]


def target_differences(read: SelfevalRead, data, form: FormDefinition) -> list[str]:
    """Where the 自评表 prints another 项目名称 or target than the filing it goes into (the filing's stay)."""
    notes = []
    printed_name = read.imported.fields.get(form.name_field, "")
    if printed_name and printed_name != str(data.get(form.name_field, "")):
        notes.append(f"自评表的{form.name_field}“{printed_name}”与申报表的“{data.get(form.name_field, '')}”不同")
    tree = data.get(form.indicators.key)
    tree = tree if isinstance(tree, dict) else {}
    places = {(row.level, row.group, row.name): row.place for row in read.rows}
    for (level, group), indicators in read.imported.groups.items():
        filed = (tree.get(level) or {}).get(group) if isinstance(tree.get(level), dict) else None
        filed = filed if isinstance(filed, dict) else {}
        for indicator in indicators:
            place = places.get((level, group, indicator.name), "")
            if indicator.name not in filed:
                notes.append(f"{place}：三级指标“{level}/{group}/{indicator.name}”不在申报表里")
            elif not isinstance(filed[indicator.name], dict) and str(filed[indicator.name]) != indicator.shown:
                notes.append(f"{place}：“{indicator.name}”的年度指标值印为“{indicator.shown}”，申报表是“{filed[indicator.name]}”；以申报表为准")
    return notes
