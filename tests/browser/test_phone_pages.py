"""The patient's pages on a phone (375 px) and a desktop (1280 px), in English and Spanish: home, the booking
steps and a caregiver's home; axe-core finds nothing serious or critical and nothing scrolls sideways.

Set HEARTH_SCREENSHOTS=<folder> to keep a full-page screenshot of each (to look at them).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hearth import demo
from tests.browser.conftest import check_a11y, submit

pytestmark = pytest.mark.browser

SPANISH_EMAIL = "maria.garcia@example.com"
WIDTHS = (375, 1280)
TALLEST_TIME_STEP = 3000  # px at 375: the day's times fit in about three screens


def _fits(page) -> None:
    scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner + 1, f"{page.url}: {scroll} px wide at {inner} px"


def _shot(page, name: str) -> None:
    folder = os.environ.get("HEARTH_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _check(page, name: str) -> None:
    check_a11y(page)
    _fits(page)
    _shot(page, name)


def _walk_booking(page, name: str, words: dict) -> int:
    """Home → visit type → days → the busiest day's times → review; returns the time step's height."""
    page.goto("/appointments/find")
    _check(page, f"{name}-1-visit-type")
    page.locator("label.usa-radio__label").first.click()
    submit(page, page.get_by_role("button", name=words["show_days"]))
    assert page.locator("a.hearth-day").count() > 0
    _check(page, f"{name}-2-days")
    counts = page.locator("a.hearth-day").evaluate_all(
        "els => els.map(e => parseInt(e.querySelectorAll('small')[1].textContent))")
    busiest = counts.index(max(counts))  # the longest list of times in the 60 days
    submit(page, page.locator("a.hearth-day").nth(busiest))
    height = page.evaluate("document.documentElement.scrollHeight")
    assert page.locator("ul.hearth-times a").count() == max(counts)
    _check(page, f"{name}-3-times")
    heights = page.locator(".hearth-nav-row a").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert heights and min(heights) >= 44, f"day links are {heights} px tall (tap targets need 44 px)"
    submit(page, page.locator("ul.hearth-times a").first)
    assert page.get_by_role("button", name=words["book"]).count() == 1
    _check(page, f"{name}-4-review")
    return height


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", ["en", "es"])
def test_patient_home_and_booking_steps(signed_in, width, language):
    email, locale = (demo.PATIENT_EMAIL, "en-US") if language == "en" else (SPANISH_EMAIL, "es-ES")
    page = signed_in(email, width=width, height=740, locale=locale)
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == language
    heading = {"en": "Your next visit", "es": "Su próxima cita"}[language]
    assert page.get_by_role("heading", name=heading).count() == 1
    tabbar = page.locator("nav.hearth-tabbar")
    assert tabbar.is_visible() == (width < 1024)  # the phone's bottom bar; the header shows the areas on desktop
    _check(page, f"home-{language}-{width}")
    words = {"en": {"show_days": "Show days", "book": "Book this time"},
             "es": {"show_days": "Ver días", "book": "Reservar este horario"}}[language]
    height = _walk_booking(page, f"booking-{language}-{width}", words)
    if language == "es":  # the practice's own texts too: no "Annual physical" or "Downtown clinic" here
        review = page.locator("main").inner_text()
        assert "Examen físico anual" in review and "Clínica" in review
        assert not any(word in review for word in ("Annual physical", "Downtown clinic", "Please arrive"))
    if width == 375:
        assert height < TALLEST_TIME_STEP, f"the time step is {height} px tall at 375 px"


@pytest.mark.parametrize("width", WIDTHS)
def test_caregiver_home_in_english_and_spanish(signed_in, width):
    page = signed_in(demo.CAREGIVER_EMAIL, width=width, height=740)
    page.goto("/")
    acting = page.locator(".acting-for").inner_text()
    name = acting.removeprefix("Acting for ").split()[0]
    assert page.get_by_role("heading", name=f"{name}'s next visit").count() == 1
    assert page.locator("#switch-person").is_visible()  # whose record: always in view
    _check(page, f"caregiver-home-en-{width}")
    with page.expect_navigation():  # the language picker sends itself when changed
        page.locator("#lang").select_option("es")
    try:
        assert page.locator("html").get_attribute("lang") == "es"
        assert page.get_by_role("heading", name=f"Próxima cita de {name}").count() == 1
        assert page.locator(".acting-for").inner_text() == (
            f"Actuando en nombre de {acting.removeprefix('Acting for ')}")
        _check(page, f"caregiver-home-es-{width}")
    finally:  # the demo caregiver's language is shared with other tests
        with page.expect_navigation():
            page.locator("#lang").select_option("en")
