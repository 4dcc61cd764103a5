"""Read and validate form packs: templates/<form-id>/form.yaml → FormDefinition.

A pack is checked against its JSON Schema (pack_schema.py) and then for what a schema cannot say
(every key the layout names exists, relations add up known items, ...). Problems are findings at
their line in form.yaml; a broken pack is left out and reported, the healthy ones are used.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from ..common import resources
from ..common.findings import Finding, Severity
from ..common.yamlio import YamlRejected, load_document, load_trusted, locate
from .definition import (
    COLUMN_SHOWS,
    RELATION_OPERATORS,
    Column,
    Field,
    FormDefinition,
    FundsSpec,
    GroupSpec,
    IndicatorsSpec,
    LayoutRow,
    LevelSpec,
    Relation,
    ReviewSpec,
    placeholders,
)
from .pack_schema import PACK_SCHEMA
from .selfeval import KIND as SELF_EVALUATION
from .selfeval import SelfEvaluation

FORM_FILE = "form.yaml"
RULE = "form.invalid"
# Without department_field, the first header field whose key holds one of these words; without unit_field,
# the first named (by key or alias) 实施单位, else 项目实施单位 (a sub-field on some forms).
DEPARTMENT_WORDS = ("主管部门", "预算部门")
UNIT_NAMES = ("实施单位", "项目实施单位")
FIELD_ROLES = {"department_field": "主管部门", "unit_field": "实施单位"}


class FormError(Exception):
    """A form definition that cannot be used; `findings` say where and why."""

    def __init__(self, findings: list[Finding]):
        super().__init__("\n".join(f.message for f in findings))
        self.findings = findings


class _Problems:
    """Collects located problems of one pack."""

    def __init__(self, name: str, located: Any):
        self.name, self.located, self.findings = name, located, []

    def add(self, path: list, message: str, *, at_key: bool = False) -> None:
        line, col = locate(self.located, path, at_key=at_key) if self.located is not None else (1, 1)
        self.findings.append(Finding(self.name, line, col, Severity.ERROR, RULE, message))

    def unknown_placeholders(self, path: list, text: str, allowed, choices: str) -> None:
        """Each {placeholder} of `text` (the value at `path`) that nothing fills in."""
        for name in placeholders(text):
            if name not in allowed:
                self.add(path, f"{path[-1]} 中的 {{{name}}} 无法填写（可用：{choices}）")


def _texts(raw: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in raw or ())


def _field(raw: dict, parent: str = "") -> Field:
    return Field(
        key=raw["key"],
        label=raw.get("label", raw["key"]),
        description=raw.get("description", ""),
        examples=_texts(raw.get("examples")),
        type=raw.get("type", "text"),
        need=raw.get("need", "required"),
        enum=_texts(raw.get("enum")),
        options=_texts(raw.get("options")),
        aliases=_texts(raw.get("aliases")),
        items=tuple(_field(item, raw["key"]) for item in raw.get("items", ())),
        parent=parent,
    )


_RELATION = re.compile(r"^\s*(?P<left>[^=<>≥≤+]+?)\s*(?P<op>>=|<=|=|≥|≤)\s*(?P<right>.+?)\s*$")


def _relation(raw: dict, items: set[str], problems: _Problems, path: list) -> Relation | None:
    match = _RELATION.match(raw["rule"])
    right = tuple(part.strip() for part in match["right"].split("+")) if match else ()
    if not match or not all(right):
        problems.add([*path, "rule"], f"关系“{raw['rule']}”看不懂；写成“总额 = 甲 + 乙”或“甲 >= 乙”，金额名称用 items 里的 key")
        return None
    unknown = [key for key in (match["left"], *right) if key not in items]
    if unknown:
        problems.add([*path, "rule"], f"关系“{raw['rule']}”中的“{'、'.join(unknown)}”不是项目资金的金额（可选：{'、'.join(items)}）")
        return None
    return Relation(match["left"], RELATION_OPERATORS[match["op"]], right, raw.get("severity", "error"), raw["rule"])


def _funds(raw: dict, problems: _Problems) -> FundsSpec:
    items = tuple(_field(item) for item in raw["items"])
    keys = {item.key for item in items}
    relations = tuple(
        relation for index, entry in enumerate(raw.get("relations", ()))
        if (relation := _relation(entry, keys, problems, ["funds", "relations", index])) is not None
    )
    total = tuple(part.strip() for part in raw["total"].split("+"))
    if unknown := [key for key in total if key not in keys]:
        problems.add(["funds", "total"], f"total 中的“{'、'.join(unknown)}”不是项目资金的金额（可选：{'、'.join(keys)}）")
    rows = tuple(tuple(row) for row in raw.get("rows", ())) or tuple((item.key,) for item in items)
    for index, row in enumerate(rows):
        if unknown := [key for key in row if key not in keys]:
            problems.add(["funds", "rows", index], f"rows 中的“{'、'.join(unknown)}”不是项目资金的金额")
    return FundsSpec(
        key=raw["key"], label=raw["label"], unit=raw["unit"], description=raw.get("description", ""),
        aliases=_texts(raw.get("aliases")), items=items, rows=rows, headings=_texts(raw.get("headings")),
        relations=relations, total=total, blank_is_zero=bool(raw.get("blank_is_zero", False)),
    )


def _level(raw: dict) -> LevelSpec:
    weight = raw.get("weight")
    return LevelSpec(
        raw["name"], raw.get("description", ""),
        tuple(
            GroupSpec(
                g["name"], g["requirement"], g.get("description", ""), _texts(g.get("examples")),
                _texts(g.get("aliases")), g.get("role", "other"), g.get("label", ""),
            )
            for g in raw["groups"]
        ),
        raw.get("role", "other"),
        None if weight is None else Decimal(str(weight)),
    )


def _indicators(raw: dict, problems: _Problems) -> IndicatorsSpec:
    details = tuple(_field(item) for item in raw.get("details", ()))
    detail_keys = {d.key for d in details}
    long_term = _field(raw["long_term"]) if raw.get("long_term") else None
    columns = tuple(Column(c["label"], c["show"], c.get("half", ""), float(c.get("width", 0))) for c in raw["columns"])
    for index, column in enumerate(columns):
        if column.show not in COLUMN_SHOWS and column.show not in detail_keys:
            problems.add(
                ["indicators", "columns", index, "show"],
                f"栏目“{column.label}”的 show“{column.show}”既不是 {'/'.join(COLUMN_SHOWS)}，也不是 details 里的栏目",
            )
        if column.half and (long_term is None or column.half != long_term.key):
            problems.add(["indicators", "columns", index, "half"], f"栏目“{column.label}”的 half 应为 long_term 的 key")
    shows = [c.show for c in columns if not c.half]
    for needed in ("level", "group", "name"):
        if needed not in shows:
            problems.add(["indicators", "columns"], f"指标表缺少 show: {needed} 的栏目（一级、二级、三级指标各占一栏）")
    if "value" not in shows and "number" not in shows:
        problems.add(["indicators", "columns"], "指标表缺少显示指标值的栏目（show: value，或拆分的 operator/number/unit）")
    levels = tuple(_level(level) for level in raw["levels"])
    names = [level.name for level in levels]
    for index, name in enumerate(names):
        if names.index(name) != index:
            problems.add(["indicators", "levels", index, "name"], f"一级指标“{name}”重复")
    score = raw.get("score", "")
    if score and score not in detail_keys:
        problems.add(["indicators", "score"], f"score“{score}”不是 details 里的栏目")
    allowed = {"合计", *names}
    problems.unknown_placeholders(["indicators", "label"], raw["label"], allowed, "{合计} 和一级指标名称")
    group_label = raw.get("group_label", "{name}")
    problems.unknown_placeholders(["indicators", "group_label"], group_label, ("name", "requirement"), "{name}、{requirement}")
    return IndicatorsSpec(
        key=raw["key"], label=raw["label"], description=raw.get("description", ""),
        label_column=bool(raw.get("label_column", True)), caption=raw.get("caption", ""), columns=columns,
        merge=raw.get("merge", "vertical"), order=raw.get("order", "form"), empty_groups=raw.get("empty_groups", "print"),
        group_label=group_label, levels=levels, details=details, long_term=long_term,
        qualitative_mark=raw.get("qualitative_mark", ""), score=score,
    )


def _review(raw: dict | None) -> ReviewSpec | None:
    if not raw:
        return None
    options = _texts(raw.get("options"))
    spec = Field(
        raw["key"], raw.get("label", raw["key"]), raw.get("description", ""), enum=options, need="optional",
        aliases=_texts(raw.get("aliases")), type="option" if raw["kind"] == "grade" else "long-text",
        examples=_texts(raw.get("examples")),
    )
    return ReviewSpec(raw["kind"], spec, tuple(raw.get("boxes", ("☐", "☑"))))


def _layout(raw: list) -> tuple[LayoutRow, ...]:
    rows = []
    for entry in raw:
        if entry == "funds":
            rows.append(LayoutRow("funds"))
        elif isinstance(entry, list):
            rows.append(LayoutRow("fields", tuple(entry)))
        elif "group" in entry:
            rows.append(LayoutRow("group", (entry["group"],)))
        else:
            rows.append(LayoutRow("side-by-side", tuple(entry["side_by_side"]), entry["label"]))
    return tuple(rows)


def _check_layout(form: FormDefinition, problems: _Problems) -> None:
    placed: list[str] = []
    groups = {f.key for f in form.fields if f.items}
    for index, row in enumerate(form.layout):
        if row.kind == "funds":
            placed.extend(item.key for item in form.funds.items)
            continue
        for key in row.keys:
            spec = form.field(key)
            if spec is None or (spec.parent and row.kind != "group"):
                problems.add(["layout", index], f"表头布局中的“{key}”不是本表样的栏目、金额或目标")
            elif (key in groups) != (row.kind == "group"):
                problems.add(["layout", index], f"“{key}”{'是栏目组，要写成 {group: ' + key + '}' if key in groups else '不是栏目组'}")
            placed.append(key)
    # A field printed inside a title line (填报单位:{填报单位}(盖章)) needs no cell of its own.
    in_lines = {name for text in (form.title, form.year_line, form.attachment, *form.above_grid) for name in placeholders(text)}
    expected = [f.key for f in form.fields if f.key not in in_lines] + [g.key for g in form.goals] + [i.key for i in form.funds.items]
    for key in expected:
        count = placed.count(key)
        if count != 1:
            problems.add(["layout"], f"“{key}”在表头布局中出现了 {count} 次（应当正好一次）")


def _check_keys(form: FormDefinition, problems: _Problems) -> None:
    keys = [*form.top_level_keys[2:], *(f.key for f in form.header if f.parent), *(i.key for i in form.funds.items)]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        problems.add([], f"键“{key}”在表样里用了不止一次；每个栏目、金额、目标的 key 必须不同")
    allowed = {"年度", "year", *(f.key for f in form.header), *(g.key for g in form.goals)}
    lines = (("title", form.title), ("year_line", form.year_line), ("attachment", form.attachment), ("above_grid", " ".join(form.above_grid)))
    for name, text in lines:
        problems.unknown_placeholders([name], text, allowed, "{年度} 和表头栏目名")


def parse_form(raw: dict, located: Any, directory: Path, name: str) -> FormDefinition:
    """A pack's definition from its loaded form.yaml; FormError with located findings if it is not usable."""
    problems = _Problems(name, located)
    _schema_problems(raw, problems)
    if problems.findings:
        raise FormError(problems.findings)
    goals = tuple(_field(goal) for goal in raw["goals"])
    annual = [goal["key"] for goal in raw["goals"] if goal.get("annual")]
    templates = {}
    for key, default in (("word_template", "template.docx"), ("html_template", "preview.html.j2")):
        file_name = raw.get(key, default if (directory / default).is_file() else "")
        path = (directory / file_name) if file_name else None
        if path is not None and not _inside(path, directory):
            problems.add([key], f"{key}“{file_name}”不在表样文件夹 {directory} 里，或不是普通文件")
            path = None
        templates[key] = path
    above = raw.get("above_grid", {})
    form = FormDefinition(
        id=raw["id"], name=raw["name"], office=raw.get("office", ""), years=raw.get("years", ""),
        features=_texts(raw.get("features")), directory=directory,
        word_template=templates["word_template"], html_template=templates["html_template"],
        orientation=raw.get("orientation", "portrait"), attachment=raw.get("attachment", ""),
        title=raw["title"], year_line=raw.get("year_line", ""),
        above_grid=(above.get("left", ""), above.get("right", "")), note=raw.get("note", ""),
        footer=_texts(raw.get("footer")),
        fields=tuple(_field(f) for f in raw.get("header", ())),
        funds=_funds(raw["funds"], problems),
        goals=goals, annual_goal=annual[0] if annual else goals[-1].key,
        indicators=_indicators(raw["indicators"], problems),
        review=_review(raw.get("review")),
        layout=_layout(raw["layout"]),
        label_width=float(raw.get("label_width", 22)),
        name_field=raw.get("name_field", "项目名称"),
        default=bool(raw.get("default", False)),
        self_evaluation=raw.get("self_evaluation", ""),
    )
    fields = form.header
    form = replace(
        form,
        department_field=raw.get("department_field", _first_field(fields, DEPARTMENT_WORDS)),
        unit_field=raw.get("unit_field", _unit_field(fields)),
    )
    if len(annual) > 1:
        problems.add(["goals"], "只能有一个目标标为 annual: true（年度目标）")
    if form.field(form.name_field) is None or form.field(form.name_field) not in form.header:
        problems.add(["name_field"], f"name_field“{form.name_field}”不是表头栏目；项目名称用哪个栏目（默认“项目名称”）")
    for key in ("department_field", "unit_field"):
        chosen = getattr(form, key)
        if chosen and (form.field(chosen) is None or form.field(chosen) not in form.header):
            problems.add([key], f"{key}“{chosen}”不是表头栏目（汇总表按它列出{FIELD_ROLES[key]}）")
    if form.id != directory.name:
        problems.add(["id"], f"id“{form.id}”与所在文件夹名“{directory.name}”不一致")
    _check_keys(form, problems)
    _check_layout(form, problems)
    if problems.findings:
        raise FormError(problems.findings)
    return form


