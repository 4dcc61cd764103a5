"""The year's summary workbook in a build: where its rows come from, and when it is rewritten.

Rows: workers render each changed filing's workbook record (filing/table.py) beside its Word and
HTML files and send it back compressed; the parent puts it straight into a record store (SQLite in
the cache folder, one per output folder) and keeps nothing of it. Unchanged filings are neither
checked nor rendered: their records are in the store under a key of their content and jixiao's
code. The workbook is then streamed from the store, one record at a time (render/workbook.py).

Members: every filing with outputs in the year, as the manifest lists them for the year's index page
(built this run or by an earlier build of other filings), with the findings and links of its row.

Freshness: a year's workbook is made from its members (path, name, form, record key, links,
findings), the created time and the code; their digest is kept in the store with the file's size
and time. Nothing changed: not even read. Otherwise (or with no store to ask: --no-cache) the
workbook is written to a temporary file, compared with the one there, and renamed into place only
if it differs.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..common.atomic import write_stream_atomic
from ..common.caching import cache_dir, file_digest, fingerprint
from ..common.findings import Finding, Severity
from ..filing.model import Filing
from ..filing.table import WORKBOOK_NAME, extra_columns, field_columns, filing_record, used_details
from ..forms.definition import FormDefinition
from ..forms.pack import FormShelf

LINKS = ((".docx", "Word"), (".html", "预览"), (".pdf", "PDF"))


Packed = tuple[list[str], bytes]  # the indicator columns a record has text in, and the record compressed


def pack_record(filing: Filing, form: FormDefinition) -> Packed:
    """A filing's workbook record as it travels and is stored: compact JSON, compressed (in the worker)."""
    record = filing_record(filing, form)
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return sorted(used_details(record)), zlib.compress(text.encode("utf-8"), 1)


class RecordStore:
    """Workbook records by filing (its manifest key), each valid for one key and with the filing's time,
    and the workbooks written from them (by year: their key and file stat). A missing or damaged store
    is empty: the filings whose records are missing are rendered again, and the workbooks are compared
    byte by byte."""

    def __init__(self, path: Path | None):
        self.folder = None
        if path is None:  # --no-cache: records for this build only
            self.folder = tempfile.TemporaryDirectory(prefix="jixiao-records-")
            path = Path(self.folder.name) / "records.sqlite"
        self.path = path
        try:
            self._open()
        except sqlite3.Error:
            path.unlink(missing_ok=True)  # damaged: a cache that can be rebuilt
            self._open()

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute("PRAGMA synchronous=OFF")  # a cache: losing it costs time only
        self.db.execute("CREATE TABLE IF NOT EXISTS records (source TEXT PRIMARY KEY, key TEXT NOT NULL, "
                        "stamp TEXT NOT NULL, used TEXT NOT NULL, data BLOB NOT NULL)")
        self.db.execute("CREATE TABLE IF NOT EXISTS workbooks (year TEXT PRIMARY KEY, key TEXT NOT NULL, stat TEXT NOT NULL)")
        self.keys = {source: (key, stamp) for source, key, stamp in self.db.execute("SELECT source, key, stamp FROM records")}
        self.workbooks = {year: (key, json.loads(stat)) for year, key, stat in self.db.execute("SELECT year, key, stat FROM workbooks")}
        self.db.execute("BEGIN")

    def put(self, source: str, key: str, stamp: str, packed: Packed) -> None:
        used, data = packed
        self.db.execute("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?)",
                        (source, key, stamp, json.dumps(used, ensure_ascii=False), data))
        self.keys[source] = (key, stamp)

    def used(self, sources: list[str]) -> set[str]:
        wanted = set(sources)
        return {label for source, used in self.db.execute("SELECT source, used FROM records")
                if source in wanted for label in json.loads(used)}

    def record(self, source: str) -> dict:
        (data,) = self.db.execute("SELECT data FROM records WHERE source = ?", (source,)).fetchone()
        return json.loads(zlib.decompress(data))

    def set_workbook(self, year: str, key: str | None, digest: str | None) -> None:
        """Record the workbook written for a year (key None: there is none)."""
        self.db.execute("DELETE FROM workbooks WHERE year = ?", (year,))
        if key is not None:
            self.db.execute("INSERT INTO workbooks VALUES (?, ?, ?)", (year, key, json.dumps(digest)))

    def keep_only(self, sources: set[str]) -> None:
        for source in [s for s in self.keys if s not in sources]:
            self.db.execute("DELETE FROM records WHERE source = ?", (source,))
            del self.keys[source]

    def close(self) -> None:
        try:
            self.db.execute("COMMIT")
        finally:
            self.db.close()
            if self.folder is not None:
                self.folder.cleanup()


@dataclass(frozen=True)
class Member:
    """A filing the year's workbook lists: one with outputs in the year."""

    source: str  # its key in the manifest and the store
    path: str  # the filing as reported
    name: str
    form_id: str
    findings: tuple[Finding, ...]
    links: dict[str, str]  # link column → file name beside the workbook
    self_score: str = ""  # the 总分 of its 自评表 ("" without one)


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)  # relative to the output folder
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)  # what a workbook could not hold exactly


