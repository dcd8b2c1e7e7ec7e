"""Saved replies of a practice: titled texts with placeholders, filled in for one patient and put into a reply.

Placeholders are `{first_name}` (the patient's) and `{practice_phone}` (formatted for the practice's
country); nothing else is allowed (checked on save, filled without `str.format`: hearth.placeholders).
A saved reply may have a Spanish (or other) version; the patient's language is used when there is one.
"""

from __future__ import annotations

from sqlalchemy import func, select

from hearth import db, phones
from hearth.clock import utcnow
from hearth.errors import Conflict, Invalid, NotFound
from hearth.i18n import _l
from hearth.models import Patient, Practice, User
from hearth.models.messages import BODY_MAX_CHARS as BODY_MAX
from hearth.models.messages import TEMPLATE_TITLE_MAX, MessageTemplate
from hearth.placeholders import PlaceholderError, fill, problems
from hearth.services.messages.inbox import load_practice

PLACEHOLDERS = ("first_name", "practice_phone")


def active_templates(practice_id: int) -> list[MessageTemplate]:
    return list(db.session.scalars(select(MessageTemplate).where(MessageTemplate.practice_id == practice_id,
                                                                 MessageTemplate.active.is_(True))
                                   .order_by(MessageTemplate.title, MessageTemplate.id)))


def load_template(practice_id: int, template_id: int) -> MessageTemplate:
    template = db.session.get(MessageTemplate, template_id)
    if template is None or template.practice_id != practice_id or not template.active:
        raise NotFound()
    return template


def values_for(patient: Patient, practice: Practice) -> dict[str, str]:
    return {"first_name": patient.given_name, "practice_phone": phones.display(practice.phone, practice.country)}


def fill_for(template: MessageTemplate, patient: Patient, practice: Practice) -> str:
    """The saved reply's text for `patient` (in her language when the practice wrote one), placeholders filled."""
    body = template.body
    if patient.preferred_language != (practice.default_language or "en"):
        body = ((template.translations or {}).get(patient.preferred_language) or {}).get("body") or body
    try:
        return fill(body, values_for(patient, practice))
    except PlaceholderError:  # saved before the rules tightened: show it as typed rather than fail
        return body


def _check(title: str, body: str, translations: dict[str, dict[str, str]]) -> None:
    errors: dict[str, list] = {}
    if not title.strip() or len(title) > TEMPLATE_TITLE_MAX:
        errors["title"] = [_l("Enter a title of at most %(n)s characters.", n=TEMPLATE_TITLE_MAX)]
    for name, text in [("body", body)] + [(f"body_{lang}", t.get("body", "")) for lang, t in translations.items()]:
        if name == "body" and not text.strip():
            errors[name] = [_l("Enter the text of the saved reply.")]
        elif len(text) > BODY_MAX:
            errors[name] = [_l("Use at most %(n)s characters.", n=BODY_MAX)]
        elif wrong := problems(text, PLACEHOLDERS):
            errors[name] = [_l("Only {first_name} and {practice_phone} can be filled in; remove %(wrong)s.",
                               wrong=", ".join(wrong))]
    if errors:
        raise Invalid(fields=errors)


@db.transactional
def list_templates(user: User, practice_id: int) -> list[MessageTemplate]:
    """The practice's saved replies by title (staff of the practice only: Forbidden otherwise)."""
    load_practice(user, practice_id)
    return active_templates(practice_id)


@db.transactional
def save_template(user: User, practice_id: int, *, title: str, body: str, body_es: str = "",
                  template_id: int | None = None) -> MessageTemplate:
    """Create a saved reply, or change one (`template_id`). Invalid for an empty or too long text or a
    placeholder other than {first_name} / {practice_phone}; Conflict when another one has the title."""
    load_practice(user, practice_id)
    translations = {"es": {"body": body_es}} if body_es.strip() else {}
    _check(title, body, translations)
    title = title.strip()
    same = db.session.scalar(select(MessageTemplate.id).where(
        MessageTemplate.practice_id == practice_id, func.lower(MessageTemplate.title) == title.lower(),
        MessageTemplate.active.is_(True)))
    if same is not None and same != template_id:
        raise Conflict(_l("A saved reply with this title already exists."),
                       fields={"title": [_l("A saved reply with this title already exists.")]})
    if template_id is None:
        template = MessageTemplate(practice_id=practice_id, title=title, body=body, translations=translations,
                                   created_by_user_id=user.id)
        db.session.add(template)
    else:
        template = load_template(practice_id, template_id)
        template.title, template.body, template.translations = title, body, translations
        template.updated_at = utcnow()
    db.session.flush()
    return template


@db.transactional
def delete_template(user: User, practice_id: int, template_id: int) -> None:
    """Retire a saved reply (kept for the record, no longer offered). NotFound for another practice's."""
    load_practice(user, practice_id)
    template = load_template(practice_id, template_id)
    template.active = False
    template.title = f"{template.title[:TEMPLATE_TITLE_MAX - 12]} #{template.id}"  # frees the title
