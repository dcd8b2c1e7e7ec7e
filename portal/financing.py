"""Financing offers: "Pay over time" for patients, the counted link to the provider, and the admins' settings."""

from __future__ import annotations

import secrets
from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, get_locale
from flask_login import login_required
from marshmallow import ValidationError

from hearth import policy
from hearth.errors import Invalid, NotFound
from hearth.i18n import _l
from hearth.schemas.financing import DEFERRED_MONTHS, FIXED_MONTHS, MAX_CENTS, PLACES, OfferInputSchema, parse_dollars
from hearth.services import practice_settings
from hearth.services.financing import messaging, offers
from hearth.services.financing.providers import PROVIDERS
from portal.acting import current_person
from portal.helpers import actor, form_errors

bp = Blueprint("financing", __name__, url_prefix="/financing")

FIXED_ROWS = 4
PLACE_LABELS = {"page": _l("Pay over time page"), "estimate": _l("Estimate"), "statement": _l("Statement"),
                "balance": _l("Balance"), "gfe": _l("Good Faith Estimate"), "message": _l("Message")}
AMOUNT_INVALID = _l("Enter an amount in dollars, like 1,200.00.")


def apr_display(apr: str) -> str:
    """"14.90" → "14.90%" in English, "14,90 %" in Spanish."""
    if not apr:
        return ""
    number = format_decimal(Decimal(apr), format="#,##0.00")
    return f"{number}\u00a0%" if str(get_locale()).startswith("es") else f"{number}%"


@bp.app_context_processor
def _financing_helpers():
    def financing_offers(practice_id: int, amount_cents: int):
        """Offers for an amount (the practice's settings, nothing of the patient's), for the `_offers.html` partial."""
        return offers.offers_for(practice_id, amount_cents)

    return {"financing_offers": financing_offers, "apr_display": apr_display}


def _person():
    person = current_person()
    if person is None:
        raise NotFound()
    return person


@bp.get("/pay-over-time")
@login_required
def pay_over_time():
    """Financing offers for an amount the patient types (or a page links with `amount_cents`)."""
    person = _person()
    errors, amount_cents, typed = {}, None, request.args.get("amount", "")
    raw = request.args.get("amount_cents", "")
    if raw:
        amount_cents = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 10 else 0
        if not 1 <= amount_cents <= MAX_CENTS:
            amount_cents, errors["amount"] = None, [str(AMOUNT_INVALID)]
        else:
            typed = f"{amount_cents // 100}.{amount_cents % 100:02d}"
    elif typed:
        try:
            amount_cents = parse_dollars(typed)
        except ValueError:
            errors["amount"] = [str(AMOUNT_INVALID)]
    found = offers.pay_over_time(actor(), person.patient, amount_cents) if amount_cents else []
    place = request.args.get("place", "page")
    return render_template("financing/pay_over_time.html", person=person, amount_cents=amount_cents,
                           typed=typed, errors=errors, financing_found=found, place=place if place in PLACES else "page"
                           ), (422 if errors else 200)


@bp.get("/go/<int:offer_id>")
@login_required
def go(offer_id: int):
    """Count the click (offer, place, day) and send the browser to the provider's own page.

    Nothing about the patient goes with it: no query parameters are added and no referrer is sent.
    """
    place = request.args.get("place", "page")
    if place not in PLACES:
        place = "page"
    link = offers.follow(actor(), _person().patient, offer_id, place)
    response = redirect(link, code=303)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/send/<int:patient_id>", methods=["GET", "POST"])
@login_required
def send(patient_id: int):
    """Staff: send a patient the financing offers for an amount as a secure message (a new billing thread)."""
    patient = policy.load_patient(patient_id)
    policy.require_practice_role(actor(), patient.practice_id, messaging.STAFF)
    errors, typed = {}, request.form.get("amount", "")
    if request.method == "POST":
        try:
            amount_cents = parse_dollars(typed)
        except ValueError:
            errors["amount"] = [str(AMOUNT_INVALID)]
        else:
            link = url_for("financing.pay_over_time", amount_cents=amount_cents, place="message", _external=True)
            try:
                messaging.send_offer(actor(), patient, amount_cents, link=link,
                                     client_key=request.form.get("client_key") or None)
            except Invalid as exc:
                errors = {"amount": [str(exc.message)]}
            else:
                flash(_l("The financing offers were sent to %(name)s.", name=patient.full_name), "success")
                return redirect(url_for("financing.send", patient_id=patient.id))
    return render_template("financing/send.html", patient=patient, typed=typed, errors=errors,
                           client_key=secrets.token_urlsafe(16)), (422 if errors else 200)


# ---- admins -------------------------------------------------------------------------------------------------


@bp.get("/settings")
@login_required
def settings():
    """The practice's financing offers and how often patients followed each one's link."""
    view = practice_settings.settings(actor(), request.args.get("practice", type=int))
    practice = view.practice
    return render_template("financing/settings.html", view=view, practice=practice,
                           offers=offers.list_offers(actor(), practice.id),
                           counts=offers.click_counts(actor(), practice.id), providers=PROVIDERS,
                           place_labels={k: str(v) for k, v in PLACE_LABELS.items()})


