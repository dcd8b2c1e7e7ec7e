"""Account settings that belong to the user rather than to a patient record."""

from __future__ import annotations

from hearth import db
from hearth.errors import Invalid
from hearth.models import User

SUPPORTED_LOCALES = ("en", "es")


@db.transactional
def set_locale(user: User, locale: str) -> None:
    """Change the language the portal, emails and pushes use for this user."""
    if locale not in SUPPORTED_LOCALES:
        raise Invalid(fields={"locale": ["Unsupported language."]})
    user.locale = locale
