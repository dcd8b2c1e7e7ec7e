"""The care team's inbox in a real browser at phone width: a provider claims a patient's thread and replies,
and the patient reads the reply; the workspace and the inbox in Spanish."""

from __future__ import annotations

import secrets

import pytest

from hearth import demo
from tests.browser.conftest import PHONE_WIDTH, check_a11y, flash, phone_overflow, submit

pytestmark = pytest.mark.browser


def test_provider_claims_and_replies_from_the_pool_inbox_at_phone_width(signed_in):
    subject = f"Rash on my arm {secrets.token_hex(3)}"
    patient = signed_in(demo.PATIENT_EMAIL, width=PHONE_WIDTH, height=812)
    patient.goto("/messages/new/compose?reason=medical_question")
    patient.locator("#f-subject").fill(subject)
    patient.locator("#f-body").fill("I have had a small red rash on my arm since Monday. It itches.")
    submit(patient, patient.get_by_role("button", name="Send message"))
    thread_url = patient.url

    provider = signed_in(demo.PROVIDER_EMAIL, width=PHONE_WIDTH, height=812, fresh=True)
    assert provider.url.endswith("/workspace"), "providers land on their workspace"
    messages = provider.locator("#card-messages")
    assert "unread" in messages.inner_text()
    assert provider.locator("#card-schedule_today").is_visible()
    check_a11y(provider)
    assert phone_overflow(provider) is None
    submit(provider, messages.get_by_role("link", name="Open the inbox"))
    badge = provider.locator("nav.hearth-tabbar [data-badge-url]")  # filled by static/js/inbox_counts.js
    badge.wait_for(state="visible")
    assert int(badge.locator(".hearth-badge__n").inner_text()) >= 1
    assert phone_overflow(provider) is None
    check_a11y(provider)
    submit(provider, provider.get_by_role("link", name=subject))
    assert "I have had a small red rash" in provider.locator("main").inner_text()
    submit(provider, provider.get_by_role("button", name="Claim"))
    assert "You claimed this conversation." in flash(provider)
    provider.locator("#f-body").fill("Please send a photo of the rash. Keep it clean and dry until then.")
    submit(provider, provider.get_by_role("button", name="Send", exact=True))
    assert "Reply sent." in flash(provider)
    assert "Not read by the patient yet" in provider.locator("main").inner_text()
    assert phone_overflow(provider) is None
    check_a11y(provider)

    patient.goto(thread_url)
    assert "Please send a photo of the rash." in patient.locator("main").inner_text()
    provider.reload()
    assert "Read by the patient at" in provider.locator("main").inner_text()


def test_workspace_and_inbox_in_spanish(signed_in):
    nurse = signed_in(demo.NURSE_EMAIL, width=PHONE_WIDTH, height=812)
    with nurse.expect_navigation():  # the picker sends its form when changed (static/js/hearth.js)
        nurse.locator("#lang").select_option("es")
    try:
        nurse.goto("/workspace")
        assert nurse.locator("h1").inner_text() == "Espacio de trabajo"
        assert "Agenda de hoy" in nurse.locator("main").inner_text()
        check_a11y(nurse)
        nurse.goto("/inbox?view=open")
        assert nurse.locator("h1").inner_text().startswith("Bandeja")  # the tab bar's short word
        assert "atrasada" in nurse.locator("main").inner_text().lower()  # the demo's overdue thread
        check_a11y(nurse)
        assert phone_overflow(nurse) is None
    finally:
        nurse.goto("/workspace")
        with nurse.expect_navigation():
            nurse.locator("#lang").select_option("en")
