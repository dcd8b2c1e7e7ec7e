"""Practice settings for admins: the fee schedule (services, prices, allowed amounts), the services each visit
type usually involves, and the CSV import in the CMS tall layout."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from hearth.errors import Forbidden, Invalid
from hearth.i18n import _l
from hearth.models import CodeType
from hearth.schemas.estimates import AllowedFormSchema, FeeItemFormSchema, VisitTypeServicesSchema
from hearth.schemas.fields import parse_id
from hearth.services import practice_settings
from hearth.services.estimates import csv_import, fee_schedule
from hearth.services.estimates.labels import CATEGORY_LABELS
from hearth.services.estimates.money import cents_to_dollars
from portal.helpers import actor, form_errors

bp = Blueprint("fee_schedule", __name__, url_prefix="/settings/fees")
ITEM_KEYS = ("code_type", "code", "description", "description_es", "category", "self_pay", "gross_charge")
CSV_MAX = 5 * 1024 * 1024


def _csv_upload_limit() -> None:
    """The CSV may be larger than MAX_CONTENT_LENGTH; set before CSRF protection reads the form."""
    if request.endpoint == "fee_schedule.import_csv":
        request.max_content_length = CSV_MAX + 64 * 1024


@bp.record_once
def _limit_first(state) -> None:
    state.app.before_request_funcs.setdefault(None, []).insert(0, _csv_upload_limit)


def _render(template: str, status: int = 200, **context):
    return render_template(f"estimates/{template}", categories=CATEGORY_LABELS, code_types=[c.value for c in CodeType],
                           **context), status


def _index(practice_id: int | None, errors: dict | None = None, status: int = 200):
    practices = practice_settings.admin_practices(actor())
    if practice_id is None:
        if not practices:
            raise Forbidden()
        practice_id = practices[0].id
    view = fee_schedule.fee_schedule(actor(), practice_id)
    return _render("fee_schedule.html", status, view=view, practices=practices, practice_id=practice_id,
                   errors=errors or {})


@bp.get("")
@login_required
def index():
    """The fee schedule, the visit types' usual services, and the CSV import."""
    return _index(request.args.get("practice", type=parse_id))


@bp.post("/<int:practice_id>/import")
@login_required
def import_csv(practice_id: int):
    """Import a CMS standard-charges CSV: all rows or none, bad rows named by line."""
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            message = str(_l("Choose a CSV file."))
            raise Invalid(message, fields={"file": [message]})
        result = csv_import.import_fee_schedule(actor(), practice_id, upload.read(CSV_MAX + 1))
    except Invalid as exc:
        return _index(practice_id, form_errors(exc), 422)
    flash(_l("Imported: %(added)s new services, %(updated)s updated, %(allowed)s allowed amounts.",
             added=result.added, updated=result.updated, allowed=result.allowed), "success")
    return redirect(url_for("fee_schedule.index", practice=practice_id))


def _item_values(item) -> dict:
    if item is None:
        return {"code_type": "CPT", "category": "office_visit"}
    return {"code_type": item.code_type.value, "code": item.code, "description": item.description,
            "description_es": ((item.translations or {}).get("es") or {}).get("description", ""),
            "category": item.category.value, "self_pay": cents_to_dollars(item.self_pay_cents),
            "gross_charge": cents_to_dollars(item.gross_charge_cents)}


