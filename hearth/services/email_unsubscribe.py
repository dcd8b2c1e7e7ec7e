"""One-click unsubscribe from a kind of notification email (RFC 8058), through the link's signed token only.

The link names a person and a kind (hearth.notify.unsubscribe); using it takes email out of that kind's
channels and keeps the rest of the choice (order, quiet hours). When email was the only channel, the kind
goes to the app (push) and the notification centre: a preference always keeps one channel.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from hearth import claims, db
from hearth.errors import NotFound
from hearth.i18n import _l
from hearth.models import Channel, User
from hearth.notify import recipients, unsubscribe
from hearth.services import notifications

NOT_VALID = _l("This link is not valid. Sign in to Hearth to change your notification settings.")


@dataclass(frozen=True)
class Unsubscribe:
    kind: str
    emailed: bool  # email is still among the kind's channels
    locale: str


def _read(token: str) -> tuple[User, str]:
    try:
        user_id, kind = unsubscribe.read_token(current_app.config["SECRET_KEY"], token)
    except NotFound as exc:
        raise NotFound(str(NOT_VALID)) from exc
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound(str(NOT_VALID))
    return user, kind


def _channels(user: User, kind: str) -> list[str]:
    pref = recipients.preference(user, kind)
    return recipients.channel_order(recipients.recipient_for(user, None), kind, pref)


def open_link(token: str) -> Unsubscribe:
    """What the link's page shows (opening it changes nothing). Raises NotFound for a bad or old link."""
    user, kind = _read(token)
    return Unsubscribe(kind, Channel.EMAIL.value in _channels(user, kind), user.locale or "en")


@db.transactional
def stop_emails(token: str) -> Unsubscribe:
    """Take email out of the kind's channels; doing it twice changes nothing more. Raises NotFound."""
    user, kind = _read(token)
    claims.lock(User, user.id)  # two clicks at once: one inserts the preference, the other sees it
    db.session.refresh(user)
    order = _channels(user, kind)
    if Channel.EMAIL.value in order:
        pref = recipients.preference(user, kind)
        rest = [c for c in order if c != Channel.EMAIL.value] or [Channel.PUSH.value]
        notifications.set_preference(user, kind, channels=rest,
                                     quiet_hours_start=pref.quiet_hours_start if pref else None,
                                     quiet_hours_end=pref.quiet_hours_end if pref else None)
    return Unsubscribe(kind, False, user.locale or "en")
