"""An insured patient sees her estimated cost while booking, on a phone, and opens its breakdown (EN + ES)."""

from __future__ import annotations

import pytest

from hearth import demo
from tests.browser.conftest import PHONE_WIDTH, book_steps, check_a11y, day, phone_overflow, submit

pytestmark = pytest.mark.browser
SHOTS = None  # set to a folder path to keep screenshots while working on the page


def _estimate_on_review(page, visit_type: str, summary: str):
    page.goto("/appointments/find")
    page.locator("label.usa-radio__label", has_text=visit_type).click()
    submit(page, page.locator("main form button[type=submit]").first)  # "Show days", in either language
    book_steps(page, start=day(7))
    box = page.get_by_test_id("estimate")
    assert box.is_visible()
    details = box.locator("details")
    assert details.get_attribute("open") is None
    box.locator("summary", has_text=summary).click()
    assert details.get_attribute("open") is not None
    return box


def test_insured_patient_sees_her_estimate_while_booking(signed_in):
    page = signed_in(demo.PATIENT_EMAIL, width=PHONE_WIDTH, height=740)
    box = _estimate_on_review(page, "Annual physical", "See how we worked this out")
    assert "Your estimated cost: $110.00" in " ".join(box.locator("h2").inner_text().split())
    text = box.inner_text()
    assert "Blood count (CBC)" in text and "Toward your deductible" in text and "Blue Cross Blue Shield" in text
    assert "This is an estimate, not a bill." in text
    check_a11y(page)
    assert phone_overflow(page) is None
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/estimate-en.png", full_page=True)
    submit(page, page.get_by_role("button", name="Book this time"))
    assert page.locator("h1").inner_text() == "You are booked"


def test_spanish_patient_sees_her_estimate(signed_in):
    page = signed_in("maria.garcia@example.com", width=PHONE_WIDTH, height=740, locale="es-US")
    box = _estimate_on_review(page, "Visita de seguimiento", "Vea cómo lo calculamos")
    heading = " ".join(box.locator("h2").inner_text().split())
    assert heading.startswith("Su costo estimado:") and "25,00" in heading
    assert "Copago" in box.inner_text() and "Esto es un estimado, no una factura." in box.inner_text()
    check_a11y(page)
    assert phone_overflow(page) is None
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/estimate-es.png", full_page=True)
