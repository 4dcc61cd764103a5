"""The build manifest (`<out>/.jixiao-manifest.json`): which outputs each filing produced, from what.

An entry's key hashes everything its outputs depend on: the filing's bytes, the template pack and
jixiao's code, the formats, the document properties and the configuration of the findings its page
shows. Its outputs are recorded with size and modification time, so an output changed or deleted by
hand is rebuilt. A missing or unreadable manifest means a full rebuild, never a crash or a stale file.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ..common import resources
from ..common.atomic import write_text_atomic
from ..common.caching import file_stat, fingerprint

MANIFEST_NAME = ".jixiao-manifest.json"
VERSION = 1


@cache
def template_pack() -> str:
    """Changes whenever a template, a form, the schema or jixiao's code changes."""
    digest = hashlib.sha256(fingerprint().encode())
    for path in sorted(p for p in resources.templates_dir().rglob("*") if p.is_file()):
        digest.update(path.as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def output_key(digest: str, formats: tuple[str, ...], source: str, timestamp: str, findings_key: str) -> str:
    """`findings_key`: the configuration of the findings the HTML page shows (Config.findings_key)."""
    parts = [digest, template_pack(), ",".join(formats), source, timestamp, findings_key]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


@dataclass
class Entry:
    key: str
    outputs: dict[str, list[int]] = field(default_factory=dict)  # path relative to the out folder → [size, mtime_ns]


class Manifest:
    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.path = out_dir / MANIFEST_NAME
        self.entries: dict[str, Entry] = {}
        self.changed = False
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            if stored.get("version") == VERSION:
                self.entries = {
                    name: Entry(str(raw["key"]), {str(k): [int(v[0]), int(v[1])] for k, v in raw["outputs"].items()})
                    for name, raw in stored["entries"].items()
                }
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
            self.entries = {}
            self.changed = True  # an unreadable manifest is replaced

    def fresh(self, name: str, key: str, expected: list[str]) -> bool:
        """The recorded outputs of `name` were made from `key` and are still exactly as written."""
        entry = self.entries.get(name)
        if entry is None or entry.key != key or not set(expected) <= set(entry.outputs):
            return False
        folder = str(self.out_dir)
        return all(file_stat(os.path.join(folder, relative)) == entry.outputs[relative] for relative in expected)

    def record(self, name: str, key: str, outputs: list[Path]) -> None:
        """The outputs just made from `key`; earlier outputs of other formats stay listed while they exist,
        so that they are still removed with the filing."""
        made = {p.relative_to(self.out_dir).as_posix(): file_stat(p) for p in outputs}
        earlier = self.entries[name].outputs if name in self.entries else {}
        kept = {k: v for k, v in earlier.items() if k not in made and os.path.exists(os.path.join(self.out_dir, k))}
        entry = Entry(key, {**kept, **made})
        if self.entries.get(name) != entry:
            self.entries[name] = entry
            self.changed = True

    def forget(self, name: str) -> Entry:
        self.changed = True
        return self.entries.pop(name)

    def save(self) -> None:
        if not self.changed:
            return
        data = {
            "version": VERSION,
            "entries": {name: {"key": e.key, "outputs": e.outputs} for name, e in sorted(self.entries.items())},
        }
        write_text_atomic(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")), durable=False)