@bp.route("/<int:practice_id>/items/new", methods=["GET", "POST"], defaults={"item_id": None})
@bp.route("/<int:practice_id>/items/<int:item_id>", methods=["GET", "POST"])
@login_required
def item(practice_id: int, item_id: int | None):
    """Add or change a service: code, plain-language description (English and Spanish), category, prices."""
    errors: dict = {}
    current = fee_schedule.get_item(actor(), practice_id, item_id) if item_id else None
    if current is None:
        fee_schedule.fee_schedule(actor(), practice_id)  # the admin check, before showing an empty form
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in ITEM_KEYS}
        try:
            data = FeeItemFormSchema().load(form)
            saved = fee_schedule.save_item(actor(), practice_id, data, item_id)
            flash(_l("Service saved."), "success")
            return redirect(url_for("fee_schedule.item", practice_id=practice_id, item_id=saved.id))
        except (ValidationError, Invalid) as exc:
            errors = form_errors(exc)
            errors = {{"self_pay_cents": "self_pay", "gross_charge_cents": "gross_charge"}.get(k, k): v
                      for k, v in errors.items()}
        values = form
    else:
        values = _item_values(current)
    return _render("fee_item.html", 422 if errors else 200, item=current, values=values, errors=errors,
                   practice_id=practice_id, allowed_errors={}, allowed_values={})


@bp.post("/<int:practice_id>/items/<int:item_id>/delete")
@login_required
def delete_item(practice_id: int, item_id: int):
    """Remove a service from the fee schedule."""
    fee_schedule.delete_item(actor(), practice_id, item_id)
    flash(_l("Service removed."), "success")
    return redirect(url_for("fee_schedule.index", practice=practice_id))


@bp.post("/<int:practice_id>/items/<int:item_id>/allowed")
@login_required
def add_allowed(practice_id: int, item_id: int):
    """Set what one payer (and plan) allows for the service."""
    form = {k: request.form.get(k, "") for k in ("payer_name", "plan_name", "allowed")}
    try:
        data = AllowedFormSchema().load(form)
        fee_schedule.save_allowed(actor(), practice_id, item_id, data["payer_name"], data.get("plan_name"),
                                  data["allowed_cents"])
    except (ValidationError, Invalid) as exc:
        current = fee_schedule.get_item(actor(), practice_id, item_id)
        errors = {("allowed" if k == "allowed_cents" else k): v for k, v in form_errors(exc).items()}
        return _render("fee_item.html", 422, item=current, values=_item_values(current), errors={},
                       practice_id=practice_id, allowed_errors=errors, allowed_values=form)
    flash(_l("Allowed amount saved."), "success")
    return redirect(url_for("fee_schedule.item", practice_id=practice_id, item_id=item_id))


@bp.post("/<int:practice_id>/items/<int:item_id>/allowed/<int:allowed_id>/delete")
@login_required
def delete_allowed(practice_id: int, item_id: int, allowed_id: int):
    """Remove one payer's allowed amount."""
    fee_schedule.delete_allowed(actor(), practice_id, item_id, allowed_id)
    flash(_l("Allowed amount removed."), "success")
    return redirect(url_for("fee_schedule.item", practice_id=practice_id, item_id=item_id))


@bp.route("/<int:practice_id>/visit-types/<int:visit_type_id>", methods=["GET", "POST"])
@login_required
def visit_type(practice_id: int, visit_type_id: int):
    """Choose the services a visit type usually involves, in order, with how many of each."""
    view = fee_schedule.fee_schedule(actor(), practice_id)
    chosen = next((vt for vt in view.visit_types if vt.id == visit_type_id), None)
    if chosen is None:
        abort(404)
    errors: dict = {}
    if request.method == "POST":
        services = []
        for item in view.items:
            if request.form.get(f"use_{item.id}") == "1":
                services.append({"fee_item_id": item.id, "quantity": request.form.get(f"qty_{item.id}") or 1})
        try:
            data = VisitTypeServicesSchema().load({"services": services})
            fee_schedule.set_visit_type_services(actor(), practice_id, visit_type_id, data["services"])
            flash(_l("Services saved."), "success")
            return redirect(url_for("fee_schedule.index", practice=practice_id))
        except (ValidationError, Invalid) as exc:
            errors = form_errors(exc)
    current = {s.fee_item_id: s.quantity for s in view.services.get(visit_type_id, [])}
    return _render("fee_visit_type.html", 422 if errors else 200, view=view, visit_type=chosen, current=current,
                   errors=errors, practice_id=practice_id)
