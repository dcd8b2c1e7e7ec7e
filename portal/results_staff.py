"""The care team's results pages: a patient's results, record / correct / comment, and the list of results
waiting for a clinician's comment. Times are typed in the staff member's own zone."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import EXCLUDE, ValidationError

from hearth.errors import DomainError
from hearth.i18n import _l
from hearth.models import ResultCategory
from hearth.schemas.fields import parse_id
from hearth.schemas.results import FLAG_CODES, ResultCommentSchema, ResultCorrectionSchema, ResultInputSchema
from hearth.services import patients
from hearth.services.results import reading, recording, staff
from hearth.services.results.chart import number
from portal.formatting import viewer_zone
from portal.helpers import actor, form_errors

bp = Blueprint("results_staff", __name__, url_prefix="/staff")
ROWS = 6  # observation rows on the form; "More rows" adds six
MAX_ROWS = 60
OBS_FIELDS = ("name", "loinc_code", "value_quantity", "unit", "value_string", "range_low", "range_high",
              "range_text", "interpretation")
TOP_FIELDS = ("category", "name", "loinc_code", "status", "performer", "ordering_provider_id", "comment",
              "client_key", "reason", "version")
ITEM = "/patients/<int:patient_id>/results/<int:report_id>"


def _moment(text: str | None) -> str | None:
    """A datetime-local value typed in the viewer's zone, as an ISO time with its offset (None if blank)."""
    if not text:
        return None
    try:
        local = datetime.fromisoformat(text.strip())
    except ValueError:
        return text  # the schema says what is wrong
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(viewer_zone()))
    return local.isoformat()


def _rows(form) -> int:
    return min(max(form.get("rows", type=int) or ROWS, ROWS), MAX_ROWS)


def form_input(form) -> tuple[dict, list[int]]:
    """The form as the schema's input, and which form row each observation came from."""
    data = {k: form.get(k) for k in TOP_FIELDS if form.get(k) not in (None, "")}
    for key in ("effective_at", "issued_at"):
        data[key] = _moment(form.get(key))
    observations, used = [], []
    for i in range(_rows(form)):
        row = {f: form.get(f"obs-{i}-{f}") for f in OBS_FIELDS}
        if any((v or "").strip() for v in row.values()):
            observations.append({k: v for k, v in row.items() if v not in (None, "")})
            used.append(i)
    data["observations"] = observations
    return data, used


def _errors(exc, used: list[int]) -> dict:
    """Field errors keyed by form input names (an observation's error on its own row's field)."""
    if isinstance(exc, ValidationError) and isinstance(exc.messages, dict):
        messages = dict(exc.messages)
        nested = messages.pop("observations", None)
        errors = form_errors(ValidationError(messages)) if messages else {}
        if isinstance(nested, dict):
            for index, fields in nested.items():
                row = used[index] if isinstance(index, int) and index < len(used) else 0
                for name, msgs in (fields.items() if isinstance(fields, dict) else [("name", fields)]):
                    errors[f"obs-{row}-{name}"] = [str(m) for m in msgs]
        elif nested:
            errors["obs-0-name"] = [str(m) for m in nested]
        return errors
    return form_errors(exc)


