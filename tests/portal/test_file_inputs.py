"""File fields stay the browser's own control: USWDS's file input script writes English only.

It replaces the field with "Drag files here or choose from folder", "Change files", "You have selected
..." in English, which a Spanish reader then sees on the care team's reply form, outreach, the insurance
card photo and the fee schedule import. The native control speaks the browser's language.
"""

from __future__ import annotations

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "portal" / "templates"


def test_no_template_uses_the_english_only_uswds_file_input():
    offenders = [str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")
                 if "usa-file-input" in path.read_text(encoding="utf-8")]
    assert offenders == []


def test_file_fields_look_alike_everywhere():
    """The one class for file fields (hearth.css) is loaded on every page, not only the patient's messages."""
    css = (TEMPLATES.parents[1] / "static" / "css" / "hearth.css").read_text(encoding="utf-8")
    assert ".hearth-file" in css
