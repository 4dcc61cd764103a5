"""Which forms a document holds, and which pack each one is.

A form starts at a row whose first cell is the first label of a pack's header grid (项目名称,
项目支出名称, 一级项目名称 ...); the title lines just above it belong to it. Each form is read with
every candidate pack and scored by what the pack recognises: its printed texts (title, year line,
note, caption, footer), its labels (as printed: more; through an alias: less), its indicator column
headings and 一级/二级 names, less what it cannot place. The best score wins; a tie goes to the
default pack, then to the first by id. `--form` makes one pack the only candidate.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..forms.definition import FormDefinition
from .docx_read import DocumentContent, Paragraph, TableRow
from .labels import PrintedTexts, norm
from .reader import ImportedForm, read_form, start_labels

CLOSE = 4  # a runner-up within this many points is named in the messages


@dataclass
class _Segment:
    begin: int  # first block (title lines included)
    start: int  # the form's first row
    end: int  # one past its last block


def _starts(blocks: list[Paragraph | TableRow], labels: set[str]) -> list[int]:
    starts = []
    for index, block in enumerate(blocks):
        if isinstance(block, TableRow) and block.cells and not block.cells[0].continued:
            if norm(block.cells[0].cell.text) in labels:
                starts.append(index)
    return starts


def _segments(blocks: list[Paragraph | TableRow], starts: list[int]) -> list[_Segment]:
    """Each form's blocks: from the paragraphs (and rows of its own table) just above its first row to
    the next form's; everything before the first form belongs to the first."""
    segments = []
    for number, start in enumerate(starts):
        begin = 0 if number == 0 else start
        if number:
            previous, table = blocks[starts[number - 1]], blocks[start].table
            while begin > starts[number - 1] + 1:
                block = blocks[begin - 1]
                if not (isinstance(block, Paragraph) or block.table == table != previous.table):
                    break
                begin -= 1
        segments.append(_Segment(begin, start, len(blocks)))
    for segment, following in zip(segments, segments[1:]):
        segment.end = following.begin
    return segments


def _trailing(blocks: list[Paragraph | TableRow], segment: _Segment, form: FormDefinition) -> int:
    """How many of the paragraphs that open a segment are the note or footer of the form above it
    (blank paragraphs between them included); titles and year lines stay with the form below."""
    printed = PrintedTexts(form)
    count = 0
    for offset, block in enumerate(blocks[segment.begin: segment.start]):
        if not isinstance(block, Paragraph):
            break
        if block.text.strip():
            if not printed.below_grid(block.text.strip()):
                break
            count = offset + 1
    return count


def _ranked(blocks: list[Paragraph | TableRow], segment: _Segment, forms: list[FormDefinition]) -> list[ImportedForm]:
    part = blocks[segment.begin: segment.end]
    read = [read_form(part, segment.start - segment.begin, form) for form in forms]
    return sorted(read, key=lambda imported: (-imported.score, not imported.form.default, imported.form.id))


def read_forms(
    content: DocumentContent, forms: list[FormDefinition], forced: bool = False,
) -> tuple[list[ImportedForm], list[str]]:
    """The forms found in a document, each read with the pack that fits it best, and problems that
    belong to no form."""
    blocks = content.blocks
    labels = {label for form in forms for label in start_labels(form)}
    segments = _segments(blocks, _starts(blocks, labels))
    # A footer or note below a form belongs to it, not to the title lines of the next form: which it is
    # depends on the pack of the form above.
    above = [_ranked(blocks, segment, forms)[0].form for segment in segments]
    for index in range(1, len(segments)):
        moved = _trailing(blocks, segments[index], above[index - 1])
        segments[index - 1].end += moved
        segments[index].begin += moved
    found: list[ImportedForm] = []
    year = None
    for segment in segments:
        ranked = _ranked(blocks, segment, forms)
        best = ranked[0]
        best.year = best.year or year  # no year line of its own: the year of the form above it
        year = best.year
        best.recognition = _recognition(best, ranked[1:], forced)
        found.append(best)
    leftovers = list(content.problems)
    if content.nested_tables:
        leftovers.append(f"文档中有 {content.nested_tables} 个嵌套在单元格里的表格，没有导入")
    return found, leftovers


def _recognition(best: ImportedForm, others: list[ImportedForm], forced: bool) -> str:
    form = best.form
    if forced:
        return f"按 --form 指定的表样 {form.id}（{form.name}）读取"
    close = [other.form.id for other in others if best.score - other.score < CLOSE]
    if close:
        best.notes.append(
            f"{best.place}：表样 {'、'.join(close)} 与 {form.id} 几乎一样符合，按 {form.id} 导入；如果不对，请用 --form 指定表样重新导入"
        )
    return f"按标题和栏目识别为表样 {form.id}（{form.name}）"
