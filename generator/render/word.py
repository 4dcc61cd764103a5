"""Render filings into the form's Word template, preparing the template once per process.

docxtpl does the templating work (its XML patching, autoescape, listing and table fixes); what a
plain `DocxTemplate(...).render(); save()` loop redoes for every filing (re-reading the package,
re-patching and re-compiling the Jinja template, re-serialising parts that never change) is done
once here. The two-level vertical merges of the indicator grid are then set from the rows' spans,
and the package is written with fixed zip timestamps: the same input gives the same bytes.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from docx.opc.oxml import serialize_part_xml
from docx.opc.pkgwriter import _ContentTypesItem
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import BaseLoader, StrictUndefined, Template, TemplateError, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from .layout import Row
from .problem import TemplateProblem

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CORE_PROPERTY_LIMIT = 255  # Word's core properties hold at most 255 characters each
# The core properties docxtpl renders as templates, in its order (the order decides the XML).
_TEMPLATED_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")


@dataclass(frozen=True)
class DocumentInfo:
    """Document properties: what the file is and where it came from."""

    title: str
    source: str  # e.g. "projects/2024/x.yaml @ 1a2b3c4 (有未提交的修改)"
    timestamp: datetime


def environment(**options) -> SandboxedEnvironment:
    # Templates are user-editable files: sandboxed, strict about unknown names, escaping everything.
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=True, **options)


class _NothingToRead(BaseLoader):
    """A Word template's parts are compiled one by one from the .docx; an `{% include %}`, `{% import %}`
    or `{% extends %}` in them may read nothing (no file, no other part)."""

    def get_source(self, environment, template):
        raise TemplateNotFound(template, f"Word 模板不能用 include、import、extends 读取其他内容（“{template}”）")


def _compiled(sources: dict[str, str]) -> dict[str, Template]:
    """Each part compiled under its name (for error messages), in this process only: compiled code is
    never stored, since loading stored code (pickle, marshal) would run whatever a planted file holds."""
    env = environment(loader=_NothingToRead())
    return {name: env.template_class.from_code(env, env.compile(source, name), env.make_globals(None))
            for name, source in sources.items()}


def _problem(template_path: Path, error: Exception, sources: dict[str, str] | None = None) -> TemplateProblem:
    """The message for a template error: the file, the Jinja error, and the template text around it
    (as docxtpl shows it: the XML lines with their tags removed, so a Word user recognises the spot)."""
    lines = getattr(error, "docx_context", None)
    source = (sources or {}).get(getattr(error, "name", None) or "body")
    if lines is None and source and getattr(error, "lineno", None):
        lines = source.splitlines()[max(error.lineno - 3, 0): error.lineno + 2]
    nearby = " / ".join(text for text in (re.sub(r"<[^>]+>", "", line).strip() for line in lines or []) if text)
    where = f"，出错处附近的内容：{nearby[:300]}" if nearby else ""
    return TemplateProblem(f"模板 {template_path} 无法渲染：{type(error).__name__}: {error}{where}")


W_BODY, W_TBL, W_TR, W_TC, W_T = qn("w:body"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:t")
W_TCPR, W_GRIDSPAN, W_VAL = qn("w:tcPr"), qn("w:gridSpan"), qn("w:val")


W_VMERGE = qn("w:vMerge")
# What may follow w:vMerge in w:tcPr (CT_TcPr's schema order, as python-docx keeps it).
_AFTER_VMERGE = {qn(tag) for tag in (
    "w:tcBorders", "w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign",
    "w:hideMark", "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange",
)}


def _set_vmerge(tc, value: str) -> None:
    """What python-docx's `tc.vMerge = value` writes, on plain lxml elements (many cells per filing)."""
    tcpr = tc.find(W_TCPR)
    if tcpr is None:
        tcpr = tc.makeelement(W_TCPR, {})
        tc.insert(0, tcpr)
    for old in tcpr.findall(W_VMERGE):
        tcpr.remove(old)
    merge = tcpr.makeelement(W_VMERGE, {W_VAL: value})
    successor = next((child for child in tcpr if child.tag in _AFTER_VMERGE), None)
    if successor is None:
        tcpr.append(merge)
    else:
        successor.addprevious(merge)


