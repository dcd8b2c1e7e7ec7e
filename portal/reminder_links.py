"""The pages behind the confirm and cancel links in a reminder: no sign-in, one button each.

Opening a link changes nothing (mail scanners open links); the button posts. The pages show the
date, time and practice only, are never cached, and send no referrer that would carry the token.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from marshmallow import ValidationError

from hearth.errors import DomainError
from hearth.extensions import limiter
from hearth.i18n import _l
from hearth.schemas.scheduling import CancelSchema
from hearth.services.scheduling import confirmation
from portal.helpers import form_errors

bp = Blueprint("reminder_links", __name__, url_prefix="/r")


def _page(token: str, *, view=None, message: str | None = None, done: str | None = None,
          errors: dict | None = None, status: int = 200):
    response = render_template("appointments/link.html", token=token, view=view, message=message, done=done,
                               errors=errors or {})
    return response, status, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _failed(token: str, exc: DomainError):
    """A bad or stale link, or an action no longer possible: say why, with the page as it is now."""
    if exc.status == 404:
        return _page(token, message=str(exc.message), status=404)
    try:
        view = confirmation.open_link(token)
    except DomainError:
        view = None
    return _page(token, view=view, message=str(exc.message), status=exc.status)


@bp.get("/<token>")
@limiter.limit("60/minute")
def show(token: str):
    """The appointment's date and time with the one button the link is for."""
    try:
        return _page(token, view=confirmation.open_link(token))
    except DomainError as exc:
        return _failed(token, exc)


@bp.post("/<token>")
@limiter.limit("20/minute")
def act(token: str):
    """Confirm or cancel, as the link says."""
    try:
        data = CancelSchema().load({"reason": request.form.get("reason") or None})
        view = confirmation.use_link(token, data["reason"])
        done = (_l("Thank you. Your appointment is confirmed.") if view.action == "confirm"
                else _l("Your appointment was cancelled."))
        return _page(token, view=view, done=str(done))
    except ValidationError as exc:
        return _page(token, view=confirmation.open_link(token), errors=form_errors(exc), status=422)
    except DomainError as exc:
        return _failed(token, exc)
