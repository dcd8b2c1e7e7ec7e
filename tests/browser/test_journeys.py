"""What people do in a real browser against the demo data, with axe-core on every page visited."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pyotp
import pytest

from hearth import demo

pytestmark = pytest.mark.browser

BLOCKING = ("serious", "critical")


def check_a11y(page) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    bad = [v for v in violations if v.get("impact") in BLOCKING]
    report = "\n".join(
        f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})\n"
        + "\n".join(f"    at {n['target']}: {n.get('failureSummary', '').splitlines()[-1:]}" for n in v["nodes"][:5])
        for v in bad
    )
    assert not bad, f"axe-core found problems on {page.url}:\n{report}"


def sign_in(page, email: str, password: str = demo.DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()


def enter_code(page) -> None:
    """Answer the two-factor step with the demo secret; a code already used waits for the next one."""
    totp = pyotp.TOTP(demo.totp_secret())
    for _ in range(2):
        page.get_by_label("6-digit code").fill(totp.now())
        page.get_by_role("button", name="Verify and sign in").click()
        page.wait_for_load_state()
        if "/login/code" not in page.url:
            return
        time.sleep(totp.interval - time.time() % totp.interval + 1)


def nav_links(page) -> list[tuple[str, str]]:
    links = page.locator("nav[aria-label='Main'] a")
    return [(links.nth(i).inner_text().strip(), links.nth(i).get_attribute("href")) for i in range(links.count())]


def acting_for(page) -> str:
    return " ".join(page.locator(".acting-for").inner_text().split())


def test_patient_sees_her_record_and_every_page(new_page):
    page = new_page()
    page.goto("/login")
    check_a11y(page)
    sign_in(page, demo.PATIENT_EMAIL)
    main = page.locator("main")
    assert "Emily Carter" in main.inner_text() and "HFM-000101" in main.inner_text()
    check_a11y(page)
    links = nav_links(page)
    assert len(links) >= 3, links
    for label, href in links:
        response = page.goto(href)
        assert response is not None and response.status == 200, f"{label} ({href}) answered {response.status}"
        assert page.locator("h1").count() >= 1, f"{label} ({href}) has no heading"
        check_a11y(page)


def test_caregiver_switches_between_her_parents(new_page):
    page = new_page()
    sign_in(page, demo.CAREGIVER_EMAIL)
    first = acting_for(page)
    assert first in ("Acting for Margaret Brooks", "Acting for Walter Brooks")
    other = "Walter Brooks" if "Margaret" in first else "Margaret Brooks"
    check_a11y(page)
    value = page.locator("#switch-person option", has_text=other).get_attribute("value")
    page.locator("#switch-person").select_option(value)
    page.get_by_role("button", name="Switch").click()
    page.wait_for_load_state()
    assert acting_for(page) == f"Acting for {other}"
    assert other in page.locator("main").inner_text()
    check_a11y(page)


def test_provider_signs_in_with_a_code_and_sees_patients(new_page):
    page = new_page()
    sign_in(page, demo.PROVIDER_EMAIL)
    if "/login/code" in page.url:
        check_a11y(page)
        enter_code(page)
    assert "/login" not in page.url, page.locator("main").inner_text()
    patients = [href for label, href in nav_links(page) if label == "Patients"]
    if not patients:
        pytest.skip("there is no patient list page yet")
    page.goto(patients[0])
    text = page.locator("main").inner_text()
    assert "Carter" in text and "García" in text
    check_a11y(page)


def test_wrong_password_shows_a_clear_error(new_page):
    page = new_page()
    sign_in(page, demo.PATIENT_EMAIL, password="not-the-password")
    assert "/login" in page.url
    assert page.get_by_role("alert").filter(has_text="The email or password is incorrect.").count() == 1
    check_a11y(page)


def test_home_fits_a_small_phone(new_page):
    page = new_page(width=375, height=740)
    page.goto("/login")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    sign_in(page, demo.PATIENT_EMAIL)
    assert urlsplit(page.url).path == "/"
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, f"the home page scrolls sideways at 375 px ({width} px wide)"
    check_a11y(page)