def _vmerge(tc) -> str | None:
    merge = tc.find(f"{W_TCPR}/{W_VMERGE}")
    return None if merge is None else merge.get(W_VAL, "continue")


def _template_layout(root) -> tuple[tuple[int, int], tuple[int, ...]]:
    """From the template: (table number, first rendered indicator row) and the cell positions of the
    一级 and 二级 cells in the template's indicator row (the row inside the {%tr for row in rows %} loop):
    the cells that print `row.l1` and `row.l2` (or, in an older template, grid columns 1 and 2)."""
    for number, tbl in enumerate(root.find(W_BODY).iterchildren(W_TBL)):
        trs = list(tbl.iterchildren(W_TR))
        for index, tr in enumerate(trs):
            if _ROWS_LOOP.search(_row_text(tr)) and index + 1 < len(trs):
                cells = list(trs[index + 1].iterchildren(W_TC))
                tagged = [
                    next((i for i, tc in enumerate(cells) if pattern.search(_row_text(tc))), None)
                    for pattern in (_L1_TAG, _L2_TAG)
                ]
                if None in tagged:
                    by_grid = {grid_col: i for i, grid_col in enumerate(_cells_by_grid_column(trs[index + 1]))}
                    if 1 not in by_grid or 2 not in by_grid:
                        raise TemplateProblem("指标表格的一级、二级指标列不是独立的单元格")
                    tagged = [by_grid[1], by_grid[2]]
                # Rendering removes the loop's own rows: the first indicator row takes the {%tr for %} row's place.
                return (number, index), tuple(tagged)
    raise TemplateProblem("模板中找不到指标表格的循环“{%tr for row in rows %}”")


_L1_TAG = re.compile(r"\{\{-?\s*row\.l1\b")
_L2_TAG = re.compile(r"\{\{-?\s*row\.l2(?:_lines)?\b")
_ROWS_LOOP = re.compile(r"\{%-?\s*tr\s+for\s+\w+\s+in\s+rows\b")


def _row_text(tr) -> str:
    return "".join(t.text or "" for t in tr.iter(W_T))


def _plain_tables(root) -> bool:
    """No table inside a table cell, and the usual "w" prefix: rows and cells can be found by their tags."""
    body = root.find(W_BODY)
    return root.prefix == "w" and body.find(f".//{W_TC}//{W_TBL}") is None


_TABLE_START = re.compile(r"<w:tbl[ >]")
_ROW_START = re.compile(r"<w:tr[ >]")
_CELL_START = re.compile(r"<w:tc[ >]")
_CHILD_TAG = re.compile(r"<w:(\w+)")
_AFTER_VMERGE_NAMES = frozenset((
    "tcBorders", "shd", "noWrap", "tcMar", "textDirection", "tcFitText", "vAlign",
    "hideMark", "headers", "cellIns", "cellDel", "cellMerge", "tcPrChange",
))


_RESTART = '<w:vMerge w:val="restart"/>'


def _tcpr_span(body: str, cell: int) -> tuple[int, int] | None:
    """Where the children of the cell's <w:tcPr> are in the text, (start, end); None without a plain <w:tcPr>."""
    opened = body.find(">", cell) + 1
    if not body.startswith("<w:tcPr>", opened):
        return None
    inner = opened + len("<w:tcPr>")
    return inner, body.find("</w:tcPr>", inner)


def _cell_starts(body: str, row: int, last: int | None = None) -> list[int]:
    """Where the row's cells start; with `last`, only up to the cell of that position (the rest is not needed)."""
    cells = []
    for found in _CELL_START.finditer(body, row, body.find("</w:tr>", row)):
        cells.append(found.start())
        if last is not None and len(cells) > last:
            break
    return cells


