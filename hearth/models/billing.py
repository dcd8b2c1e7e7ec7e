"""The patient ledger: charges, the payer's explanation of benefits, statements, payments, refunds.

Money is integer cents everywhere (US dollars). A statement gathers the charges not yet billed; its
balance is always computed from the rows (charges − insurance paid − adjustments − payments +
refunds), never stored, so a late insurance payment or a refund shows at once. Stripe events are
kept by their id (unique), so a delivery seen twice is stored once.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hearth.clock import utcnow
from hearth.models.base import Base, UTCDateTime, str_enum
from hearth.models.patient import Patient


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"  # an attempt started (Checkout Session or PaymentIntent); nothing paid yet
    SUCCEEDED = "succeeded"  # money received: set only from Stripe's own state (webhook or reconcile)
    FAILED = "failed"
    EXPIRED = "expired"  # the Checkout Session expired unpaid


class PaymentMethod(enum.StrEnum):
    CHECKOUT = "checkout"  # Stripe Checkout, portal or guest
    APP = "app"  # a PaymentIntent confirmed by the mobile app
    MAIL = "mail"  # a check by mail, posted by staff
    DESK = "desk"  # cash or card at the front desk, posted by staff
    PLAN = "plan"  # a monthly payment-plan charge on the saved card (off-session PaymentIntent)


class PlanStatus(enum.StrEnum):
    SETUP = "setup"  # waiting for the card to be saved in Stripe Checkout (setup mode)
    ACTIVE = "active"
    PAST_DUE = "past_due"  # a monthly charge failed; staff follow up
    COMPLETED = "completed"
    CANCELED = "canceled"


class BillingSettings(Base):
    """A practice's payment-plan rules: the smallest monthly payment and the longest plan."""

    __tablename__ = "billing_settings"

    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"), primary_key=True)
    plan_min_monthly_cents: Mapped[int] = mapped_column(default=2500)
    plan_max_months: Mapped[int] = mapped_column(default=12)


class Statement(Base):
    """A bill sent to the patient: its charges, a due date and a code for paying by mail or as a guest."""

    __tablename__ = "billing_statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # e.g. "K7M2-9QXA", printed on the bill
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    patient: Mapped[Patient] = relationship()
    charges: Mapped[list[Charge]] = relationship(back_populates="statement", order_by="Charge.service_date, Charge.id")
    payments: Mapped[list[Payment]] = relationship(back_populates="statement", order_by="Payment.id")


class Charge(Base):
    """One billed service (CPT/HCPCS code) for a completed visit, at the practice's charge."""

    __tablename__ = "billing_charge"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id", ondelete="SET NULL"), index=True)
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("billing_statement.id", ondelete="SET NULL"),
                                                     index=True)
    service_date: Mapped[date] = mapped_column(Date)
    code: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(String(200))  # plain language, shown to the patient
    amount_cents: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    statement: Mapped[Statement | None] = relationship(back_populates="charges")
    insurance: Mapped[list[InsurancePayment]] = relationship(order_by="InsurancePayment.id")


class InsurancePayment(Base):
    """The payer's explanation of benefits for one charge: what it allowed, paid and left to the patient.

    `adjustment_cents` is what the practice writes off (charge − allowed under a contract); the
    patient's share is deductible + coinsurance + copay.
    """

    __tablename__ = "billing_insurance_payment"
    __table_args__ = (
        CheckConstraint("allowed_cents >= 0 AND paid_cents >= 0 AND deductible_cents >= 0 AND "
                        "coinsurance_cents >= 0 AND copay_cents >= 0 AND adjustment_cents >= 0", name="non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    charge_id: Mapped[int] = mapped_column(ForeignKey("billing_charge.id", ondelete="CASCADE"), index=True)
    payer: Mapped[str] = mapped_column(String(120))
    allowed_cents: Mapped[int] = mapped_column(default=0)
    paid_cents: Mapped[int] = mapped_column(default=0)
    adjustment_cents: Mapped[int] = mapped_column(default=0)
    deductible_cents: Mapped[int] = mapped_column(default=0)
    coinsurance_cents: Mapped[int] = mapped_column(default=0)
    copay_cents: Mapped[int] = mapped_column(default=0)
    received_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class Payment(Base):
    """A patient payment toward a statement: one row per attempt; only SUCCEEDED rows count.

    An online attempt carries its own idempotency key and Stripe ids; it becomes SUCCEEDED only
    from Stripe's state, read back from Stripe (never from the success redirect).
    """

    __tablename__ = "billing_payment"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),
                      UniqueConstraint("plan_id", "installment"))  # each month of a plan is charged once

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("billing_statement.id", ondelete="CASCADE"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    amount_cents: Mapped[int] = mapped_column()
    method: Mapped[PaymentMethod] = mapped_column(str_enum(PaymentMethod))
    status: Mapped[PaymentStatus] = mapped_column(str_enum(PaymentStatus), default=PaymentStatus.PENDING)
    guest: Mapped[bool] = mapped_column(default=False)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    checkout_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    checkout_url: Mapped[str | None] = mapped_column(String(2000))
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("billing_payment_plan.id", ondelete="SET NULL"))
    installment: Mapped[int | None] = mapped_column()  # 1..months for a plan's monthly charge

    statement: Mapped[Statement] = relationship(back_populates="payments")
    refunds: Mapped[list[Refund]] = relationship(order_by="Refund.id")

    @property
    def receipt_number(self) -> str:
        return f"R{self.id:07d}"


class Refund(Base):
    """Money given back on a payment (full or partial); Stripe refunds are kept by their id."""

    __tablename__ = "billing_refund"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("billing_payment.id", ondelete="CASCADE"), index=True)
    amount_cents: Mapped[int] = mapped_column()
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(30), default="succeeded")
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class PaymentPlan(Base):
    """A balance split into 3–12 monthly payments charged to a card saved with Stripe (setup mode).

    Month n's charge is a Payment with (plan_id, n) unique, so a month is charged once however many
    job runs overlap; `monthly_cents` for each month but the last, which takes the remainder.
    """

    __tablename__ = "billing_payment_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("billing_statement.id", ondelete="CASCADE"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    total_cents: Mapped[int] = mapped_column()
    months: Mapped[int] = mapped_column()
    monthly_cents: Mapped[int] = mapped_column()
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus), default=PlanStatus.SETUP)
    setup_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    setup_url: Mapped[str | None] = mapped_column(String(2000))
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255))
    stripe_payment_method_id: Mapped[str | None] = mapped_column(String(255))
    next_charge_on: Mapped[date | None] = mapped_column(Date, index=True)
    charged_months: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    statement: Mapped[Statement] = relationship()

    def amount_for(self, month: int) -> int:
        """Cents charged in month `month` (1-based): the last month takes the remainder."""
        return self.total_cents - self.monthly_cents * (self.months - 1) if month == self.months else self.monthly_cents


class StripeEvent(Base):
    """A webhook delivery, stored by Stripe's event id (unique) and processed later by the worker."""

    __tablename__ = "billing_stripe_event"
    __table_args__ = (Index("ix_billing_stripe_event_pending", "processed_at", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str | None] = mapped_column(String(255))  # the session, intent or charge it is about
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
