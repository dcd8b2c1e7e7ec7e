"""Texts the practice types for patients (visit type names and instructions, location names,
questionnaire questions) in several languages.

The model's own column holds the text in the practice's default language; `translations` holds the
others, {"es": {"name": "...", "instructions": "..."}} (a question keeps {"es": "..."} under its
"translations" key). Readers get their language, falling back to the practice's default.
"""

from __future__ import annotations

from typing import Any

from hearth.models import Location, VisitType


def _default_language(obj: VisitType | Location) -> str:
    practice = obj.practice
    return (practice.default_language if practice is not None else None) or "en"


def localized(obj: VisitType | Location, field: str, language: str | None) -> str | None:
    """`obj.field` in `language` when the practice entered it, else in the practice's default language."""
    base = getattr(obj, field)
    if not language or language == _default_language(obj):
        return base
    text = ((obj.translations or {}).get(language) or {}).get(field)
    return text or base


def question_text(question: dict[str, Any], language: str | None) -> str:
    """A questionnaire question in `language`, else as the practice wrote it."""
    text = ((question.get("translations") or {}).get(language or "") or "").strip()
    return text or str(question.get("text", ""))


def localized_questions(visit_type: VisitType, language: str | None) -> list[dict[str, Any]]:
    """The visit type's questions with `text` (and nothing else) in `language`."""
    return [{**q, "text": question_text(q, language)} for q in visit_type.questionnaire or []]