def merge_in_text(body: str, location: tuple[int, int], positions: tuple[int, int], rows: list[Row]) -> str | None:
    """The vertical merges written into the rendered body text: the same elements, in the same
    places, as `apply_vertical_merges` puts into the parsed document, without parsing 100 KB of XML.
    None when a cell is not as expected (the caller then takes the parsing way)."""
    number, first_row = location
    tables = [m.start() for m in _TABLE_START.finditer(body)]
    if number >= len(tables):
        return None
    table_end = body.find("</w:tbl>", tables[number])
    row_starts = [m.start() for m in _ROW_START.finditer(body, tables[number], table_end)][first_row:]
    if len(rows) > len(row_starts):
        return None
    merges: dict[int, dict[int, str]] = {}  # row → cell position → restart / continue
    for offset, row in enumerate(rows):
        for index, span in zip(positions, (row.l1_span, row.l2_span)):
            for covered in range(span if span > 1 else 0):
                merges.setdefault(offset + covered, {})[index] = "restart" if covered == 0 else "continue"
    spanning = set()  # cells the template's row starts a merge in: continued down every indicator row
    for index, cell in enumerate(_cell_starts(body, row_starts[0]) if rows else ()):
        inside = _tcpr_span(body, cell)
        if index not in positions and inside and _RESTART in body[inside[0]:inside[1]]:
            spanning.add(index)
    for offset in range(1, len(rows)):
        merges.setdefault(offset, {}).update(dict.fromkeys(spanning, "continue"))
    edits: list[tuple[int, int, str]] = []  # (start, end, new text) of each change, in document order
    for offset, cells_to_merge in sorted(merges.items()):
        if not cells_to_merge:
            continue
        cells = _cell_starts(body, row_starts[offset], max(cells_to_merge))
        for index, value in sorted(cells_to_merge.items()):
            if index >= len(cells):
                return None
            merge = f'<w:vMerge w:val="{value}"/>'
            inside = _tcpr_span(body, cells[index])
            if inside is None:
                opened = body.find(">", cells[index]) + 1
                if body.startswith("<w:tcPr", opened):
                    return None  # <w:tcPr/> or attributes: leave it to the parser
                edits.append((opened, opened, f"<w:tcPr>{merge}</w:tcPr>"))
                continue
            children = list(_CHILD_TAG.finditer(body, *inside))
            current = next((child.start() for child in children if child.group(1) == "vMerge"), None)
            if current is None:
                at = next((child.start() for child in children if child.group(1) in _AFTER_VMERGE_NAMES), inside[1])
                edits.append((at, at, merge))
            elif index in spanning and body.startswith(_RESTART, current):  # the template's own restart
                edits.append((current, current + len(_RESTART), merge))
            else:
                return None
    pieces, position = [], 0
    for start, end, text in edits:
        pieces += [body[position:start], text]
        position = end
    return "".join(pieces) + body[position:]


def _cells_by_grid_column(tr) -> dict[int, object]:
    cells, col = {}, 0
    for tc in tr.iterchildren(W_TC):
        cells[col] = tc
        tcpr = tc.find(W_TCPR)
        span = tcpr.find(W_GRIDSPAN) if tcpr is not None else None
        col += int(span.get(W_VAL)) if span is not None else 1
    return cells


def apply_vertical_merges(document, location: tuple[int, int], positions: tuple[int, ...], rows: list[Row]) -> None:
    """Merge each 一级 cell over its groups' rows and each 二级 cell over its indicators' rows, and a
    cell that the template's row starts a merge in (the left label column) over all indicator rows.

    Every indicator row repeats the template's row, so the 一级 and 二级 cells sit at the same
    positions in each."""
    number, first_row = location
    tbl = list(document.find(W_BODY).iterchildren(W_TBL))[number]
    trs = list(tbl.iterchildren(W_TR))[first_row:first_row + len(rows)]
    if not trs:
        return
    spanning = [index for index, tc in enumerate(trs[0].findall(W_TC)) if index not in positions and _vmerge(tc) == "restart"]
    for tr in trs[1:]:
        cells = tr.findall(W_TC)
        for index in spanning:
            _set_vmerge(cells[index], "continue")
    first, second = positions
    for offset, row in enumerate(rows):
        for index, span in ((first, row.l1_span), (second, row.l2_span)):
            if span > 1:
                for covered in range(span):
                    cells = trs[offset + covered].findall(W_TC)
                    _set_vmerge(cells[index], "restart" if covered == 0 else "continue")


