"""Helpers shared by the money glue tests."""

from __future__ import annotations

import contextlib
import re
import zlib


def pdf_text(data: bytes) -> str:
    """The text drawn in an fpdf2 PDF (core fonts: latin-1 literals in Flate streams), joined, for asserts."""
    assert data.startswith(b"%PDF")
    chunks = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        raw = match.group(1)
        with contextlib.suppress(zlib.error):
            raw = zlib.decompress(raw)
        chunks.extend(m.decode("latin-1") for m in re.findall(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", raw))
    return " ".join(chunks).replace("\\(", "(").replace("\\)", ")")
