"""Paying a bill at phone width, through the fake Stripe: a patient in English, a guest in Spanish.

This module serves Hearth on its own (with Stripe settings pointing at the local fake); the browser
follows the redirect to the fake's checkout page and pays there; the test then sends the signed
webhooks (each three times) and runs the worker, and the statement settles exactly once.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from hearth import demo
from tests.browser.conftest import (
    PHONE_WIDTH,
    ROOT,
    SECRET_KEY,
    _database_url,
    _flask,
    _free_port,
    check_a11y,
    phone_overflow,
    sign_in,
    submit,
)
from tests.fakes.stripe_fake import FakeStripe, signed
from tests.live_server import serve

pytestmark = pytest.mark.browser
WEBHOOK_SECRET = "whsec_browser_secret"
SHOTS = Path(os.environ.get("HEARTH_SCREENSHOTS", "/tmp/hearth-shots"))


@pytest.fixture(scope="module")
def fake_stripe():
    fake = FakeStripe().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def billing_env(chromium_path, tmp_path_factory, fake_stripe) -> dict:
    tmp = tmp_path_factory.mktemp("billing-browser")
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": _database_url(tmp), "SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": "0",
           "MAIL_HOST": "", "BASE_URL": f"http://127.0.0.1:{port}", "PYTHONUNBUFFERED": "1",
           **fake_stripe.settings(WEBHOOK_SECRET), "PORT_FOR_TEST": str(port)}
    _flask(env, "db", "upgrade")
    _flask(env, "seed-demo")
    return env


@pytest.fixture(scope="module")
def server(billing_env, tmp_path_factory):
    """This module's own Hearth server (Stripe configured); overrides the package's for `new_page`."""
    port = billing_env["PORT_FOR_TEST"]
    with serve(billing_env, port, tmp_path_factory.mktemp("billing-server") / "server.log") as base:
        yield base


def deliver(server: str, fake: FakeStripe, session_id: str) -> None:
    """Send the session's events, each three times and in reverse order, as Stripe may."""
    wanted = [e for e in fake.events.values()
              if e["data"]["object"].get("id") == session_id
              or e["data"]["object"].get("id") == fake.sessions[session_id]["payment_intent"]]
    assert len(wanted) == 2
    for event in list(reversed(wanted)) * 3:
        payload, header = signed(event, WEBHOOK_SECRET)
        request = urllib.request.Request(f"{server}/api/v1/stripe/webhook", data=payload, method="POST",
                                         headers={"Stripe-Signature": header, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200 and json.loads(response.read()) == {"received": True}


def run_worker(env: dict) -> str:
    """One tick of the billing worker, as `flask notify-worker` or Celery beat would run it."""
    code = ("from hearth.app import create_app\nfrom hearth.services.billing import events\n"
            "app = create_app()\nwith app.app_context():\n    run, rec = events.run_once(app.config)\n"
            "    print(sorted(run.outcomes), rec)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def test_patient_pays_her_statement_through_stripe_and_it_settles_once(new_page, server, billing_env,
                                                                       fake_stripe):
    page = new_page(width=PHONE_WIDTH, height=800)
    sign_in(page, demo.PATIENT_EMAIL)
    page.goto("/billing")
    check_a11y(page)
    submit(page, page.get_by_role("link", name="View statement").first)
    assert "Amount due: $121.00" in page.locator("main").inner_text()
    assert "goes toward your deductible" in page.locator("main").inner_text()
    check_a11y(page)
    assert phone_overflow(page) is None
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "billing-statement-375.png"), full_page=True)
    statement_url = page.url
    page.locator("#f-amount").fill("121.00")
    submit(page, page.get_by_role("button", name="Pay with card"))
    assert page.url.startswith(fake_stripe.base_url + "/checkout/")
    session_id = page.url.rsplit("/", 1)[1]
    submit(page, page.get_by_role("button", name="Pay now"))
    assert "/paid" in page.url and "confirming your payment" in page.locator("main").inner_text()
    check_a11y(page)
    page.goto(statement_url)
    assert "Amount due: $121.00" in page.locator("main").inner_text()  # the redirect marked nothing paid
    deliver(server, fake_stripe, session_id)
    assert run_worker(billing_env) == "['noop', 'paid'] []"
    assert run_worker(billing_env) == "[] []"
    page.goto(statement_url)
    assert "Paid in full" in page.locator("main").inner_text()
    page.goto("/billing/receipts")
    assert page.locator("main").inner_text().count("$121.00") == 1


def test_guest_pays_by_code_and_date_of_birth_in_spanish(new_page, server, billing_env, fake_stripe):
    page = new_page(width=PHONE_WIDTH, height=800, locale="es-ES")
    page.goto("/pay")
    assert "Pagar una factura" in page.locator("main").inner_text()
    check_a11y(page)
    page.locator("#f-code").fill("demo 6789")
    page.locator("#f-dob_month").fill("11")
    page.locator("#f-dob_day").fill("2")
    page.locator("#f-dob_year").fill("1978")  # wrong year first
    submit(page, page.get_by_role("button", name="Continuar"))
    assert "No encontramos una factura" in page.locator("main").inner_text()
    page.locator("#f-dob_year").fill("1979")
    submit(page, page.get_by_role("button", name="Continuar"))
    text = page.locator("main").inner_text()
    assert "450,00" in text and "María" not in text and "ECG" not in text
    check_a11y(page)
    assert phone_overflow(page) is None
    page.screenshot(path=str(SHOTS / "billing-guest-375-es.png"), full_page=True)
    submit(page, page.get_by_role("button", name=re.compile(r"Pagar 450,00.*con tarjeta")))
    session_id = page.url.rsplit("/", 1)[1]
    submit(page, page.get_by_role("button", name="Pay now"))
    assert page.url.endswith("/pay/done") and "Gracias" in page.locator("main").inner_text()
    deliver(server, fake_stripe, session_id)
    assert run_worker(billing_env) == "['noop', 'paid'] []"
    page.goto("/pay")
    page.locator("#f-code").fill("DEMO-6789")
    page.locator("#f-dob_month").fill("11")
    page.locator("#f-dob_day").fill("2")
    page.locator("#f-dob_year").fill("1979")
    submit(page, page.get_by_role("button", name="Continuar"))
    assert "No debe nada en esta factura" in page.locator("main").inner_text()
