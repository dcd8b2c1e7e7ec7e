"""A released result on a phone (375 px), in English and Spanish: the list, the report with its flag in words
and its clinician's comment, then the test's chart over time (accessible SVG with its table); axe-core clean,
nothing scrolls sideways. HEARTH_SCREENSHOTS=<folder> keeps full-page screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hearth import demo
from tests.browser.conftest import PHONE_WIDTH, check_a11y, phone_overflow, submit

pytestmark = pytest.mark.browser

CASES = [
    (demo.PATIENT_EMAIL, "en-US", {"nav": "Test results", "more": "More", "high": "High",
                                   "comment": "prediabetes range", "over_time": "See Hemoglobin A1c over time",
                                   "chart": "Hemoglobin A1c (%) over time"}),
    ("maria.garcia@example.com", "es-ES", {"nav": "Resultados de pruebas", "more": "Más", "high": "Alto",
                                           "comment": "Su A1c bajó otra vez",
                                           "over_time": "Ver Hemoglobin A1c a lo largo del tiempo",
                                           "chart": "Hemoglobin A1c (%) a lo largo del tiempo"}),
]


def _check(page, name: str) -> None:
    check_a11y(page)
    assert phone_overflow(page) is None, phone_overflow(page)
    folder = os.environ.get("HEARTH_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(("email", "locale", "words"), CASES, ids=["en", "es"])
def test_a_released_result_shows_its_chart_and_comment_on_a_phone(signed_in, email, locale, words):
    page = signed_in(email, width=PHONE_WIDTH, height=740, locale=locale)
    more = page.locator("header nav, nav.hearth-tabbar").get_by_role("link", name=words["more"], exact=True)
    submit(page, more.locator("visible=true").first)  # on a phone the area is under "More"
    submit(page, page.locator("main").get_by_role("link", name=words["nav"], exact=True))
    _check(page, f"results-{locale}-1-list")
    submit(page, page.locator("main .usa-card__heading a", has_text="Hemoglobin A1c").first)
    main = page.locator("main")
    assert words["comment"] in main.inner_text()
    flag = main.locator(".hearth-flag--high").first
    assert flag.is_visible() and words["high"] in flag.inner_text()  # the word, not colour alone
    _check(page, f"results-{locale}-2-report")
    submit(page, main.get_by_role("link", name=words["over_time"]))
    chart = page.locator("main svg[role=img]")
    assert chart.is_visible() and chart.get_attribute("aria-label") == words["chart"]
    assert page.locator("main svg title").first.text_content() == words["chart"]
    assert page.locator("main table tbody tr").count() >= 3  # the numbers beside the chart
    _check(page, f"results-{locale}-3-trend")
    page.goto("/results/preferences")
    assert page.locator("main input[type=checkbox]").count() == 6
    _check(page, f"results-{locale}-4-preferences")


def test_a_provider_comments_on_a_waiting_result_and_the_patient_reads_it(signed_in):
    doctor = signed_in(demo.PROVIDER_EMAIL, width=PHONE_WIDTH, height=740)
    doctor.goto("/staff/results/awaiting")
    _check(doctor, "results-staff-1-awaiting")
    submit(doctor, doctor.locator("main table a", has_text="Lipid panel").first)
    seen = doctor.locator("main").inner_text()  # other journeys on this shared server may have opened it already
    assert "Neither the patient nor a caregiver has opened this result yet." in seen or "(the patient)" in seen
    _check(doctor, "results-staff-2-report")
    doctor.locator("#f-comment").fill("Your LDL is high. Let's talk about diet and exercise at your visit.")
    submit(doctor, doctor.get_by_role("button", name="Save the comment"))
    assert "Your comment is saved." in doctor.locator(".flashes").inner_text()
    record_url = doctor.locator("main a", has_text="Back to results of").get_attribute("href") + "/new"
    doctor.goto(record_url)
    _check(doctor, "results-staff-3-form")

    patient = signed_in(demo.PATIENT_EMAIL, width=PHONE_WIDTH, height=740)
    patient.goto("/results")
    submit(patient, patient.locator("main .usa-card__heading a", has_text="Lipid panel").first)
    assert "Let's talk about diet and exercise" in patient.locator("main").inner_text()
    doctor.go_back()
    doctor.reload()
    assert "Emily Carter (the patient): first opened" in doctor.locator("main").inner_text()
