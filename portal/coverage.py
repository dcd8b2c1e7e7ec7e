"""Insurance pages: the patient (or a caregiver with the billing scope) keeps her coverage, benefits and card
photos up to date or chooses self-pay; staff of her practice see it, update benefits and verify it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from hearth import files, policy
from hearth.errors import Invalid
from hearth.i18n import _l
from hearth.schemas.estimates import BenefitsFormSchema, InsuranceSchema
from hearth.services.estimates import coverage
from hearth.services.estimates.labels import CATEGORY_LABELS, RELATIONSHIP_LABELS
from hearth.services.estimates.money import cents_to_dollars
from portal.acting import current_person
from portal.helpers import actor, form_errors

bp = Blueprint("coverage", __name__)
INSURANCE_KEYS = ("payer_name", "plan_name", "member_id", "group_id", "subscriber_name", "subscriber_relationship")
CARD_MAX = 10 * 1024 * 1024
UPLOAD_LIMIT = CARD_MAX + 64 * 1024


def _card_upload_limit() -> None:
    """The card photo form may be larger than MAX_CONTENT_LENGTH; set before CSRF protection reads the form."""
    if request.endpoint == "coverage.card":
        request.max_content_length = UPLOAD_LIMIT


@bp.record_once
def _limit_first(state) -> None:
    state.app.before_request_funcs.setdefault(None, []).insert(0, _card_upload_limit)


def _patient(patient_id: int | None):
    """The patient acted for (patient pages) or the one a staff page names (checked by the service)."""
    if patient_id is not None:
        return policy.load_patient(patient_id)
    person = current_person()
    if person is None:
        abort(404)
    return person.patient


def _back(patient_id: int | None) -> str:
    return url_for("coverage.staff_view", patient_id=patient_id) if patient_id else url_for("coverage.index")


def _render(template: str, patient_id: int | None, status: int = 200, **context):
    return render_template(f"estimates/{template}", patient_id=patient_id, back_url=_back(patient_id),
                           categories=CATEGORY_LABELS, relationships=RELATIONSHIP_LABELS, **context), status


@bp.get("/insurance")
@login_required
def index():
    """Your insurance: plan, card photos, benefits and whether the practice has checked it."""
    return _render("coverage.html", None, view=coverage.get(actor(), _patient(None)))


@bp.get("/staff/patients/<int:patient_id>/insurance")
@login_required
def staff_view(patient_id: int):
    """A patient's coverage for the practice's staff, with "Mark as checked"."""
    return _render("coverage.html", patient_id, view=coverage.get(actor(), _patient(patient_id)))


@bp.route("/insurance/plan", methods=["GET", "POST"])
@login_required
def edit_plan():
    """Your insurance company, plan, member and group ids and who holds the plan."""
    patient = _patient(None)
    errors: dict = {}
    if request.method == "POST":
        try:
            data = InsuranceSchema().load({k: request.form.get(k, "") for k in INSURANCE_KEYS})
            coverage.save_insurance(actor(), patient, data)
            flash(_l("Your insurance is saved."), "success")
            return redirect(url_for("coverage.index"))
        except (ValidationError, Invalid) as exc:
            errors = form_errors(exc)
        values = {k: request.form.get(k, "") for k in INSURANCE_KEYS}
    else:
        current = coverage.get(actor(), patient).coverage
        values = {k: (getattr(current, k) or "") if current else "" for k in INSURANCE_KEYS}
        if current and current.subscriber_relationship:
            values["subscriber_relationship"] = current.subscriber_relationship.value
    return _render("coverage_plan.html", None, 422 if errors else 200, values=values, errors=errors)


def _benefit_values(current) -> dict:
    if current is None:
        return {"copays": {}, "uncovered": []}
    return {
        "deductible": cents_to_dollars(current.deductible_cents),
        "deductible_met": cents_to_dollars(current.deductible_met_cents),
        "oop_max": cents_to_dollars(current.oop_max_cents),
        "oop_met": cents_to_dollars(current.oop_met_cents),
        "coinsurance_percent": f"{current.coinsurance_bp / 100:g}",
        "copay_counts_toward_deductible": current.copay_counts_toward_deductible,
        "copays": {k: cents_to_dollars(v) for k, v in (current.copays or {}).items()},
        "uncovered": list(current.uncovered_categories or []),
    }


def _benefits(patient_id: int | None):
    patient = _patient(patient_id)
    errors: dict = {}
    if request.method == "POST":
        form = request.form
        raw = {k: form.get(k, "").strip() for k in ("deductible", "deductible_met", "oop_max", "oop_met",
                                                      "coinsurance_percent")}
        raw = {k: v for k, v in raw.items() if v or k == "oop_max"}
        raw["oop_max"] = raw.get("oop_max") or None
        copays = {c: form.get(f"copay_{c}", "").strip() for c in CATEGORY_LABELS}
        raw["copays"] = {c: v for c, v in copays.items() if v}
        raw["copay_counts_toward_deductible"] = form.get("copay_counts_toward_deductible") == "1"
        raw["uncovered_categories"] = form.getlist("uncovered")[:10]
        try:
            data = BenefitsFormSchema().load(raw)
            data.setdefault("coinsurance_bp", 0)
            coverage.save_benefits(actor(), patient, data)
            flash(_l("Your benefits are saved."), "success")
            return redirect(_back(patient_id))
        except (ValidationError, Invalid) as exc:
            errors = {k.replace("_cents", "") if k != "coinsurance_bp" else "coinsurance_percent": v
                      for k, v in form_errors(exc).items()}
        values = {**{k: form.get(k, "") for k in ("deductible", "deductible_met", "oop_max", "oop_met",
                                                 "coinsurance_percent")},
                  "copay_counts_toward_deductible": form.get("copay_counts_toward_deductible") == "1",
                  "copays": {c: form.get(f"copay_{c}", "") for c in CATEGORY_LABELS},
                  "uncovered": form.getlist("uncovered")}
    else:
        values = _benefit_values(coverage.get(actor(), patient).coverage)
    return _render("coverage_benefits.html", patient_id, 422 if errors else 200, values=values, errors=errors)


@bp.route("/insurance/benefits", methods=["GET", "POST"])
@login_required
def edit_benefits():
    """Your plan's deductible, coinsurance, copays and out-of-pocket limit, and how much you have met."""
    return _benefits(None)


