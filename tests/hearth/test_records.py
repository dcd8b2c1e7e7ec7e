from datetime import timedelta

import pytest

from hearth import db
from hearth.clock import utcnow
from hearth.errors import Forbidden, Invalid, NotFound
from hearth.models import AuditEvent, StaffRole
from hearth.services import access_log, audit_labels, records
from tests.factories import make_grant, make_patient, make_practice, make_staff, make_user


def test_labels_cover_unknown_codes():
    assert audit_labels.describe("view", "patient") == "Opened the patient record"
    assert audit_labels.describe("export", "results") == "Exported · Test results"
    assert audit_labels.describe("frobnicate", "widget_box") == "Frobnicate · widget box"
    assert audit_labels.short_ip("192.0.2.44") == "192.0.2.*"
    assert audit_labels.short_ip("2001:db8:1:2:3::9") == "2001:db8:1:…"
    assert audit_labels.short_ip("not an ip") == "" and audit_labels.short_ip(None) == ""


def test_update_profile_rules():
    practice = make_practice()
    patient = make_patient(practice=practice)
    carer = make_user()
    make_grant(patient=patient, caregiver=carer)
    outsider = make_staff(practice=make_practice())
    db.session.commit()  # a refused use case rolls back its own transaction only: keep the setup
    with pytest.raises(Forbidden):
        records.update_profile(carer, patient.id, {"address": "x"})
    with pytest.raises(NotFound):
        records.update_profile(outsider, patient.id, {"address": "x"})
    with pytest.raises(Invalid):
        records.update_profile(patient.user, patient.id, {"mrn": "X"})  # nothing editable
    with pytest.raises(Invalid) as err:
        records.update_profile(patient.user, patient.id, {"email": None})  # channel "email" needs it
    assert "email" in err.value.fields
    saved = records.update_profile(patient.user, patient.id, {"email": None, "phone": "5550101234",
                                                               "preferred_channels": ["sms"]})
    assert saved.patient.channels == ["sms"] and saved.patient.email is None


def test_entries_word_every_kind_of_actor():
    practice = make_practice()
    patient = make_patient(practice=practice)
    admin = make_staff(practice=practice, role=StaffRole.ADMIN, name="Ada")
    admin.memberships[0].role = StaffRole.ADMIN
    carer = make_user(name="Cara")
    make_grant(patient=patient, caregiver=carer)
    now = utcnow()
    for minutes, actor, relation in ((1, admin, "staff"), (2, carer, "caregiver"), (3, None, "staff"),
                                     (4, None, "system"), (5, patient.user, "self")):
        db.session.add(AuditEvent(actor_user_id=actor.id if actor else None, actor_relation=relation,
                                  patient_id=patient.id, action="view", resource_type="patient",
                                  at=now - timedelta(minutes=minutes)))
    db.session.flush()
    mine = access_log.patient_trail(patient.user, patient.id).page.items
    assert [e.who for e in mine[1:]] == ["Ada (Practice admin)", "Cara (caregiver)", "A former user",
                                         "Hearth (automatic)", "You"]
    theirs = access_log.patient_trail(admin, patient.id).page.items
    assert theirs[-1].who == f"{patient.user.display_name} (patient)"
    assert access_log.recent_by_others(carer, patient) == []
    assert [e.who for e in access_log.recent_by_others(patient.user, patient, 2)] == ["Ada (Practice admin)",
                                                                                      "Ada (Practice admin)"]
