"""Signed links in reminders: one per action (confirm, cancel), naming an appointment and its start time."""

from __future__ import annotations

from typing import Any

from flask import current_app

from hearth.errors import NotFound
from hearth.i18n import _l
from hearth.models import Appointment
from hearth.security import signing

SALT = "hearth-appointment-link"
MAX_AGE = 400 * 24 * 3600  # visits are booked at most months ahead; the start time ends a link sooner
ACTIONS = ("confirm", "cancel")
NOT_VALID = _l("This link is not valid. Sign in to Hearth to see your appointments.")


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def make_token(appointment: Appointment, action: str, user_id: int | None = None) -> str:
    """A link token for `action` on this appointment at its current start time.

    `user_id` names a caregiver the link was sent to (whose access is checked on use); without it
    the link is the patient's.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown link action {action!r}")
    payload: dict[str, Any] = {"a": appointment.id, "s": int(appointment.starts_at.timestamp()), "do": action}
    if user_id is not None:
        payload["u"] = user_id
    return signing.dumps(_secret(), SALT, payload)


def link_urls(appointment: Appointment, base_url: str, locale: str, *, user_id: int | None = None
              ) -> dict[str, str]:
    """The confirm and cancel links a reminder carries (their pages open in the reminder's language)."""
    base = (base_url or current_app.config.get("BASE_URL", "")).rstrip("/")
    return {f"{action}_url": f"{base}/r/{make_token(appointment, action, user_id)}?lang={locale}"
            for action in ACTIONS}


def read_token(token: str) -> dict[str, Any]:
    """{"a": appointment id, "s": start as a Unix time, "do": action[, "u": caregiver]}; NotFound when forged
    or expired."""
    try:
        payload = signing.loads(_secret(), SALT, token, MAX_AGE, invalid=NotFound)
    except NotFound as exc:
        raise NotFound(str(NOT_VALID)) from exc
    if (not isinstance(payload, dict) or payload.get("do") not in ACTIONS or not isinstance(payload.get("a"), int)
            or not isinstance(payload.get("u", 0), int)):
        raise NotFound(str(NOT_VALID))
    return payload
