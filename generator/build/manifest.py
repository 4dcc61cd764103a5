"""The build manifest (`<out>/.jixiao-manifest.json`): which outputs each filing produced, from what.

An entry belongs to a filing (by its path relative to the working folder, however it was typed;
moved to the new working folder when the manifest is read from another) and records: the key its
outputs were made from (the filing's bytes, the template pack, jixiao's code, the document
properties and the configuration of the findings its page shows); where its outputs are
(`<年度>/<stem>`); each output with the digest of its content, so that an output changed or deleted by
hand is made again, whatever its size and modification time say; and the filing's line in the year's index.html, so
that a build of part of the filings still writes the whole index. Every output listed was made from
the entry's key: an output of an older key is removed when the filing is built again. A missing,
unreadable or older manifest means a full rebuild, never a crash or a stale file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from ..common import resources
from ..common.atomic import write_text_atomic
from ..common.caching import file_digest, fingerprint
from ..common.findings import Severity

MANIFEST_NAME = ".jixiao-manifest.json"
_DIGEST = re.compile(r"[0-9a-f]{64}")
VERSION = 5  # 4: 自评得分 in the index rows; 5: outputs known by their content's digest (before: size and modification time)
# A filing's 自评表 (its year-end self-evaluation) goes into a folder of its own beside the filings' outputs:
# <年度>/自评表/<stem>-自评表.docx. Its name is as unique as the filing's own place <年度>/<stem> (which the
# build already keeps free of clashes), and no filing's output can take it, whatever the filing is called.
SELFEVAL_FOLDER = "自评表"
SELFEVAL_MARK = "-自评表"  # an output suffix starting with it is the 自评表's: "-自评表.docx"


def output_path(at: str, suffix: str) -> str:
    """Where an output of the filing at `at` ("<年度>/<stem>") goes, relative to the output folder: `.docx`
    → <年度>/<stem>.docx; `-自评表.docx` → <年度>/自评表/<stem>-自评表.docx."""
    if suffix.startswith(SELFEVAL_MARK):
        year, _, stem = at.partition("/")
        return f"{year}/{SELFEVAL_FOLDER}/{stem}{suffix}"
    return at + suffix


_SEVERITIES = frozenset(severity.value for severity in Severity)


@cache
def template_pack() -> str:
    """Changes whenever a template, a form, the schema or jixiao's code changes."""
    digest = hashlib.sha256(fingerprint().encode())
    for path in sorted(p for p in resources.templates_dir().rglob("*") if p.is_file()):
        digest.update(path.as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def output_key(digest: str, source: str, timestamp: str, findings_key: str) -> str:
    """What every output of a filing is made from (a PDF from the Word file made from the same key).
    `findings_key`: the configuration of the findings the HTML page shows (Config.findings_key)."""
    parts = [digest, template_pack(), source, timestamp, findings_key]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


@dataclass(slots=True)
class Entry:
    name: str  # the filing as last reported (messages, index order)
    key: str
    at: str  # "<年度>/<stem>", relative to the output folder
    outputs: dict[str, str] = field(default_factory=dict)  # relative path → sha256 of the content written
    # [项目名称, 年度资金总额, 三级指标数, [[line, col, severity, rule, message, shown on its page], ...],
    #  实施单位, 表样, [[money item, amount or null], ...], 自评得分 (Summary.self_score: null, "" or a number)]
    row: list | None = None

    @property
    def year(self) -> str:
        return self.at.partition("/")[0]


_PLACE = re.compile(r"[0-9]{4}/(?!\.\.?$)[^/\\\x00]+")


def _valid_row(row) -> bool:
    if row is None:
        return True
    if not (type(row) is list and len(row) == 8 and type(row[0]) is str and type(row[1]) is str
            and type(row[2]) is int and type(row[3]) is list and type(row[4]) is str and type(row[5]) is str
            and type(row[6]) is list and (row[7] is None or type(row[7]) is str)):
        return False
    if row[7] and not Decimal(row[7]).is_finite():
        return False
    kinds = [int, int, str, str, str, bool]
    if not all(type(f) is list and [type(v) for v in f] == kinds and f[2] in _SEVERITIES for f in row[3]):
        return False
    if not all(type(m) is list and len(m) == 2 and type(m[0]) is str and (m[1] is None or type(m[1]) is str) for m in row[6]):
        return False
    return Decimal(row[1]).is_finite() and all(m[1] is None or Decimal(m[1]).is_finite() for m in row[6])


def _entry(raw) -> Entry:
    """An entry read back, every field checked (a damaged manifest is an empty one)."""
    outputs = raw["outputs"]
    if not (isinstance(raw["name"], str) and isinstance(raw["key"], str) and isinstance(raw["at"], str)
            and isinstance(outputs, dict) and _valid_row(raw["row"])):
        raise TypeError
    if not _PLACE.fullmatch(raw["at"]):
        raise ValueError  # every place is <年度>/<stem>: a manifest edited to point elsewhere is not trusted
    checked = {str(k): v for k, v in outputs.items() if isinstance(v, str) and _DIGEST.fullmatch(v)}
    if len(checked) != len(outputs):
        raise ValueError
    selfeval = output_path(raw["at"], SELFEVAL_MARK + ".")
    if any(not (k.startswith(raw["at"] + ".") or k.startswith(selfeval)) for k in checked):
        raise ValueError  # outputs are always <at>.<suffix> or its 自评表: anything else was not written by a build
    return Entry(raw["name"], raw["key"], raw["at"], checked, raw["row"])


def _moved(base: str, source: str) -> str:
    return Path(os.path.relpath(os.path.join(base, source))).as_posix()


class Manifest:
    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.path = out_dir / MANIFEST_NAME
        self.entries: dict[str, Entry] = {}  # the filing's path (see runner.source_key) → entry
        self.indexes: set[str] = set()  # years whose index.html this manifest's builds wrote
        self.workbooks: set[str] = set()  # years whose 汇总表.xlsx this manifest's builds wrote (also without a cache)
        self.changed = False
        try:
            stored = json.loads(self.path.read_bytes())
            if stored.get("version") == VERSION:
                self.entries = {str(source): _entry(raw) for source, raw in stored["entries"].items()}
                self.indexes = {str(year) for year in stored["indexes"]}
                self.workbooks = {str(year) for year in stored.get("workbooks", [])}
                base = stored["base"]
                if base != os.getcwd():  # built from another folder: the same files, named from here
                    self.entries = {_moved(base, source): entry for source, entry in self.entries.items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, InvalidOperation):
            self.entries, self.indexes, self.workbooks = {}, set(), set()
            self.changed = True  # an unreadable manifest is replaced

    def fresh(self, source: str, key: str, expected: list[str]) -> bool:
        """The outputs `expected` of the filing were made from `key` and are still exactly as written."""
        entry = self.entries.get(source)
        if entry is None or entry.key != key:
            return False
        folder = str(self.out_dir)
        return all(relative in entry.outputs and file_digest(os.path.join(folder, relative)) == entry.outputs[relative]
                   for relative in expected)

    def record(self, source: str, name: str, key: str, at: str, made: list[str]) -> list[str]:
        """The outputs just made (or found unchanged) from `key` at `at`. Earlier outputs of the same key and
        place stay listed while they are as written (a build of fewer formats keeps them); the others
        are returned: they were made from something older, or for another year."""
        entry = self.entries.get(source)
        kept, dropped = {}, []
        if entry is not None:
            for relative, digest in entry.outputs.items():
                if relative in made:
                    continue
                if entry.key == key and entry.at == at and file_digest(self.out_dir / relative) == digest:
                    kept[relative] = digest
                else:
                    dropped.append(relative)
        outputs = {**kept, **{relative: file_digest(self.out_dir / relative) for relative in made}}
        updated = Entry(name, key, at, {k: v for k, v in outputs.items() if v is not None}, entry.row if entry else None)
        if updated != entry:
            self.entries[source] = updated
            self.changed = True
        return dropped

    def add_output(self, source: str, relative: str) -> None:
        """An output made later from the entry's own outputs (a PDF from the Word file)."""
        digest = file_digest(self.out_dir / relative)
        if digest is not None:
            self.entries[source].outputs[relative] = digest
            self.changed = True

    def set_row(self, source: str, row: list | None) -> None:
        entry = self.entries.get(source)
        if entry is not None and entry.row != row:
            entry.row = row
            self.changed = True

    def set_workbook(self, year: str, written: bool) -> None:
        if (year in self.workbooks) != written:
            (self.workbooks.add if written else self.workbooks.discard)(year)
            self.changed = True

    def forget(self, source: str) -> Entry:
        self.changed = True
        return self.entries.pop(source)

    def save(self) -> None:
        if not self.changed:
            return
        data = {
            "version": VERSION,
            "base": os.getcwd(),
            "entries": {
                source: {"name": e.name, "key": e.key, "at": e.at, "outputs": e.outputs, "row": e.row}
                for source, e in sorted(self.entries.items())
            },
            "indexes": sorted(self.indexes),
            "workbooks": sorted(self.workbooks),
        }
        # One string, written once the worker processes are gone: the build's memory is past its peak.
        write_text_atomic(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")), durable=False)
