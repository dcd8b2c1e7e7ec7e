"""The portal's shell: menus by role and caregiver scope, the phone's bottom bar, the installable app, 2FA QR."""

import re

from hearth import db
from hearth.clock import utcnow
from tests.conftest import login
from tests.factories import make_grant, make_patient, make_practice, make_user
from tests.portal.test_staff import enrolled_staff
from tests.scheduling.conftest import clinic, future_day, local, place  # noqa: F401  (fixture)


def _nav(body: str, selector: str) -> list[str]:
    part = body[body.index(selector):]
    part = part[:part.index("</nav>")]
    return [" ".join(label.split()) for label in re.findall(r"<a[^>]*>(?:<span[^>]*></span>)?(.*?)</a>", part, re.S)]


def _labels(text: list[str]) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t).strip() for t in text]


def test_a_caregiver_without_the_appointments_scope_sees_no_appointments(client):
    patient = make_patient(given_name="Maria")
    carer = make_user()
    make_grant(patient=patient, caregiver=carer, scopes=("messages",))
    login(client, carer)
    body = client.get("/").get_data(as_text=True)
    assert "Acting for Maria" in body
    header = _labels(_nav(body, 'class="usa-nav"'))
    tabs = _labels(_nav(body, 'class="hearth-tabbar"'))
    more = client.get("/more").get_data(as_text=True)
    assert "Appointments" not in header and "Appointments" not in tabs and ">Appointments<" not in more
    assert "Book an appointment" not in body and "next visit" not in body
    assert tabs == ["Home", "Messages", "Notifications", "More"]


def test_a_patient_sees_her_main_areas_in_the_bottom_bar_and_the_rest_under_more(client):
    patient = make_patient(given_name="Emma")
    login(client, patient.user)
    body = client.get("/").get_data(as_text=True)
    tabs = _labels(_nav(body, 'class="hearth-tabbar"'))
    assert tabs == ["Home", "Appointments", "Messages", "More"]
    more = client.get("/more")
    assert more.status_code == 200
    for label in ("Notifications", "Caregivers", "Profile", "Who viewed my record", "Account", "Sign out"):
        assert label in more.get_data(as_text=True)
    # Without JavaScript the header's Menu is a link to the same page.
    assert 'class="usa-menu-btn" href="/more"' in body


def test_every_page_uses_the_vendored_design_system_and_the_app_manifest(client):
    body = client.get("/login").get_data(as_text=True)
    assert "/static/vendor/uswds-3.14.0/css/uswds.min.css" in body and 'rel="manifest"' in body
    assert client.get("/static/vendor/uswds-3.14.0/css/uswds.min.css").status_code == 200
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.mimetype == "application/manifest+json"
    assert {i["sizes"] for i in manifest.json["icons"]} >= {"192x192", "512x512"}
    for icon in manifest.json["icons"]:
        assert client.get(icon["src"]).status_code == 200
    assert manifest.json["display"] == "standalone" and manifest.json["start_url"] == "/"


def test_the_service_worker_serves_an_offline_page_and_never_caches_pages(client):
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.headers["Service-Worker-Allowed"] == "/"
    code = worker.get_data(as_text=True)
    assert "cache.put" not in code and 'caches.match(OFFLINE_URL)' in code  # only the offline page is kept
    assert 'credentials: "omit"' in code  # the offline page is fetched signed out: nothing personal in it
    offline = client.get("/offline").get_data(as_text=True)
    assert "You are offline" in offline and "911" in offline
    patient = make_patient(given_name="Nadia")
    login(client, patient.user)
    assert client.get("/").headers["Cache-Control"] == "no-store"  # signed-in pages are never stored
    assert "Nadia" not in client.get("/offline").get_data(as_text=True)


def test_two_factor_setup_shows_a_qr_code_and_numeric_code_fields(client):
    patient = make_patient()
    login(client, patient.user)
    body = client.get("/account/two-factor").get_data(as_text=True)
    assert '<svg role="img" aria-label="QR code for your authenticator app"' in body
    assert 'id="totp-secret"' in body
    assert 'inputmode="numeric"' in body and 'autocomplete="one-time-code"' in body


def test_the_login_code_field_is_numeric(client):
    staff = enrolled_staff(practice=make_practice())
    login(client, staff)
    body = client.get("/login/code").get_data(as_text=True)
    assert 'inputmode="numeric"' in body and 'autocomplete="one-time-code"' in body


def test_home_shows_the_next_visit_with_its_actions_worded_for_a_caregiver(client, clinic):  # noqa: F811
    visit = place(clinic, local(future_day(1), 10))
    visit.checked_in_at = utcnow()
    db.session.commit()
    carer = make_user()
    make_grant(patient=clinic.patient, caregiver=carer, scopes=("appointments",))
    login(client, carer)
    body = client.get("/").get_data(as_text=True)
    assert "Pat&#39;s next visit" in body or "Pat's next visit" in body
    assert "Add to calendar" in body and "Directions" in body and "1 Main St" in body
    assert "Confirm appointment" not in body  # checked in already: nothing to confirm
    assert "Checked in" in body


def test_to_do_cards_come_from_the_registry_for_the_visits_after_the_next(client, clinic):  # noqa: F811
    from hearth.services import home_cards

    first = place(clinic, local(future_day(1), 10))
    second = place(clinic, local(future_day(2), 10))
    db.session.commit()
    assert "hearth.services.scheduling.cards" in home_cards.CARD_MODULES
    cards = home_cards.cards_for(clinic.patient.user, _person(clinic.patient), utcnow())
    assert [(c.kind, c.params) for c in cards] == [("checkin_due", {"appointment_id": second.id})]
    login(client, clinic.patient.user)
    body = client.get("/").get_data(as_text=True)
    assert f"/appointments/{second.id}/check-in" in body and f"/appointments/{first.id}/check-in" in body


def test_new_notifications_make_a_card_until_the_centre_is_opened(client):
    from hearth.models import Notification, NotificationStatus

    patient = make_patient()
    db.session.add(Notification(recipient_user_id=patient.user_id, kind="message", channel="email",
                                template="new_message", params={}, idempotency_key="n-1", sent_at=utcnow(),
                                status=NotificationStatus.SENT))
    db.session.commit()
    login(client, patient.user)
    assert "You have 1 new notification" in client.get("/").get_data(as_text=True)
    assert client.get("/notifications").status_code == 200
    assert "new notification" not in client.get("/").get_data(as_text=True)


def _person(patient):
    from hearth.services.acting import Person

    return Person(patient, None)
