"""A bill $400 or more above the patient's real Good Faith Estimate (45 CFR 149.620): the statement page,
PDF and API explain the right to dispute within 120 days and where to start; $399 above says nothing."""

from __future__ import annotations

import pytest

from hearth import db
from hearth.models import Coverage, CoverageKind, GfeReason, GoodFaithEstimate
from hearth.services.billing import statements
from tests.api.test_staff import bearer
from tests.conftest import login
from tests.money.helpers import pdf_text


def real_gfe(world, total_cents: int, *, appointment_id: int | None = None) -> GoodFaithEstimate:
    """A stored GFE row for the world's visit, as the GFE service keeps it."""
    patient = world.patient
    gfe = GoodFaithEstimate(patient_id=patient.id, practice_id=patient.practice_id,
                            appointment_id=appointment_id or world.appointment.id, reason=GfeReason.BOOKING,
                            patient_name=patient.full_name, patient_birth_date=patient.date_of_birth,
                            primary_service="Office visit", total_cents=total_cents)
    db.session.add(gfe)
    db.session.commit()
    return gfe


@pytest.fixture
def self_pay(world):
    db.session.add(Coverage(patient_id=world.patient.id, kind=CoverageKind.SELF_PAY))
    db.session.commit()
    return world


def test_gfe_totals_read_the_real_table(self_pay):
    world = self_pay
    assert statements.gfe_totals([]) == {}
    assert statements.gfe_totals([world.appointment.id]) == {}
    real_gfe(world, 12_000)
    assert statements.gfe_totals([world.appointment.id]) == {world.appointment.id: 12_000}


@pytest.mark.parametrize(("above", "flagged"), [(45_000, True), (40_000, True), (39_900, False)])
def test_dispute_notice_on_page_pdf_and_api(client, self_pay, above, flagged):
    world = self_pay
    estimate = 15_000
    real_gfe(world, estimate)
    statement = world.statement(estimate + above - 10_000, 10_000)  # two lines on the same visit
    view = statements.statement_for(world.patient.user, statement.id)
    assert bool(view.over_estimate) is flagged
    if flagged:
        item = view.over_estimate[0]
        assert item.excess_cents == above and item.estimate_cents == estimate
        assert (item.dispute_by - statement.issued_on).days == 120
    login(client, world.patient.user)
    html = client.get(f"/billing/statements/{statement.id}").get_data(as_text=True)
    for words in ("right to dispute", "120 days", "www.cms.gov/nosurprises", "1-800-985-3059"):
        assert (words in html) is flagged, words
    for lang, words in (("en", "right to dispute"), ("es", "1-800-985-3059")):
        pdf = client.get(f"/billing/statements/{statement.id}/statement.pdf?lang={lang}")
        assert pdf.status_code == 200
        assert (words in pdf_text(pdf.data)) is flagged, lang
    client.get("/logout")
    api = client.get(f"/api/v1/statements/{statement.id}", headers=bearer(client, world.patient.user))
    assert api.status_code == 200
    over = api.json["over_estimate"]
    assert bool(over) is flagged
    if flagged:
        assert over[0]["estimate_cents"] == estimate and over[0]["billed_cents"] == estimate + above


def test_a_gfe_for_another_visit_flags_nothing(self_pay):
    world = self_pay
    other = world.visit()
    real_gfe(world, 1_000, appointment_id=other.id)
    statement = world.statement(50_000)
    assert statements.statement_for(world.patient.user, statement.id).over_estimate == []
