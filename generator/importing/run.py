"""Running an import: documents in (converting .doc and .xls first), filing files out, messages for the user."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ..common.atomic import write_text_atomic
from ..common.discover import escapes_through_link
from ..common.yamlio import YamlRejected, dump_text, load_document, make_yaml
from ..forms.selfeval import RESULTS_KEY
from ..common.libreoffice import convert, find_soffice
from ..common.names import safe_stem
from ..filing.modeline import modeline_for
from ..forms.definition import FormDefinition
from ..forms.pack import load_self_evaluations
from .docx_read import UnreadableDocument, read_document
from .reader import ImportedForm, start_labels
from .recognise import read_forms
from .selfeval_import import is_selfeval, missing_fields, read_selfeval, target_differences
from .to_yaml import filing_text


@dataclass
class ImportOutcome:
    written: list[Path] = field(default_factory=list)
    packs: dict[Path, str] = field(default_factory=dict)  # written file → the id of the pack it was read with
    messages: list[str] = field(default_factory=list)
    errors: int = 0  # documents or forms that produced no file
    problems: int = 0  # pieces of content that could not be placed (kept as comments)


@cache
def _selfeval_packs():
    """The 自评 packs, read once per import of many documents."""
    return load_self_evaluations()


OLD_FORMATS = {".doc": ("docx", "Word"), ".xls": ("xlsx", "Excel")}  # converted through LibreOffice first


def _sources(documents: list[Path], outcome: ImportOutcome, work: Path) -> dict[Path, Path]:
    """Each input → a .docx or .xlsx to read (old .doc and .xls files converted through LibreOffice), in input order."""
    old = [d for d in documents if d.suffix.lower() in OLD_FORMATS and d.is_file()]
    sources = {d: d for d in documents}
    if not old:
        return sources
    soffice = find_soffice()
    for suffix, (target_format, program) in OLD_FORMATS.items():
        group = [d for d in old if d.suffix.lower() == suffix]
        if group and soffice is None:
            for document in group:
                outcome.messages.append(
                    f"{document}: 错误：读取 {suffix} 需要 LibreOffice（soffice），没有找到；请安装，或在 {program} 中另存为 .{target_format}")
                outcome.errors += 1
                del sources[document]
            continue
        conversion = convert(group, target_format, soffice) if group else None
        for document in group:
            if document in conversion.converted:
                target = work / f"{old.index(document):06d}.{target_format}"
                target.write_bytes(conversion.converted[document])
                sources[document] = target
            else:
                outcome.messages.append(f"{document}: 错误：{conversion.failed[document]}")
                outcome.errors += 1
                del sources[document]
    return sources


def import_documents(
    documents: list[Path], forms: list[FormDefinition], out_dir: Path | None, year: int | None, forced: bool = False,
) -> ImportOutcome:
    """Import every document; each form in it is read with the best-fitting of `forms` (with `forced`,
    the one form given by --form)."""
    outcome = ImportOutcome()
    with tempfile.TemporaryDirectory(prefix="jixiao-import-") as work:
        for document, readable in _sources(documents, outcome, Path(work)).items():
            if readable.suffix.lower() == ".xlsx":
                _import_workbook(document, readable, forms, forced, out_dir, year, outcome)
            else:
                _import_document(document, readable, forms, forced, out_dir, year, outcome)
    return outcome


def _not_found(forms: list[FormDefinition], forced: bool) -> str:
    firsts = "、".join(dict.fromkeys(f"“{label}”" for form in forms for label, weight in start_labels(form).items() if weight > 1))
    if forced:
        return f"没有找到“{forms[0].title}”（找不到{firsts}栏目）"
    return f"没有找到申报表（找不到任何表样的第一个栏目：{firsts}）"


def _import_document(
    document: Path, readable: Path, forms: list[FormDefinition], forced: bool, out_dir: Path | None, year: int | None,
    outcome: ImportOutcome,
) -> None:
    try:
        content = read_document(readable)
    except UnreadableDocument as unreadable:
        outcome.messages.append(f"{document}: 错误：{str(unreadable).replace(str(readable), str(document))}")
        outcome.errors += 1
        return
    packs = _selfeval_packs()
    if is_selfeval(content, packs):
        _import_selfeval(document, content, packs, forms, forced, out_dir, year, outcome)
        return
    found, leftovers = read_forms(content, forms, forced)
    if not found:
        outcome.messages.append(f"{document}: 错误：{_not_found(forms, forced)}")
        outcome.errors += 1
        return
    for problem in leftovers:
        outcome.messages.append(f"{document}: 未能导入：{problem}")
        outcome.problems += 1
    for imported in found:
        _write_form(document, imported, out_dir, imported.year or year, outcome)


def _import_workbook(
    document: Path, readable: Path, forms: list[FormDefinition], forced: bool, out_dir: Path | None, year: int | None,
    outcome: ImportOutcome,
) -> None:
    from .xlsx_import import WorkbookReader  # openpyxl only for a workbook
    from .xlsx_read import read_workbook

    try:
        book = read_workbook(readable)
    except UnreadableDocument as unreadable:
        outcome.messages.append(f"{document}: 错误：{str(unreadable).replace(str(readable), str(document))}")
        outcome.errors += 1
        return
    reader = WorkbookReader(book, forms, forced)
    found = reader.read()
    for message in reader.messages:
        outcome.messages.append(f"{document}: 未能导入：{message}")
        outcome.problems += 1
    if not found:
        outcome.messages.append(f"{document}: 错误：没有找到申报表（一行一个三级指标的工作表，或 jixiao 汇总表的“栏目原文”）")
        outcome.errors += 1
        return
    for imported in found:
        _write_form(document, imported, out_dir, imported.year or year, outcome)


def _leaves_through_link(target: Path) -> bool:
    """Filings are written in the repository only: not through a link planted in it."""
    try:
        return escapes_through_link(target, Path.cwd())
    except (OSError, RuntimeError):  # a link loop
        return True


def _import_selfeval(
    document: Path, content, packs, forms: list[FormDefinition], forced: bool, out_dir: Path | None, year: int | None,
    outcome: ImportOutcome,
) -> None:
    """A filled 自评表: one filing with its targets and its 自评 section."""
    read = read_selfeval(content, packs, forms, forced, document.name)
    imported = read.imported
    for problem in content.problems:
        outcome.messages.append(f"{document}: 未能导入：{problem}")
        outcome.problems += 1
    blank = missing_fields(imported.form, imported)
    if blank:
        imported.notes.append(f"自评表上没有这些栏目，导入后是空的，请补充：{'、'.join(blank)}")
    imported.notes.extend(read.notes)
    _write_form(document, imported, out_dir, imported.year or year, outcome, read.section)


def _write_form(
    document: Path, imported: ImportedForm, out_dir: Path | None, year: int | None, outcome: ImportOutcome,
    results=None,
) -> None:
    where = f"{document}（{imported.place}）"
    if year is None:
        outcome.messages.append(f"{where}: 错误：找不到年度，请用 --year 指定")
        outcome.errors += 1
        return
    if not imported.name.strip():
        outcome.messages.append(f"{where}: 错误：{imported.form.name_field}是空的，没有导入（{imported.recognition}）")
        outcome.errors += 1
        return
    target = (out_dir or Path("projects") / str(year)) / f"{safe_stem(imported.name)}.yaml"
    if _leaves_through_link(target):
        outcome.messages.append(f"{where}: 错误：{target.parent} 经过指向当前文件夹之外的符号链接（或绕成圈的链接），没有写入")
        outcome.errors += 1
        return
    if target.exists() or target in outcome.written:
        outcome.messages.append(f"{where}: 错误：{target} 已经存在，没有覆盖")
        outcome.errors += 1
        return
    outcome.messages.extend(f"{document}: 说明：{note}" for note in imported.notes)
    outcome.messages.extend(f"{document}: 未能导入：{problem}" for problem in imported.problems)
    outcome.problems += len(imported.problems)
    write_text_atomic(target, filing_text(imported, year, modeline_for(target), document.name, results))
    outcome.written.append(target)
    outcome.packs[target] = imported.form.id


def import_into(document: Path, name: str, text: str, forms: dict[str, FormDefinition]) -> tuple[ImportOutcome, str | None]:
    """A filled 自评表 into an existing filing (`name`, its `text`): its 自评 section replaced by the one read,
    every other line (targets, comments) kept as it is; the targets printed on the 自评表 are compared with
    the filing's, each difference named by its Word row. The new text, or None when nothing can be written."""
    outcome = ImportOutcome()
    with tempfile.TemporaryDirectory(prefix="jixiao-import-") as work:
        readable = _sources([document], outcome, Path(work)).get(document)
        if readable is None:
            return outcome, None
        try:
            content = read_document(readable)
        except UnreadableDocument as unreadable:
            outcome.messages.append(f"{document}: 错误：{str(unreadable).replace(str(readable), str(document))}")
            outcome.errors += 1
            return outcome, None
    packs = _selfeval_packs()
    if not is_selfeval(content, packs):
        outcome.messages.append(f"{document}: 错误：这不是项目支出绩效自评表（找不到标题和“实际完成值”等栏目），没有写入 {name}")
        outcome.errors += 1
        return outcome, None
    yaml = make_yaml()
    try:
        data = load_document(name, text.encode("utf-8"), yaml).data
    except YamlRejected as rejected:
        outcome.messages += [f"{f.file}:{f.line}:{f.col}: {f.message}" for f in rejected.findings]
        outcome.errors += 1
        return outcome, None
    form = forms.get(str(data.get("表样", "")))
    if form is None:
        outcome.messages.append(f"{name}: 错误：表样“{data.get('表样', '')}”不是已有的申报表样，没有写入")
        outcome.errors += 1
        return outcome, None
    read = read_selfeval(content, packs, [form], True, document.name)
    outcome.messages += [f"{document}: 说明：{note}" for note in read.notes]
    outcome.messages += [f"{document}: 说明：{note}" for note in target_differences(read, data, form)]
    outcome.messages += [f"{document}: 未能导入：{problem}" for problem in read.imported.problems]
    outcome.problems += len(read.imported.problems)
    if RESULTS_KEY in data:
        outcome.messages.append(f"{name}: 说明：原有的“{RESULTS_KEY}”部分换成了 {document.name} 的内容")
    data[RESULTS_KEY] = read.section
    outcome.written.append(Path(name))
    outcome.packs[Path(name)] = form.id
    return outcome, dump_text(data, yaml)
