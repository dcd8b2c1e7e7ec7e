"""Statements and payments: what the API returns and accepts (amounts are integer cents, USD)."""

from __future__ import annotations

from marshmallow import validate

from hearth.schemas import fields
from hearth.schemas.base import Schema
from hearth.services.billing.money import MAX_CENTS

Cents = lambda **kw: fields.Integer(validate=validate.Range(min=0, max=MAX_CENTS), **kw)  # noqa: E731


class AmountSchema(Schema):
    """An amount to pay: whole cents, $0.50 up to the balance (checked by the service)."""

    amount_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_CENTS),
                                  metadata={"description": "Whole cents, at least 50 and at most the balance."})


class LineSchema(Schema):
    charge_id = fields.Integer()
    service_date = fields.Date()
    code = fields.String()
    description = fields.String()
    charge_cents = Cents()
    insurance_paid_cents = Cents()
    adjustment_cents = Cents()
    patient_cents = fields.Integer()
    reasons = fields.List(fields.String(), metadata={"description": "Why the patient owes her share, in words."})


class VisitSchema(Schema):
    service_date = fields.Date()
    lines = fields.List(fields.Nested(LineSchema))


class PaymentOutSchema(Schema):
    id = fields.Integer()
    receipt_number = fields.String()
    amount_cents = Cents()
    method = fields.String()
    paid_at = fields.DateTime(allow_none=True)
    statement_id = fields.Integer()


class StatementSummarySchema(Schema):
    id = fields.Integer(attribute="statement.id")
    code = fields.String(attribute="statement.code")
    issued_on = fields.Date(attribute="statement.issued_on")
    due_on = fields.Date(attribute="statement.due_on")
    balance_cents = fields.Integer()


class OverEstimateSchema(Schema):
    service_date = fields.Date()
    billed_cents = fields.Integer()
    estimate_cents = fields.Integer()
    excess_cents = fields.Integer()
    dispute_by = fields.Date(metadata={"description": "Last day to start patient-provider dispute resolution"})
    notice = fields.List(fields.String(), metadata={
        "description": "The right to dispute in plain words, in the reader's language: the amounts, the 120-day "
                       "deadline and where to start. Show every sentence."})


class StatementSchema(Schema):
    id = fields.Integer(attribute="statement.id")
    patient_id = fields.Integer(attribute="statement.patient_id")
    code = fields.String(attribute="statement.code")
    issued_on = fields.Date(attribute="statement.issued_on")
    due_on = fields.Date(attribute="statement.due_on")
    practice_name = fields.String()
    charges_cents = fields.Integer(attribute="totals.charges")
    insurance_paid_cents = fields.Integer(attribute="totals.insurance_paid")
    adjustments_cents = fields.Integer(attribute="totals.adjustments")
    paid_cents = fields.Integer(attribute="totals.patient_paid")
    refunded_cents = fields.Integer(attribute="totals.refunded")
    balance_cents = fields.Integer()
    visits = fields.List(fields.Nested(VisitSchema))
    payments = fields.List(fields.Nested(PaymentOutSchema))
    online_payment = fields.Boolean(metadata={"description": "False: pay by mail or phone instead."})
    over_estimate = fields.List(fields.Nested(OverEstimateSchema), metadata={
        "description": "Visits billed $400 or more above their Good Faith Estimate (the patient may dispute)"})
    financing_offers_url = fields.String(allow_none=True, metadata={
        "description": "GET it (with the bearer token) for financing offers for the balance "
                       "(`/patients/{id}/financing-offers?amount_cents=&place=statement`); null when no offer applies"})


class CheckoutSchema(Schema):
    payment_id = fields.Integer(attribute="payment.id")
    checkout_url = fields.String()


class IntentSchema(Schema):
    payment_id = fields.Integer(attribute="payment.id")
    client_secret = fields.String(metadata={"description": "Confirm it with the Stripe mobile SDK."})


class ChargeInSchema(Schema):
    appointment_id = fields.Id(required=True)
    code = fields.String(required=True, validate=validate.Length(min=1, max=10))
    description = fields.String(required=True, validate=validate.Length(min=1, max=200))
    amount_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_CENTS))