def set_properties(properties, context: dict, info: DocumentInfo) -> None:
    properties.title = info.title[:CORE_PROPERTY_LIMIT]
    properties.subject = context["form"]["title"][:CORE_PROPERTY_LIMIT]
    properties.comments = f"由 jixiao 生成，来源：{info.source}"[:CORE_PROPERTY_LIMIT]
    properties.identifier = info.source[:CORE_PROPERTY_LIMIT]
    properties.created = properties.modified = info.timestamp
    properties.last_printed = info.timestamp


def normalize_zip(data: bytes) -> bytes:
    """Fixed member timestamps and attributes, member order kept: same input, same bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        return write_zip([(item.filename, source.read(item.filename)) for item in source.infolist()])


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")
_END_RECORD = struct.Struct("<4s4H2LH")
_DOS_TIME = ZIP_TIME[3] << 11 | ZIP_TIME[4] << 5 | ZIP_TIME[5] // 2
_DOS_DATE = (ZIP_TIME[0] - 1980) << 9 | ZIP_TIME[1] << 5 | ZIP_TIME[2]
_VERSION = 20  # what zipfile records for a deflated member


def _deflated(name: bytes, data: bytes) -> tuple[bytes, int, int]:
    """A member's local header and deflated data as zipfile writes them, its CRC and compressed size."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    packed = compressor.compress(data) + compressor.flush()
    crc = zlib.crc32(data)
    header = _LOCAL_HEADER.pack(b"PK\x03\x04", _VERSION, 0, 0, zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE,
                                crc, len(packed), len(data), len(name), 0)
    return header + name + packed, crc, len(packed)


@cache
def _external_attr() -> int:
    """What zipfile records for a member written with no attributes (its default permissions)."""
    with zipfile.ZipFile(io.BytesIO(write_zip([("x", b"")]))) as archive:
        return archive.infolist()[0].external_attr


def pack_zip(members: list[tuple[str, bytes, bool]], reusable: dict) -> bytes:
    """The bytes write_zip makes of the same members (ASCII names, each under 4 GB), without compressing
    again a member marked as the same for every document: its record is kept in `reusable`. Each
    member costs a compressor of its own (zlib allocates a quarter megabyte per compressor), which
    for a .docx costs more than compressing its one large part."""
    records, central, offset = [], [], 0
    for text, data, same in members:
        name = text.encode("ascii")
        if same:
            record = reusable.get(text) or reusable.setdefault(text, _deflated(name, data))
        else:
            record = _deflated(name, data)
        local, crc, size = record
        central.append(_CENTRAL_HEADER.pack(
            b"PK\x01\x02", _VERSION, 0, _VERSION, 0, 0, zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE,
            crc, size, len(data), len(name), 0, 0, 0, 0, _external_attr(), offset,
        ) + name)
        records.append(local)
        offset += len(local)
    directory = b"".join(central)
    end = _END_RECORD.pack(b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), offset, 0)
    return b"".join(records) + directory + end


def write_zip(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, data)
    return out.getvalue()


def _document_xml(template: DocxTemplate, body: str, prefix: bytes, suffix: bytes, fix_tables: bool):
    """The rendered body spliced into the document element, parsed once with python-docx's element classes.

    docxtpl would parse the body (fixing tables and image ids), then move it into the document tree
    (`map_tree`), which costs more than all the rest of a render. Splicing the body between the
    document's own start and end tags gives the same tree. docxtpl's fixes run only when they can
    change something: column loops ({%tc %}) in the template, or images (wp:docPr) in the output.
    """
    if fix_tables or "docPr" in body:
        tree = template.fix_tables(body)
        template.docx_ids_index = 1000
        template.fix_docpr_ids(tree)
        body_xml = etree.tostring(tree, encoding="UTF-8")
    else:
        body_xml = body.encode("utf-8")
    # The body was serialised on its own, so it declares the document's namespaces again; drop them,
    # as moving it into the document does. Parsed as python-docx parses parts, but into plain lxml
    # elements: the merges below touch many cells, and python-docx's element classes cost per access.
    return etree.fromstring(prefix + _BODY_START.sub(b"<w:body>", body_xml, count=1) + suffix, _PARSER)


