"""Notification emails read on a phone: the HTML part at 375 px has no sideways scrolling, text at 16 px, and
links as words with tap targets of at least 44 px (a reminder with its links and the unsubscribe foot); the
unsubscribe link's page, signed out, in English and Spanish.

Set HEARTH_SCREENSHOTS=<folder> to keep a screenshot of each.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from hearth import demo
from hearth.notify.templates import render, with_footer
from hearth.notify.unsubscribe import PATH, make_token
from tests.browser.conftest import SECRET_KEY, SERVER_ENV, check_a11y, phone_overflow, submit

pytestmark = pytest.mark.browser

LONG = "https://clinic.example.org/r/" + "x" * 120 + "?lang="


@pytest.mark.parametrize("locale", ["en", "es"])
def test_reminder_email_reads_at_375_px(browser, locale):
    rendered = render("appointment_reminder", locale, {
        "starts_at": "2026-12-02T19:30:00+00:00", "zone": "America/New_York", "confirm_url": LONG + locale,
        "cancel_url": LONG + locale}, reader_zone="America/Chicago")
    page_html = with_footer(rendered.html, "https://clinic.example.org/notifications/unsubscribe/" + "t" * 90, locale)
    context = browser.new_context(viewport={"width": 375, "height": 700})
    try:
        page = context.new_page()
        page.set_content(page_html)
        scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{scroll} px wide at {inner} px"
        assert page.evaluate("getComputedStyle(document.body).fontSize") == "16px"
        links = page.locator("a")
        assert links.count() == 3
        for i in range(links.count()):
            text = links.nth(i).inner_text()
            assert text and "http" not in text
        for i in range(2):  # Confirm / Cancel: easy to tap
            assert links.nth(i).bounding_box()["height"] >= 44
        folder = os.environ.get("HEARTH_SCREENSHOTS")
        if folder:
            page.screenshot(path=str(Path(folder) / f"email-reminder-{locale}-375.png"), full_page=True)
    finally:
        context.close()


def _user_id(email: str) -> int:
    engine = create_engine(SERVER_ENV["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT id FROM user_account WHERE email = :e"), {"e": email}).scalar_one()
    finally:
        engine.dispose()


@pytest.mark.parametrize("locale, button, done", [
    ("en-US", "Stop these emails", "We will not email you about this any more"),
    ("es-MX", "Dejar de recibir estos correos", "Ya no le enviaremos correos sobre esto")])
def test_unsubscribe_link_page_on_a_phone(server, new_page, locale, button, done):
    kind = "waitlist" if locale == "en-US" else "bill"
    page = new_page(375, 740, locale=locale)  # opened from the mail app, not signed in
    page.goto(PATH + make_token(SECRET_KEY, _user_id(demo.PATIENT_EMAIL), kind))
    check_a11y(page)
    assert phone_overflow(page) is None
    submit(page, page.get_by_role("button", name=button))
    assert done in page.locator("main").inner_text()
    check_a11y(page)
