"""One-click unsubscribe (RFC 8058) for notification emails: a signed link naming a person and a kind.

Reminder and notification emails carry `List-Unsubscribe: <BASE_URL/notifications/unsubscribe/TOKEN>` and
`List-Unsubscribe-Post: List-Unsubscribe=One-Click`; a mail app's "Unsubscribe" button POSTs to that link
without cookies, and the link's page (GET) asks before changing anything. Account and security mail
(sign-in, reset, email change) carries neither: nobody may opt out of being told their password changed.
"""

from __future__ import annotations

from typing import Any

from hearth.errors import NotFound
from hearth.models import Notification
from hearth.notify.recipients import PREFERENCE_KINDS
from hearth.security import signing

SALT = "hearth-unsubscribe"
MAX_AGE = 400 * 24 * 3600  # a reminder can be queued 90 days ahead and kept in an inbox for months
PATH = "/notifications/unsubscribe/"


def make_token(secret: str, user_id: int, kind: str) -> str:
    if kind not in PREFERENCE_KINDS:
        raise ValueError(f"no unsubscribing from {kind!r} mail")
    return signing.dumps(secret, SALT, {"u": user_id, "k": kind})


def read_token(secret: str, token: str) -> tuple[int, str]:
    """(user id, kind) of a link; NotFound when forged, too old, or not naming a kind one may leave."""
    payload: Any = signing.loads(secret, SALT, token, MAX_AGE, invalid=NotFound)
    if (not isinstance(payload, dict) or not isinstance(payload.get("u"), int)
            or payload.get("k") not in PREFERENCE_KINDS):
        raise NotFound("This link is not valid.")
    return payload["u"], payload["k"]


def url_for_row(row: Notification, secret: str, base_url: str) -> str | None:
    """The unsubscribe link for a notification email, or None for account mail and people without an account."""
    if row.recipient_user_id is None or row.kind not in PREFERENCE_KINDS or not secret or not base_url:
        return None
    return f"{base_url.rstrip('/')}{PATH}{make_token(secret, row.recipient_user_id, row.kind)}"
