"""/api/v1 financing offers: the practice's settings (admins) and the offers a patient is shown for an amount."""

from __future__ import annotations

from dataclasses import asdict

from flask import request, url_for

from api.blueprint import Blueprint
from api.security import BEARER, actor, token_required
from hearth import policy
from hearth.i18n import _l
from hearth.schemas.financing import (
    AmountArgsSchema,
    ClickCountSchema,
    FollowInputSchema,
    FollowSchema,
    OfferInputSchema,
    OfferSchema,
    PayOverTimeSchema,
    SendOfferSchema,
    SentSchema,
)
from hearth.services.financing import messaging, offers

blp = Blueprint("api_financing", __name__, url_prefix="/api/v1", description="Financing offers")


@blp.route("/practices/<int:practice_id>/financing-offers", methods=["GET"])
@blp.response(200, OfferSchema(many=True))
@blp.alt_response(403, description="Not an admin of this practice")
@blp.doc(security=BEARER)
@token_required
def list_offers(practice_id: int):
    """The practice's financing offers with their promotions."""
    return offers.list_offers(actor(), practice_id)


@blp.route("/practices/<int:practice_id>/financing-offers", methods=["POST"])
@blp.arguments(OfferInputSchema)
@blp.response(201, OfferSchema)
@blp.alt_response(403, description="Not an admin of this practice")
@blp.doc(security=BEARER)
@token_required
def add_offer(data, practice_id: int):
    """Add an offer; a link that is not https on one of the provider's known hosts is a 422."""
    return offers.save_offer(actor(), practice_id, data)


@blp.route("/practices/<int:practice_id>/financing-offers/<int:offer_id>", methods=["PUT"])
@blp.arguments(OfferInputSchema)
@blp.response(200, OfferSchema)
@blp.alt_response(403, description="Not an admin of this practice")
@blp.alt_response(404, description="No such offer at this practice")
@blp.doc(security=BEARER)
@token_required
def replace_offer(data, practice_id: int, offer_id: int):
    """Replace an offer and its promotions."""
    return offers.save_offer(actor(), practice_id, data, offer_id)


@blp.route("/practices/<int:practice_id>/financing-offers/<int:offer_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(403, description="Not an admin of this practice")
@blp.alt_response(404, description="No such offer at this practice")
@blp.doc(security=BEARER)
@token_required
def delete_offer(practice_id: int, offer_id: int):
    """Remove an offer (patients stop seeing it at once)."""
    offers.delete_offer(actor(), practice_id, offer_id)


@blp.route("/practices/<int:practice_id>/financing-clicks", methods=["GET"])
@blp.response(200, ClickCountSchema(many=True))
@blp.alt_response(403, description="Not an admin of this practice")
@blp.doc(security=BEARER)
@token_required
def click_counts(practice_id: int):
    """Clicks on each offer's apply link per place and day, last 90 days (never who clicked)."""
    return offers.click_counts(actor(), practice_id)


@blp.route("/patients/<int:patient_id>/financing-offers", methods=["GET"])
@blp.arguments(AmountArgsSchema, location="query")
@blp.response(200, PayOverTimeSchema)
@blp.alt_response(404, description="No such patient, or no billing access")
@blp.doc(security=BEARER)
@token_required
def patient_offers(args, patient_id: int):
    """The offers the patient's practice makes for `amount_cents`, with example monthly payments.

    Show `subject_to_credit_approval` and each offer's `disclosure`; the monthly payment, total of
    payments and term must be shown equally prominently; never say "interest-free" or "0 %".
    """
    patient = policy.load_patient(patient_id)
    found = offers.pay_over_time(actor(), patient, args["amount_cents"])
    return {
        "amount_cents": args["amount_cents"],
        "subject_to_credit_approval": str(_l("Subject to credit approval.")),
        "offers": [{**asdict(o), "examples": [asdict(e) for e in o.examples],
                    "apply_url": url_for("financing.go", offer_id=o.offer_id, place=args["place"], _external=True)}
                   for o in found],
    }


@blp.route("/patients/<int:patient_id>/financing-offers/<int:offer_id>/follow", methods=["POST"])
@blp.arguments(FollowInputSchema)
@blp.response(200, FollowSchema)
@blp.alt_response(404, description="No such patient or offer, or no billing access")
@blp.doc(security=BEARER)
@token_required
def follow(data, patient_id: int, offer_id: int):
    """Count a tap on an offer's apply button and get the provider's link to open (nothing is sent with it)."""
    patient = policy.load_patient(patient_id)
    return {"url": offers.follow(actor(), patient, offer_id, data["place"])}


@blp.route("/patients/<int:patient_id>/financing-offers/send", methods=["POST"])
@blp.arguments(SendOfferSchema)
@blp.response(201, SentSchema)
@blp.alt_response(403, description="Not staff of the patient's practice")
@blp.alt_response(404, description="No such patient or thread")
@blp.doc(security=BEARER)
@token_required
def send(data, patient_id: int):
    """Staff: message the patient the offers for `amount_cents` (in `thread_id`, else a new billing thread).

    An `Idempotency-Key` header makes a repeat return the first message's thread.
    """
    patient = policy.load_patient(patient_id)
    link = url_for("financing.pay_over_time", amount_cents=data["amount_cents"], place="message", _external=True)
    thread = messaging.send_offer(actor(), patient, data["amount_cents"], link=link, thread_id=data["thread_id"],
                                  client_key=request.headers.get("Idempotency-Key"))
    return {"thread_id": thread.id}


def offers_url(patient_id: int, practice_id: int, amount_cents: int, place: str,
               active: list | None = None) -> str | None:
    """Where the app reads the financing offers for an amount shown elsewhere (an estimate, a statement),
    or None when no offer's minimum is reached. The link carries the amount and place, nothing else.

    `active`: the practice's offers from offers.active_offers, when a list asks for many amounts (one
    load for the page instead of one per row)."""
    if amount_cents <= 0:
        return None
    found = offers.offer_views(active, amount_cents) if active is not None else offers.offers_for(practice_id,
                                                                                                  amount_cents)
    if not found:
        return None
    return url_for("api_financing.patient_offers", patient_id=patient_id, amount_cents=amount_cents, place=place,
                   _external=True)
