"""A notification about a patient to someone else (a caregiver) is sent only while that access lasts."""

from __future__ import annotations

from datetime import timedelta

from hearth import db, notify
from hearth.clock import utcnow
from hearth.models import NotificationStatus
from hearth.notify.dispatcher import dispatch
from tests.factories import make_grant, make_patient, make_user
from tests.notify.conftest import reload


def _message(key, user, patient):
    return notify.enqueue(key=key, kind="message", template="new_message", user=user, patient=patient)


def test_rows_for_a_caregiver_who_lost_access_are_dropped_not_sent(smtp_server, make_channels):
    patient = make_patient()
    ended, narrowed, still = (make_user() for _ in range(3))
    grant_ended = make_grant(patient=patient, caregiver=ended, scopes=["messages"])
    grant_narrowed = make_grant(patient=patient, caregiver=narrowed, scopes=["messages"])
    make_grant(patient=patient, caregiver=still, scopes=["messages"])
    rows = {who: _message(f"message:t:{who}", user, patient)
            for who, user in (("ended", ended), ("narrowed", narrowed), ("still", still), ("self", patient.user))}
    # Access changes without any use case running: by date, and by a direct edit of the scopes.
    grant_ended.ends_at = utcnow() - timedelta(minutes=1)
    grant_narrowed.scopes = "appointments"
    db.session.commit()

    summary = dispatch(make_channels(smtp_server.settings), "w1")

    assert (summary.claimed, summary.sent, summary.dropped) == (4, 2, 2)
    assert reload(rows["ended"]).status == NotificationStatus.CANCELLED
    assert "no longer has access" in rows["narrowed"].last_error
    assert reload(rows["still"]).status == NotificationStatus.SENT
    assert reload(rows["self"]).status == NotificationStatus.SENT
    assert smtp_server.to(ended.email) == [] and smtp_server.to(narrowed.email) == []
    assert len(smtp_server.to(still.email)) == 1
