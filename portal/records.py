"""The record acted for: its profile (contact details) and who accessed it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from hearth import phones
from hearth.errors import Invalid, NotFound
from hearth.i18n import LANGUAGE_NAMES, _l
from hearth.models import CHANNELS, Patient
from hearth.schemas.patients import PageArgsSchema, ProfileUpdateSchema
from hearth.services import access_log, records
from portal.acting import current_person
from portal.helpers import actor, form_errors

bp = Blueprint("records", __name__, url_prefix="/records")

CHANNEL_LABELS = {"push": _l("App notification"), "email": _l("Email"), "sms": _l("Text message (SMS)")}
CHANNEL_SLOTS = 3


def channel_choices() -> list[tuple[str, str]]:
    return [(c, str(CHANNEL_LABELS[c])) for c in CHANNELS]


def language_choices() -> list[tuple[str, str]]:
    return list(LANGUAGE_NAMES.items())


def profile_input(form) -> dict:
    """The profile form as the schema expects it: the channel choices, in order, as one list."""
    channels = [form.get(f"channel_{i}", "") for i in range(1, CHANNEL_SLOTS + 1)]
    return {
        "phone": form.get("phone", ""),
        "email": form.get("email", ""),
        "address": form.get("address", ""),
        "preferred_language": form.get("preferred_language", ""),
        "preferred_channels": [c for c in channels if c],
    }


def form_values(patient: Patient, form=None) -> dict:
    """Values to show in the form: what was posted (kept on errors), else what is stored."""
    if form is not None:
        values = {k: form.get(k, "") for k in ("phone", "email", "address", "preferred_language")}
        values["channels"] = [form.get(f"channel_{i}", "") for i in range(1, CHANNEL_SLOTS + 1)]
        return values
    channels = patient.channels + [""] * CHANNEL_SLOTS
    return {"phone": phones.display(patient.phone, patient.practice.country), "email": patient.email,
            "address": patient.address, "preferred_language": patient.preferred_language,
            "channels": channels[:CHANNEL_SLOTS]}


def _person_id() -> int:
    person = current_person()
    if person is None:
        raise NotFound()
    return person.patient.id


@bp.get("/access-log", endpoint="access_log")
@login_required
def access_log_page():
    """Who accessed the record acted for: only the patient herself (reading it is audited)."""
    try:
        page = PageArgsSchema().load(request.args, unknown="exclude")["page"]
    except ValidationError:
        page = 1
    trail = access_log.patient_trail(actor(), _person_id(), page=page)
    return render_template("records/access_log.html", trail=trail, back_url=None,
                           page_url=lambda n: url_for("records.access_log", page=n))


@bp.get("/profile")
@login_required
def profile():
    """Demographics and contact details of the person acted for (audited)."""
    return render_template("records/profile.html", profile=records.profile(actor(), _person_id()),
                           channel_labels=CHANNEL_LABELS, language_names=LANGUAGE_NAMES)


@bp.route("/profile/edit", methods=["GET", "POST"])
@login_required
def edit_profile():
    """The patient changes her contact details and channels (caregivers may not: 403)."""
    patient_id = _person_id()
    errors: dict = {}
    if request.method == "POST":
        try:
            records.update_profile(actor(), patient_id, ProfileUpdateSchema().load(profile_input(request.form)))
            flash(_l("Your contact details were saved."), "success")
            return redirect(url_for("records.profile"))
        except (ValidationError, Invalid) as exc:
            errors = form_errors(exc)
    shown = records.profile(actor(), patient_id, for_edit=True)
    values = form_values(shown.patient, request.form if request.method == "POST" else None)
    return render_template("records/profile_form.html", profile=shown, values=values, errors=errors,
                           channels=channel_choices(), back_url=url_for("records.profile")), (422 if errors else 200)