def _form_input(form) -> dict:
    """The offer form as OfferInputSchema expects it; dollars become cents (bad ones are reported per field)."""
    promotions, errors = [], {}
    for months in DEFERRED_MONTHS:
        minimum = form.get(f"deferred_{months}", "").strip()
        if minimum:
            try:
                promotions.append({"kind": "deferred", "months": months, "min_amount_cents": parse_dollars(minimum)})
            except ValueError:
                errors[f"deferred_{months}"] = [str(AMOUNT_INVALID)]
    for i in range(FIXED_ROWS):
        apr, months, minimum = (form.get(f"fixed_{k}_{i}", "").strip() for k in ("apr", "months", "min"))
        if not (apr or minimum):
            continue
        try:
            cents = parse_dollars(minimum)
        except ValueError:
            errors[f"fixed_min_{i}"] = [str(AMOUNT_INVALID)]
            continue
        promotions.append({"kind": "fixed_apr", "months": int(months) if months.isdigit() else 0, "apr": apr,
                           "min_amount_cents": cents, "_row": i})
    return {"provider": form.get("provider", ""), "link": form.get("link", ""),
            "disclosure": form.get("disclosure", ""), "active": form.get("active") == "on",
            "promotions": promotions}, errors


def _promotion_errors(messages: dict, promotions: list[dict]) -> dict:
    """Map marshmallow's promotions.<index>.<field> errors onto the form's own field names."""
    errors = {}
    nested = messages.pop("promotions", {}) if isinstance(messages, dict) else {}
    if isinstance(nested, list):
        errors["promotions"] = [str(m) for m in nested]
        return errors
    for index, fields in nested.items():
        promo = promotions[int(index)]
        for field, texts in fields.items():
            if promo["kind"] == "deferred":
                name = f"deferred_{promo['months']}"
            else:
                name = {"apr": "fixed_apr", "months": "fixed_months"}.get(field, "fixed_min") + f"_{promo['_row']}"
            errors.setdefault(name, []).extend(str(t) for t in texts)
    return errors


def _values(offer) -> dict:
    values = {"provider": offer.provider if offer else "carecredit", "link": offer.link if offer else "",
              "disclosure": offer.disclosure if offer else "", "active": offer.active if offer else True}
    row = 0
    for promo in offer.promotions if offer else []:
        dollars = f"{promo.min_amount_cents // 100}.{promo.min_amount_cents % 100:02d}"
        if promo.kind == "deferred":
            values[f"deferred_{promo.months}"] = dollars
        elif row < FIXED_ROWS:
            values.update({f"fixed_apr_{row}": offers.apr_text(promo.apr_bp or 0),
                           f"fixed_months_{row}": str(promo.months), f"fixed_min_{row}": dollars})
            row += 1
    return values


@bp.route("/settings/<int:practice_id>/offers/new", methods=["GET", "POST"], endpoint="add_offer")
@bp.route("/settings/<int:practice_id>/offers/<int:offer_id>", methods=["GET", "POST"], endpoint="edit_offer")
@login_required
def offer_form(practice_id: int, offer_id: int | None = None):
    """Add or change an offer: provider, the practice's link, the promotions it offers, the disclosure."""
    current = offers.get_offer(actor(), practice_id, offer_id) if offer_id else None
    if current is None:
        offers.list_offers(actor(), practice_id)  # admins only
    errors: dict = {}
    if request.method == "POST":
        data, errors = _form_input(request.form)
        if not errors:
            try:
                clean = OfferInputSchema().load({**data, "promotions": [
                    {k: v for k, v in p.items() if k != "_row"} for p in data["promotions"]]})
                offers.save_offer(actor(), practice_id, clean, offer_id)
                flash(_l("Financing offer saved."), "success")
                return redirect(url_for("financing.settings", practice=practice_id))
            except ValidationError as exc:
                messages = dict(exc.messages) if isinstance(exc.messages, dict) else {"_schema": exc.messages}
                errors = _promotion_errors(messages, data["promotions"])
                errors.update(form_errors(ValidationError(messages)) if messages else {})
            except Invalid as exc:
                errors = form_errors(exc)
        values = {k: request.form.get(k, "") for k in request.form}
        values["active"] = request.form.get("active") == "on"
    else:
        values = _values(current)
    return render_template("financing/offer_form.html", practice_id=practice_id, offer=current, values=values,
                           errors=errors, providers=PROVIDERS, deferred_months=DEFERRED_MONTHS,
                           fixed_months=FIXED_MONTHS, fixed_rows=range(FIXED_ROWS)), (422 if errors else 200)


@bp.post("/settings/<int:practice_id>/offers/<int:offer_id>/delete")
@login_required
def delete_offer(practice_id: int, offer_id: int):
    """Remove an offer; patients stop seeing it at once."""
    offers.delete_offer(actor(), practice_id, offer_id)
    flash(_l("Financing offer removed."), "success")
    return redirect(url_for("financing.settings", practice=practice_id))


