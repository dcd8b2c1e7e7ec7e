"""Guest pay: pay one statement with its code and the patient's date of birth, without signing in.

Rate-limited per address here (Flask-Limiter) and per code in the service. The unlocked statement
is remembered in the signed session cookie for a few minutes only; the page then expires. It
shows the amount due, the practice and the statement date, nothing else.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for

from hearth.clock import utcnow
from hearth.errors import Conflict, Invalid, Locked
from hearth.extensions import limiter
from hearth.i18n import _l
from hearth.services.billing import guest, payments
from hearth.services.billing.stripe_gateway import StripeGateway, enabled

bp = Blueprint("guest_pay", __name__, url_prefix="/pay")
KEY = "guest_pay"
TOO_MANY = _l("Too many tries from your network. Wait a minute, then try again.")
EXPIRED = _l("This page has expired. Please enter the code again.")
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _rate_limited():
    return str(TOO_MANY)


def _born(form) -> date | None:
    try:
        return date(int(form.get("dob_year", "")), int(form.get("dob_month", "")), int(form.get("dob_day", "")))
    except (TypeError, ValueError, OverflowError):
        return None


def _unlocked() -> int | None:
    """The statement this browser unlocked, while the unlock lasts."""
    held = session.get(KEY) or {}
    try:
        until = datetime.fromisoformat(held["until"])
        statement_id = int(held["s"])
    except (KeyError, TypeError, ValueError):
        return None
    return statement_id if utcnow() < until else None


@bp.route("", methods=["GET", "POST"])
@limiter.limit("10/minute;40/hour", methods=["POST"], error_message=_rate_limited)
def start():
    """The code and date-of-birth form."""
    errors: dict = {}
    status = 200
    if request.method == "POST":
        try:
            view = guest.open_statement(request.form.get("code", "")[:20], _born(request.form))
        except (Invalid, Locked) as exc:
            errors = {"code": [str(exc.message)]}
            status = exc.status
        else:
            session[KEY] = {"s": view.statement_id,
                            "until": (utcnow() + timedelta(minutes=guest.ACCESS_MINUTES)).isoformat()}
            return redirect(url_for("guest_pay.statement"), code=303)
    return render_template("billing/guest_start.html", errors=errors, form=request.form), status, NO_STORE


@bp.route("/statement", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["POST"], error_message=_rate_limited)
def statement():
    """Amount due, practice, statement date, and the pay button; POST starts Stripe Checkout for the balance."""
    statement_id = _unlocked()
    if statement_id is None:
        session.pop(KEY, None)
        flash(EXPIRED, "info")
        return redirect(url_for("guest_pay.start"), code=303)
    view = guest.view(statement_id)
    online = enabled(current_app.config)
    errors: dict = {}
    if request.method == "POST":
        try:
            attempt = payments.start_checkout(
                None, statement_id, view.balance_cents, StripeGateway.from_config(current_app.config),
                success_url=url_for("guest_pay.done", _external=True),
                cancel_url=url_for("guest_pay.statement", _external=True), guest=True)
            return redirect(attempt.checkout_url, code=303)
        except (Invalid, Conflict, payments.PaymentUnavailable) as exc:
            errors = {"_form": [str(exc.message)]}
    return (render_template("billing/guest_statement.html", view=view, online=online, errors=errors,
                            minutes=guest.ACCESS_MINUTES), 422 if errors else 200, NO_STORE)


@bp.get("/done")
def done():
    """Back from Checkout: thanks; the payment is confirmed by Stripe's webhook, not here."""
    session.pop(KEY, None)
    return render_template("billing/guest_done.html"), 200, NO_STORE