def _first_field(fields: tuple[Field, ...], words: tuple[str, ...]) -> str:
    return next((f.key for f in fields if any(word in f.key for word in words)), "")


def _unit_field(fields: tuple[Field, ...]) -> str:
    for name in UNIT_NAMES:
        if found := next((f.key for f in fields if f.key == name or name in f.aliases), ""):
            return found
    return ""


def _inside(path: Path, directory: Path) -> bool:
    try:
        return path.resolve(strict=True).is_relative_to(directory.resolve()) and path.is_file()
    except (OSError, RuntimeError):
        return False


def _schema_problems(raw: Any, problems: _Problems, schema: dict = PACK_SCHEMA) -> None:
    from jsonschema import Draft7Validator

    if not isinstance(raw, dict):
        problems.add([], "表样定义应当是一个映射（键: 值）")
        return
    for error in sorted(Draft7Validator(schema).iter_errors(raw), key=lambda e: list(map(str, e.absolute_path))):
        path = list(error.absolute_path)
        where = "/".join(map(str, path)) or "顶层"
        if error.validator == "required":
            missing = [k for k in error.validator_value if k not in error.instance]
            problems.add(path, f"{where} 缺少“{'”“'.join(missing)}”", at_key=bool(path))
        elif error.validator == "additionalProperties":
            for key in [k for k in error.instance if k not in error.schema.get("properties", {})]:
                allowed = "、".join(error.schema.get("properties", {}))
                problems.add([*path, key], f"{where} 下没有“{key}”这一项（可用：{allowed}）", at_key=True)
        elif error.validator == "enum":
            problems.add(path, f"{where} 的值“{error.instance}”不可用（可选：{'、'.join(map(str, error.validator_value))}）")
        elif error.validator == "type":
            problems.add(path, f"{where} 的类型不对（应为 {error.validator_value}）")
        else:
            problems.add(path, f"{where} 不符合要求：{error.message}")


