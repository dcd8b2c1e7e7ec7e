"""The price estimate tool (a visit type or chosen services) and saved estimates, for patients and caregivers
with the billing scope. The booking review shows the same estimate (portal/booking.py)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from hearth.errors import DomainError
from hearth.schemas.estimates import EstimateRequestSchema
from hearth.schemas.fields import parse_id
from hearth.services.estimates import saved
from hearth.services.estimates.labels import CATEGORY_LABELS, SOURCE_LABELS, notice
from portal.acting import current_person
from portal.helpers import actor, form_errors

bp = Blueprint("estimates", __name__, url_prefix="/estimates")
bp.add_app_template_global(CATEGORY_LABELS, "estimate_categories")
bp.add_app_template_global(SOURCE_LABELS, "estimate_sources")
bp.add_app_template_global(notice, "estimate_notice")


def _patient():
    person = current_person()
    if person is None:
        abort(404)
    return person.patient


def _tool(errors: dict, status: int = 200, form=None):
    options = saved.tool_options(actor(), _patient())
    return render_template("estimates/tool.html", options=options, errors=errors, form=form or {}), status


@bp.get("")
@login_required
def tool():
    """Price estimate: pick a kind of visit, or the services you expect."""
    return _tool({})


@bp.post("")
@login_required
def make():
    """Estimate the chosen visit type or services, save it, and show it."""
    choice = request.form.get("choice", "visit")
    services = []
    for raw in request.form.getlist("service")[:25]:
        try:
            services.append({"fee_item_id": parse_id(raw)})
        except ValueError:
            continue
    payload = {"visit_type_id": request.form.get("visit_type_id") or None} if choice == "visit" else {
        "services": services or None}
    try:
        data = EstimateRequestSchema().load({k: v for k, v in payload.items() if v is not None})
        if data.get("visit_type_id"):
            estimate = saved.estimate_visit_type(actor(), _patient(), data["visit_type_id"])
            if not estimate.has_services:
                return render_template("estimates/unpriced.html"), 200
        else:
            estimate = saved.estimate_services(actor(), _patient(), data["services"])
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        errors = form_errors(exc)
        if "services" in errors or "visit_type_id" in errors:
            errors = {"choice": errors.get("services", []) + errors.get("visit_type_id", [])}
        return _tool(errors, 422, request.form)
    return redirect(url_for("estimates.show", estimate_id=estimate.id))


@bp.get("/<int:estimate_id>")
@login_required
def show(estimate_id: int):
    """One saved estimate with its breakdown, date and what could change it."""
    estimate = saved.get_estimate(actor(), _patient(), estimate_id)
    return render_template("estimates/show.html", estimate=estimate)


@bp.get("/saved")
@login_required
def history():
    """Your saved estimates, newest first."""
    page = saved.list_estimates(actor(), _patient(), page=request.args.get("page", 1, type=parse_id) or 1)
    return render_template("estimates/history.html", page=page)
