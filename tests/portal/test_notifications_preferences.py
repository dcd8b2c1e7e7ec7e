"""The notification settings page: channel order and quiet hours per kind, saved all at once."""

from datetime import time

import pytest

from hearth.notify.recipients import PREFERENCE_KINDS
from hearth.services import notifications
from tests.conftest import login
from tests.factories import make_grant, make_patient, make_user


def form(**changes) -> dict:
    """Every kind on email only, no quiet hours; `changes` override single fields ("reminder-channel_1")."""
    data = {}
    for kind in PREFERENCE_KINDS:
        data.update({f"{kind}-channel_1": "email", f"{kind}-channel_2": "", f"{kind}-channel_3": "",
                     f"{kind}-quiet_hours_start": "", f"{kind}-quiet_hours_end": ""})
    data.update({k.replace("__", "-"): v for k, v in changes.items()})
    return data


def stored(user) -> dict:
    return {v.kind: v for v in notifications.get_preferences(user)}


def test_the_page_shows_defaults_language_and_zone(client):
    patient = make_patient(preferred_channels="push,email")
    patient.user.timezone = "America/Chicago"
    login(client, patient.user)
    response = client.get("/notifications/preferences")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for label in ("Appointment reminders", "Appointment booked, moved or cancelled", "Messages from your care team",
                  "New results and documents", "Bills and statements", "Earlier appointment offers"):
        assert f">{label}</h2>" in body
    assert body.count("You have not chosen yet") == 7  # one per kind, refills included
    assert 'for="f-reminder-channel_1"' in body and 'id="f-reminder-channel_1"' in body
    assert '<option value="push" selected>' in body and '<option value="email" selected>' in body
    assert 'type="time"' in body and 'for="f-bill-quiet_hours_start"' in body
    assert "written in English" in body and "(America/Chicago)" in body
    assert 'href="/account"' in body


def test_saving_keeps_order_and_quiet_hours(client):
    patient = make_patient(phone="+1 555 010 2000")
    login(client, patient.user)
    data = form(reminder__channel_1="sms", reminder__channel_2="", reminder__channel_3="push",
                reminder__quiet_hours_start="22:00", reminder__quiet_hours_end="07:30",
                bill__channel_1="push", bill__channel_2="email")
    response = client.post("/notifications/preferences", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/notifications/preferences")
    prefs = stored(patient.user)
    assert prefs["reminder"].channels == ["sms", "push"]  # a gap between choices is skipped
    assert (prefs["reminder"].quiet_hours_start, prefs["reminder"].quiet_hours_end) == (time(22), time(7, 30))
    assert prefs["bill"].channels == ["push", "email"] and prefs["bill"].quiet_hours_start is None
    assert prefs["message"].channels == ["email"] and not prefs["message"].is_default
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert "Your notification settings were saved." in page
    assert 'value="22:00"' in page and 'value="07:30"' in page and "You have not chosen yet" not in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"result__channel_1": ""}, "result-channels", "Choose at least one way to reach you."),
        ({"message__channel_2": "email"}, "message-channels", "Each way to reach you can be listed once."),
        ({"bill__channel_1": "fax"}, "bill-channels", "Choose among push, email and text message."),
        ({"waitlist__quiet_hours_start": "22:00"}, "waitlist-quiet_hours_end", "Give both the start and the end"),
        ({"reminder__quiet_hours_end": "06:00"}, "reminder-quiet_hours_start", "Give both the start and the end"),
        ({"reminder__quiet_hours_start": "25:00", "reminder__quiet_hours_end": "06:00"},
         "reminder-quiet_hours_start", "Enter a time as hours and minutes"),
        ({"reminder__quiet_hours_start": "8pm", "reminder__quiet_hours_end": "06:00"},
         "reminder-quiet_hours_start", "Enter a time as hours and minutes"),
        ({"bill__quiet_hours_start": "09:00", "bill__quiet_hours_end": "09:00"},
         "bill-quiet_hours_end", "must end at a different time"),
    ],
)
def test_bad_input_re_renders_with_errors_and_values(client, changes, field, message):
    user = make_user()
    login(client, user)
    data = form(**changes)
    data["reminder-channel_2"] = "push"  # a valid change elsewhere on the form, shown again and not saved
    response = client.post("/notifications/preferences", data=data)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body and f'id="e-{field}"' in body and 'role="alert"' in body
    assert 'aria-invalid="true"' in body
    for value in changes.values():
        if value and value != "fax":
            assert f'value="{value}"' in body or f'<option value="{value}" selected>' in body
    assert all(v.is_default for v in stored(user).values())  # nothing saved: all or nothing


def test_csrf_token_is_required(app, client):
    user = make_user()
    login(client, user)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/notifications/preferences", data=form())
        page = client.get("/notifications/preferences").get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert 'name="csrf_token"' in page
    assert all(v.is_default for v in stored(user).values())


def test_a_caregiver_sets_her_own_preferences_not_the_patients(client):
    patient = make_patient()
    carer = make_user()
    make_grant(patient=patient, caregiver=carer)
    login(client, carer)
    assert client.post("/notifications/preferences", data=form(reminder__channel_1="push")).status_code == 302
    assert stored(carer)["reminder"].channels == ["push"]
    assert stored(patient.user)["reminder"].is_default
