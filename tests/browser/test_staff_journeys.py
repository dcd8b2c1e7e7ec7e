"""The practice's side in a real browser: the day's schedule, booking for a patient, settings, the chart."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hearth import demo
from tests.browser.conftest import check_a11y, choose_first_time, day, flash, nav, submit

pytestmark = pytest.mark.browser


def cell(row, column: int) -> str:
    """A schedule row's cell: 0 patient, 1 visit, 2 provider, 3 where, 4 status (the time is the row header)."""
    return " ".join(row.locator("td").nth(column).inner_text().split())


def open_patient(page, family: str, given: str) -> int:
    """Find a patient on the Patients page and open the chart; returns the patient's id."""
    nav(page, "Patients")
    page.get_by_label("Name, MRN or date of birth").fill(family)
    submit(page, page.get_by_role("button", name="Search"))
    submit(page, page.get_by_role("link", name=f"{family}, {given}"))
    assert page.locator("h1").inner_text() == f"{given} {family}"
    return int(re.search(r"/staff/patients/(\d+)$", page.url).group(1))


def test_provider_moves_a_visit_from_arrived_to_completed(signed_in):
    page = signed_in(demo.PROVIDER_EMAIL)
    nav(page, "Schedule")
    assert page.locator("h1").inner_text() == f"Schedule: {demo.PRACTICE_NAME}"
    assert page.locator("#f-days").input_value() == "1"
    page.locator("#f-days").select_option("7")
    # Arrival is offered on the visit's day only: the demo has one visit today, in the practice's zone.
    page.get_by_label("Date").fill(datetime.now(ZoneInfo(demo.TIMEZONE)).date().isoformat())
    submit(page, page.get_by_role("button", name="Show", exact=True))
    assert page.locator("main h2").count() == 7, "the week view shows seven days"

    row = page.locator("tbody tr", has=page.get_by_role("button", name="Mark Arrived")).first
    action = row.locator("form").first.get_attribute("action")
    row = page.locator(f"tbody tr:has(form[action='{action}'])")
    patient, time = cell(row, 0), row.locator("th").inner_text()
    assert cell(row, 4) == "Booked"
    for step in ("Arrived", "Roomed", "Seen", "Completed"):
        submit(page, row.get_by_role("button", name=f"Mark {step}"))
        assert "Status updated." in flash(page)
        assert page.locator("#f-days").input_value() == "7", "the status change keeps the week view"
        done = page.locator("tbody tr").filter(has_text=patient).filter(
            has=page.locator("th", has_text=re.compile(f"^{re.escape(time)}$")))
        assert cell(done, 4) == step
        if step == "Arrived":
            check_a11y(page)
    assert done.locator("button").count() == 0, "a completed visit offers no further steps"


def test_front_desk_books_a_visit_for_a_patient(signed_in):
    page = signed_in(demo.FRONT_DESK_EMAIL)
    nav(page, "Schedule")
    submit(page, page.get_by_role("link", name="Book for a patient"))
    page.get_by_label("Patient's name, MRN or date of birth").fill("johnson")  # the staff search, no ids
    submit(page, page.get_by_role("button", name="Find the patient"))
    submit(page, page.get_by_role("link", name="Book for Johnson, Robert"))
    # Staff may book visit types patients cannot book online.
    choose_first_time(page, visit_type="Procedure", start=day(4))
    submit(page, page.get_by_role("button", name="Book this time"))
    assert "Appointment booked." in flash(page)
    rows = page.locator("tbody tr").filter(has_text="Robert Johnson").filter(has_text="Procedure")
    assert rows.count() == 1 and cell(rows, 4) == "Booked"
    check_a11y(page)


def test_admin_changes_practice_and_scheduling_settings(signed_in):
    page = signed_in(demo.ADMIN_EMAIL)
    nav(page, "Practice settings")
    assert page.locator("h1").inner_text() == f"Settings of {demo.PRACTICE_NAME}"
    page.get_by_label("Phone", exact=True).fill("(555) 010-2999")
    submit(page, page.get_by_role("button", name="Save settings"))
    assert "Practice settings saved." in flash(page)
    assert page.get_by_label("Phone", exact=True).input_value() == "(555) 010-2999"

    nav(page, "Scheduling setup")
    submit(page, page.locator("main table").get_by_role("link", name="Procedure"))
    page.get_by_label("Instructions before the visit").fill("Wear loose clothing; the visit takes an hour.")
    submit(page, page.get_by_role("button", name="Save visit type"))
    assert "Visit type saved." in flash(page)
    page.reload()
    assert page.get_by_label("Instructions before the visit").input_value() == (
        "Wear loose clothing; the visit takes an hour.")


def test_provider_opens_a_chart_and_its_access_log(signed_in):
    page = signed_in(demo.PROVIDER_EMAIL)
    open_patient(page, "Carter", "Emily")
    assert "HFM-000101" in page.locator("main").inner_text()
    submit(page, page.get_by_role("link", name="Who accessed this record"))
    assert page.locator("h1").inner_text() == "Who accessed the record of Emily Carter"
    first = page.locator("main tbody tr").first
    assert "Amara Okafor" in first.inner_text(), "opening the chart is the newest access"
    check_a11y(page)
