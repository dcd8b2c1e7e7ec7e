"""Language and time zone selection: the user's setting first, then the browser."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import lazy_gettext
from flask_login import current_user

_l = lazy_gettext

LANGUAGE_NAMES = {"en": "English", "es": "Español"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    user = current_user if current_user and current_user.is_authenticated else None
    if user is not None and getattr(user, "locale", None) in languages:
        return user.locale
    if request:
        chosen = request.cookies.get("lang")
        if chosen in languages:
            return chosen
        return request.accept_languages.best_match(languages) or languages[0]
    return languages[0]


def select_timezone() -> str:
    user = current_user if current_user and current_user.is_authenticated else None
    if user is not None and getattr(user, "timezone", None):
        return user.timezone
    return current_app.config["PRACTICE_TIMEZONE"]
