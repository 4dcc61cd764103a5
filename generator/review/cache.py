"""The check cache: per file, what checking its exact bytes found, so unchanged files are not re-read.

Stored as JSON (never pickle: a cache file must not be able to run code) in the user's cache folder
(`$JIXIAO_CACHE_DIR`, else `$XDG_CACHE_HOME/jixiao`, else `~/.cache/jixiao`), one file per working
folder. Entries are valid only for the same jixiao code, forms and schema (the fingerprint); a
missing, corrupt or foreign cache is simply empty.
"""

from __future__ import annotations

import hashlib
import json
import os
from decimal import Decimal
from pathlib import Path

from ..common.atomic import write_text_atomic
from ..common.caching import cache_dir, fingerprint
from ..common.findings import Finding, Severity
from ..filing.model import Position, Summary
from ..forms.pack import form_problems
from .suppress import Suppression


def cache_file() -> Path:
    workdir = hashlib.sha256(str(Path.cwd().resolve()).encode()).hexdigest()[:16]
    return cache_dir() / f"check-{workdir}.json"


def _finding_from_json(f: dict) -> Finding:
    return Finding(f["file"], f["line"], f["col"], Severity(f["severity"]), f["rule"], f["message"])


def _summary_to_json(summary: Summary | None) -> dict | None:
    if summary is None:
        return None
    return {
        "path": summary.path, "form_id": summary.form_id, "year": summary.year, "name": summary.name,
        "total": str(summary.total), "indicators": summary.indicators,
        "name_position": [summary.name_position.line, summary.name_position.col],
        "unit": summary.unit, "amounts": [[key, None if amount is None else str(amount)] for key, amount in summary.amounts],
    }


def _summary_from_json(data: dict | None) -> Summary | None:
    if data is None:
        return None
    return Summary(
        data["path"], data["form_id"], data["year"], data["name"], Decimal(data["total"]), data["indicators"],
        Position(*data["name_position"]), data["unit"],
        tuple((key, None if amount is None else Decimal(amount)) for key, amount in data["amounts"]),
    )


class CheckCache:
    def __init__(self, path: Path | None = None):
        self.path = path or cache_file()
        self.entries: dict[str, dict] = {}
        self.form_problems: list[dict] | None = None  # what is wrong with the packs, for this fingerprint
        self.changed = False
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            if stored.get("fingerprint") == fingerprint() and isinstance(stored.get("entries"), dict):
                self.entries = stored["entries"]
                problems = stored.get("form_problems")
                self.form_problems = problems if isinstance(problems, list) else None
        except (OSError, ValueError, AttributeError):
            self.entries = {}

    def pack_problems(self) -> list[Finding]:
        """form_problems(), read from the cache while no pack, schema or code has changed: reading and
        validating every pack costs more than the rest of a check of unchanged files."""
        if self.form_problems is not None:
            try:
                return [_finding_from_json(f) for f in self.form_problems]
            except (KeyError, TypeError, ValueError):
                pass
        problems = list(form_problems())
        self.form_problems = [f.as_dict() for f in problems]
        self.changed = True
        return problems

    def known_digest(self, name: str, stat: list[int] | None) -> str | None:
        """The digest recorded for a file whose size and modification time are unchanged (no need to read it)."""
        entry = self.entries.get(name)
        if stat is None or not isinstance(entry, dict) or entry.get("stat") != stat:
            return None
        return entry.get("digest")

    def get(self, name: str, digest: str):
        """(findings, summary, suppressions) for these exact bytes (the fields of check.Checked), or None."""
        entry = self.entries.get(name)
        if not isinstance(entry, dict) or entry.get("digest") != digest:
            return None
        try:
            findings = [_finding_from_json(f) for f in entry["findings"]]
            suppressions = [Suppression(s["line"], s["col"], tuple(s["ids"])) for s in entry["suppressions"]]
            return findings, _summary_from_json(entry["summary"]), suppressions
        except (KeyError, TypeError, ValueError, ArithmeticError):  # ArithmeticError: an amount that is no number
            return None

    def put(self, name: str, digest: str, checked, stat: list[int] | None) -> None:
        """Record a check.Checked (findings, summary, suppressions) for these bytes and this size and time."""
        self.entries[name] = {
            "digest": digest,
            "stat": stat,
            "findings": [f.as_dict() for f in checked.findings],
            "suppressions": [{"line": s.line, "col": s.col, "ids": list(s.ids)} for s in checked.suppressions],
            "summary": _summary_to_json(checked.summary),
        }
        self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        for name in [n for n in self.entries if not os.path.exists(n)]:
            del self.entries[name]
        try:
            stored = {"fingerprint": fingerprint(), "entries": self.entries, "form_problems": self.form_problems}
            write_text_atomic(self.path, json.dumps(stored, ensure_ascii=False))
        except OSError:
            pass  # a cache that cannot be written only costs time next run
