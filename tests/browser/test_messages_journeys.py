"""Secure messages in a real browser at phone width (375 px), English and Spanish, with the axe check."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from hearth import demo
from tests.browser.conftest import PHONE_WIDTH, check_a11y, flash, nav, phone_overflow, submit, switch_to

pytestmark = pytest.mark.browser


def photo(tmp_path):
    path = tmp_path / "IMG_0042.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def write(page, reason: str, subject: str, body: str) -> None:
    """From the Messages list: new message, pick the reason, fill the form (not sent yet)."""
    submit(page, page.get_by_role("link", name=re.compile("^(New message|Mensaje nuevo)$")))
    page.locator(f"label[for=reason-{reason}]").click()
    submit(page, page.locator("main form button[type=submit]"))
    page.locator("#f-subject").fill(subject)
    page.locator("#f-body").fill(body)


def test_patient_sends_a_message_with_a_photo(signed_in, tmp_path):
    page = signed_in(demo.PATIENT_EMAIL, width=PHONE_WIDTH, height=740)
    nav(page, "Messages")
    assert page.locator("h1").inner_text() == "Messages"
    check_a11y(page)
    write(page, "medical_question", "Mole on my back", "It looks darker than last month.")
    main = page.locator("main").inner_text()
    assert re.search(r"You can expect a reply by \w+day, \w+ \d+, \d+:\d\d [AP]M", main)
    assert "call 911" in main and "988" in main
    page.wait_for_function("document.getElementById('c-body').textContent.includes('characters left')")
    check_a11y(page)
    assert phone_overflow(page) is None
    page.locator("#f-files").set_input_files(str(photo(tmp_path)))
    submit(page, page.get_by_role("button", name="Send message"))
    assert "Your message was sent. You can expect a reply by" in flash(page)
    assert page.locator("h1").inner_text() == "Mole on my back"
    assert page.get_by_role("link", name="IMG_0042.jpg").count() == 1
    assert "Not read yet" in page.locator("main").inner_text()
    check_a11y(page)
    assert phone_overflow(page) is None
    page.screenshot(path=str(tmp_path / "thread-375.png"), full_page=True)


def test_caregiver_writes_for_her_mother(signed_in):
    page = signed_in(demo.CAREGIVER_EMAIL, width=PHONE_WIDTH, height=740)
    switch_to(page, "Margaret Brooks")
    nav(page, "Messages")
    assert page.locator("h1").inner_text() == "Messages for Margaret"
    write(page, "appointment", "Ride to the clinic", "Can Mom's visit be in the afternoon? I drive her.")
    submit(page, page.get_by_role("button", name="Send message"))
    assert "Sarah Mitchell for Margaret Brooks" in page.locator("main").inner_text()
    check_a11y(page)


@pytest.mark.parametrize(("email", "locale", "body", "title", "send"), [
    (demo.PATIENT_EMAIL, "en-US", "Since an hour I have chest pain and feel dizzy.", "Is this an emergency?",
     "Send my message anyway"),
    ("maria.garcia@example.com", "es-ES", "Tengo pensamientos suicidas.", "¿Es una emergencia?",
     "Enviar mi mensaje de todos modos"),
])
def test_an_urgent_word_shows_the_911_988_page(signed_in, email, locale, body, title, send):
    page = signed_in(email, width=PHONE_WIDTH, height=740, locale=locale)
    page.goto("/messages")
    write(page, "medical_question", "Help" if locale == "en-US" else "Ayuda", body)
    submit(page, page.locator("main form button[type=submit]"))
    assert page.locator("h1").inner_text() == title
    assert page.locator("a[href='tel:911']").count() == 1 and page.locator("a[href='tel:988']").count() >= 1
    check_a11y(page)
    assert phone_overflow(page) is None
    submit(page, page.get_by_role("button", name=send))
    assert re.search(r"/messages/\d+$", page.url)
    assert body in page.locator("main").inner_text()


def test_a_teens_private_thread_is_invisible_to_his_parent(signed_in):
    page = signed_in(demo.PARENT_EMAIL, width=PHONE_WIDTH, height=740)
    switch_to(page, "Ethan Nguyen")
    nav(page, "Messages")
    assert "A private question" not in page.locator("main").inner_text()
