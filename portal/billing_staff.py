"""Staff billing pages for one patient: post charges and EOBs, issue a statement, take a mail or desk
payment, refund (full or partial) from a statement."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hearth import db
from hearth.errors import DomainError
from hearth.i18n import _l
from hearth.models import Appointment, Charge, PaymentMethod, Statement
from hearth.schemas.fields import parse_id
from hearth.services.billing import fee_charges, ledger, payments, refunds, statements
from hearth.services.billing.money import parse_dollars
from hearth.services.billing.stripe_gateway import StripeGateway
from portal.helpers import actor, form_errors

bp = Blueprint("billing_staff", __name__, url_prefix="/staff/patients/<int:patient_id>/billing")


def _cents(name: str, *, zero: bool = False) -> int:
    text = (request.form.get(name) or "").strip()
    if zero and text in ("", "0"):
        return 0
    return parse_dollars(text, name)


def _page(patient_id: int, errors: dict | None = None, status: int = 200):
    patient = ledger.staff_patient(actor(), patient_id, "view", "billing")
    visits = db.session.scalars(select(Appointment).where(Appointment.patient_id == patient_id,
                                                          Appointment.status.in_(ledger.BILLABLE))
                                .order_by(Appointment.starts_at.desc()).limit(20)).all()
    charges = db.session.scalars(select(Charge).where(Charge.patient_id == patient_id)
                                 .order_by(Charge.id.desc()).limit(50)).all()
    rows = db.session.scalars(select(Statement).where(Statement.patient_id == patient_id)
                              .options(selectinload(Statement.payments))  # the page lists each one's payments
                              .order_by(Statement.id.desc()).limit(20)).all()
    views = [statements.build_view(s) for s in rows]
    return render_template("billing/staff.html", patient=patient, visits=visits, charges=charges, views=views,
                           fee_choices=fee_charges.choices(actor(), patient_id),
                           errors=errors or {}, form=request.form), status


@bp.get("")
@login_required
def index(patient_id: int):
    """The patient's charges, statements and payments, with the posting forms."""
    return _page(patient_id)


def _act(patient_id: int, fn, done: str):
    try:
        fn()
    except DomainError as exc:
        return _page(patient_id, form_errors(exc), exc.status if exc.status != 400 else 422)
    flash(done, "success")
    return redirect(url_for("billing_staff.index", patient_id=patient_id), code=303)


@bp.post("/charges")
@login_required
def post_charge(patient_id: int):
    return _act(patient_id, lambda: ledger.post_charge(
        actor(), patient_id, appointment_id=request.form.get("appointment_id", type=parse_id) or 0,
        code=request.form.get("code", "")[:10], description=request.form.get("description", "")[:200],
        amount_cents=_cents("amount")), str(_l("Charge posted.")))


@bp.post("/fee-charges")
@login_required
def post_fee_charges(patient_id: int):
    """The checked fee-schedule services (with their quantities) as charges for the chosen visit."""
    items = []
    for raw in request.form.getlist("fee_item_id")[:fee_charges.MAX_ITEMS + 1]:
        try:
            item_id = parse_id(raw)
        except ValueError:
            continue
        quantity = request.form.get(f"quantity-{item_id}", "1").strip() or "1"
        items.append({"fee_item_id": item_id,
                      "quantity": int(quantity) if quantity.isascii() and quantity.isdigit() and len(quantity) < 4
                      else 0})
    return _act(patient_id, lambda: fee_charges.post(
        actor(), patient_id, appointment_id=request.form.get("appointment_id", type=parse_id) or 0, items=items),
        str(_l("Charges posted.")))


@bp.post("/charges/<int:charge_id>/insurance")
@login_required
def post_insurance(patient_id: int, charge_id: int):
    return _act(patient_id, lambda: ledger.post_insurance(
        actor(), patient_id, charge_id, payer=request.form.get("payer", "")[:120],
        allowed_cents=_cents("allowed", zero=True), paid_cents=_cents("paid", zero=True),
        deductible_cents=_cents("deductible", zero=True), coinsurance_cents=_cents("coinsurance", zero=True),
        copay_cents=_cents("copay", zero=True)), str(_l("Insurance payment posted.")))


@bp.post("/statements")
@login_required
def issue(patient_id: int):
    return _act(patient_id, lambda: statements.issue(actor(), patient_id), str(_l("Statement issued.")))


@bp.post("/statements/<int:statement_id>/payments")
@login_required
def manual_payment(patient_id: int, statement_id: int):
    method = PaymentMethod.DESK if request.form.get("method") == "desk" else PaymentMethod.MAIL
    return _act(patient_id, lambda: payments.post_manual(actor(), patient_id, statement_id, _cents("amount"), method),
                str(_l("Payment recorded.")))


@bp.post("/statements/<int:statement_id>/refunds")
@login_required
def refund(patient_id: int, statement_id: int):
    return _act(patient_id, lambda: refunds.refund(
        actor(), statement_id, request.form.get("payment_id", type=parse_id) or 0, _cents("amount"),
        StripeGateway.from_config(current_app.config), reason=request.form.get("reason", "")[:200]),
        str(_l("Refund made.")))
