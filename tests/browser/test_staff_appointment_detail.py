"""The staff appointment detail and the schedule as stacked cards, at 375 px and 1280 px, in English and
Spanish: axe-core finds nothing serious, nothing scrolls sideways, the actions stay in view."""

from __future__ import annotations

import pytest

from hearth import demo
from tests.browser.conftest import PHONE_WIDTH, check_a11y, day, phone_overflow, submit

pytestmark = pytest.mark.browser


def _language(page, code: str) -> None:
    page.locator("#lang").select_option(code)
    submit(page, page.locator("footer button[type=submit]"))


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH + 1


def test_schedule_cards_and_visit_detail_on_phone_and_desktop_in_both_languages(signed_in):
    page = signed_in(demo.FRONT_DESK_EMAIL)
    page.goto(f"/schedule?days=7&date={day(3)}")
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    # Visits days ahead offer no status buttons (arrival only on the day): the row's way in to its actions
    # (the visit's page, with Cancel) must stay in view on a phone.
    button = page.locator("tbody td a[href*='/schedule/appointments/']").first
    assert button.is_visible() and _in_view(page, button), "schedule actions are visible on a phone"
    check_a11y(page)
    assert phone_overflow(page) is None

    submit(page, page.locator("tbody td a[href*='/schedule/appointments/']").first)
    assert page.locator("h1").inner_text().startswith("Visit: ")
    for name in ("Reason for the visit", "Check-in", "Status history", "Contact details", "Caregivers"):
        assert page.get_by_role("heading", name=name, exact=True).count() == 1, name
    assert page.locator("main").get_by_text("Booked", exact=True).count() >= 1
    check_a11y(page)
    assert phone_overflow(page) is None
    first_action = page.locator("section[aria-labelledby=actions-h] button").first
    assert _in_view(page, first_action)
    page.set_viewport_size({"width": 1280, "height": 800})
    check_a11y(page)

    _language(page, "es")
    try:
        assert page.locator("h1").inner_text().startswith("Cita: ")
        for name in ("Motivo de la visita", "Historial de estados", "Datos de contacto", "Cuidadores"):
            assert page.get_by_role("heading", name=name, exact=True).count() == 1, name
        check_a11y(page)
        page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
        check_a11y(page)
        assert phone_overflow(page) is None
    finally:
        _language(page, "en")


def test_a_long_unbroken_reason_wraps_on_the_patient_and_staff_pages(signed_in):
    """A 1,000-character reason with no spaces made the staff visit page 7,170 px wide at 375 px."""
    from tests.browser.conftest import book_steps

    patient = signed_in(demo.PATIENT_EMAIL, width=PHONE_WIDTH, height=740, fresh=True)
    patient.goto("/appointments/find")
    book_steps(patient, visit_type="Follow-up visit", start=day(20))
    patient.locator("#f-reason").fill("x" * 1000)
    submit(patient, patient.get_by_role("button", name="Book this time"))
    submit(patient, patient.get_by_role("link", name="See this appointment"))
    ident = int(patient.url.rstrip("/").rsplit("/", 1)[1])
    assert phone_overflow(patient) is None
    staff = signed_in(demo.FRONT_DESK_EMAIL)
    staff.goto(f"/schedule/appointments/{ident}")
    assert staff.locator(".patient-words").inner_text() == "x" * 1000
    assert phone_overflow(staff) is None
    with_cancel = staff.locator("#f-reason")
    assert with_cancel.get_attribute("maxlength") == "300"
