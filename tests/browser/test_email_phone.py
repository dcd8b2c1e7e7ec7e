"""Notification emails read on a phone: the HTML part at 375 px has no sideways scrolling, text at 16 px, and
links as words with tap targets of at least 44 px (a reminder with its links and the unsubscribe foot).

Set HEARTH_SCREENSHOTS=<folder> to keep a screenshot of each.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hearth.notify.templates import render, with_footer

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
