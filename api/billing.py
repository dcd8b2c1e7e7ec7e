"""/api/v1 statements and payments: read statements (JSON, PDF), pay (Checkout Session for a browser,
PaymentIntent client secret for the app), receipts; staff post charges, EOBs, statements and refunds.

Amounts are integer cents (USD). Paying never marks anything paid here: the signed Stripe webhook
(/api/v1/stripe/webhook) and the reconcile job do, from Stripe's state.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Response, current_app, request, url_for
from flask_babel import format_date

from api.blueprint import Blueprint
from api.financing import offers_url
from api.security import BEARER, actor, token_required
from hearth.errors import NotFound
from hearth.schemas.billing import (
    AmountSchema,
    ChargeInSchema,
    ChargeOutSchema,
    CheckoutSchema,
    FeeChargesInSchema,
    FeeChoiceSchema,
    InsuranceInSchema,
    InsuranceOutSchema,
    IntentSchema,
    PaymentOutSchema,
    PlanInSchema,
    PlanOutSchema,
    RefundInSchema,
    RefundOutSchema,
    StatementSchema,
    StatementSummarySchema,
)
from hearth.services.billing import fee_charges, ledger, payments, pdf, plans, refunds, statements
from hearth.services.billing.stripe_gateway import StripeGateway, enabled

blp = Blueprint("api_billing", __name__, url_prefix="/api/v1", description="Statements, payments and receipts")


def _gateway() -> StripeGateway | None:
    return StripeGateway.from_config(current_app.config)


def _view(view):
    """The statement for the app, with the dispute notice in the reader's language and where to find the
    financing offers for the balance (None when no offer's minimum is reached)."""
    st = view.statement
    day = lambda d: format_date(d, "long")  # noqa: E731
    over = [{**asdict(item), "excess_cents": item.excess_cents, "notice": statements.dispute_notice(item, day)}
            for item in view.over_estimate]
    return {"statement": st, "practice_name": view.practice_name, "totals": view.totals,
            "balance_cents": view.balance_cents, "visits": view.visits, "payments": view.payments,
            "online_payment": enabled(current_app.config), "over_estimate": over,
            "financing_offers_url": offers_url(st.patient_id, st.practice_id, view.balance_cents, "statement")}


@blp.route("/patients/<int:patient_id>/statements", methods=["GET"])
@blp.response(200, StatementSummarySchema(many=True))
@blp.alt_response(404, description="No such patient, or no billing access")
@blp.doc(security=BEARER)
@token_required
def list_statements(patient_id: int):
    """The patient's statements, newest first, with their balances (caregivers need the billing scope)."""
    return statements.list_for(actor(), patient_id)


@blp.route("/statements/<int:statement_id>", methods=["GET"])
@blp.response(200, StatementSchema)
@blp.alt_response(404, description="No such statement, or no billing access")
@blp.doc(security=BEARER)
@token_required
def get_statement(statement_id: int):
    """One statement: each visit and line, what insurance paid and why the rest is owed, the balance."""
    return _view(statements.statement_for(actor(), statement_id))


@blp.route("/statements/<int:statement_id>/pdf", methods=["GET"])
@blp.alt_response(404, description="No such statement, or no billing access")
@blp.doc(security=BEARER, parameters=[{"in": "query", "name": "lang", "schema": {"type": "string",
                                                                               "enum": ["en", "es"]}}],
         responses={"200": {"description": "The statement PDF",
                            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
@token_required
def get_statement_pdf(statement_id: int):
    """The statement as a PDF, in English or Spanish (`lang`, else the account's language)."""
    view = statements.statement_for(actor(), statement_id, "download")
    lang = request.args.get("lang") or actor().locale
    data = pdf.render(view, lang, online=enabled(current_app.config))
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="statement-{view.statement.code}.pdf"'})


@blp.route("/statements/<int:statement_id>/checkout-session", methods=["POST"])
@blp.arguments(AmountSchema)
@blp.response(201, CheckoutSchema)
@blp.alt_response(409, description="Online payment is off, or the statement is paid")
@blp.alt_response(503, description="Stripe could not be reached; nothing was charged")
@blp.doc(security=BEARER)
@token_required
def create_checkout_session(data, statement_id: int):
    """A Stripe Checkout Session for a full or partial amount (50 cents up to the balance)."""
    return payments.start_checkout(
        actor(), statement_id, data["amount_cents"], _gateway(),
        success_url=url_for("billing.paid", statement_id=statement_id, _external=True),
        cancel_url=url_for("billing.statement", statement_id=statement_id, _external=True))


@blp.route("/statements/<int:statement_id>/payment-intent", methods=["POST"])
@blp.arguments(AmountSchema)
@blp.response(201, IntentSchema)
@blp.alt_response(409, description="Online payment is off, or the statement is paid")
@blp.alt_response(503, description="Stripe could not be reached; nothing was charged")
@blp.doc(security=BEARER)
@token_required
def create_payment_intent(data, statement_id: int):
    """A PaymentIntent's client secret for the app to confirm with the Stripe SDK (card data stays with Stripe)."""
    return payments.start_intent(actor(), statement_id, data["amount_cents"], _gateway())


@blp.route("/patients/<int:patient_id>/receipts", methods=["GET"])
@blp.response(200, PaymentOutSchema(many=True))
@blp.doc(security=BEARER)
@token_required
def list_receipts(patient_id: int):
    """Payments received from the patient, newest first."""
    return payments.receipts_for(actor(), patient_id)


@blp.route("/patients/<int:patient_id>/charges", methods=["POST"])
@blp.arguments(ChargeInSchema)
@blp.response(201, ChargeOutSchema)
@blp.alt_response(403, description="Not front-desk or admin staff")
@blp.alt_response(409, description="The visit is not completed")
@blp.doc(security=BEARER)
@token_required
def post_charge(data, patient_id: int):
    """Staff: post a charge (CPT/HCPCS code, plain description, cents) for a completed visit by free entry:
    only while the practice has no fee schedule (then use `/fee-charges`; 422 otherwise)."""
    return ledger.post_charge(actor(), patient_id, **data)


@blp.route("/patients/<int:patient_id>/fee-choices", methods=["GET"])
@blp.response(200, FeeChoiceSchema(many=True))
@blp.alt_response(403, description="Not front-desk or admin staff")
@blp.doc(security=BEARER)
@token_required
def list_fee_choices(patient_id: int):
    """Staff: the practice's fee-schedule services priced for this patient (with her payer's allowed amount)."""
    return fee_charges.choices(actor(), patient_id)


@blp.route("/patients/<int:patient_id>/fee-charges", methods=["POST"])
@blp.arguments(FeeChargesInSchema)
@blp.response(201, ChargeOutSchema(many=True))
@blp.alt_response(403, description="Not front-desk or admin staff")
@blp.alt_response(409, description="The visit is not completed")
@blp.doc(security=BEARER)
@token_required
def post_fee_charges(data, patient_id: int):
    """Staff: post a completed visit's charges from the fee schedule (code, description and price come from it).

    Once a practice has a fee schedule, `POST /patients/{id}/charges` (free entry) is refused with 422."""
    return fee_charges.post(actor(), patient_id, appointment_id=data["appointment_id"], items=data["items"])


@blp.route("/patients/<int:patient_id>/charges/<int:charge_id>/insurance", methods=["POST"])
@blp.arguments(InsuranceInSchema)
@blp.response(201, InsuranceOutSchema)
@blp.alt_response(403, description="Not front-desk or admin staff")
@blp.alt_response(409, description="The charge already has an insurance payment")
@blp.doc(security=BEARER)
@token_required
def post_insurance(data, patient_id: int, charge_id: int):
    """Staff: post the payer's EOB for a charge (paid + deductible + coinsurance + copay = allowed)."""
    return ledger.post_insurance(actor(), patient_id, charge_id, **data)


@blp.route("/patients/<int:patient_id>/statements", methods=["POST"])
@blp.response(201, StatementSummarySchema)
@blp.alt_response(403, description="Not front-desk or admin staff")
@blp.alt_response(409, description="No unbilled charges")
@blp.doc(security=BEARER)
@token_required
def issue_statement(patient_id: int):
    """Staff: put the unbilled charges on a new statement and notify the patient."""
    statement = statements.issue(actor(), patient_id)
    return statements.Summary(statement, ledger.totals(statement.id).balance)


@blp.route("/statements/<int:statement_id>/refunds", methods=["POST"])
@blp.arguments(RefundInSchema)
@blp.response(201, RefundOutSchema)
@blp.alt_response(403, description="Not front-desk or admin staff")
@blp.alt_response(409, description="A card payment while online payment is off")
@blp.alt_response(503, description="Stripe could not be reached; nothing was refunded")
@blp.doc(security=BEARER)
@token_required
def refund_payment(data, statement_id: int):
    """Staff: refund all or part of a received payment (card payments through Stripe)."""
    return refunds.refund(actor(), statement_id, data["payment_id"], data["amount_cents"], _gateway(),
                          reason=data["reason"])


@blp.route("/statements/<int:statement_id>/payment-plan", methods=["POST"])
@blp.arguments(PlanInSchema)
@blp.response(201, PlanOutSchema)
@blp.alt_response(409, description="Online payment is off, or the bill already has a plan")
@blp.alt_response(503, description="Stripe could not be reached")
@blp.doc(security=BEARER)
@token_required
def create_payment_plan(data, statement_id: int):
    """Split the balance over 3–12 months (within the practice's minimum); open `setup_url` to save a card."""
    return plans.start(actor(), statement_id, data["months"], _gateway(),
                       success_url=url_for("billing.paid", statement_id=statement_id, plan=1, _external=True),
                       cancel_url=url_for("billing.statement", statement_id=statement_id, _external=True))


@blp.route("/statements/<int:statement_id>/payment-plan", methods=["GET"])
@blp.response(200, PlanOutSchema)
@blp.alt_response(404, description="No such statement, no access, or no plan")
@blp.doc(security=BEARER)
@token_required
def get_payment_plan(statement_id: int):
    """The statement's payment plan and where it stands."""
    statements.statement_for(actor(), statement_id)
    plan = plans.current(statement_id)
    if plan is None:
        raise NotFound()
    return plan