def _values_of(view: reading.ReportView) -> dict:
    """A correction form filled with the current version."""
    r, zone = view.report, ZoneInfo(viewer_zone())
    values = {"category": r.category.value, "name": r.name, "loinc_code": r.loinc_code or "",
              "performer": r.performer or "", "ordering_provider_id": r.ordering_provider_id or "",
              "effective_at": r.effective_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
              "issued_at": r.issued_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"), "version": r.version}
    for i, o in enumerate(view.observations):
        for f in OBS_FIELDS:
            value = getattr(o, f)
            if f in ("value_quantity", "range_low", "range_high"):
                value = number(value, "en").replace(",", "") if value is not None else ""
            values[f"obs-{i}-{f}"] = getattr(value, "value", value) or ""
    values["rows"] = max(ROWS, len(view.observations))
    return values


def _form_page(patient_id: int, *, view=None, values=None, errors=None, status=200):
    chart = patients.chart(actor(), patient_id)
    rows = min(max(int((values or {}).get("rows") or ROWS), ROWS), MAX_ROWS)
    providers = staff.ordering_choices(actor(), chart.patient.practice_id)
    return render_template("results/staff_form.html", chart=chart, view=view, values=values or {}, providers=providers,
                           errors=errors or {}, rows=rows, categories=list(ResultCategory), flags=FLAG_CODES,
                           zone=viewer_zone()), status


@bp.get("/patients/<int:patient_id>/results")
@login_required
def patient_results(patient_id: int):
    """A patient's results for her care team, released or not, with who of her side opened each."""
    page = request.args.get("page", type=parse_id) or 1
    found = staff.patient_results(actor(), patient_id, page=page)
    return render_template("results/staff_list.html", found=found, pg=found.page,
                           page_url=lambda n: url_for("results_staff.patient_results", patient_id=patient_id, page=n))


@bp.route("/patients/<int:patient_id>/results/new", methods=["GET", "POST"])
@login_required
def record(patient_id: int):
    """Record a report with its values; released to the patient at once unless she waits for a comment."""
    if request.method == "GET":
        rows = request.args.get("rows", type=parse_id) or ROWS
        return _form_page(patient_id, values={"client_key": uuid.uuid4().hex, "status": "final", "rows": rows})
    data, used = form_input(request.form)
    try:
        report = recording.record(actor(), patient_id, ResultInputSchema().load(data))
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        return _form_page(patient_id, values=request.form, errors=_errors(exc, used), status=422)
    flash(_l("The result is saved.") if report.released_at is None
          else _l("The result is saved and the patient can see it now."), "success")
    return redirect(url_for("results_staff.report", patient_id=patient_id, report_id=report.id))


@bp.get(ITEM)
@login_required
def report(patient_id: int, report_id: int):
    """One report for the care team: values, comment form, who viewed it and when, earlier versions."""
    view = reading.report_for_staff(actor(), patient_id, report_id)
    views = staff.views_of({patient_id}, [report_id])[report_id]
    return render_template("results/staff_report.html", view=view, report=view.report, views=views,
                           patient_id=patient_id, errors={}, values={})


@bp.post(ITEM + "/comment")
@login_required
def comment(patient_id: int, report_id: int):
    """A clinician's plain-language comment; releases a result the patient chose to see after one."""
    try:
        recording.comment(actor(), patient_id, report_id, ResultCommentSchema().load(
            {"comment": request.form.get("comment", "")})["comment"])
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        view = reading.report_for_staff(actor(), patient_id, report_id)
        views = staff.views_of({patient_id}, [report_id])[report_id]
        return render_template("results/staff_report.html", view=view, report=view.report, views=views,
                               patient_id=patient_id, errors=form_errors(exc), values=request.form), 422
    flash(_l("Your comment is saved. The patient can read it with the result."), "success")
    return redirect(url_for("results_staff.report", patient_id=patient_id, report_id=report_id))


@bp.route(ITEM + "/correct", methods=["GET", "POST"])
@login_required
def correct(patient_id: int, report_id: int):
    """Correct a report: a new version; the earlier one stays in its history."""
    if request.method == "GET":
        view = reading.report_for_staff(actor(), patient_id, report_id)
        return _form_page(patient_id, view=view, values=_values_of(view))
    data, used = form_input(request.form)
    try:
        clean = ResultCorrectionSchema().load(data, unknown=EXCLUDE)
        recording.correct(actor(), patient_id, report_id, clean, expected_version=clean["version"],
                          reason=clean["reason"])
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        view = reading.report_for_staff(actor(), patient_id, report_id)
        return _form_page(patient_id, view=view, values=request.form, errors=_errors(exc, used), status=422)
    flash(_l("The correction is saved. The earlier version is kept."), "success")
    return redirect(url_for("results_staff.report", patient_id=patient_id, report_id=report_id))


@bp.get("/results/awaiting")
@login_required
def awaiting():
    """Results waiting for a clinician's comment at the user's practice, oldest first."""
    practices = patients.staff_practices(actor())
    wanted = request.args.get("practice", type=parse_id)
    practice = next((p for p in practices if p.id == wanted), practices[0] if practices else None)
    if practice is None:
        from hearth.errors import Forbidden

        raise Forbidden()
    page = request.args.get("page", type=parse_id) or 1
    pg = staff.awaiting_comment(actor(), practice.id, page=page)
    return render_template("results/staff_awaiting.html", pg=pg, practice=practice, practices=practices,
                           page_url=lambda n: url_for("results_staff.awaiting", practice=practice.id, page=n))


@bp.route("/results/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Admins choose the result categories kept from a teen's guardians unless she agrees."""
    practices = patients.staff_practices(actor())
    wanted = request.values.get("practice", type=parse_id)
    practice = next((p for p in practices if p.id == wanted), practices[0] if practices else None)
    if practice is None:
        from hearth.errors import Forbidden

        raise Forbidden()
    if request.method == "POST":
        staff.set_confidential(actor(), practice.id, request.form.getlist("confidential"))
        flash(_l("Saved. Guardians of teens see these kinds of results only with the teen's consent."), "success")
        return redirect(url_for("results_staff.settings", practice=practice.id))
    chosen = staff.confidential_settings(actor(), practice.id)
    return render_template("results/staff_settings.html", practice=practice, chosen=chosen,
                           categories=list(ResultCategory))
