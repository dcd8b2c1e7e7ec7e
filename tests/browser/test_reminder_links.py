"""A patient confirms, then cancels, straight from the links in her reminder, signed out, on a phone."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import create_engine, text

from hearth import demo
from tests.browser.conftest import SERVER_ENV, book_steps, check_a11y, day, nav, submit

pytestmark = pytest.mark.browser


def reminder_links(appointment_id: int) -> dict[str, str]:
    """The confirm and cancel links of the appointment's first queued reminder, from the server's outbox."""
    engine = create_engine(SERVER_ENV["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            params = conn.execute(
                text("SELECT params FROM notification WHERE idempotency_key LIKE :key AND status = 'pending' "
                     "ORDER BY due_at LIMIT 1"), {"key": f"reminder:{appointment_id}:%"}).scalar_one()
    finally:
        engine.dispose()
    params = json.loads(params) if isinstance(params, str) else params
    return {"confirm": params["confirm_url"], "cancel": params["cancel_url"]}


def test_patient_confirms_and_cancels_from_her_reminder(signed_in, new_page):
    page = signed_in(demo.PATIENT_EMAIL)
    nav(page, "Appointments")
    submit(page, page.get_by_role("link", name="Book an appointment"))
    book_steps(page, visit_type="Follow-up visit", start=day(12))
    submit(page, page.get_by_role("button", name="Book this time"))
    submit(page, page.get_by_role("link", name="See this appointment"))
    ident = int(re.search(r"/appointments/(\d+)$", page.url).group(1))
    links = reminder_links(ident)

    phone = new_page(375, 740)  # the reminder is opened on a phone, not signed in
    phone.goto(links["confirm"])
    assert phone.locator("h1").inner_text() == "Your appointment"
    assert "Follow-up visit" not in phone.locator("main").inner_text()  # no health detail without sign-in
    check_a11y(phone)
    submit(phone, phone.get_by_role("button", name="Confirm appointment"))
    assert "Your appointment is confirmed." in phone.locator("main").inner_text()
    assert "This appointment is confirmed." in phone.locator("main").inner_text()
    check_a11y(phone)

    page.goto(f"/appointments/{ident}")
    assert "Confirmed" in page.locator("main").inner_text()

    phone.goto(links["cancel"])
    phone.get_by_label("Reason (optional)").fill("Cannot make it")
    check_a11y(phone)
    submit(phone, phone.get_by_role("button", name="Cancel appointment"))
    assert "Your appointment was cancelled." in phone.locator("main").inner_text()

    page.goto(f"/appointments/{ident}")
    assert "Cancelled" in page.locator("main").inner_text()
