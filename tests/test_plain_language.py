"""Plain language: the longer patient-facing entries of the English catalog, and the notification texts
(emails, texts, pushes), read at US grade 8 or below (Flesch-Kincaid, textstat).

"Patient-facing" is every string extracted from a file patients can reach: staff, admin and API-only
modules and templates are left out, as are the libraries' own messages (hearth/schemas/messages.py).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from hearth.notify.templates import TEMPLATES

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import textstat

ROOT = Path(__file__).resolve().parent.parent
MAX_GRADE = 8
MIN_WORDS = 12  # Flesch-Kincaid says little about shorter texts
NOT_FOR_PATIENTS = re.compile(
    r"^(api/|bench/|tests/|scripts/|migrations/"
    r"|portal/templates/(staff|schedule|scheduling_admin|settings)/|portal/(staff|schedule|scheduling_admin|settings)\.py"
    r"|portal/templates/caregivers/(minors|guardians)\.html"
    r"|hearth/services/scheduling/(admin|admin_hours|staff|staff_detail|practice_cancel)\.py"
    r"|hearth/services/(practice_settings|patients|audit_labels)\.py"
    r"|hearth/schemas/(messages|scheduling_admin|practice)\.py|hearth/(labels|demo|cli\w*)\.py)"
)
KEYWORDS = {"_l": None, "lazy_gettext": None, "_": None, "gettext": None, "ngettext": (1, 2)}


def plain(text: str) -> str:
    """Placeholders read as a one-syllable word."""
    return re.sub(r"%\(\w+\)[sd]|\{\w+\}", "it", text)


def grade(text: str) -> float:
    return textstat.flesch_kincaid_grade(plain(text))


def patient_facing_entries() -> list[tuple[str, str]]:
    """(file, English text) of the catalog's longer entries that patients can meet."""
    with open(ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    with open(ROOT / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found: dict[str, str] = {}
    for filename, _line, message, _comments, _context in extract_from_dir(str(ROOT), method_map, options_map,
                                                                         keywords=KEYWORDS):
        text = message if isinstance(message, str) else message[0]
        if ".venv" in filename or NOT_FOR_PATIENTS.match(filename) or text not in catalog:
            continue
        if len(plain(text).split()) >= MIN_WORDS:
            found.setdefault(text, filename)
    return sorted((filename, text) for text, filename in found.items())


ENTRIES = patient_facing_entries()


def test_the_check_covers_the_catalog():
    assert len(ENTRIES) >= 40
    assert textstat.flesch_kincaid_grade("The cat sat on the mat. It was happy.") < 3


@pytest.mark.parametrize(("filename", "text"), ENTRIES, ids=[t[:40] for _f, t in ENTRIES])
def test_catalog_entry_reads_at_grade_8(filename, text):
    assert grade(text) <= MAX_GRADE, f"{filename}: grade {grade(text):.1f}: {text!r}"


NOTICES = [(key, which, text.body) for key, template in TEMPLATES.items()
           for which, texts in (("plain", template.texts), ("detailed", template.detailed or {}))
           for lang, text in texts.items() if lang == "en"]


@pytest.mark.parametrize(("key", "which", "body"), NOTICES, ids=[f"{k}-{w}" for k, w, _b in NOTICES])
def test_notification_texts_read_at_grade_8(key, which, body):
    assert grade(body) <= MAX_GRADE, f"{key} ({which}): grade {grade(body):.1f}"
