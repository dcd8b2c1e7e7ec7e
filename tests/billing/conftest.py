"""Billing fixtures: a practice with a completed visit, staff, and the local fake Stripe server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from hearth import db
from hearth.clock import utcnow
from hearth.models import Appointment, AppointmentStatus, Patient, Practice, StaffRole, User
from hearth.services.billing import ledger, statements
from hearth.services.billing.stripe_gateway import StripeGateway
from tests.factories import make_patient, make_practice, make_provider, make_staff
from tests.fakes.stripe_fake import FakeStripe
from tests.scheduling.conftest import make_visit_type

WEBHOOK_SECRET = "whsec_test_secret"


@dataclass
class World:
    practice: Practice
    staff: User
    patient: Patient
    appointment: Appointment

    def visit(self, status: AppointmentStatus = AppointmentStatus.COMPLETED) -> Appointment:
        provider = make_provider(practice=self.practice)
        starts = utcnow() - timedelta(days=3)
        visit_type = make_visit_type(self.practice, name=f"Visit {provider.id}")
        appt = Appointment(patient_id=self.patient.id, provider_id=provider.id, visit_type_id=visit_type.id,
                           starts_at=starts,
                           ends_at=starts + timedelta(minutes=30), status=status)
        db.session.add(appt)
        db.session.commit()
        return appt

    def statement(self, *amounts: int, eob: dict | None = None):
        """Charges of `amounts` cents on the visit (the first with `eob`, if given), billed on a new statement."""
        charges = [ledger.post_charge(self.staff, self.patient.id, appointment_id=self.appointment.id, code="99213",
                                      description="Office visit", amount_cents=a) for a in amounts]
        if eob:
            ledger.post_insurance(self.staff, self.patient.id, charges[0].id, payer="Acme Health", **eob)
        return statements.issue(self.staff, self.patient.id)


@pytest.fixture
def world() -> World:
    practice = make_practice(name="Maple Family Clinic")
    staff = make_staff(practice=practice, role=StaffRole.STAFF)
    patient = make_patient(practice=practice, given_name="Ana", family_name="Lopez")
    w = World(practice, staff, patient, None)  # type: ignore[arg-type]
    w.appointment = w.visit()
    db.session.commit()  # a use case that fails rolls back to here, not past the world
    return w


@pytest.fixture(scope="session")
def _stripe_server():
    fake = FakeStripe().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_stripe(_stripe_server, app, monkeypatch) -> FakeStripe:
    """The fake, emptied, and the app configured to use it (through the real SDK)."""
    fake = _stripe_server
    with fake._lock:
        for store in (fake.sessions, fake.intents, fake.refunds, fake.events, fake._replies, fake.customers,
                      fake.setup_intents):
            store.clear()
        fake.requests.clear()
        fake.fail_next = 0
        fake.decline_next = 0
    for key, value in fake.settings(WEBHOOK_SECRET).items():
        monkeypatch.setitem(app.config, key, value)
    return fake


@pytest.fixture
def gateway(fake_stripe) -> StripeGateway:
    return StripeGateway.from_config(fake_stripe.settings(WEBHOOK_SECRET))
