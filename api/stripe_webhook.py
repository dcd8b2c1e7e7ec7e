"""POST /api/v1/stripe/webhook: Stripe's signed event deliveries.

The signature (Stripe-Signature header, the endpoint's signing secret, 5 minutes' tolerance) is
checked with `stripe.Webhook.construct_event`; a bad or stale one gets 400 and changes nothing.
A good one is stored by its event id and acknowledged at once (200); the worker processes it.
"""

from __future__ import annotations

import stripe
from flask import current_app, request

from api.blueprint import Blueprint
from api.problems import problem
from hearth.extensions import limiter
from hearth.i18n import _l
from hearth.schemas.billing import WebhookAckSchema
from hearth.services.billing import events
from hearth.services.billing.stripe_gateway import StripeGateway

blp = Blueprint("api_stripe_webhook", __name__, url_prefix="/api/v1/stripe",
                description="Stripe webhook endpoint (no bearer token: Stripe signs each delivery)")

MAX_BODY = 512 * 1024  # Stripe events are a few kilobytes


@blp.route("/webhook", methods=["POST"])
@blp.response(200, WebhookAckSchema)
@blp.alt_response(400, description="Bad or stale signature, or not an event: nothing changed")
@blp.alt_response(404, description="Online payment is not configured here")
@limiter.exempt
def receive_stripe_event():
    """Verify, store by event id (duplicates are stored once), answer 200; the worker does the rest."""
    gateway = StripeGateway.from_config(current_app.config)
    if gateway is None:
        return problem(404, str(_l("Not found")))
    if (request.content_length or 0) > MAX_BODY:
        return problem(400, str(_l("Bad request")))
    payload = request.get_data(cache=False)
    try:
        events.receive(gateway, payload, request.headers.get("Stripe-Signature"))
    except (stripe.SignatureVerificationError, ValueError):
        return problem(400, str(_l("Bad request")), str(_l("The signature is not valid.")))
    return {"received": True}
