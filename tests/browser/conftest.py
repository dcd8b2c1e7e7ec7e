"""Browser tests: Hearth served by a subprocess on its own database with the demo data, driven by Chromium.

Debian's /usr/bin/chromium is used (never a downloaded browser). Without it the tests skip, unless
HEARTH_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import itertools
import os
import re
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest

from hearth import demo
from tests.live_server import serve
from tests.pgdb import private_database

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync"]
SERVER_ENV: dict[str, str] = {}  # the running server's DATABASE_URL, for tests that read what it queued
SECRET_KEY = "browser-tests-secret-key-not-for-production"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_SERVERS = itertools.count(1)


def _database_url(tmp: Path) -> str:
    """A fresh SQLite file, or a database of this run's own beside TEST_DATABASE_URL's (dropped at exit): one per
    server, so a module with a server of its own (billing, Stripe configured) never replaces the shared one's."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp / 'browser.db'}"
    return private_database(url, f"browser{next(_SERVERS)}")


def _flask(env: dict, *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.fail(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}", pytrace=False)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("HEARTH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"HEARTH_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return str(CHROMIUM)


@pytest.fixture(scope="package")
def server(chromium_path, tmp_path_factory):
    """Migrate, seed the demo data, then serve Hearth on a free port; yields the base URL."""
    tmp = tmp_path_factory.mktemp("browser")
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": _database_url(tmp), "SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": "0",
           "MAIL_HOST": "", "BASE_URL": f"http://127.0.0.1:{port}", "PYTHONUNBUFFERED": "1"}
    _flask(env, "db", "upgrade")
    _flask(env, "seed-demo")
    SERVER_ENV["DATABASE_URL"] = env["DATABASE_URL"]
    with serve(env, port, tmp / "server.log") as base:
        yield base