class ChargeOutSchema(Schema):
    id = fields.Integer()
    appointment_id = fields.Integer(allow_none=True)
    service_date = fields.Date()
    code = fields.String()
    description = fields.String()
    amount_cents = fields.Integer()


class InsuranceInSchema(Schema):
    payer = fields.String(required=True, validate=validate.Length(min=1, max=120))
    allowed_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_CENTS))
    paid_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_CENTS))
    deductible_cents = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=MAX_CENTS))
    coinsurance_cents = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=MAX_CENTS))
    copay_cents = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=MAX_CENTS))


class InsuranceOutSchema(Schema):
    id = fields.Integer()
    charge_id = fields.Integer()
    payer = fields.String()
    allowed_cents = fields.Integer()
    paid_cents = fields.Integer()
    adjustment_cents = fields.Integer()
    deductible_cents = fields.Integer()
    coinsurance_cents = fields.Integer()
    copay_cents = fields.Integer()


class RefundInSchema(Schema):
    payment_id = fields.Id(required=True)
    amount_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_CENTS))
    reason = fields.String(load_default="", validate=validate.Length(max=200))


class RefundOutSchema(Schema):
    id = fields.Integer()
    payment_id = fields.Integer()
    amount_cents = fields.Integer()
    status = fields.String()


class WebhookAckSchema(Schema):
    received = fields.Boolean()


class PlanInSchema(Schema):
    months = fields.Integer(required=True, strict=True, validate=validate.Range(min=3, max=12))


class PlanOutSchema(Schema):
    id = fields.Integer()
    statement_id = fields.Integer()
    status = fields.String()
    months = fields.Integer()
    monthly_cents = fields.Integer()
    total_cents = fields.Integer()
    charged_months = fields.Integer()
    next_charge_on = fields.Date(allow_none=True)
    setup_url = fields.String(allow_none=True, metadata={"description": "Stripe Checkout (setup mode) to save a card"})


class FeeChoiceSchema(Schema):
    """A fee-schedule service staff may bill, priced for this patient."""

    fee_item_id = fields.Integer()
    code = fields.String()
    description = fields.String(metadata={"description": "In the patient's language when the schedule has it"})
    category = fields.String()
    price_cents = fields.Integer(metadata={"description": "The charge per unit: self-pay price for self-pay or "
                                                          "uninsured patients, else the gross charge"})
    price_basis = fields.String(metadata={"description": "self_pay or gross"})
    allowed_cents = fields.Integer(allow_none=True, metadata={
        "description": "The patient's payer's contracted amount, when the fee schedule has it"})


class FeeChargeItemSchema(Schema):
    fee_item_id = fields.Id(required=True)
    quantity = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=20))


class FeeChargesInSchema(Schema):
    """Charges for a completed visit from the fee schedule: one per service, all or nothing."""

    appointment_id = fields.Id(required=True)
    items = fields.List(fields.Nested(FeeChargeItemSchema), required=True, validate=validate.Length(min=1, max=25))


class GuestLookupSchema(Schema):
    """Guest pay: the code printed on the statement and the patient's date of birth."""

    statement_code = fields.String(required=True, validate=validate.Length(min=1, max=20),
                                   metadata={"description": "As printed, e.g. ABCD-2345 (case and spaces ignored)."})
    date_of_birth = fields.Date(required=True)


class GuestStatementSchema(Schema):
    """All a guest ever sees: the amount due, the practice and the statement date, plus the token to pay."""

    amount_due_cents = fields.Integer(attribute="balance_cents")
    practice_name = fields.String()
    statement_date = fields.Date(attribute="issued_on")
    guest_token = fields.String(metadata={"description": "Signed, bound to this one statement, good for "
                                                         "`expires_in` seconds."})
    expires_in = fields.Integer()


class GuestPaySchema(AmountSchema):
    """A guest's payment: the token from the lookup and whole cents, $0.50 up to the amount due."""

    guest_token = fields.String(required=True, validate=validate.Length(min=1, max=500))
