"""A refill in a real browser at phone width: the patient asks, a provider approves from the refill queue,
the patient sees it approved and a notification is queued for her (English and Spanish, axe-core clean)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, text

from hearth import demo
from tests.browser.conftest import PHONE_WIDTH, SERVER_ENV, check_a11y, flash, nav, phone_overflow, submit

pytestmark = pytest.mark.browser

JOURNEYS = [  # (patient email, medication, locale, words the pages show)
    (demo.PATIENT_EMAIL, "Lisinopril 10 mg tablet", "en-US",
     {"area": "Medications", "ask": "Ask for a refill", "send": "Send refill request",
      "waiting": "Waiting for an answer", "approved": "Approved"}),
    ("maria.garcia@example.com", "Losartan 50 mg tablet", "es-MX",
     {"area": "Medicamentos", "ask": "Pedir un resurtido", "send": "Enviar pedido de resurtido",
      "waiting": "Esperando respuesta", "approved": "Aprobado"}),
]


def refill_notifications(request_id: int) -> int:
    engine = create_engine(SERVER_ENV["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM notification WHERE kind = 'refill' "
                                     "AND idempotency_key = :key"), {"key": f"refill:{request_id}:approved"}).scalar()
    finally:
        engine.dispose()


@pytest.mark.parametrize(("email", "medication", "locale", "words"), JOURNEYS, ids=["en", "es"])
def test_refill_request_approve_notified(signed_in, email, medication, locale, words):
    page = signed_in(email, width=PHONE_WIDTH, height=740, locale=locale)
    if locale.startswith("en"):
        nav(page, words["area"])
    else:  # the helper knows the English "More"; the Spanish menu is checked on the "Más" page
        page.goto("/more")
        submit(page, page.locator("main").get_by_role("link", name=words["area"], exact=True))
    check_a11y(page)
    assert phone_overflow(page) is None
    submit(page, page.locator("main").get_by_role("link", name=words["ask"], exact=True))
    page.locator("label.usa-checkbox__label", has_text=medication).click()
    check_a11y(page)
    assert phone_overflow(page) is None
    submit(page, page.get_by_role("button", name=words["send"]))
    assert words["waiting"].lower() in page.locator("main").inner_text().lower()
    request_id = int(re.search(r"/medications/requests/(\d+)$", page.url).group(1))
    check_a11y(page)

    staff = signed_in(demo.PROVIDER_EMAIL, width=PHONE_WIDTH, height=740)
    nav(staff, "Refill requests")
    check_a11y(staff)
    assert phone_overflow(staff) is None
    submit(staff, staff.locator(f"a[href$='/requests/{request_id}']"))
    assert medication in staff.locator("main").inner_text()
    check_a11y(staff)
    submit(staff, staff.get_by_role("button", name="Approve refill"))
    assert "Refill approved." in flash(staff)

    page.reload()
    assert words["approved"].lower() in page.locator("main").inner_text().lower()
    check_a11y(page)
    assert refill_notifications(request_id) == 1