@pytest.fixture(scope="package")
def browser(chromium_path):
    """Chromium through Playwright's sync API; package-scoped so its event loop is gone before other tests run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, server):
    """Make pages in fresh browser contexts (no shared cookies); all are closed after the test."""
    contexts = []

    def make(width: int = 1280, height: int = 800, locale: str = "en-US"):
        context = browser.new_context(base_url=server, viewport={"width": width, "height": height}, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


# Helpers shared by the journey and sweep modules (import them from tests.browser.conftest).
BLOCKING = ("serious", "critical")
PHONE_WIDTH = 375
_USED_STEPS: dict[str, int] = {}  # email -> the last TOTP time step this process sent for it

_AXE_RUN = """([options, impacts]) => axe.run(document, options).then(r => r.violations
    .filter(v => impacts.includes(v.impact))
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => [n.target.join(" "), n.failureSummary])})))"""


def _path(page) -> str:
    parts = urlsplit(page.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def preload_axe(context) -> None:
    """Load axe-core into every page the context opens from now on (quicker than injecting it each time)."""
    from axe_playwright_python.base import AXE_SCRIPT

    context.add_init_script(AXE_SCRIPT)


def axe_problems(page) -> list[str]:
    """Serious or critical axe-core violations on the page as it is now, one readable line each."""
    from axe_playwright_python.base import AXE_SCRIPT

    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    found = page.evaluate(_AXE_RUN, [{"resultTypes": ["violations"]}, list(BLOCKING)])
    return [f"{_path(page)}: [{v['impact']}] {v['id']} ({v['help']}) at "
            + "; ".join(f"{target} -> {' '.join((summary or '').split())[:240]}" for target, summary in v["nodes"])
            for v in found]


_STRUCTURE = """() => {
    const problems = [];
    const seen = new Set();
    for (const el of document.querySelectorAll("[id]")) {
        if (seen.has(el.id)) problems.push(`duplicate id "${el.id}"`);
        seen.add(el.id);
    }
    let last = 0;
    for (const h of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
        const level = Number(h.tagName[1]);
        if (level > last + 1) problems.push(`${h.tagName.toLowerCase()} "${h.textContent.trim()}" after h${last}`);
        last = level;
    }
    return problems;
}"""


def structure_problems(page) -> list[str]:
    """Duplicate ids and skipped heading levels (axe-core rates these below serious; the house rules do not)."""
    return [f"{_path(page)}: {problem}" for problem in page.evaluate(_STRUCTURE)]


def check_a11y(page) -> None:
    problems = axe_problems(page) + structure_problems(page)
    assert not problems, "axe-core found problems:\n" + "\n".join(problems)


def phone_overflow(page) -> str | None:
    """Why the page scrolls sideways at 375 px (None when it fits); the viewport is put back afterwards."""
    size = page.viewport_size
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    try:
        scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if scroll <= inner + 1:
            return None
        wide = page.evaluate("""limit => [...document.querySelectorAll('main *, header *, footer *')]
            .filter(e => e.getBoundingClientRect().right > limit + 1)
            .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                             + (e.className && typeof e.className === 'string' ? '.' + e.className : ''))""", inner)
        return f"{_path(page)}: {scroll} px wide at {inner} px ({', '.join(wide)})"
    finally:
        page.set_viewport_size(size)


def sign_in(page, email: str, password: str | None = None) -> None:
    page.goto("/login")
    page.locator("#f-email").fill(email)
    page.locator("#f-password").fill(password or demo.DEMO_PASSWORD)
    submit(page, page.locator("main form button[type=submit]"))


def enter_code(page, email: str) -> None:
    """Answer the two-factor step: the oldest code the server still takes that was not used yet."""
    totp = pyotp.TOTP(demo.totp_secret())
    for _ in range(3):
        now = time.time()
        current = int(now) // totp.interval
        step = max(current - 1, _USED_STEPS.get(email, -1) + 1)
        if step > current + 1:
            time.sleep((step - 1) * totp.interval - now + 0.5)
            continue
        page.locator("#f-code").fill(totp.at(step * totp.interval))
        submit(page, page.locator("main form button[type=submit]"))
        _USED_STEPS[email] = step
        if "/login/code" not in page.url:
            return


def submit(page, target) -> None:
    """Click a button or link that loads a new page, and wait for that page."""
    with page.expect_navigation():
        target.click()


def nav(page, label: str) -> None:
    """Open a main area as a person would: from the header or the phone's tab bar when it shows there, else
    through "More"."""
    page.wait_for_load_state()
    link = page.locator("header nav, nav.hearth-tabbar").get_by_role("link", name=label, exact=True)
    link = link.locator("visible=true").first
    if not link.count():
        more = page.locator("header nav, nav.hearth-tabbar").get_by_role("link", name="More", exact=True)
        submit(page, more.locator("visible=true").first)
        link = page.locator("main").get_by_role("link", name=label, exact=True)
    submit(page, link)


def flash(page) -> str:
    return " ".join(page.locator(".flashes").inner_text().split()) if page.locator(".flashes").count() else ""


def acting_for(page) -> str:
    return " ".join(page.locator(".acting-for").inner_text().split())


def switch_to(page, name: str) -> None:
    """Act for `name` with the "Viewing the record of" switcher."""
    page.locator("#switch-person").select_option(
        page.locator("#switch-person option", has_text=name).get_attribute("value"))
    submit(page, page.locator(".switcher button[type=submit]"))


def day(offset: int) -> str:
    """A date `offset` days from today (UTC, as the demo seed counts) in ISO form for date fields."""
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def choose_first_time(page, *, visit_type: str | None, start: str) -> str:
    """On a find-a-time form: search from `start`, pick the first time offered; returns its label."""
    if visit_type:
        page.locator("#f-visit_type_id").select_option(
            page.locator("#f-visit_type_id option", has_text=visit_type).get_attribute("value"))
    page.get_by_label("From").fill(start)
    submit(page, page.get_by_role("button", name="Show times"))
    first = page.locator("input[name=slot]").first
    label = page.locator(f"label[for='{first.get_attribute('id')}']")
    label.click()  # a USWDS radio tile: the input is visually hidden, people tap its label
    assert first.is_checked()
    return label.inner_text()


def book_steps(page, *, visit_type: str | None = None, start: str | None = None) -> str:
    """Walk the booking steps from where they start: the visit type (when given), the first day on or after
    `start` with open times, that day's first time; ends on the review step. Returns "day · time" as shown."""
    if visit_type:
        page.locator("label.usa-radio__label", has_text=visit_type).click()
        submit(page, page.get_by_role("button", name="Show days"))
    hrefs = page.locator("a.hearth-day").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    wanted = next(h for h in hrefs if re.search(r"day=([\d-]+)", h).group(1) >= (start or ""))
    submit(page, page.locator(f"a.hearth-day[href='{wanted}']"))
    first = page.locator("ul.hearth-times a").first
    label = f"{page.locator('main h2').first.inner_text()} · {first.inner_text()}"
    submit(page, first)
    return label


@pytest.fixture(scope="package")
def saved_sign_ins(server) -> dict[str, list]:
    """Cookies of each account signed in once in this package: staff codes cannot be reused within 30 s."""
    return {}


@pytest.fixture
def signed_in(new_page, saved_sign_ins):
    """Make a page signed in as `email` (reusing that account's earlier session unless `fresh`)."""

    def make(email: str, *, width: int = 1280, height: int = 800, locale: str = "en-US", fresh: bool = False):
        page = new_page(width, height, locale)
        if email in saved_sign_ins and not fresh:
            page.context.add_cookies(saved_sign_ins[email])
            page.goto("/")
            if "/login" not in page.url:
                return page
        sign_in(page, email)
        if "/login/code" in page.url:
            enter_code(page, email)
        assert "/login" not in page.url, f"{email} could not sign in: {page.locator('main').inner_text()}"
        saved_sign_ins[email] = page.context.cookies()
        return page

    return make
