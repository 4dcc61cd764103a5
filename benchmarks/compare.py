"""Two .docx files with the same content at the XML level (the benchmark and tests/test_render.py use it)."""

from __future__ import annotations

import io
import zipfile

from lxml import etree

_PARSER = etree.XMLParser(remove_blank_text=True)


def _canonical(data: bytes) -> bytes:
    return etree.tostring(etree.fromstring(data, _PARSER), method="c14n")


def same_content(first: bytes, second: bytes) -> bool:
    """Same members in the same order, each with the same XML (canonicalised) or the same bytes."""
    with zipfile.ZipFile(io.BytesIO(first)) as a, zipfile.ZipFile(io.BytesIO(second)) as b:
        if a.namelist() != b.namelist():
            return False
        for name in a.namelist():
            left, right = a.read(name), b.read(name)
            if name.endswith((".xml", ".rels")):
                if _canonical(left) != _canonical(right):
                    return False
            elif left != right:
                return False
    return True