def store_path(out_dir: Path) -> Path:
    folder = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16]
    return cache_dir() / f"workbook-{folder}.sqlite"


def members(manifest) -> dict[str, list[Member]]:
    """Each year's members, by file path, from the manifest's entries and their index rows."""
    by_year: dict[str, list[Member]] = {}
    for source, entry in sorted(manifest.entries.items(), key=lambda item: item[1].name):
        if entry.row is None:
            continue
        name, _, _, findings, _, form_id, _, self_score = entry.row
        links = {label: Path(entry.at + suffix).name for suffix, label in LINKS
                 if entry.at + suffix in entry.outputs and (manifest.out_dir / (entry.at + suffix)).is_file()}
        own = tuple(Finding(entry.name, line, col, Severity(severity), rule, message)
                    for line, col, severity, rule, message, _ in findings)
        by_year.setdefault(entry.year, []).append(Member(source, entry.name, name, form_id, own, links, self_score or ""))
    return by_year


class Workbooks:
    """The records of one build, and the workbooks made from them."""

    def __init__(self, out_dir: Path, cached: bool):
        self.out_dir = out_dir
        self.store = RecordStore(store_path(out_dir) if cached else None)

    @staticmethod
    def key(digest: str) -> str:
        return f"{digest}:{fingerprint()}"

    def has(self, source: str, digest: str) -> bool:
        return self.store.keys.get(source, ("", ""))[0] == self.key(digest)

    def stored(self, source: str) -> bool:
        """A record of the filing (of whatever version) that this jixiao wrote."""
        return self.store.keys.get(source, ("", ""))[0].endswith(f":{fingerprint()}")

    def put(self, source: str, digest: str, packed: Packed, stamp: str) -> None:
        self.store.put(source, self.key(digest), stamp, packed)

    def write(self, manifest) -> Outcome:
        """Each year's workbook; the store keeps the records of the manifest's filings only; the workbooks
        of years without filings are removed."""
        outcome = Outcome()
        by_year = {year: [m for m in listed if m.source in self.store.keys] for year, listed in members(manifest).items()}
        by_year = {year: listed for year, listed in by_year.items() if listed}
        try:
            for year, listed in sorted(by_year.items()):
                self._write_year(year, listed, outcome)
                manifest.set_workbook(year, True)
            # A year whose filings are all gone; the manifest remembers it when the build ran without a cache.
            for year in sorted((set(self.store.workbooks) | manifest.workbooks) - set(by_year)):
                relative = f"{year}/{WORKBOOK_NAME}"
                if (self.out_dir / relative).is_file():
                    (self.out_dir / relative).unlink()
                    outcome.removed.append(relative)
                self.store.set_workbook(year, None, None)
                manifest.set_workbook(year, False)
            self.store.keep_only(set(manifest.entries))
        finally:
            self.store.close()
        return outcome

    def _write_year(self, year: str, listed: list[Member], outcome: Outcome) -> None:
        from ..render.workbook import BookInfo, Listed, write_workbook  # XlsxWriter only when there is a workbook to write

        relative = f"{year}/{WORKBOOK_NAME}"
        target = self.out_dir / relative
        timestamp = max(self.store.keys[m.source][1] for m in listed)
        key = _digest([
            fingerprint(), _writer_version(), timestamp,
            [(m.path, m.name, m.form_id, self.store.keys[m.source][0], m.links, m.self_score,
              [(f.line, f.col, f.severity.value, f.rule, f.message) for f in m.findings]) for m in listed],
        ])
        if self.store.workbooks.get(year) == (key, file_digest(target)):
            outcome.unchanged += 1
            return
        shelf = FormShelf()
        forms = [shelf[form_id] for form_id in dict.fromkeys(m.form_id for m in listed)]
        info = BookInfo(
            year=int(year),
            timestamp=datetime.fromisoformat(timestamp),
            forms=forms,
            extra_columns=extra_columns(forms, self.store.used([m.source for m in listed])),
            link_columns=[label for _, label in LINKS if any(label in m.links for m in listed)],
            field_columns=field_columns(forms),
            source=f"{len(listed)} 个申报表（{listed[0].path} 等）",
        )

        def entries():
            for m in listed:
                counts = tuple(sum(f.severity is level for f in m.findings) for level in Severity)
                yield Listed(m.path, m.name, m.form_id, counts, m.links, self.store.record(m.source), m.self_score)

        problems = (finding for m in listed for finding in m.findings)
        notes, changed = write_stream_atomic(target, lambda stream: write_workbook(stream, info, entries(), problems))
        outcome.notes += notes
        if changed:
            outcome.written.append(relative)
        else:
            outcome.unchanged += 1
        self.store.set_workbook(year, key, file_digest(target))


def _writer_version() -> str:
    from importlib.metadata import version

    return version("XlsxWriter")  # another XlsxWriter may write other bytes


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False).encode()).hexdigest()
