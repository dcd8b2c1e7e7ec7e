"""Issue 10's "Done when", at phone width (375 px), axe clean, one English and one Spanish pass.

Steps already driven end to end by other browser journeys (not repeated here):
- an insured patient sees her estimated cost while booking and opens its breakdown (EN + ES):
  tests/browser/test_estimate_journey.py (this file re-opens the Spanish breakdown for its screenshot);
- a self-pay patient downloads her GFE PDF (EN + ES PDF): tests/browser/test_gfe_financing.py;
- a statement paid through the fake Stripe, the signed webhooks (each 3 times, reversed) settle it exactly once,
  and a guest pays by statement code + date of birth (ES): tests/browser/test_billing_journeys.py;
- the financing figures ($3,000 at 14.90 %/24 → $145.32, $5,000 at 16.90 %/60 → $123.99, $1,200 deferred/12 →
  $100.00) on "Pay over time" (EN + ES): tests/browser/test_gfe_financing.py.

This file drives what joins them: a large balance shows the offers on the balance page and the statement and
links to "Pay over time"; a self-pay bill $450 above its Good Faith Estimate shows the dispute notice and its PDF.
Set HEARTH_SCREENSHOTS=<folder> to keep full-page screenshots.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser.conftest import PHONE_WIDTH, check_a11y, phone_overflow, sign_in, submit
from tests.browser.test_estimate_journey import _estimate_on_review

pytestmark = pytest.mark.browser

LARGE_BALANCE_EMAIL = "kevin.thompson@example.com"  # DEMO-3000: $3,000.00 (hearth/services/billing/money_demo.py)
SELF_PAY_EMAIL = "aisha.khan@example.com"  # DEMO-4500: $450.00 above her GFE
SPANISH_EMAIL = "maria.garcia@example.com"  # DEMO-6789: $450.00
FORBIDDEN = re.compile(r"interest[- ]free|(?<![\d.,])0\s?%|sin intereses|libre de intereses", re.IGNORECASE)


def _check(page, name: str) -> str:
    check_a11y(page)
    assert phone_overflow(page) is None, phone_overflow(page)
    folder = os.environ.get("HEARTH_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
    text = " ".join(page.locator("main").inner_text().split())
    assert not FORBIDDEN.search(text)
    return text


def _apply_links_open_in_a_new_tab(page, place: str) -> None:
    links = page.locator("main a[href*='/financing/go/']")
    assert links.count() >= 1
    for i in range(links.count()):
        link = links.nth(i)
        assert f"place={place}" in link.get_attribute("href")
        assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener noreferrer"


def test_large_balance_shows_financing_offers_everywhere(new_page):
    page = new_page(width=PHONE_WIDTH, height=800)
    sign_in(page, LARGE_BALANCE_EMAIL)
    page.goto("/billing")
    text = _check(page, "money-balance-en")
    for words in ("Amount due: $3,000.00", "Monthly payment: $145.32", "14.90% APR for 24 months",
                  "Total of payments: $3,487.68", "Term: 24 months", "Subject to credit approval."):
        assert words in text, words
    _apply_links_open_in_a_new_tab(page, "balance")
    submit(page, page.get_by_role("link", name="View statement").first)
    text = _check(page, "money-statement-en")
    assert "Amount due: $3,000.00" in text and "Monthly payment: $145.32" in text
    assert "No interest if paid in full within 12 months." in text
    assert "Interest is charged from the purchase date if the balance is not paid in full within 12 months." in text
    _apply_links_open_in_a_new_tab(page, "statement")
    page.goto("/billing")
    submit(page, page.locator("main a[href*='/financing/pay-over-time']").first)
    assert "amount_cents=300000" in page.url
    assert "Monthly payment: $145.32" in _check(page, "money-pay-over-time-en")


def test_self_pay_bill_above_her_good_faith_estimate(new_page):
    page = new_page(width=PHONE_WIDTH, height=800)
    sign_in(page, SELF_PAY_EMAIL)
    page.goto("/billing")
    submit(page, page.get_by_role("link", name="View statement").first)
    text = _check(page, "money-dispute-en")
    assert "This bill is more than your estimate" in text
    assert re.search(r"is \$450\.00 more than your Good Faith Estimate of \$[\d,]+\.\d\d\.", text)
    assert "120 days from the date of this bill" in text and "www.cms.gov/nosurprises" in text
    assert "1-800-985-3059" in text
    with page.expect_download() as info:
        page.get_by_role("link", name="Download as PDF").click()
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF-")


def test_spanish_statement_offers_and_estimate_breakdown(new_page):
    page = new_page(width=PHONE_WIDTH, height=800, locale="es-US")
    sign_in(page, SPANISH_EMAIL)
    page.goto("/billing")
    submit(page, page.locator("main a[href*='/billing/statements/']").first)
    text = _check(page, "money-statement-es")
    assert "450,00" in text and "Pagar a plazos" in text and "Sujeto a aprobación de crédito." in text
    _apply_links_open_in_a_new_tab(page, "statement")
    box = _estimate_on_review(page, "Visita de seguimiento", "Vea cómo lo calculamos")
    assert "Copago" in box.inner_text()
    _check(page, "money-estimate-breakdown-es")
