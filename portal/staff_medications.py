"""The medications section of the staff patient chart: the list, add, change and stop.

Only the patient's care team (provider, staff, admin of her practice) opens these pages; the services
check it (NotFound outside the practice, Forbidden for patients and caregivers) and audit each act.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from hearth.errors import DomainError
from hearth.i18n import _l
from hearth.models import ControlledSchedule
from hearth.policy import load_patient
from hearth.schemas.fields import parse_id
from hearth.schemas.medications import MedicationChangeSchema, MedicationSchema
from hearth.services.medications import meds
from portal.helpers import actor, form_errors

bp = Blueprint("staff_medications", __name__, url_prefix="/staff/patients/<int:patient_id>/medications")

FIELDS = ("name", "strength", "form", "instructions", "prescriber_id", "quantity", "refills_left", "last_filled_on",
          "supply_days", "controlled_schedule")
SCHEDULES = [("", _l("Not a controlled substance"))] + [(s.value, _l("Schedule %(n)s", n=s.value))
                                                         for s in ControlledSchedule]


def _input(form) -> dict:
    """The form as schema input: blanks are "none" for the optional fields."""
    data = {name: form.get(name, "") for name in FIELDS}
    for name in ("prescriber_id", "quantity", "last_filled_on", "supply_days", "controlled_schedule"):
        if not data[name].strip():
            data[name] = None
    if not data["refills_left"].strip():
        data["refills_left"] = 0
    return data


def _values(med) -> dict:
    return {name: ("" if getattr(med, name) is None else str(getattr(med, name))) for name in FIELDS}


@bp.get("")
@login_required
def index(patient_id: int):
    patient = load_patient(patient_id)
    section = meds.chart_medications(actor(), patient, page=request.args.get("page", type=parse_id) or 1)
    return render_template("medications/staff_list.html", patient=patient, section=section,
                           page_url=lambda n: url_for("staff_medications.index", patient_id=patient_id, page=n))


def _form(patient, errors, values, prescribers, med=None):
    action = (url_for("staff_medications.edit", patient_id=patient.id, medication_id=med.id) if med
              else url_for("staff_medications.add", patient_id=patient.id))
    return render_template("medications/staff_form.html", patient=patient, med=med, errors=errors, values=values,
                           prescribers=prescribers, schedules=SCHEDULES, action=action), (422 if errors else 200)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def add(patient_id: int):
    patient = load_patient(patient_id)
    errors: dict = {}
    if request.method == "POST":
        try:
            meds.add(actor(), patient, MedicationSchema().load(_input(request.form)))
            flash(_l("Medication added."), "success")
            return redirect(url_for("staff_medications.index", patient_id=patient_id))
        except (ValidationError, DomainError) as exc:
            if isinstance(exc, DomainError) and exc.status in (403, 404):
                raise
            errors = form_errors(exc)
    prescribers = meds.chart_medications(actor(), patient).prescribers
    values = request.form if request.method == "POST" else {"refills_left": "0"}
    return _form(patient, errors, values, prescribers)


@bp.route("/<int:medication_id>/edit", methods=["GET", "POST"])
@login_required
def edit(patient_id: int, medication_id: int):
    patient = load_patient(patient_id)
    med, prescribers = meds.staff_get(actor(), patient, medication_id)
    errors: dict = {}
    if request.method == "POST":
        try:
            meds.change(actor(), patient, medication_id, MedicationChangeSchema().load(_input(request.form)))
            flash(_l("Medication changed."), "success")
            return redirect(url_for("staff_medications.index", patient_id=patient_id))
        except (ValidationError, DomainError) as exc:
            if isinstance(exc, DomainError) and exc.status in (403, 404):
                raise
            errors = form_errors(exc)
    return _form(patient, errors, request.form if request.method == "POST" else _values(med), prescribers, med)


@bp.post("/<int:medication_id>/stop")
@login_required
def stop(patient_id: int, medication_id: int):
    meds.stop(actor(), load_patient(patient_id), medication_id)
    flash(_l("Medication stopped."), "success")
    return redirect(url_for("staff_medications.index", patient_id=patient_id))
