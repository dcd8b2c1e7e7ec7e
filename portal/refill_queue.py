"""The care team's refill queue: waiting requests oldest first with their age, and one request's answer page.

Approve (quantity and refills per medication), deny (a reason the patient reads) or "needs a visit"
(the patient is offered booking). The services check the role and audit; a request answered by
someone else meanwhile is said so, and nothing changes.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta
from flask_login import login_required
from marshmallow import ValidationError

from hearth.errors import DomainError, Forbidden
from hearth.i18n import _l
from hearth.policy import load_patient
from hearth.schemas.fields import parse_id
from hearth.schemas.medications import ApproveSchema, DenySchema
from hearth.services.medications import queue
from hearth.services.patients import staff_practices
from portal.helpers import actor, form_errors

bp = Blueprint("refill_queue", __name__, url_prefix="/staff/refills")


@bp.get("")
@login_required
def index():
    """The practice's waiting requests (the first practice of the user's unless `practice` is given)."""
    practices = staff_practices(actor())
    practice_id = request.args.get("practice", type=parse_id) or (practices[0].id if practices else None)
    if practice_id is None:
        raise Forbidden()
    page = queue.queue(actor(), practice_id, page=request.args.get("page", type=parse_id) or 1)
    practice = next((p for p in practices if p.id == practice_id), None)
    return render_template("medications/queue.html", listing=page, practice=practice, practices=practices,
                           age=lambda delta: format_timedelta(delta, threshold=1.0),
                           page_url=lambda n: url_for("refill_queue.index", practice=practice_id, page=n))


def _render_answer(patient_id: int, request_id: int, errors: dict | None = None, values=None):
    patient = load_patient(patient_id)
    found = queue.open_request(actor(), patient, request_id)
    return render_template("medications/answer.html", r=found, patient=patient, errors=errors or {},
                           values=values or {}), 422 if errors else 200


@bp.get("/patients/<int:patient_id>/requests/<int:request_id>")
@login_required
def answer(patient_id: int, request_id: int):
    return _render_answer(patient_id, request_id)


def _done(message, patient_id: int):
    flash(message, "success")
    practice_id = load_patient(patient_id).practice_id
    return redirect(url_for("refill_queue.index", practice=practice_id))


def _refused(exc: ValidationError | DomainError, patient_id: int, request_id: int):
    if isinstance(exc, DomainError) and exc.status in (403, 404):
        raise exc
    if isinstance(exc, DomainError) and exc.status == 409:
        flash(str(exc.message), "error")
        return redirect(url_for("refill_queue.answer", patient_id=patient_id, request_id=request_id))
    return _render_answer(patient_id, request_id, form_errors(exc), request.form)


def _lines(form) -> list[dict]:
    """`quantity-<medication id>` and `refills-<medication id>` fields as the approve schema's lines."""
    ids = {key.split("-", 1)[1] for key in form if key.startswith(("quantity-", "refills-"))}
    lines = []
    for med_id in sorted(ids):
        line = {"medication_id": med_id}
        for name in ("quantity", "refills"):
            value = form.get(f"{name}-{med_id}", "").strip()
            if value:
                line[name] = value
        lines.append(line)
    return lines


@bp.post("/patients/<int:patient_id>/requests/<int:request_id>/approve")
@login_required
def approve(patient_id: int, request_id: int):
    try:
        data = ApproveSchema().load({"lines": _lines(request.form)})
        queue.approve(actor(), load_patient(patient_id), request_id, data["amounts"])
    except (ValidationError, DomainError) as exc:
        return _refused(exc, patient_id, request_id)
    return _done(_l("Refill approved. The patient will be notified."), patient_id)


@bp.post("/patients/<int:patient_id>/requests/<int:request_id>/deny")
@login_required
def deny(patient_id: int, request_id: int):
    try:
        data = DenySchema().load({"reason": request.form.get("reason", "")})
        queue.deny(actor(), load_patient(patient_id), request_id, data["reason"])
    except (ValidationError, DomainError) as exc:
        return _refused(exc, patient_id, request_id)
    return _done(_l("Refill denied. The patient will see your reason."), patient_id)


@bp.post("/patients/<int:patient_id>/requests/<int:request_id>/needs-visit")
@login_required
def needs_visit(patient_id: int, request_id: int):
    try:
        queue.needs_visit(actor(), load_patient(patient_id), request_id)
    except DomainError as exc:
        return _refused(exc, patient_id, request_id)
    return _done(_l("The patient will be asked to book a visit."), patient_id)
