"""Jinja filters for practice-entered texts in the reader's language (hearth.texts)."""

from __future__ import annotations

from flask import Flask
from flask_babel import get_locale

from hearth import texts
from hearth.i18n import LANGUAGE_NAMES, _l
from hearth.labels import label

# Languages named in the reader's language (LANGUAGE_NAMES are each in their own, for the switcher).
LANGUAGE_LABELS = {"en": _l("English"), "es": _l("Spanish")}


def _language() -> str:
    return str(get_locale() or "en")


def tr(obj, field: str = "name") -> str:
    """`{{ visit_type|tr("name") }}`: the practice's text in the reader's language, else its default one."""
    if obj is None:
        return ""
    return texts.localized(obj, field, _language()) or ""


def question(q: dict) -> str:
    """`{{ q|question }}`: a questionnaire question in the reader's language."""
    return texts.question_text(q, _language())


def other_languages(practice) -> list[tuple[str, str]]:
    """(code, name) of the languages a practice may translate its texts into: all but its own."""
    own = getattr(practice, "default_language", None) or "en"
    return [(code, str(LANGUAGE_LABELS.get(code, code))) for code in LANGUAGE_NAMES if code != own]


def translation_values(form, fields: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """The posted `name__es`-style inputs as {"es": {"name": ...}} (blanks are dropped by the schema)."""
    return {code: {f: form.get(f"{f}__{code}", "") for f in fields} for code in LANGUAGE_NAMES}


def register(app: Flask) -> None:
    app.add_template_filter(tr, "tr")
    app.add_template_filter(question, "question")
    app.add_template_global(other_languages, "other_languages")
    app.add_template_filter(lambda code, kind: label(kind, code), "label")