_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)  # python-docx's parser options


_BODY_START = re.compile(rb"^(<\?xml[^>]*>\s*)?<w:body[^>]*>")


def _document_ends(root) -> tuple[bytes, bytes]:
    """The serialised document element before and after its body."""
    xml = serialize_part_xml(root)
    start = xml.index(b"<w:body")
    end = xml.rindex(b"</w:body>") + len(b"</w:body>")
    return xml[:start], xml[end:]


def _after_render(template: DocxTemplate, xml: str) -> str:
    """What docxtpl does to a part's rendered XML (see DocxTemplate.render_xml_part)."""
    xml = _PARAGRAPH_BREAK.sub("", xml)  # docxtpl: re.sub(r"\n<w:p([ >])", r"<w:p\1", xml), in one pass
    # Tabs, line breaks and page breaks inside text become Word's own elements. docxtpl rewrites
    # paragraph by paragraph; only the paragraphs that hold such a character can change.
    if not any(character in xml for character in "\t\a\n\f"):
        return xml  # most filings: no such character anywhere, and no need to look for one paragraph by paragraph
    pieces, position = [], 0
    for match in _LISTING_TEXT.finditer(xml):
        if match.start() < position:
            continue  # inside a paragraph already rewritten
        start = max(xml.rfind("<w:p>", 0, match.start()), xml.rfind("<w:p ", 0, match.start()))
        end = xml.index("</w:p>", match.end()) + len("</w:p>")
        pieces += [xml[position:start], template.resolve_listing(xml[start:end])]
        position = end
    return "".join(pieces) + xml[position:] if pieces else xml


_LITERAL_BRACES = {"{_{": "{{", "}_}": "}}", "{_%": "{%", "%_}": "%}"}
_LISTING_TEXT = re.compile("<w:t(?: [^>]*)?>[^<]*[\t\a\n\f]")
_PARAGRAPH_BREAK = re.compile(r"\n(?=<w:p[ >])")


