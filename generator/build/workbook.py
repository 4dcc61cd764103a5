"""The year's summary workbook in a build: where its rows come from, and when it is rewritten.

Rows: workers render each changed filing's workbook record (filing/table.py) beside its Word and
HTML files and send it back compressed; the parent puts it straight into a record store (SQLite in
the cache folder, one per output folder) and keeps nothing of it. Unchanged filings are neither
checked nor rendered: their records are in the store under a key of their content and jixiao's
code. The workbook is then streamed from the store, one record at a time (render/workbook.py).

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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..common.atomic import write_stream_atomic
from ..common.caching import cache_dir, file_stat, fingerprint
from ..common.findings import Finding
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
    """Workbook records by filing name, each valid for one key, and the workbooks written from them
    (by year: their key and file stat). A missing or damaged store is empty: the filings whose records
    are missing are rendered again, and the workbooks are compared byte by byte."""

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
        self.db.execute("CREATE TABLE IF NOT EXISTS records (name TEXT PRIMARY KEY, key TEXT NOT NULL, used TEXT NOT NULL, data BLOB NOT NULL)")
        self.db.execute("CREATE TABLE IF NOT EXISTS workbooks (year TEXT PRIMARY KEY, key TEXT NOT NULL, stat TEXT NOT NULL)")
        self.keys = dict(self.db.execute("SELECT name, key FROM records"))
        self.workbooks = {year: (key, json.loads(stat)) for year, key, stat in self.db.execute("SELECT year, key, stat FROM workbooks")}
        self.db.execute("BEGIN")

    def put(self, name: str, key: str, packed: Packed) -> None:
        used, data = packed
        self.db.execute("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)", (name, key, json.dumps(used, ensure_ascii=False), data))
        self.keys[name] = key

    def used(self, names: list[str]) -> set[str]:
        wanted = set(names)
        return {label for name, used in self.db.execute("SELECT name, used FROM records") if name in wanted for label in json.loads(used)}

    def record(self, name: str) -> dict:
        (data,) = self.db.execute("SELECT data FROM records WHERE name = ?", (name,)).fetchone()
        return json.loads(zlib.decompress(data))

    def set_workbook(self, year: str, key: str | None, stat: list[int] | None) -> None:
        """Record the workbook written for a year (key None: there is none)."""
        self.db.execute("DELETE FROM workbooks WHERE year = ?", (year,))
        if key is not None:
            self.db.execute("INSERT INTO workbooks VALUES (?, ?, ?)", (year, key, json.dumps(stat)))

    def keep_only(self, names: set[str]) -> None:
        for name in [n for n in self.keys if n not in names]:
            self.db.execute("DELETE FROM records WHERE name = ?", (name,))
            del self.keys[name]

    def close(self) -> None:
        try:
            self.db.execute("COMMIT")
        finally:
            self.db.close()
            if self.folder is not None:
                self.folder.cleanup()


@dataclass(frozen=True)
class Member:
    """A filing the year's workbook lists: one that has its outputs."""

    path: str
    name: str
    form_id: str
    year: int
    stem_path: Path  # out/<年度>/<stem>: where its Word, HTML and PDF files are
    timestamp: str  # ISO: its last commit (or SOURCE_DATE_EPOCH)


@dataclass
class Outcome:
    written: list[Path] = field(default_factory=list)
    unchanged: int = 0
    removed: list[Path] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)  # what a workbook could not hold exactly


def store_path(out_dir: Path) -> Path:
    folder = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16]
    return cache_dir() / f"workbook-{folder}.sqlite"


class Workbooks:
    """The records of one build, and the workbooks made from them."""

    def __init__(self, out_dir: Path, cached: bool):
        self.out_dir = out_dir
        self.store = RecordStore(store_path(out_dir) if cached else None)

    @staticmethod
    def key(digest: str) -> str:
        return f"{digest}:{fingerprint()}"

    def has(self, name: str, digest: str) -> bool:
        return self.store.keys.get(name) == self.key(digest)

    def put(self, name: str, digest: str, packed: Packed) -> None:
        self.store.put(name, self.key(digest), packed)

    def write(self, members: list[Member], findings: list[Finding], links: Callable[[Path], dict[str, str]],
              present: set[str]) -> Outcome:
        """Each year's workbook of `members` (`links(stem_path)` → {label: file name}); the store keeps
        the records of the `present` filings only; workbooks of years without members are removed."""
        outcome = Outcome()
        by_year: dict[int, list[Member]] = {}
        for member in sorted(members, key=lambda m: m.path):
            by_year.setdefault(member.year, []).append(member)
        by_file: dict[str, list[Finding]] = {}
        for finding in findings:
            by_file.setdefault(finding.file, []).append(finding)
        try:
            for year, listed in sorted(by_year.items()):
                self._write_year(year, listed, by_file, links, outcome)
            for year in sorted(set(self.store.workbooks) - {str(year) for year in by_year}):
                target = self.out_dir / year / WORKBOOK_NAME  # a year whose filings are all gone
                if target.is_file():
                    target.unlink()
                    outcome.removed.append(target)
                self.store.set_workbook(year, None, None)
            self.store.keep_only(present)
        finally:
            self.store.close()
        return outcome

    def _write_year(self, year: int, listed: list[Member], by_file: dict[str, list[Finding]],
                    links: Callable[[Path], dict[str, str]], outcome: Outcome) -> None:
        from ..render.workbook import BookInfo, Listed, write_workbook  # XlsxWriter only when there is a workbook to write

        target = self.out_dir / str(year) / WORKBOOK_NAME
        linked = {m.path: links(m.stem_path) for m in listed}
        timestamp = max(m.timestamp for m in listed)
        key = _digest([
            fingerprint(), _writer_version(), timestamp,
            [(m.path, m.name, m.form_id, self.store.keys[m.path], linked[m.path],
              [(f.line, f.col, f.severity.value, f.rule, f.message) for f in by_file.get(m.path, ())]) for m in listed],
        ])
        if self.store.workbooks.get(str(year)) == (key, file_stat(target)):
            outcome.unchanged += 1
            return
        shelf = FormShelf()
        forms = [shelf[form_id] for form_id in dict.fromkeys(m.form_id for m in listed)]
        info = BookInfo(
            year=year,
            timestamp=datetime.fromisoformat(timestamp),
            forms=forms,
            extra_columns=extra_columns(forms, self.store.used([m.path for m in listed])),
            link_columns=[label for _, label in LINKS if any(label in found for found in linked.values())],
            field_columns=field_columns(forms),
            source=f"{len(listed)} 个申报表（{listed[0].path} 等）",
        )

        def entries():
            for m in listed:
                own = by_file.get(m.path, ())
                counts = tuple(sum(f.severity.value == level for f in own) for level in ("error", "warning", "info"))
                yield Listed(m.path, m.name, m.form_id, counts, linked[m.path], self.store.record(m.path))

        problems = (finding for m in listed for finding in by_file.get(m.path, ()))
        notes, changed = write_stream_atomic(target, lambda stream: write_workbook(stream, info, entries(), problems))
        outcome.notes += notes
        if changed:
            outcome.written.append(target)
        else:
            outcome.unchanged += 1
        self.store.set_workbook(str(year), key, file_stat(target))


def _writer_version() -> str:
    from importlib.metadata import version

    return version("XlsxWriter")  # another XlsxWriter may write other bytes


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False).encode()).hexdigest()

