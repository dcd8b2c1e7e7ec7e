"""/api/v1/guest-payments: guest pay over the API, without signing in (the portal's /pay for the app).

The statement code and the patient's date of birth open one statement through the same service as the
portal (`hearth.services.billing.guest`: same answer for an unknown code and a wrong date, code locked
after 5 wrong answers, codes good for 180 days). The lookup returns the amount due, the practice, the
statement date and a signed token for that one statement, good for 15 minutes (the portal's page
lifetime); nothing else about the patient. Paying uses `payments.start_checkout` / `start_intent` as
guest; the signed Stripe webhook marks it paid. Rate-limited per address like the portal.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import current_app, url_for

from api.blueprint import Blueprint
from hearth.errors import Invalid
from hearth.extensions import limiter
from hearth.i18n import _l
from hearth.schemas.billing import CheckoutSchema, GuestLookupSchema, GuestPaySchema, GuestStatementSchema, IntentSchema
from hearth.services.billing import guest, payments
from hearth.services.billing.stripe_gateway import StripeGateway

blp = Blueprint("api_guest_payments", __name__, url_prefix="/api/v1/guest-payments",
                description="Guest pay by statement code and date of birth (no sign-in)")
TOO_MANY = _l("Too many tries from your network. Wait a minute, then try again.")


def _rate_limited():
    return str(TOO_MANY)


@blp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/lookup", methods=["POST"])
@limiter.limit("10/minute;40/hour", error_message=_rate_limited)
@blp.arguments(GuestLookupSchema)
@blp.response(200, GuestStatementSchema)
@blp.alt_response(429, description="Too many wrong answers for this code (locked 30 minutes, see Retry-After), "
                                   "or too many requests from this address")
def lookup_guest_statement(data):
    """Open one statement with its code and the patient's date of birth. A wrong date, an unknown code and an
    expired code get the same 422 answer."""
    try:
        view = guest.open_statement(data["statement_code"], data["date_of_birth"])
    except Invalid as exc:
        raise Invalid(exc.message, fields={"statement_code": [exc.message]}) from None
    return {**asdict(view), "guest_token": guest.issue_token(view, current_app.config["SECRET_KEY"]),
            "expires_in": guest.ACCESS_MINUTES * 60}


def _statement_id(token: str) -> int:
    return guest.open_token(token, current_app.config["SECRET_KEY"]).statement_id


@blp.route("/checkout-session", methods=["POST"])
@limiter.limit("20/minute", error_message=_rate_limited)
@blp.arguments(GuestPaySchema)
@blp.response(201, CheckoutSchema)
@blp.alt_response(401, description="The guest token is not valid or has expired: look the statement up again")
@blp.alt_response(409, description="Online payment is off, or the statement is paid")
@blp.alt_response(503, description="Stripe could not be reached; nothing was charged")
def create_guest_checkout_session(data):
    """A Stripe Checkout Session for the unlocked statement (50 cents up to the amount due)."""
    return payments.start_checkout(
        None, _statement_id(data["guest_token"]), data["amount_cents"],
        StripeGateway.from_config(current_app.config),
        success_url=url_for("guest_pay.done", _external=True), cancel_url=url_for("guest_pay.start", _external=True),
        guest=True)


@blp.route("/payment-intent", methods=["POST"])
@limiter.limit("20/minute", error_message=_rate_limited)
@blp.arguments(GuestPaySchema)
@blp.response(201, IntentSchema)
@blp.alt_response(401, description="The guest token is not valid or has expired: look the statement up again")
@blp.alt_response(409, description="Online payment is off, or the statement is paid")
@blp.alt_response(503, description="Stripe could not be reached; nothing was charged")
def create_guest_payment_intent(data):
    """A PaymentIntent's client secret for the app, for the unlocked statement."""
    return payments.start_intent(None, _statement_id(data["guest_token"]), data["amount_cents"],
                                 StripeGateway.from_config(current_app.config), guest=True)