def read_pack(form_file: Path) -> FormDefinition | SelfEvaluation:
    """One pack (a target pack, or a 自评 pack when its `kind` says so), or FormError."""
    from ruamel.yaml.error import YAMLError  # loading forms is the first use of the YAML parser

    name = form_file.as_posix()
    try:
        raw_bytes = form_file.read_bytes()
        located = load_document(name, raw_bytes).data
        raw = load_trusted(form_file)
    except YamlRejected as rejected:  # reported as what it is: a broken pack, with the YAML reader's words
        raise FormError([replace(f, rule=RULE, message=f"表样定义不是合法的 YAML：{f.message}") for f in rejected.findings]) from None
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = getattr(error, "problem", None) or str(error)
        raise FormError([Finding(name, line, col, Severity.ERROR, RULE, f"表样定义不是合法的 YAML：{problem}")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise FormError([Finding(name, 1, 1, Severity.ERROR, RULE, f"表样定义无法读取：{error}")]) from None
    if isinstance(raw, dict) and raw.get("kind") == SELF_EVALUATION:
        from .selfeval_pack import parse_self_evaluation

        return parse_self_evaluation(raw, located, form_file.parent, name)
    return parse_form(raw, located, form_file.parent, name)


@cache
def _read_one(directory: Path, form_id: str) -> FormDefinition | SelfEvaluation | FormError:
    try:
        return read_pack(directory / form_id / FORM_FILE)
    except FormError as error:
        return error


@cache
def _load(directory: Path) -> tuple[dict[str, FormDefinition], tuple[Finding, ...]]:
    forms, problems = {}, []
    for form_file in sorted(directory.glob(f"*/{FORM_FILE}")):
        result = _read_one(directory, form_file.parent.name)
        if isinstance(result, FormError):
            problems.extend(result.findings)
        elif isinstance(result, FormDefinition):  # 自评 packs: load_self_evaluations()
            forms[result.id] = result
    problems.extend(_pairing_problems(directory, forms))
    if not forms and not problems:
        problems.append(Finding(directory.as_posix(), 1, 1, Severity.ERROR, RULE, f"{directory} 下没有任何表样定义（*/{FORM_FILE}）"))
    return forms, tuple(problems)


def _pairing_problems(directory: Path, forms: dict[str, FormDefinition]) -> list[Finding]:
    """A target pack whose `self_evaluation` names no usable 自评 pack: reported at that key (the target
    pack itself stays usable; only its filings' results cannot be scored)."""
    from .selfeval_pack import pairing_problem

    evaluations = load_self_evaluations(directory)
    broken = {path.parent.name for path in directory.glob(f"*/{FORM_FILE}")
              if isinstance(_read_one(directory, path.parent.name), FormError)}
    findings = []
    for form in forms.values():
        if message := pairing_problem(form, evaluations, broken):
            name = (form.directory / FORM_FILE).as_posix()
            located = load_document(name, (form.directory / FORM_FILE).read_bytes()).data
            line, col = locate(located, ["self_evaluation"])
            findings.append(Finding(name, line, col, Severity.ERROR, RULE, message))
    return findings


def load_self_evaluations(directory: Path | None = None) -> dict[str, SelfEvaluation]:
    """Every healthy 自评 pack under templates/, by id (their problems are in form_problems())."""
    directory = directory or resources.templates_dir()
    found = {}
    for form_file in sorted(directory.glob(f"*/{FORM_FILE}")):
        result = _read_one(directory, form_file.parent.name)
        if isinstance(result, SelfEvaluation):
            found[result.id] = result
    return found


def self_evaluation_for(form: FormDefinition, named: str = "") -> tuple[SelfEvaluation | None, str]:
    """The 自评 pack a filing of `form` is scored with: the one named inside its results, else the
    target pack's pairing; or None and why not (in Chinese)."""
    chosen = named or form.self_evaluation
    if not chosen:
        return None, f"表样“{form.id}”没有配对的自评表样；请在“自评”下写“表样: ”指定一个自评表样"
    directory = form.directory.parent
    result = _read_one(directory, chosen) if _FORM_ID.match(chosen) and (directory / chosen / FORM_FILE).is_file() else None
    if isinstance(result, SelfEvaluation):
        return result, ""
    if isinstance(result, FormError):
        return None, f"自评表样“{chosen}”的定义有误，无法计分；请先改正表样定义（见 form.invalid 的报告）"
    return None, f"“{chosen}”不是自评表样"


def load_forms(directory: Path | None = None) -> dict[str, FormDefinition]:
    """Every healthy form under templates/, by id (the value of 表样 in a filing)."""
    return _load(directory or resources.templates_dir())[0]


def form_problems(directory: Path | None = None) -> tuple[Finding, ...]:
    """What is wrong with the packs that load_forms() had to leave out."""
    return _load(directory or resources.templates_dir())[1]


_FORM_ID = re.compile(r"^\w[\w.-]*$")


class FormShelf:
    """The packs of a templates folder, each read the first time a filing names it: checking or
    building filings of one form reads one pack, not all of them. Answers like load_forms()'s dict."""

    def __init__(self, directory: Path | None = None):
        self.directory = directory or resources.templates_dir()

    def get(self, form_id: str, default: FormDefinition | None = None) -> FormDefinition | None:
        if not _FORM_ID.match(form_id) or not (self.directory / form_id / FORM_FILE).is_file():
            return default
        result = _read_one(self.directory, form_id)
        return result if isinstance(result, FormDefinition) else default

    def __getitem__(self, form_id: str) -> FormDefinition:
        form = self.get(form_id)
        if form is None:
            raise KeyError(form_id)
        return form
