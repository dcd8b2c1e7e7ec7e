"""Patients and caregivers managing appointments in a real browser, end to end against the demo data."""

from __future__ import annotations

import re

import pytest

from hearth import demo
from tests.browser.conftest import acting_for, book_steps, check_a11y, day, flash, nav, submit, switch_to

pytestmark = pytest.mark.browser


def appointment_id(page) -> int:
    found = re.search(r"/appointments/(\d+)$", page.url)
    assert found, f"not on an appointment page: {page.url}"
    return int(found.group(1))


def upcoming_link(page, ident: int):
    return page.locator(f"section[aria-labelledby=upcoming-h] a[href='/appointments/{ident}']")


def test_patient_books_moves_cancels_and_joins_the_waitlist(signed_in):
    page = signed_in(demo.PATIENT_EMAIL)
    nav(page, "Appointments")
    submit(page, page.get_by_role("link", name="Book an appointment"))
    chosen = book_steps(page, visit_type="Follow-up visit", start=day(7))
    assert page.locator("h1").inner_text() == "Check and book"
    assert "can't cancel online after" in page.locator("main").inner_text()
    page.get_by_label("Reason for the visit").fill("Blood pressure follow-up")
    submit(page, page.get_by_role("button", name="Book this time"))
    assert page.locator("h1").inner_text() == "You are booked"
    check_a11y(page)
    submit(page, page.get_by_role("link", name="See this appointment"))
    ident = appointment_id(page)
    assert page.locator("h1").inner_text() == "Follow-up visit"
    booked_at = page.locator("#when-h").inner_text()
    assert booked_at == chosen  # the detail shows the day and time picked, spelled the same way
    check_a11y(page)

    nav(page, "Appointments")
    assert upcoming_link(page, ident).count() == 1

    page.goto(f"/appointments/{ident}")
    link = page.get_by_role("link", name="Add to my calendar (.ics)")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"appointment-{ident}.ics"
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in response.text()

    submit(page, page.get_by_role("link", name="Pick a new time"))
    assert page.locator("h1").inner_text() == "Choose a day"
    assert "Moving: Follow-up visit" in page.locator("main").inner_text()
    moved_to = book_steps(page, start=day(10))
    submit(page, page.get_by_role("button", name="Move my appointment"))
    assert appointment_id(page) == ident
    assert "Your appointment was moved." in flash(page)
    new_time = page.locator("#when-h").inner_text()
    assert new_time != booked_at and new_time == moved_to

    submit(page, page.get_by_role("link", name="Cancel this appointment"))
    page.get_by_label("Reason (optional)").fill("Feeling better")
    submit(page, page.get_by_role("button", name="Cancel appointment"))
    assert page.url.endswith("/appointments")
    assert "Your appointment was cancelled." in flash(page)
    assert upcoming_link(page, ident).count() == 0  # a cancelled visit leaves "Upcoming"
    row = page.locator("section[aria-labelledby=cancelled-h] li", has=page.locator(f"a[href='/appointments/{ident}']"))
    assert "Status: Cancelled" in row.inner_text()

    form = page.locator("form[aria-labelledby=join-h]")
    form.get_by_label("Visit type").select_option(
        form.locator("option", has_text="Annual physical").get_attribute("value"))
    form.get_by_label("Earliest date").fill(day(0))
    form.get_by_label("Latest date").fill(day(30))
    submit(page, form.get_by_role("button", name="Join the waitlist"))
    assert "You are on the waitlist" in flash(page)
    waitlist = page.locator("section[aria-labelledby=waitlist-h]")
    assert waitlist.get_by_role("button", name="Leave the waitlist for Annual physical").count() == 1
    check_a11y(page)


def test_patient_changes_her_notification_settings(signed_in):
    page = signed_in(demo.PATIENT_EMAIL)
    nav(page, "Notifications")
    assert page.locator("h1").inner_text() == "Notifications"
    submit(page, page.get_by_role("link", name="Choose how and when we reach you"))
    first = page.locator("select[name$='-channel_1']").first
    name = first.get_attribute("name")
    values = [v for v in first.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
    other = next(v for v in values if v != first.input_value())
    first.select_option(other)
    submit(page, page.get_by_role("button", name="Save notification settings"))
    assert "Your notification settings were saved." in flash(page)
    page.reload()
    assert page.locator(f"select[name='{name}']").input_value() == other


def test_caregiver_books_for_her_father_and_sees_only_what_her_mother_allows(signed_in):
    page = signed_in(demo.CAREGIVER_EMAIL)
    switch_to(page, "Walter Brooks")
    assert acting_for(page) == "Acting for Walter Brooks"
    nav(page, "Appointments")
    submit(page, page.get_by_role("link", name="Book an appointment"))
    book_steps(page, visit_type="Video visit", start=day(8))
    submit(page, page.get_by_role("button", name="Book this time"))
    assert page.locator("h1").inner_text() == "You are booked"
    assert acting_for(page) == "Acting for Walter Brooks"
    assert "Video visit" in page.locator("main").inner_text()
    submit(page, page.get_by_role("link", name="See this appointment"))
    ident = appointment_id(page)
    nav(page, "Appointments")
    assert upcoming_link(page, ident).count() == 1

    switch_to(page, "Margaret Brooks")
    assert acting_for(page) == "Acting for Margaret Brooks"
    labels = page.locator("header nav a").all_inner_texts()
    assert "Appointments" in labels and "Profile" in labels
    assert "Who viewed my record" not in labels and "Patients" not in labels and "Schedule" not in labels
    nav(page, "Appointments")
    assert upcoming_link(page, ident).count() == 0, "Walter's visit must not show in Margaret's list"
    assert page.request.get(f"/appointments/{ident}").status == 404
    nav(page, "Profile")
    assert "Only Margaret Brooks or the practice can change these details." in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Change contact details").count() == 0
    assert page.request.get("/records/profile/edit").status in (403, 404)
    nav(page, "Caregivers")
    scopes = {item.locator("h3").inner_text(): item.locator("dd").nth(1).inner_text()
              for item in page.locator("section[aria-labelledby=caring-h] li").all()}
    assert scopes == {"Walter Brooks": "Appointments, Messages",
                      "Margaret Brooks": "Appointments, Messages, Medications, Test results"}
    check_a11y(page)
