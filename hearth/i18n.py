"""Language and time zone selection: the user's setting first, then the browser."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask import current_app, request
from flask_babel import lazy_gettext
from flask_login import current_user

_l = lazy_gettext

LANGUAGE_NAMES = {"en": "English", "es": "Español"}


def current_language() -> str | None:
    """The language of the request being answered (None outside a request: jobs, the worker)."""
    from flask import has_request_context
    from flask_babel import get_locale

    if not has_request_context():
        return None
    locale = get_locale()
    return str(locale) if locale else None


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    user = current_user if current_user and current_user.is_authenticated else None
    if user is not None and getattr(user, "locale", None) in languages:
        return user.locale
    if request:
        asked = request.args.get("lang")  # links in notifications carry the recipient's language
        if asked in languages:
            return asked
        chosen = request.cookies.get("lang")
        if chosen in languages:
            return chosen
        return best_language(request.accept_languages, languages) or languages[0]
    return languages[0]


def best_language(accepted: Iterable[tuple[str, float]], supported: Sequence[str]) -> str | None:
    """The supported language the browser weights highest, a regional variant counting for its language.

    `es-MX,en;q=0.5` gives "es": es-MX (weight 1) is Spanish, which beats English at 0.5. (Werkzeug's
    best_match prefers any exact match, so it answered "en".) Ties keep the browser's order.
    """
    best, weight = None, 0.0
    for value, quality in accepted:
        tag = value.replace("_", "-").lower()
        primary = tag.split("-", 1)[0]
        match = tag if tag in supported else primary if primary in supported else None
        if match is not None and quality > weight:
            best, weight = match, quality
    return best


def select_timezone() -> str:
    """The user's own zone, else the zone of the practice she works at or is a patient of."""
    user = current_user if current_user and current_user.is_authenticated else None
    if user is None:
        return current_app.config["PRACTICE_TIMEZONE"]
    if getattr(user, "timezone", None):
        return user.timezone
    for membership in user.memberships:
        return membership.practice.timezone
    from sqlalchemy import select

    from hearth import db
    from hearth.models import Patient, Practice

    zone = db.session.scalar(
        select(Practice.timezone).join(Patient, Patient.practice_id == Practice.id)
        .where(Patient.user_id == user.id).order_by(Patient.id).limit(1)
    )
    return zone or current_app.config["PRACTICE_TIMEZONE"]
