"""Attachment sizes read the same for the patient and the care team (the pages rounded differently: 9 KB / 8 KB)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from portal.formatting import file_size


@pytest.mark.parametrize(("size", "en", "es"), [
    (300, "1 KB", "1 KB"),  # never "0 KB"
    (8_500, "9 KB", "9 KB"),
    (1_572_864, "1.5 MB", "1,5 MB"),
    (10 * 1024 * 1024, "10 MB", "10 MB"),
])
def test_file_size_in_each_language(app, size, en, es):
    with app.test_request_context():
        with force_locale("en"):
            assert file_size(size) == en
        with force_locale("es"):
            assert file_size(size) == es


def test_both_threads_use_the_one_filter():
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "portal" / "templates"
    for name in ("messages/thread.html", "inbox/thread.html"):
        text = (templates / name).read_text(encoding="utf-8")
        assert "size_bytes|file_size" in text and "/ 1024" not in text, name
