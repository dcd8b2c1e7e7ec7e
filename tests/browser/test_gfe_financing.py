"""On a phone (375 px): a self-pay patient opens her Good Faith Estimate and downloads it as a PDF (English and
Spanish); a large amount shows financing offers with the worked figures, in English and Spanish; axe-core finds
nothing serious or critical and nothing scrolls sideways.

Set HEARTH_SCREENSHOTS=<folder> to keep a full-page screenshot of each page.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser.conftest import PHONE_WIDTH, check_a11y, nav, phone_overflow, sign_in, submit

pytestmark = pytest.mark.browser

SELF_PAY_EMAIL = "aisha.khan@example.com"
SPANISH_EMAIL = "maria.garcia@example.com"
FORBIDDEN = re.compile(r"interest[- ]free|(?<![\d.,])0\s?%|sin intereses|libre de intereses", re.IGNORECASE)


def _check(page, name: str) -> None:
    check_a11y(page)
    assert phone_overflow(page) is None, phone_overflow(page)
    folder = os.environ.get("HEARTH_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _main(page) -> str:
    return " ".join(page.locator("main").inner_text().split())


def test_self_pay_patient_downloads_her_gfe_pdf(new_page):
    page = new_page(width=PHONE_WIDTH, height=740)
    sign_in(page, SELF_PAY_EMAIL)
    nav(page, "Good Faith Estimates")
    _check(page, "gfe-list-en")
    submit(page, page.locator("main .usa-card__heading a").first)
    text = _main(page)
    for words in ("Aisha Khan", "Date of birth", "Primary service", "NPI", "12-3456789", "$400 or more",
                  "not a contract", "Total estimated charges"):
        assert words in text, words
    _check(page, "gfe-detail-en")
    for link_name in ("Download PDF", "PDF en español"):
        with page.expect_download() as info:
            page.get_by_role("link", name=link_name).click()
        download = info.value
        assert download.suggested_filename.startswith("good-faith-estimate-")
        assert Path(download.path()).read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(("email", "locale", "figures"), [
    (SELF_PAY_EMAIL, "en-US", {"3,000": ["Monthly payment: $145.32", "14.90% APR for 24 months",
                                         "No interest if paid in full within 12 months.",
                                         "Interest is charged from the purchase date if the balance is not paid "
                                         "in full within 12 months.", "Subject to credit approval."],
                               "5,000": ["Monthly payment: $123.99", "Term: 60 months"],
                               "1,200": ["Monthly payment: $100.00", "Total of payments: $1,200.00"]}),
    (SPANISH_EMAIL, "es-US", {"3,000": ["145,32", "14,90 % de APR", "Sujeto a aprobación de crédito."],
                              "5,000": ["123,99", "Plazo: 60 meses"],
                              "1,200": ["Pago mensual: 100,00"]}),
])
def test_a_large_amount_shows_financing_offers(new_page, email, locale, figures):
    page = new_page(width=PHONE_WIDTH, height=740, locale=locale)
    sign_in(page, email)
    page.goto("/financing/pay-over-time")
    _check(page, f"financing-empty-{locale}")
    for amount, expected in figures.items():
        page.locator("#f-amount").fill(amount)
        submit(page, page.locator("main form button[type=submit]"))
        text = _main(page)
        for words in expected:
            assert words in text, (words, text[:800])
        assert not FORBIDDEN.search(text)
        apply = page.locator("main a[href*='/financing/go/']").first
        assert apply.get_attribute("target") == "_blank"
        assert apply.get_attribute("rel") == "noopener noreferrer"
        _check(page, f"financing-{amount.replace(',', '')}-{locale}")
