"""The notification centre (what was sent to me) and my notification preferences."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import login_required
from marshmallow import ValidationError

from hearth.errors import Invalid, NotFound
from hearth.extensions import csrf, limiter
from hearth.i18n import LANGUAGE_NAMES, _l
from hearth.models import CHANNELS
from hearth.notify.recipients import PREFERENCE_KINDS
from hearth.schemas.notifications import NotificationArgsSchema, PreferenceSchema
from hearth.services import email_unsubscribe, notification_cards, notifications
from portal.helpers import actor

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

CHANNEL_LABELS = {"push": _l("App notification"), "email": _l("Email"), "sms": _l("Text message (SMS)")}
KIND_LABELS = {
    "reminder": _l("Appointment reminders"),
    "appointment": _l("Appointment booked, moved or cancelled"),
    "message": _l("Messages from your care team"),
    "result": _l("New results and documents"),
    "bill": _l("Bills and statements"),
    "waitlist": _l("Earlier appointment offers"),
    "refill": _l("Refill requests and reminders"),
    "account": _l("Account and sign-in"),
}
# Headings in the notification centre: the kinds, shorter where the preference label explains more.
TOPIC_LABELS = {**KIND_LABELS, "appointment": _l("Appointment changes")}
STATUS_LABELS = {"sent": _l("Sent"), "failed": _l("Could not be delivered")}
SLOTS = 3


def _field(kind: str, name: str) -> str:
    return f"{kind}-{name}"


def preference_input(form) -> dict[str, dict]:
    """The posted form as one schema input per kind: the choices in slot order, blanks dropped."""
    out = {}
    for kind in PREFERENCE_KINDS:
        channels = [form.get(_field(kind, f"channel_{i}"), "") for i in range(1, SLOTS + 1)]
        out[kind] = {
            "kind": kind,
            "channels": [c for c in channels if c],
            "quiet_hours_start": form.get(_field(kind, "quiet_hours_start"), ""),
            "quiet_hours_end": form.get(_field(kind, "quiet_hours_end"), ""),
        }
    return out


def _values_from_views(views) -> dict[str, dict]:
    values = {}
    for view in views:
        values[view.kind] = {
            "channels": (view.channels + [""] * SLOTS)[:SLOTS],
            "quiet_hours_start": view.quiet_hours_start.strftime("%H:%M") if view.quiet_hours_start else "",
            "quiet_hours_end": view.quiet_hours_end.strftime("%H:%M") if view.quiet_hours_end else "",
            "is_default": view.is_default,
        }
    return values


def _values_from_form(form) -> dict[str, dict]:
    """What was posted, kept as typed so the person can correct it."""
    return {
        kind: {
            "channels": [form.get(_field(kind, f"channel_{i}"), "") for i in range(1, SLOTS + 1)],
            "quiet_hours_start": form.get(_field(kind, "quiet_hours_start"), ""),
            "quiet_hours_end": form.get(_field(kind, "quiet_hours_end"), ""),
            "is_default": False,
        }
        for kind in PREFERENCE_KINDS
    }


def _flat(messages) -> list[str]:
    """Marshmallow nests a list's item errors by index: one flat list of sentences for the page."""
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flat(value)]
    if isinstance(messages, list | tuple):
        return [m for value in messages for m in _flat(value)]
    return [str(messages)]


def _schema_errors(kind: str, exc: ValidationError) -> dict[str, list[str]]:
    messages = exc.messages if isinstance(exc.messages, dict) else {"channels": exc.messages}
    return {_field(kind, name if name != "_schema" else "channels"): _flat(v) for name, v in messages.items()}


def _service_errors(exc: Invalid) -> dict[str, list[str]]:
    """"reminder.channels" from the service becomes the form field "reminder-channels"."""
    errors = {}
    for key, messages in exc.fields.items():
        kind, _, name = key.partition(".")
        errors[_field(kind, name or "channels")] = _flat(messages)
    return errors


@bp.get("", endpoint="index")
@login_required
def index():
    """What was sent to the signed-in person, newest first, in pages."""
    try:
        args = NotificationArgsSchema().load(request.args, unknown="exclude")
    except ValidationError:
        args = {"page": 1, "per_page": notifications.PER_PAGE}
    pg = notifications.list_for_user(actor(), page=args["page"], per_page=args["per_page"],
                                     locale=str(get_locale()))
    notification_cards.mark_seen(actor())  # the home page's "new notifications" card goes away
    return render_template("notifications/index.html", pg=pg, kind_labels=TOPIC_LABELS,
                           channel_labels=CHANNEL_LABELS, status_labels=STATUS_LABELS,
                           page_url=lambda n: url_for("notifications.index", page=n))


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    """Channels in order and quiet hours for each kind of notification, saved all at once."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        items = []
        for kind, data in preference_input(request.form).items():
            try:
                items.append(PreferenceSchema().load(data))
            except ValidationError as exc:
                errors.update(_schema_errors(kind, exc))
        if not errors:
            try:
                notifications.set_preferences(actor(), items)
                flash(_l("Your notification settings were saved."), "success")
                return redirect(url_for("notifications.preferences"))
            except Invalid as exc:
                errors = _service_errors(exc) or {"_form": [str(exc.message)]}
    settings = notifications.preference_settings(actor())
    values = _values_from_form(request.form) if request.method == "POST" else _values_from_views(settings.items)
    return render_template(
        "notifications/preferences.html", settings=settings, values=values, errors=errors,
        kinds=PREFERENCE_KINDS, kind_labels=KIND_LABELS,
        channels=[(c, str(CHANNEL_LABELS[c])) for c in CHANNELS],
        language_name=LANGUAGE_NAMES.get(settings.language, settings.language),
    ), (422 if errors else 200)


def _unsubscribe_page(token: str, *, view=None, done: bool = False, message: str | None = None, status: int = 200):
    page = render_template("notifications/unsubscribe.html", token=token, view=view, done=done, message=message,
                           kind_label=KIND_LABELS.get(view.kind) if view else None)
    return page, status, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@bp.get("/unsubscribe/<token>")
@limiter.limit("60/minute")
def unsubscribe(token: str):
    """The List-Unsubscribe link's page: which emails it stops, one button (opening it changes nothing)."""
    try:
        return _unsubscribe_page(token, view=email_unsubscribe.open_link(token))
    except NotFound as exc:
        return _unsubscribe_page(token, message=str(exc.message), status=404)


@bp.post("/unsubscribe/<token>")
@csrf.exempt  # RFC 8058: the mail app POSTs "List-Unsubscribe=One-Click" without cookies; the token is the proof
@limiter.limit("20/minute")
def unsubscribe_one_click(token: str):
    """Stop this kind of email, without sign-in (the mail app's one-click button or the page's button)."""
    try:
        return _unsubscribe_page(token, view=email_unsubscribe.stop_emails(token), done=True)
    except NotFound as exc:
        return _unsubscribe_page(token, message=str(exc.message), status=404)
