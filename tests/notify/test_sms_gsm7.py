"""SMS bodies in GSM-7 where the words allow it: a reminder is billed as 160-character segments, not UCS-2."""

from __future__ import annotations

import pytest

from hearth import db, notify
from hearth.notify import gsm
from hearth.notify.dispatcher import dispatch
from tests.factories import make_patient

START = "2026-12-02T19:30:00+00:00"  # 2:30 PM in New York: Babel writes "2:30\u202fPM"


@pytest.mark.parametrize("locale, words", [("en", "on Wednesday, December 2, 2026 at 2:30 PM. Open Hearth"),
                                           ("es", "el miércoles, 2 de diciembre de 2026 a las 14:30. Abra")])
def test_reminder_sms_is_gsm7(fake_sms, make_channels, locale, words):
    patient = make_patient(phone="+15557654321", preferred_channels="sms", preferred_language=locale)
    patient.user.locale = locale
    db.session.flush()
    notify.enqueue(key=f"reminder:{locale}", kind="reminder", template="appointment_reminder", user=patient.user,
                   patient=patient, params={"starts_at": START, "zone": "America/New_York",
                                            "confirm_url": "https://hearth.test/r/abc?lang=en",
                                            "cancel_url": "https://hearth.test/r/def?lang=en"})
    assert dispatch(make_channels(fake_sms.settings()), "w1").sent == 1
    [sms] = fake_sms.messages
    assert gsm.is_gsm7(sms["Body"]), [ch for ch in sms["Body"] if not gsm.is_gsm7(ch)]
    assert words in sms["Body"] and "\u202f" not in sms["Body"] and "\xa0" not in sms["Body"]
    assert "https://hearth.test/r/abc?lang=" + locale in sms["Body"]


def test_fit_keeps_spelling_when_the_text_needs_ucs2_anyway():
    assert gsm.fit("Cita el miércoles\u202fa las 9:00 “hoy” – sí") == 'Cita el miércoles a las 9:00 "hoy" - si'
    assert gsm.fit("Llámenos, 王芳") == "Llámenos, 王芳"  # another script: UCS-2 whatever we do
    assert gsm.fit("¿Está bien? ñ ü é") == "¿Esta bien? ñ ü é"

