"""Every page each kind of user reaches, checked with axe-core and at phone width (375 px).

Each role visits all of its main-nav links, its two-factor page and its own key pages (slots,
the week's schedule, the setup pages); shared pages (preferences, forms, appointment details found
by following links) are checked once per language, so the sweep stays quick. Besides axe-core's
serious and critical findings, duplicate ids and skipped heading levels fail too.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from hearth import demo
from tests.browser.conftest import (
    axe_problems,
    day,
    phone_overflow,
    preload_axe,
    structure_problems,
    switch_to,
)

pytestmark = pytest.mark.browser

SPANISH_EMAIL = "maria.garcia@example.com"
ROLES = {
    "patient": (demo.PATIENT_EMAIL, "en-US"),
    "patient-es": (SPANISH_EMAIL, "es-ES"),
    "caregiver": (demo.CAREGIVER_EMAIL, "en-US"),
    "provider": (demo.PROVIDER_EMAIL, "en-US"),
    "admin": (demo.ADMIN_EMAIL, "en-US"),
}
# Links that download, leave Hearth or sign out are not pages to check.
SKIP = re.compile(r"(\.ics$|/join$|^/logout|^/static/|^/financing/go/)")  # files, video, sign-out, lender sites
PAGE_LIMIT = 40
# (language, page shape) already checked by an earlier role in this run.
COVERED: set[tuple[str, str]] = set()


def _shape(url: str, *, query: bool = False) -> str:
    """One page per template: /appointments/12 and /appointments/13 look the same."""
    parts = urlsplit(url)
    return re.sub(r"\d+", "N", parts.path + (f"?{parts.query}" if query and parts.query else ""))


def _links(page, scope: str) -> list[str]:
    """Same-site page links inside `scope` (a CSS selector ending in, or containing, the links)."""
    selector = scope if scope.endswith("]") else f"{scope} a[href]"
    hrefs = page.locator(selector).evaluate_all("els => els.map(e => e.getAttribute('href'))")
    out = []
    for href in hrefs:
        if not href or href.startswith(("#", "mailto:", "tel:")):
            continue
        parts = urlsplit(urljoin(page.url, href))
        if parts.netloc == urlsplit(page.url).netloc and not SKIP.search(parts.path):
            out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


class Sweep:
    """Visits pages and collects every axe-core, status and phone-width problem (all reported at once)."""

    def __init__(self, page, language: str):
        self.page = page
        self.language = language
        self.visited: list[str] = []
        self.problems: list[str] = []
        preload_axe(page.context)

    def check(self, url: str) -> list[str]:
        """Check one page; returns the links in its main content."""
        COVERED.update({(self.language, _shape(url)), (self.language, _shape(url, query=True))})
        response = self.page.goto(url)
        self.visited.append(url)
        if response is None or response.status != 200:
            self.problems.append(f"{url} answered {response.status if response else 'nothing'}")
            return []
        if (headings := self.page.locator("h1").count()) != 1:
            self.problems.append(f"{url} has {headings} h1 headings")
        self.problems += axe_problems(self.page) + structure_problems(self.page)
        if overflow := phone_overflow(self.page):
            self.problems.append(overflow)
        return _links(self.page, "main")

    def run(self, required: list[str], key: list[str] = ()) -> None:
        """The required pages; the key pages, then (breadth first) linked pages, not yet checked in this language."""
        queue: list[str] = []
        for url in dict.fromkeys(required):
            queue += self.check(url)
        for url in dict.fromkeys(key):
            if (self.language, _shape(url, query=True)) not in COVERED:
                queue += self.check(url)
        while queue and len(self.visited) < PAGE_LIMIT:
            url = queue.pop(0)
            if (self.language, _shape(url)) not in COVERED:
                queue += self.check(url)

    def nav(self) -> list[str]:
        self.page.goto("/")
        return _links(self.page, "header nav")


def _first_value(page, url: str, select: str) -> str | None:
    page.goto(url)
    option = page.locator(f"{select} option:not([value=''])").first
    return option.get_attribute("value") if option.count() else None


def _person_pages(sweep: Sweep) -> None:
    """Nav, two-factor, slots for a visit type (one day: a short list), check-in, and what they link to."""
    page = sweep.page
    required = sweep.nav() + ["/account/two-factor"]
    key = ["/appointments/find", "/notifications/preferences", "/appointments/calendar-files"]
    page.goto("/appointments/find")
    radio = page.locator("input[name=visit_type_id]").first
    if radio.count():  # the booking steps: days, one day's times, the review of its first time
        visit_type = radio.get_attribute("value")
        required += [f"/appointments/find/days?visit_type_id={visit_type}",
                     f"/appointments/find/times?visit_type_id={visit_type}&day={day(7)}"]
        page.goto(required[-1])
        if page.locator("ul.hearth-times a").count():
            required.append(page.locator("ul.hearth-times a").first.get_attribute("href"))
    page.goto("/appointments")  # the check-in form opens days ahead, but its page is there all along
    if page.locator("#upcoming-h + ul a").count():
        key.append(page.locator("#upcoming-h + ul a").first.get_attribute("href") + "/check-in")
    sweep.run(required, key)  # the profile form and the caregiver invitation are linked from the nav pages


def _staff_pages(sweep: Sweep, admin: bool) -> None:
    """Nav, two-factor, the week's schedule, a chart, booking for a patient (with slots); admins their setup."""
    page = sweep.page
    start = day(3)
    required = sweep.nav() + ["/account/two-factor", f"/schedule?days=7&date={start}"]
    page.goto("/staff/patients")
    patient_id = page.locator("main tbody a").first.get_attribute("href").rsplit("/", 1)[1]
    visit_type = _first_value(page, f"/schedule/book?patient_id={patient_id}", "#f-visit_type_id")
    key = ["/notifications/preferences", f"/staff/patients/{patient_id}",
           f"/schedule/book?patient_id={patient_id}&visit_type_id={visit_type}&start={start}&end={start}"]
    if admin:  # one of each: a location form, every setup tab, a visit type and an hours form
        page.goto("/settings/practice")
        required += _links(page, "main table")[:1] + _links(page, "main a[href$='/new']")
        page.goto("/settings/scheduling")
        required += _links(page, "main nav") + _links(page, "main table")[:1] + _links(page, "main a[href$='/new']")
        page.goto(page.url.rsplit("/", 1)[0] + "/hours")
        required += _links(page, "main table")[:1]
    sweep.run(required, key)


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_passes_axe_and_fits_a_phone(role, signed_in):
    email, locale = ROLES[role]
    # At phone width: where tables scroll sideways (axe-core checks those regions) and layouts are tightest.
    page = signed_in(email, width=375, height=740, locale=locale)
    sweep = Sweep(page, locale)
    if role in ("provider", "admin"):
        _staff_pages(sweep, admin=role == "admin")
    elif role == "caregiver":  # every page for her father; the nav again for her mother (other scopes)
        switch_to(page, "Walter Brooks")
        _person_pages(sweep)
        switch_to(page, "Margaret Brooks")
        sweep.run(sweep.nav())
    else:
        _person_pages(sweep)
    if role == "patient-es":
        assert page.locator("html").get_attribute("lang") == "es", "María should see Hearth in Spanish"
    assert len(sweep.visited) >= 8, sweep.visited
    assert not sweep.problems, f"{len(sweep.problems)} problems on {len(sweep.visited)} pages:\n" + "\n".join(
        sweep.problems)
