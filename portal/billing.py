"""The patient's (or a caregiver's with the billing scope) statements, payment through Stripe Checkout,
the PDF, and receipts.

Coming back from Checkout shows "we are confirming your payment": only the signed webhook (or the
reconcile job) marks a payment received.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_login import login_required

from hearth.errors import Conflict, DomainError, Invalid, NotFound
from hearth.services.billing import payments, pdf, plans, statements
from hearth.services.billing.money import parse_dollars
from hearth.services.billing.stripe_gateway import StripeGateway, enabled
from portal.acting import current_person
from portal.helpers import actor, form_errors

bp = Blueprint("billing", __name__, url_prefix="/billing")


def _person_id() -> int:
    person = current_person()
    if person is None:
        raise NotFound()
    return person.patient.id


@bp.get("")
@login_required
def index():
    """The statements of the person acted for, newest first, with what is still owed."""
    summaries = statements.list_for(actor(), _person_id())
    return render_template("billing/index.html", summaries=summaries, person=current_person(),
                           balance_cents=sum(max(s.balance_cents, 0) for s in summaries))


def _statement_page(statement_id: int, *, errors: dict | None = None, amount: str | None = None, status: int = 200):
    view = statements.statement_for(actor(), statement_id)
    online = enabled(current_app.config)
    plan = plans.current(statement_id)
    plan_options = [] if plan or not online or view.balance_cents <= 0 else plans.options(
        view.balance_cents, plans.settings_for(view.statement.practice_id))
    return render_template(
        "billing/statement.html", view=view, online=online, errors=errors or {}, plan=plan,
        dispute_notice=lambda item: statements.dispute_notice(item, lambda d: format_date(d, "long")),
        plan_options=plan_options,
        amount=amount if amount is not None else f"{max(view.balance_cents, 0) / 100:.2f}",
        how_to_pay=pdf.how_to_pay(view, online)), status


@bp.get("/statements/<int:statement_id>")
@login_required
def statement(statement_id: int):
    """One statement explained line by line, with the pay form (when online payment is set up)."""
    return _statement_page(statement_id)


@bp.post("/statements/<int:statement_id>/pay")
@login_required
def pay(statement_id: int):
    """Start a Checkout Session for the amount typed and send the payer to Stripe."""
    typed = request.form.get("amount", "")
    try:
        cents = parse_dollars(typed, "amount")
        attempt = payments.start_checkout(
            actor(), statement_id, cents, StripeGateway.from_config(current_app.config),
            success_url=url_for("billing.paid", statement_id=statement_id, _external=True),
            cancel_url=url_for("billing.statement", statement_id=statement_id, _external=True))
    except (Invalid, Conflict, payments.PaymentUnavailable) as exc:
        errors = {"amount": [str(m) for v in exc.fields.values() for m in v]} if exc.fields else form_errors(exc)
        return _statement_page(statement_id, errors=errors, amount=typed, status=422 if exc.fields else exc.status)
    return redirect(attempt.checkout_url, code=303)


@bp.post("/statements/<int:statement_id>/plan")
@login_required
def start_plan(statement_id: int):
    """Start a payment plan: the payer saves a card with Stripe (setup mode); nothing is charged there."""
    try:
        plan = plans.start(actor(), statement_id, request.form.get("months", type=int) or 0,
                           StripeGateway.from_config(current_app.config),
                           success_url=url_for("billing.paid", statement_id=statement_id, plan=1, _external=True),
                           cancel_url=url_for("billing.statement", statement_id=statement_id, _external=True))
    except (Invalid, Conflict, payments.PaymentUnavailable) as exc:
        return _statement_page(statement_id, errors={"months": [str(exc.message)]}, status=exc.status)
    return redirect(plan.setup_url, code=303)


@bp.get("/statements/<int:statement_id>/paid")
@login_required
def paid(statement_id: int):
    """Back from Checkout: thank the payer; the receipt follows once Stripe confirms (never marked here)."""
    view = statements.statement_for(actor(), statement_id)
    return render_template("billing/paid.html", view=view, plan=request.args.get("plan") == "1")


@bp.get("/statements/<int:statement_id>/statement.pdf")
@login_required
def statement_pdf(statement_id: int):
    """The statement as a PDF in the page's language (or `?lang=es`)."""
    view = statements.statement_for(actor(), statement_id, "download")
    lang = request.args.get("lang") or str(get_locale() or "en")
    data = pdf.render(view, lang, online=enabled(current_app.config))
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="statement-{view.statement.code}.pdf"'})


@bp.get("/receipts")
@login_required
def receipts():
    """Payments received, newest first."""
    return render_template("billing/receipts.html", receipts=payments.receipts_for(actor(), _person_id()))


@bp.get("/receipts/<int:payment_id>")
@login_required
def receipt(payment_id: int):
    """One receipt: amount, date, how it was paid, the statement it went to."""
    try:
        payment = payments.receipt(actor(), payment_id)
    except DomainError:
        raise NotFound() from None
    return render_template("billing/receipt.html", payment=payment)
