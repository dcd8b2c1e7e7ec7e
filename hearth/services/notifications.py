"""The notification centre and notification preferences, for the portal, the API and the apps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import func, select

from hearth import db
from hearth.errors import Invalid
from hearth.i18n import _l
from hearth.models import CHANNELS, Notification, NotificationPreference, NotificationStatus, User
from hearth.notify import recipients
from hearth.notify.templates import render
from hearth.services.pagination import Page, clamp

PER_PAGE = 20
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class CentreItem:
    id: int
    kind: str
    title: str
    body: str
    channel: str
    sent_at: datetime | None
    patient_id: int | None
    status: str = NotificationStatus.SENT.value
    at: datetime | None = None  # when it was sent, or given up on (failed rows have no sent_at)
    topic: str = ""  # the heading it is shown under (topic_of)


@dataclass(frozen=True)
class PreferenceView:
    kind: str
    channels: list[str]
    quiet_hours_start: time | None
    quiet_hours_end: time | None
    is_default: bool


@dataclass(frozen=True)
class PreferenceSettings:
    language: str  # the account's locale: notifications are written in it
    timezone: str  # the zone quiet hours are read in
    items: list[PreferenceView]


# Templates whose heading is not their kind's.
TOPICS = {"appointment_cancelled": "appointment"}  # queued as a reminder before the "appointment" kind

# Sent, or given up on after every channel failed: both are news to the person; pending rows are not yet.
SHOWN = (NotificationStatus.SENT, NotificationStatus.FAILED)


def topic_of(template: str, kind: str) -> str:
    """The heading a notification belongs under: its kind, unless its template says otherwise (a
    cancellation travels with reminders' channel choices but is not a reminder)."""
    return TOPICS.get(template, kind)


def list_for_user(user: User, page: int = 1, per_page: int = PER_PAGE, *,
                  locale: str | None = None) -> Page[CentreItem]:
    """What was sent to `user` (never what went to the patients they care for), newest first, in
    `locale` (the page's language; default the user's setting), rendered now from each row's template
    and parameters; two queries per page."""
    page, per_page = clamp(page, per_page, MAX_PER_PAGE)
    mine = (Notification.recipient_user_id == user.id, Notification.status.in_(SHOWN))
    total = db.session.scalar(select(func.count()).select_from(Notification).where(*mine)) or 0
    when = func.coalesce(Notification.sent_at, Notification.due_at)
    rows = db.session.scalars(
        select(Notification)
        .where(*mine)
        .order_by(when.desc(), Notification.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    items = []
    for row in rows:
        try:
            text = render(row.template, locale or user.locale, row.params or {}, reader_zone=user.timezone)
            title, body = text.title, text.short
        except (ValueError, KeyError):  # a template retired since: say something rather than fail the page
            title, body = str(_l("Notification")), ""
        items.append(
            CentreItem(row.id, row.kind, title, body, str(row.channel), row.sent_at, row.patient_id,
                       str(row.status), row.sent_at or row.due_at, topic_of(row.template, row.kind))
        )
    return Page(items, page, per_page, total)


def get_preferences(user: User) -> list[PreferenceView]:
    """The user's channels and quiet hours for every kind they can choose for (defaults filled in)."""
    stored = {
        p.kind: p
        for p in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    default_channels = recipients.channel_order(recipients.recipient_for(user, None), "message", None)
    views = []
    for kind in recipients.PREFERENCE_KINDS:
        pref = stored.get(kind)
        if pref is None:
            views.append(PreferenceView(kind, list(default_channels), None, None, True))
        else:
            views.append(
                PreferenceView(kind, pref.channel_list, pref.quiet_hours_start, pref.quiet_hours_end, False)
            )
    return views


def preference_settings(user: User) -> PreferenceSettings:
    """Everything the preferences page shows: language and zone of the account, and every kind."""
    zone = recipients.recipient_for(user, None).timezone
    return PreferenceSettings(user.locale or "en", zone, get_preferences(user))


@db.transactional
def set_preferences(user: User, items: list[dict[str, Any]]) -> PreferenceSettings:
    """Save several kinds at once (all or nothing); kinds not given keep their settings.

    Raises Invalid (field names prefixed with the kind) for the same reasons as `set_preference`.
    """
    errors: dict[str, Any] = {}
    for item in items:
        try:
            set_preference(
                user,
                item["kind"],
                channels=list(item["channels"]),
                quiet_hours_start=item.get("quiet_hours_start"),
                quiet_hours_end=item.get("quiet_hours_end"),
            )
        except Invalid as exc:
            errors.update({f"{item['kind']}.{name}": message for name, message in exc.fields.items()})
    if errors:
        raise Invalid(str(_l("Check your notification settings.")), fields=errors)
    return preference_settings(user)


@db.transactional
def set_preference(
    user: User,
    kind: str,
    *,
    channels: list[str],
    quiet_hours_start: time | None = None,
    quiet_hours_end: time | None = None,
) -> PreferenceView:
    """Save the user's channel order and quiet hours for `kind`.

    Raises Invalid for an unknown kind, an unknown or repeated channel, no channel at all, or quiet
    hours given by half or starting when they end.
    """
    errors: dict[str, str] = {}
    if kind not in recipients.PREFERENCE_KINDS:
        errors["kind"] = str(_l("Unknown kind of notification."))
    if not channels:
        errors["channels"] = str(_l("Choose at least one way to reach you."))
    elif any(c not in CHANNELS for c in channels):
        errors["channels"] = str(_l("Choose among push, email and text message."))
    elif len(set(channels)) != len(channels):
        errors["channels"] = str(_l("Each way to reach you can be listed once."))
    for name, value in (("quiet_hours_start", quiet_hours_start), ("quiet_hours_end", quiet_hours_end)):
        if value is not None and (not isinstance(value, time) or value.tzinfo is not None):
            errors[name] = str(_l("Enter a time of day."))
    if (quiet_hours_start is None) != (quiet_hours_end is None):
        errors["quiet_hours_end"] = str(_l("Give both the start and the end of quiet hours."))
    elif quiet_hours_start is not None and quiet_hours_start == quiet_hours_end:
        errors["quiet_hours_end"] = str(_l("Quiet hours must end at a different time than they start."))
    if errors:
        raise Invalid(str(_l("Check your notification settings.")), fields=errors)

    pref = db.session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.user_id == user.id, NotificationPreference.kind == kind
        )
    )
    if pref is None:
        pref = NotificationPreference(user_id=user.id, kind=kind)
        db.session.add(pref)
    pref.channels = ",".join(channels)
    pref.quiet_hours_start = quiet_hours_start
    pref.quiet_hours_end = quiet_hours_end
    return PreferenceView(kind, list(channels), quiet_hours_start, quiet_hours_end, False)
