"""Small helpers shared by portal views: the acting user, form errors, safe redirects."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash
from flask_login import current_user
from marshmallow import ValidationError

from hearth.errors import DomainError
from hearth.models import User


def actor() -> User | None:
    """The domain User behind the portal session (None when anonymous)."""
    return current_user.user if current_user.is_authenticated else None


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths are followed after sign-in."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def _sentences(messages) -> list[str]:
    """Marshmallow nests a list's item errors by index (`{1: [...], "_schema": [...]}`): one flat list."""
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _sentences(value)]
    if isinstance(messages, list | tuple):
        return [m for value in messages for m in _sentences(value)]
    return [str(messages)]


def form_errors(error: ValidationError | DomainError) -> dict[str, list[str]]:
    """Field errors in one shape for templates, from marshmallow or a domain error."""
    if isinstance(error, ValidationError):
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        return {str(k): _sentences(v) for k, v in messages.items()}
    fields = {str(k): _sentences(v) for k, v in error.fields.items()}
    if not fields:
        flash(str(error.message), "error")
    return fields
