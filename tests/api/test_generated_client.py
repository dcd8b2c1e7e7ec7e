"""A Python client generated from the served OpenAPI document (openapi-python-client, pinned in requirements.txt)
runs a patient's journey against a live Hearth on 127.0.0.1, through the generated functions and models only.

It keeps the document honest the way a mobile developer meets it: every success parses into its model, every
error into `Problem` with the sentence meant for the person, and nothing the server answers is undeclared
(`raise_on_unexpected_status`). Without the generator the test skips, except in CI (CI=true) or with
HEARTH_REQUIRE_API_TOOLS=1, where a missing generator fails.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hearth import demo
from tests.browser.conftest import _database_url, _flask, _free_port
from tests.live_server import serve

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "hearth_generated_client"


def _generator() -> str:
    """The openapi-python-client command: $OPENAPI_PYTHON_CLIENT, else beside this Python, else on PATH."""
    found = (os.environ.get("OPENAPI_PYTHON_CLIENT")
             or shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))
             or shutil.which("openapi-python-client"))
    if found:
        return found
    reason = "openapi-python-client is not installed (pinned in requirements.txt; scripts/bootstrap.sh installs it)"
    if os.environ.get("CI") or os.environ.get("HEARTH_REQUIRE_API_TOOLS") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """Hearth with the demo data, served by a subprocess on a free port of 127.0.0.1; yields the base URL."""
    tmp = tmp_path_factory.mktemp("live")
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": _database_url(tmp), "SECRET_KEY": "generated-client-test-key",
           "RATELIMIT_ENABLED": "0", "MAIL_HOST": "", "BASE_URL": f"http://127.0.0.1:{port}",
           "PYTHONUNBUFFERED": "1"}
    _flask(env, "db", "upgrade")
    _flask(env, "seed-demo")
    with serve(env, port, tmp / "server.log", ready="/healthz") as base:
        yield base


BINARY_TYPES = ("application/pdf", "image/jpeg", "image/png", "text/csv")


@pytest.fixture(scope="module")
def generated(live_server, tmp_path_factory):
    """Generate the client from the served document, without a warning, and import it."""
    generator = _generator()
    tmp = tmp_path_factory.mktemp("client")
    document = tmp / "openapi.json"
    with urllib.request.urlopen(f"{live_server}/api/v1/openapi.json", timeout=10) as response:
        document.write_bytes(response.read())
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    # Files (PDFs, card photos, attachments, a fee-schedule CSV) travel as bytes (the generator's setting for it).
    config = tmp / "generator.json"
    config.write_text(json.dumps({"content_type_overrides": {t: "application/octet-stream" for t in BINARY_TYPES}}))
    done = subprocess.run([generator, "generate", "--path", str(document), "--output-path", str(tmp / PACKAGE),
                           "--meta", "none", "--config", str(config)], capture_output=True, text=True, timeout=300,
                          env=env)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Warning" not in output and "Unable to" not in output, f"the generator warned:\n{output}"
    sys.path.insert(0, str(tmp))
    try:
        yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    finally:
        sys.path.remove(str(tmp))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _free(slots, taken: list[tuple[datetime, datetime]]):
    return [s for s in slots if all(s.ends_at <= start or s.starts_at >= end for start, end in taken)]


def test_patient_journey_through_the_generated_client(live_server, generated):
    client_mod, models = generated("client"), generated("models")
    auth, me_api = generated("api.auth.create_token"), generated("api.me.get_me")
    appointments = {name: generated(f"api.appointments.{name}") for name in (
        "list_appointments", "get_booking_options", "list_slots", "book_appointment", "reschedule_appointment",
        "cancel_appointment", "get_appointment_calendar")}
    anonymous = client_mod.Client(base_url=live_server, raise_on_unexpected_status=True)

    wrong = auth.sync_detailed(client=anonymous, body=models.TokenRequest(email=demo.PATIENT_EMAIL, password="nope"))
    assert wrong.status_code == 401 and isinstance(wrong.parsed, models.Problem)
    assert wrong.parsed.status == 401 and wrong.parsed.detail  # the sentence for the person is not lost

    token = auth.sync(client=anonymous, body=models.TokenRequest(email=demo.PATIENT_EMAIL,
                                                                 password=demo.DEMO_PASSWORD, device_label="Test"))
    assert isinstance(token, models.TokenResponse) and token.token_type.lower() == "bearer"
    api = client_mod.AuthenticatedClient(base_url=live_server, token=token.access_token,
                                         raise_on_unexpected_status=True)

    me = me_api.sync(client=api)
    assert isinstance(me, models.Me) and me.email == demo.PATIENT_EMAIL
    patient_id = me.people[0].patient.id

    listed = appointments["list_appointments"].sync(patient_id, client=api)
    assert isinstance(listed, models.AppointmentList)
    for visit in listed.upcoming + listed.past:  # nested objects are typed, never bare dicts
        assert visit.location is None or isinstance(visit.location.name, str)
        assert isinstance(visit.status, models.AppointmentStatus)

    options = appointments["get_booking_options"].sync(patient_id, client=api)
    visit_type = next(v for v in options.visit_types if v.self_schedulable and v.providers)
    today = datetime.now(UTC).date()
    slots = appointments["list_slots"].sync(patient_id, client=api, visit_type_id=visit_type.id,
                                            start=today + timedelta(days=3), end=today + timedelta(days=30))
    assert slots and all(isinstance(s, models.Slot) for s in slots)
    taken = [(v.starts_at, v.ends_at) for v in listed.upcoming]
    first = _free(slots, taken)[0]
    later = _free([s for s in slots if s.starts_at >= first.ends_at + timedelta(days=1)], taken)[0]

    def book_body(slot):
        return models.Book(visit_type_id=slot.visit_type_id, provider_id=slot.provider_id, starts_at=slot.starts_at,
                           location_id=slot.location_id)

    booked = appointments["book_appointment"].sync(patient_id, client=api, body=book_body(first))
    assert isinstance(booked, models.Appointment), booked
    assert booked.status == models.AppointmentStatus.BOOKED and booked.starts_at == first.starts_at

    again = appointments["book_appointment"].sync_detailed(patient_id, client=api, body=book_body(first))
    assert again.status_code == 409 and isinstance(again.parsed, models.Problem)
    assert again.parsed.status == 409 and again.parsed.detail and again.parsed.title

    moved = appointments["reschedule_appointment"].sync(
        patient_id, booked.id, client=api,
        body=models.Reschedule(starts_at=later.starts_at, provider_id=later.provider_id, location_id=later.location_id))
    assert isinstance(moved, models.Appointment), moved
    assert moved.starts_at == later.starts_at and moved.calendar_uid == booked.calendar_uid
    assert moved.calendar_sequence > booked.calendar_sequence

    calendar = appointments["get_appointment_calendar"].sync_detailed(patient_id, booked.id, client=api)
    assert calendar.status_code == 200 and f"UID:{booked.calendar_uid}" in calendar.content.decode()

    cancelled = appointments["cancel_appointment"].sync(patient_id, booked.id, client=api,
                                                        body=models.Cancel(reason=None))
    assert isinstance(cancelled, models.Appointment) and cancelled.status == models.AppointmentStatus.CANCELLED

    page = generated("api.notifications.list_notifications").sync(client=api, per_page=5)
    assert isinstance(page, models.NotificationPage) and page.per_page == 5
    prefs_api = generated("api.notifications.put_preferences")
    wanted = [models.PreferenceChannelsItem.PUSH, models.PreferenceChannelsItem.EMAIL]
    saved = prefs_api.sync(client=api, body=models.PreferencesUpdate(items=[
        models.Preference(kind=models.PreferenceKind.MESSAGE, channels=wanted)]))
    assert isinstance(saved, models.Preferences)
    assert next(p for p in saved.items if p.kind == models.PreferenceKind.MESSAGE).channels == wanted
    read = generated("api.notifications.get_preferences").sync(client=api)
    assert next(p for p in read.items if p.kind == models.PreferenceKind.MESSAGE).channels == wanted

    device = generated("api.devices.register_device").sync(client=api, body=models.DeviceRegister(
        token="fcm-token-generated-client-0001", platform=models.DeviceRegisterPlatform.ANDROID, label="Test phone"))
    assert isinstance(device, models.Device) and device.active is True

    signed_out = generated("api.auth.delete_token").sync_detailed(client=api)
    assert signed_out.status_code == 204
    after = me_api.sync_detailed(client=api)
    assert after.status_code == 401 and isinstance(after.parsed, models.Problem) and after.parsed.status == 401
