"""Browser tests: Hearth served by a subprocess on its own database with the demo data, driven by Chromium.

Debian's /usr/bin/chromium is used (never a downloaded browser). Without it the tests skip, unless
HEARTH_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync"]
BROWSER_DB = "hearth_browser"
SECRET_KEY = "browser-tests-secret-key-not-for-production"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(tmp: Path) -> str:
    """A fresh SQLite file, or a freshly created PostgreSQL database beside TEST_DATABASE_URL's."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp / 'browser.db'}"
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BROWSER_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BROWSER_DB}")
    return parsed.set(database=BROWSER_DB).render_as_string(hide_password=False)


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
    log_path = tmp / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--host", "127.0.0.1", "--port", str(port),
             "--no-reload", "--no-debugger"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/login", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the Hearth server did not start:\n{log_path.read_text()[-3000:]}", pytrace=False)
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


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

    def make(width: int = 1280, height: int = 800):
        context = browser.new_context(base_url=server, viewport={"width": width, "height": height}, locale="en-US")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
