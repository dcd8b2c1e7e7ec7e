"""The patient's Medications area: the list, the refill form, request status, saved pharmacies.

Open to the patient and to caregivers whose grant covers `medications` (the services decide; a refusal
is a 404). Every form works without JavaScript and keeps what was typed when it is refused.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from hearth.errors import DomainError
from hearth.i18n import _l
from hearth.schemas.fields import parse_id
from hearth.schemas.medications import PharmacyChangeSchema, PharmacySchema, RefillRequestSchema
from hearth.services.medications import meds, pharmacies, refills
from portal.acting import current_person
from portal.helpers import actor, form_errors

bp = Blueprint("medications", __name__, url_prefix="/medications")

STATUS_LABELS = {
    "requested": _l("Waiting for an answer"),
    "approved": _l("Approved"),
    "denied": _l("Not approved"),
    "needs_visit": _l("Needs a visit first"),
}
STATUS_TAGS = {"requested": "", "approved": "hearth-tag--ok", "denied": "hearth-tag--error",
               "needs_visit": "hearth-tag--warning"}


@bp.app_template_filter("refill_status")
def refill_status(value: str) -> str:
    """The translated name of a refill request's status."""
    return str(STATUS_LABELS.get(str(value), value))


def _person():
    person = current_person()
    if person is None:
        abort(404)
    return person


def _page_arg() -> int:
    return request.args.get("page", type=parse_id) or 1


@bp.get("")
@login_required
def index():
    person = _person()
    listing = meds.medication_list(actor(), person.patient, page=_page_arg())
    return render_template("medications/index.html", listing=listing, person=person,
                           page_url=lambda n: url_for("medications.index", page=n))


def parse_id_or_none(value) -> int | None:
    try:
        return parse_id(value)
    except (TypeError, ValueError):
        return None


def _render_form(errors: dict | None = None, values=None, chosen: set[int] | None = None):
    person = _person()
    options = refills.form_options(actor(), person.patient)
    if chosen is None:
        wanted = request.args.get("medication", type=parse_id)
        chosen = {wanted} if wanted else set()
    selected_pharmacy = (values or {}).get("pharmacy_id") or next(
        (str(p.id) for p in options.pharmacies if p.preferred), "")
    return render_template("medications/refill.html", options=options, person=person, errors=errors or {},
                           values=values or {}, chosen=chosen,
                           selected_pharmacy=str(selected_pharmacy)), 422 if errors else 200


@bp.get("/refill")
@login_required
def refill_form():
    return _render_form()


@bp.post("/refill")
@login_required
def refill_submit():
    person = _person()
    raw = {"medication_ids": request.form.getlist("medication_ids"),
           "pharmacy_id": request.form.get("pharmacy_id") or None, "note": request.form.get("note", "")}
    chosen = {i for i in (parse_id_or_none(v) for v in raw["medication_ids"]) if i}
    try:
        data = RefillRequestSchema().load({k: v for k, v in raw.items() if v is not None})
        created = refills.request_refill(actor(), person.patient, data["medication_ids"], data["pharmacy_id"],
                                         data["note"])
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        return _render_form(form_errors(exc) or {"_form": [str(getattr(exc, "message", exc))]}, request.form,
                            chosen)
    flash(_l("Your refill request was sent."), "success")
    return redirect(url_for("medications.request_detail", request_id=created.id))


@bp.get("/requests")
@login_required
def requests():
    person = _person()
    listing = refills.request_list(actor(), person.patient, page=_page_arg())
    return render_template("medications/requests.html", listing=listing, person=person,
                           page_url=lambda n: url_for("medications.requests", page=n))


@bp.get("/requests/<int:request_id>")
@login_required
def request_detail(request_id: int):
    person = _person()
    return render_template("medications/request.html", r=refills.get(actor(), person.patient, request_id),
                           person=person)


# ---- pharmacies


def _pharmacy_input(form) -> dict:
    return {"name": form.get("name", ""), "address": form.get("address", ""), "phone": form.get("phone", ""),
            "preferred": form.get("preferred") == "y"}


@bp.get("/pharmacies")
@login_required
def pharmacy_list():
    person = _person()
    listing = pharmacies.pharmacy_list(actor(), person.patient, page=_page_arg())
    return render_template("medications/pharmacies.html", listing=listing, person=person,
                           page_url=lambda n: url_for("medications.pharmacy_list", page=n))


@bp.route("/pharmacies/new", methods=["GET", "POST"])
@login_required
def pharmacy_add():
    person = _person()
    errors: dict = {}
    if request.method == "POST":
        try:
            pharmacies.add(actor(), person.patient, PharmacySchema().load(_pharmacy_input(request.form)))
            flash(_l("Pharmacy saved."), "success")
            return redirect(url_for("medications.pharmacy_list"))
        except (ValidationError, DomainError) as exc:
            if isinstance(exc, DomainError) and exc.status == 404:
                raise
            errors = form_errors(exc)
    else:
        pharmacies.pharmacy_list(actor(), person.patient, per_page=1)  # the access check (404), audited
    return render_template("medications/pharmacy_form.html", person=person, errors=errors,
                           values=request.form if request.method == "POST" else {}, pharmacy=None,
                           action=url_for("medications.pharmacy_add")), (422 if errors else 200)


@bp.route("/pharmacies/<int:pharmacy_id>/edit", methods=["GET", "POST"])
@login_required
def pharmacy_edit(pharmacy_id: int):
    person = _person()
    pharmacy = pharmacies.get(actor(), person.patient, pharmacy_id)
    errors: dict = {}
    if request.method == "POST":
        try:
            pharmacies.change(actor(), person.patient, pharmacy_id,
                              PharmacyChangeSchema().load(_pharmacy_input(request.form)))
            flash(_l("Pharmacy saved."), "success")
            return redirect(url_for("medications.pharmacy_list"))
        except (ValidationError, DomainError) as exc:
            if isinstance(exc, DomainError) and exc.status == 404:
                raise
            errors = form_errors(exc)
    values = request.form if request.method == "POST" else {
        "name": pharmacy.name, "address": pharmacy.address or "", "phone": pharmacy.phone or ""}
    return render_template("medications/pharmacy_form.html", person=person, errors=errors, values=values,
                           pharmacy=pharmacy, action=url_for("medications.pharmacy_edit", pharmacy_id=pharmacy_id)
                           ), (422 if errors else 200)


@bp.post("/pharmacies/<int:pharmacy_id>/preferred")
@login_required
def pharmacy_prefer(pharmacy_id: int):
    pharmacies.change(actor(), _person().patient, pharmacy_id, {"preferred": True})
    flash(_l("Preferred pharmacy changed."), "success")
    return redirect(url_for("medications.pharmacy_list"))


@bp.post("/pharmacies/<int:pharmacy_id>/remove")
@login_required
def pharmacy_remove(pharmacy_id: int):
    pharmacies.remove(actor(), _person().patient, pharmacy_id)
    flash(_l("Pharmacy removed."), "success")
    return redirect(url_for("medications.pharmacy_list"))
