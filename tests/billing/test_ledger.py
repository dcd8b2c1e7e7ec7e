"""The ledger: charges for completed visits, EOB posting, statements and their plain-language lines."""

from __future__ import annotations

import pytest

from hearth.errors import Conflict, Invalid, NotFound
from hearth.models import AppointmentStatus, Notification, PaymentMethod
from hearth.services.billing import ledger, payments, statements
from hearth.services.billing.money import format_cents, parse_dollars
from tests.factories import make_grant, make_user

EOB = {"allowed_cents": 15000, "paid_cents": 9000, "deductible_cents": 5000, "coinsurance_cents": 1000,
       "copay_cents": 0}


def test_money_parsing_and_format():
    assert parse_dollars("25") == 2500 and parse_dollars("$1,025.5") == 102550
    assert format_cents(123456) == "$1,234.56" and format_cents(-500) == "-$5.00"
    for bad in ("-5", "1.234", "abc", "", "0"):
        with pytest.raises(Invalid):
            parse_dollars(bad)


def test_statement_balance_and_explanations(world, db_session):
    statement = world.statement(20000, 5000, eob=EOB)
    view = statements.statement_for(world.patient.user, statement.id)
    # 250.00 charged; insurance paid 90.00, 50.00 written off; patient owes 60.00 + 50.00
    assert view.totals.charges == 25000 and view.totals.insurance_paid == 9000 and view.totals.adjustments == 5000
    assert view.balance_cents == 11000
    first = view.visits[0].lines[0]
    assert first.patient_cents == 6000
    assert any("deductible" in r for r in first.reasons) and any("coinsurance" in r for r in first.reasons)
    assert "not received a payment from insurance" in view.visits[0].lines[1].reasons[0]
    assert len(statement.code) == 9 and statement.code[4] == "-"
    assert db_session.query(Notification).filter_by(idempotency_key=f"statement:{statement.id}").count() == 1


def test_charges_only_for_completed_visits_and_valid_amounts(world):
    booked = world.visit(AppointmentStatus.BOOKED)
    with pytest.raises(Conflict):
        ledger.post_charge(world.staff, world.patient.id, appointment_id=booked.id, code="99213",
                           description="Visit", amount_cents=1000)
    for bad in (0, -100, 10**12):
        with pytest.raises(Invalid):
            ledger.post_charge(world.staff, world.patient.id, appointment_id=world.appointment.id, code="99213",
                               description="Visit", amount_cents=bad)
    # a patient is not staff
    with pytest.raises(NotFound):
        ledger.post_charge(world.patient.user, world.patient.id, appointment_id=world.appointment.id,
                           code="99213", description="Visit", amount_cents=1000)


def test_eob_must_add_up_and_post_once(world):
    charge = ledger.post_charge(world.staff, world.patient.id, appointment_id=world.appointment.id, code="99213",
                                description="Visit", amount_cents=20000)
    with pytest.raises(Invalid):
        ledger.post_insurance(world.staff, world.patient.id, charge.id, payer="Acme",
                              **{**EOB, "paid_cents": 1})
    with pytest.raises(Invalid):
        ledger.post_insurance(world.staff, world.patient.id, charge.id, payer="Acme",
                              **{**EOB, "allowed_cents": 30000, "paid_cents": 24000})
    ledger.post_insurance(world.staff, world.patient.id, charge.id, payer="Acme", **EOB)
    with pytest.raises(Conflict):
        ledger.post_insurance(world.staff, world.patient.id, charge.id, payer="Acme", **EOB)


def test_nothing_to_bill_and_statement_access(world):
    with pytest.raises(Conflict):
        statements.issue(world.staff, world.patient.id)
    statement = world.statement(5000)
    stranger = make_user()
    with pytest.raises(NotFound):
        statements.statement_for(stranger, statement.id)
    without_scope = make_grant(patient=world.patient, scopes=("appointments",)).caregiver
    with pytest.raises(NotFound):
        statements.statement_for(without_scope, statement.id)
    helper = make_grant(patient=world.patient, scopes=("billing",)).caregiver
    assert statements.statement_for(helper, statement.id).balance_cents == 5000
    assert [s.balance_cents for s in statements.list_for(helper, world.patient.id)] == [5000]


def test_manual_payment_settles_and_sends_receipt(world, db_session):
    statement = world.statement(5000)
    with pytest.raises(Invalid):
        payments.post_manual(world.staff, world.patient.id, statement.id, 6000, PaymentMethod.MAIL)
    payment = payments.post_manual(world.staff, world.patient.id, statement.id, 2000, PaymentMethod.MAIL)
    assert ledger.totals(statement.id).balance == 3000
    note = db_session.query(Notification).filter_by(idempotency_key=f"payment:{payment.id}:received").one()
    assert note.template == "payment_received" and note.params["amount"] == "$20.00"
    assert [p.id for p in payments.receipts_for(world.patient.user, world.patient.id)] == [payment.id]


def test_demo_statements(db_session):
    from hearth import demo
    from hearth.models import Statement

    demo.seed()
    emily = db_session.query(Statement).filter_by(code="DEMO-2345").one()
    assert ledger.totals(emily.id).balance == 12100
    maria = db_session.query(Statement).filter_by(code="DEMO-6789").one()
    assert ledger.totals(maria.id).balance == 45000
    jose = db_session.query(Statement).filter_by(code="DEMO-3456").one()
    assert ledger.totals(jose.id).balance == 50000

# The $400-above-the-GFE dispute notice is tested against real GFE rows in tests/money/test_gfe_dispute.py.
