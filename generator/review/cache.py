"""The check cache: per file, what checking its exact bytes found, so unchanged files are not checked again.

Stored as JSON (never pickle: a cache file must not be able to run code) in the user's cache folder
(`$JIXIAO_CACHE_DIR`, else `$XDG_CACHE_HOME/jixiao`, else `~/.cache/jixiao`), one file per working
folder. An entry is found by the file's name and the SHA-256 of its bytes, never by size and
modification time (which `cp -p`, `rsync -a`, `touch -r` and coarse timestamps keep across an edit).
Entries are valid only for the same jixiao code, forms and schema (the fingerprint); a missing,
corrupt or foreign cache is simply empty, and an entry with any field of the wrong shape is missing.
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..common.atomic import write_chunks_atomic
from ..common.caching import cache_dir, fingerprint
from ..common.findings import Finding, Severity
from ..filing.model import Position, Summary
from ..forms.pack import form_problems
from .rules import REGISTRY
from .suppress import Suppression


def cache_file() -> Path:
    workdir = hashlib.sha256(str(Path.cwd().resolve()).encode()).hexdigest()[:16]
    return cache_dir() / f"check-{workdir}.json"


class _Corrupt(Exception):
    """A stored value of the wrong shape."""


_SEVERITIES = {severity.value: severity for severity in Severity}


def _finding_from_json(f) -> Finding:
    # Every field checked, spelled out: a warm check reads thousands of these.
    file, line, col, severity, rule, message = f["file"], f["line"], f["col"], f["severity"], f["rule"], f["message"]
    if not (type(file) is str and type(line) is int and type(col) is int and type(rule) is str and type(message) is str):
        raise _Corrupt  # (type, not isinstance: a bool is an int to Python, never to the cache)
    return Finding(file, line, col, _SEVERITIES[severity], rule, message)


def _summary_to_json(summary: Summary | None) -> dict | None:
    if summary is None:
        return None
    return {
        "path": summary.path, "form_id": summary.form_id, "year": summary.year, "name": summary.name,
        "total": str(summary.total), "indicators": summary.indicators,
        "name_position": [summary.name_position.line, summary.name_position.col],
        "unit": summary.unit, "amounts": [[key, None if amount is None else str(amount)] for key, amount in summary.amounts],
        "self_score": summary.self_score,
    }


def _summary_from_json(data) -> Summary | None:
    if data is None:
        return None
    path, form_id, year, name, total, indicators, position, unit, stored, self_score = (
        data["path"], data["form_id"], data["year"], data["name"], data["total"], data["indicators"], data["name_position"],
        data["unit"], data["amounts"], data["self_score"])
    if not (self_score is None or type(self_score) is str):
        raise _Corrupt
    if not (type(path) is str and type(form_id) is str and type(year) is int and type(name) is str and type(total) is str
            and type(indicators) is int and type(position) is list and len(position) == 2
            and type(position[0]) is int and type(position[1]) is int and type(unit) is str and type(stored) is list):
        raise _Corrupt
    amount = Decimal(total)
    if not amount.is_finite():
        raise _Corrupt
    return Summary(path, form_id, year, name, amount, indicators, Position(*position), unit,
                   tuple(_amount_from_json(item) for item in stored), self_score)


def _amount_from_json(item) -> tuple[str, Decimal | None]:
    """One money item of a Summary: [key, the amount as text or null]."""
    if not (type(item) is list and len(item) == 2 and type(item[0]) is str and (item[1] is None or type(item[1]) is str)):
        raise _Corrupt
    if item[1] is None:
        return item[0], None
    amount = Decimal(item[1])
    if not amount.is_finite():
        raise _Corrupt
    return item[0], amount


def _suppression_from_json(s) -> Suppression:
    line, col, ids = s["line"], s["col"], s["ids"]
    if not (type(line) is int and type(col) is int and type(ids) is list and all(type(i) is str for i in ids)):
        raise _Corrupt
    return Suppression(line, col, tuple(ids))


def _stops_loading(finding: Finding) -> bool:
    rule = REGISTRY.get(finding.rule)
    return finding.severity is Severity.ERROR and rule is not None and rule.stage == "load"


# KeyError: a field missing or an unknown severity; TypeError: a list or a string where a mapping belongs.
_SHAPE_ERRORS = (_Corrupt, KeyError, TypeError, ValueError, InvalidOperation)


class CheckCache:
    def __init__(self, path: Path | None = None):
        self.path = path or cache_file()
        self.entries: dict[str, dict] = {}  # read from the file
        self.seen: set[str] = set()  # names looked up in this run
        self.added: list[bytes] = []  # put in this run, compressed as one stream by `packer`
        self.packer = zlib.compressobj()
        self.form_problems: list | None = None  # what is wrong with the packs, for this fingerprint
        self.changed = False
        try:
            stored = json.loads(self.path.read_bytes())
        except (OSError, ValueError, RecursionError):
            return
        if type(stored) is dict and stored.get("fingerprint") == fingerprint() and type(stored.get("entries")) is dict:
            self.entries = stored["entries"]
            problems = stored.get("form_problems")
            self.form_problems = problems if type(problems) is list else None

    def pack_problems(self) -> list[Finding]:
        """form_problems(), read from the cache while no pack, schema or code has changed: reading and
        validating every pack costs more than the rest of a check of unchanged files."""
        if self.form_problems is not None:
            try:
                return [_finding_from_json(f) for f in self.form_problems]
            except _SHAPE_ERRORS:
                pass
        problems = list(form_problems())
        self.form_problems = [f.as_dict() for f in problems]
        self.changed = True
        return problems

    def get(self, name: str, digest: str):
        """(findings, summary, suppressions) for these exact bytes (the fields of check.Checked), or None."""
        self.seen.add(name)
        entry = self.entries.get(name)
        if type(entry) is not dict or entry.get("digest") != digest:
            return None
        try:
            stored, marks = entry["findings"], entry["suppressions"]
            if type(stored) is not list or type(marks) is not list:
                raise _Corrupt
            findings = [_finding_from_json(f) for f in stored]
            suppressions = [_suppression_from_json(s) for s in marks]
            summary = _summary_from_json(entry["summary"])
            if (summary is None) != any(map(_stops_loading, findings)):  # no summary exactly when loading failed
                raise _Corrupt
            return findings, summary, suppressions
        except _SHAPE_ERRORS:
            return None

    def put(self, name: str, digest: str, checked) -> None:
        """Record a check.Checked (findings, summary, suppressions) for these bytes, to be saved (not read
        back in this run). Kept compressed, as the JSON to be written: a build of 20,000 filings should
        not hold 20,000 dictionaries, nor 13 MB of text, until it ends."""
        self.entries.pop(name, None)
        entry = {
            "digest": digest,
            "findings": [f.as_dict() for f in checked.findings],
            "suppressions": [{"line": s.line, "col": s.col, "ids": list(s.ids)} for s in checked.suppressions],
            "summary": _summary_to_json(checked.summary),
        }
        self.added.append(self.packer.compress(b", " + json.dumps({name: entry}, ensure_ascii=False)[1:-1].encode()))
        self.changed = True

    def _json(self):
        """The cache file's text, entry by entry."""
        yield json.dumps({"fingerprint": fingerprint(), "form_problems": self.form_problems}, ensure_ascii=False)[:-1].encode()
        yield b', "entries": {'
        yield json.dumps(self.entries, ensure_ascii=False)[1:-1].encode()  # read from the file: one call, in C
        unpacker, skip = zlib.decompressobj(), 0 if self.entries else 2  # each added entry starts with ", "
        for piece in [*self.added, self.packer.flush()]:
            text = unpacker.decompress(piece)
            cut = min(skip, len(text))
            skip -= cut
            yield text[cut:]
        yield b"}}"

    def save(self) -> None:
        """Write the cache (at the end of a run) and let its entries go: a build still has work to do."""
        if self.changed:
            # Files of this run were just read; only the others may be gone.
            for name in [n for n in self.entries if n not in self.seen and not os.path.exists(n)]:
                del self.entries[name]
            try:
                write_chunks_atomic(self.path, self._json(), durable=False)  # a lost cache costs only time
            except OSError:
                pass  # a cache that cannot be written only costs time next run
        self.entries, self.added, self.packer, self.seen = {}, [], zlib.compressobj(), set()
        self.changed = False