class PreparedTemplate:
    """A form's Word template, patched and compiled once; `render` makes one filing's .docx."""

    def __init__(self, path: Path, data: bytes | None = None):
        """The template at `path`, or (for a generated template) `data`, named `path` in messages."""
        self.path = path
        self.sources: dict[str, str] = {}  # each part as a Jinja template, for compiling and for error messages
        try:
            self.template = DocxTemplate(io.BytesIO(data) if data is not None else path)
            self.template.render_init()
            source = self.template.get_xml()
            sources = self.sources
            sources["body"] = self._patched(source)
            headers_footers = []
            for uri in (self.template.HEADER_URI, self.template.FOOTER_URI):
                for rel_key, part in self.template.get_headers_footers(uri):
                    xml = self.template.get_part_xml(part)
                    sources[rel_key] = self._patched(xml)
                    headers_footers.append((rel_key, self.template.get_headers_footers_encoding(xml)))
            for name in _TEMPLATED_PROPERTIES:
                sources[f"property:{name}"] = getattr(self.template.docx.core_properties, name) or ""
            compiled = _compiled(sources)
            self.body = compiled["body"]
            self.headers_footers = [(key, compiled[key], encoding) for key, encoding in headers_footers]
            self.properties = {name: compiled[f"property:{name}"] for name in _TEMPLATED_PROPERTIES}
            self.document_ends = _document_ends(self.template.docx.element)
            self.column_loops = bool(re.search(r"\{%-?\s*tc\s|\{%\s*(hm|colspan)\b", source))
            # Where the indicator rows will be, and which cells of a row are 一级/二级: fixed by the template.
            self.location, self.cell_positions = _template_layout(self.template.docx.element)
            # Merges can be written straight into the rendered text when the table is plain enough to find
            # its rows and cells by their tags; otherwise the rendered document is parsed and edited.
            self.text_merges = not self.column_loops and _plain_tables(self.template.docx.element)
            self.static_blobs: dict[str, bytes] = {}  # parts no render changes, serialised once
            self.packed: dict[str, tuple] = {}  # and their zip records, compressed once
        except TemplateProblem:
            raise
        except Exception as error:  # jinja2 and docxtpl raise many kinds; all mean a broken template
            raise _problem(self.path, error, self.sources) from None
        self._check_footnotes()

    def _patched(self, xml: str) -> str:
        """A part's XML as docxtpl turns it into a Jinja template (see DocxTemplate.render_xml_part).

        docxtpl lets a template print literal braces as {_{ }_} {_% %_} and turns them back after
        rendering, over the whole output; done here in the template instead, a filing's own text
        containing "{_{" stays as typed."""
        patched = re.sub(r"<w:p([ >])", r"\n<w:p\1", self.template.patch_xml(xml))
        for escaped, literal in _LITERAL_BRACES.items():
            patched = patched.replace(escaped, "{{ '%s' }}" % literal)
        return patched

    def _check_footnotes(self) -> None:
        for part in self.template.docx.part.package.parts:
            if part.content_type.endswith("footnotes+xml") and re.search(rb"\{[{%]", part.blob):
                raise TemplateProblem(f"模板 {self.path} 的脚注里有标签；jixiao 不渲染脚注，请把标签移到正文")

    def render(self, context: dict, info: DocumentInfo) -> bytes:
        template = self.template
        try:
            body = _after_render(template, self.body.render(context))
            rendered_parts = [
                (rel_key, _after_render(template, compiled.render(context)).encode(encoding))
                for rel_key, compiled, encoding in self.headers_footers
            ]
            properties = {name: compiled.render(context) for name, compiled in self.properties.items()}
        except TemplateError as error:
            raise _problem(self.path, error, self.sources) from None
        merged = merge_in_text(body, self.location, self.cell_positions, context["rows"]) if self.text_merges and "docPr" not in body else None
        if merged is not None:
            prefix, suffix = self.document_ends
            document_xml = prefix + _BODY_START.sub(b"<w:body>", merged.encode("utf-8"), count=1) + suffix
        else:
            document = _document_xml(template, body, *self.document_ends, self.column_loops)
            apply_vertical_merges(document, self.location, self.cell_positions, context["rows"])
            document_xml = serialize_part_xml(document)
        for rel_key, xml in rendered_parts:
            template.map_headers_footers_xml(rel_key, xml)
        core = template.docx.core_properties
        for name, value in properties.items():
            setattr(core, name, value)
        set_properties(core, context, info)
        return pack_zip(self._members(document_xml), self.packed)

    def _members(self, document_xml: bytes) -> list[tuple[str, bytes, bool]]:
        """The package's members in the order python-docx writes them, each marked when it is the same
        for every filing."""
        main = self.template.docx.part
        package = main.package
        parts = list(package.iter_parts())
        members = [("[Content_Types].xml", _ContentTypesItem.from_parts(parts).blob, False), ("_rels/.rels", package.rels.xml, False)]
        for part in parts:
            name = part.partname.membername
            if part is main:
                members.append((name, document_xml, False))
            elif part.content_type.endswith(_CHANGING_PARTS):
                members.append((name, part.blob, False))
            else:  # styles, settings, fonts, theme...: the same for every filing
                members.append((name, self.static_blobs.get(name) or self.static_blobs.setdefault(name, part.blob), True))
            if len(part.rels):
                members.append((part.partname.rels_uri.membername, part.rels.xml, False))
        return members


# Parts whose content a render changes (besides the main document): properties, headers, footers.
_CHANGING_PARTS = ("core-properties+xml", "header+xml", "footer+xml", "footnotes+xml")


_PREPARED: dict[Path, PreparedTemplate] = {}


def prepared(form) -> PreparedTemplate:
    """The prepared template of a form, made once per process: the pack's own template.docx, or the
    one generated from its definition."""
    if form.directory not in _PREPARED:
        if form.word_template is not None:
            _PREPARED[form.directory] = PreparedTemplate(form.word_template)
        else:
            from .word_template import generated_template

            _PREPARED[form.directory] = PreparedTemplate(form.directory / "form.yaml", generated_template(form))
    return _PREPARED[form.directory]


def render_docx(form, context: dict, info: DocumentInfo) -> bytes:
    return prepared(form).render(context, info)