@bp.route("/staff/patients/<int:patient_id>/insurance/benefits", methods=["GET", "POST"])
@login_required
def staff_benefits(patient_id: int):
    """Staff record the benefits the payer confirmed."""
    return _benefits(patient_id)


@bp.post("/insurance/self-pay")
@login_required
def self_pay():
    """Choose to pay for visits yourself: estimates then use the self-pay prices."""
    coverage.choose_self_pay(actor(), _patient(None))
    flash(_l("Saved: you will pay for your visits yourself."), "success")
    return redirect(url_for("coverage.index"))


@bp.post("/staff/patients/<int:patient_id>/insurance/verify")
@login_required
def verify(patient_id: int):
    """Staff mark the coverage as checked with the payer (who and when are kept)."""
    coverage.verify(actor(), _patient(patient_id))
    flash(_l("Coverage marked as checked."), "success")
    return redirect(url_for("coverage.staff_view", patient_id=patient_id))


@bp.route("/insurance/card", methods=["GET", "POST"])
@login_required
def card():
    """Add photos of the front and back of your insurance card."""
    patient = _patient(None)
    errors: dict = {}
    if request.method == "POST":
        side = request.form.get("side", "front")
        upload = request.files.get("photo")
        try:
            if side not in coverage.SIDES:
                raise Invalid(str(_l("Choose the front or the back.")), fields={"side": [str(_l(
                    "Choose the front or the back."))]})
            if upload is None or not upload.filename:
                message = str(_l("Choose a photo of your card."))
                raise Invalid(message, fields={"photo": [message]})
            coverage.upload_card(actor(), patient, side, upload.read(CARD_MAX + 1), upload.filename)
            flash(_l("Card photo saved."), "success")
            return redirect(url_for("coverage.index"))
        except Invalid as exc:
            errors = form_errors(exc)
    return _render("coverage_card.html", None, 422 if errors else 200, errors=errors,
                   side=request.form.get("side", request.args.get("side", "front")))


def _photo(patient_id: int | None, side: str):
    photo = coverage.card_photo(actor(), _patient(patient_id), side)
    return files.download_response(photo.data, photo.filename, photo.content_type)


@bp.get("/insurance/card/<side>")
@login_required
def card_photo(side: str):
    """Download one of your card photos."""
    return _photo(None, side)


@bp.get("/staff/patients/<int:patient_id>/insurance/card/<side>")
@login_required
def staff_card_photo(patient_id: int, side: str):
    """Staff download a patient's card photo."""
    return _photo(patient_id, side)
