"""The care team's pages: the practice's patients, one patient's chart, her contact details and trail."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from hearth.errors import Invalid
from hearth.i18n import LANGUAGE_NAMES, _l
from hearth.schemas.fields import parse_id
from hearth.schemas.patients import PageArgsSchema, ProfileUpdateSchema, StaffPatientsArgsSchema
from hearth.services import access_log, audit_labels, patients, records
from portal.helpers import actor, form_errors
from portal.records import CHANNEL_LABELS, channel_choices, form_values, profile_input

bp = Blueprint("staff", __name__, url_prefix="/staff")


def labels() -> dict:
    """Word maps the record templates use for codes (channels, languages, scopes, grant kinds)."""
    return {"channel_labels": CHANNEL_LABELS, "language_names": LANGUAGE_NAMES,
            "scope_labels": audit_labels.SCOPES, "grant_kinds": audit_labels.GRANT_KINDS}


@bp.get("/patients", endpoint="patients")
@login_required
def patient_list():
    """The practice's patients, searched and paginated."""
    errors: dict = {}
    try:
        args = StaffPatientsArgsSchema().load(request.args, unknown="exclude")
    except ValidationError as exc:
        errors = form_errors(exc)
        args = {"practice": request.args.get("practice", type=parse_id), "q": "", "dates": [], "page": 1}
    listing = patients.practice_patients(actor(), args["practice"], query=args["q"], dates=args["dates"],
                                         page=args["page"], invalid_search="q" in errors)

    def page_url(number: int) -> str:
        return url_for("staff.patients", practice=listing.practice.id, q=listing.query or None, page=number)

    return render_template("staff/patients.html", listing=listing, errors=errors, page_url=page_url,
                           q=request.args.get("q", "") if errors else args["q"]), (422 if errors else 200)


@bp.get("/patients/<int:patient_id>")
@login_required
def patient(patient_id: int):
    """Open one patient (audited), with her latest conversations."""
    from hearth.services.billing import chart_links
    from hearth.services.messages import inbox_chart, inbox_labels

    chart = patients.chart(actor(), patient_id)
    return render_template("staff/patient.html", chart=chart, threads=inbox_chart.patient_threads(actor(), patient_id),
                           money_links=chart_links.for_staff(actor(), chart.patient.practice_id),
                           inbox_word=inbox_labels.word, inbox_status_labels=inbox_labels.STATUS_LABELS, **labels())


@bp.route("/patients/<int:patient_id>/contact", methods=["GET", "POST"])
@login_required
def edit_contact(patient_id: int):
    """Staff change a patient's contact details and channels."""
    errors: dict = {}
    if request.method == "POST":
        try:
            records.update_profile(actor(), patient_id, ProfileUpdateSchema().load(profile_input(request.form)))
            flash(_l("Contact details saved."), "success")
            return redirect(url_for("staff.patient", patient_id=patient_id))
        except (ValidationError, Invalid) as exc:
            errors = form_errors(exc)
    profile = records.profile(actor(), patient_id, for_edit=True)
    values = form_values(profile.patient, request.form if request.method == "POST" else None)
    return render_template("records/profile_form.html", profile=profile, values=values, errors=errors,
                           channels=channel_choices(),
                           back_url=url_for("staff.patient", patient_id=patient_id)), (422 if errors else 200)


@bp.get("/patients/<int:patient_id>/access-log")
@login_required
def patient_access_log(patient_id: int):
    """Who accessed this patient's record (reading it is audited)."""
    try:
        args = PageArgsSchema().load(request.args, unknown="exclude")
    except ValidationError:
        args = {"page": 1}
    trail = access_log.patient_trail(actor(), patient_id, page=args["page"])
    return render_template("records/access_log.html", trail=trail,
                           back_url=url_for("staff.patient", patient_id=patient_id),
                           page_url=lambda n: url_for("staff.patient_access_log", patient_id=patient_id, page=n))
