"""The SMS channel sends the E.164 number (issue 7, section 6), also for rows stored before E.164."""

from hearth import db, notify
from hearth.notify.dispatcher import dispatch
from tests.api.test_staff import bearer
from tests.factories import make_patient


def test_the_sms_channel_sends_the_e164_number(client, fake_sms, make_channels):
    patient = make_patient(preferred_channels="sms")
    db.session.commit()
    client.patch(f"/api/v1/patients/{patient.id}", headers=bearer(client, patient.user),
                 json={"phone": "(555) 010-0123"})
    notify.enqueue(key="sms-e164", kind="reminder", template="appointment_reminder", user=patient.user,
                   patient=patient)
    db.session.commit()
    dispatch(make_channels(fake_sms.settings()), "w1")
    assert [m["To"] for m in fake_sms.messages] == ["+15550100123"]


def test_a_row_stored_before_e164_is_texted_in_e164(fake_sms, make_channels):
    patient = make_patient(preferred_channels="sms", phone="(555) 010-0124")
    row = notify.enqueue(key="sms-legacy", kind="reminder", template="appointment_reminder", user=patient.user,
                         patient=patient)
    assert row.to_address == "+15550100124"
