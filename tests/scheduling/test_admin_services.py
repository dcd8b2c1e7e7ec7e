"""Scheduling setup services: visit types and questions, and who may see or change them; the rules."""

from datetime import timedelta

import pytest

from hearth import db
from hearth.errors import Conflict, Forbidden, Invalid, NotFound
from hearth.models import PracticeSchedulingSettings, StaffRole, VisitMode, VisitType
from hearth.services.scheduling import admin, reminders
from tests.factories import make_practice, make_provider, make_staff
from tests.scheduling.conftest import future_day, local, place

QUESTIONS = [{"text": "Allergies?", "type": "yes_no", "required": True},
             {"text": "Which arm?", "type": "choice", "options": ["left", "right"]}]


def new_visit(clinic, user, **changes):
    data = {"name": "Vaccination", "duration_minutes": 15, "mode": "in_person", "self_schedulable": True,
            "active": True, "instructions": "Wear short sleeves.", "provider_ids": [clinic.provider.id],
            "questionnaire": QUESTIONS} | changes
    return admin.create_visit_type(user, clinic.practice.id, data)


def test_admin_creates_a_visit_type_with_providers_and_questions(clinic, practice_admin):
    vt = new_visit(clinic, practice_admin)
    db.session.expire_all()
    stored = db.session.get(VisitType, vt.id)
    assert (stored.name, stored.duration_minutes, stored.mode) == ("Vaccination", 15, VisitMode.IN_PERSON)
    assert [p.id for p in stored.providers] == [clinic.provider.id]
    assert [(q["text"], q["type"], q["required"]) for q in stored.questionnaire] == [
        ("Allergies?", "yes_no", True), ("Which arm?", "choice", False)]
    assert stored.questionnaire[1]["options"] == ["left", "right"]
    assert len({q["id"] for q in stored.questionnaire}) == 2 and all(q["id"] for q in stored.questionnaire)


def test_visit_type_rejects_another_practices_provider_and_a_choice_without_options(clinic, practice_admin):
    stranger = make_provider(practice=make_practice())
    db.session.commit()
    with pytest.raises(Invalid) as exc:
        new_visit(clinic, practice_admin, provider_ids=[stranger.id])
    assert "provider_ids" in exc.value.fields
    with pytest.raises(Invalid) as exc:
        new_visit(clinic, practice_admin, questionnaire=[{"text": "Pick", "type": "choice", "options": ["only"]}])
    assert "questionnaire.0.options" in exc.value.fields


def test_update_replaces_questions_and_providers(clinic, practice_admin):
    vt = new_visit(clinic, practice_admin)
    kept = vt.questionnaire[0]
    admin.update_visit_type(practice_admin, clinic.practice.id, vt.id, {"questionnaire": [kept], "provider_ids": [],
                                                               "active": False, "mode": "video"})
    db.session.expire_all()
    stored = db.session.get(VisitType, vt.id)
    assert stored.questionnaire == [kept] and stored.providers == [] and not stored.active
    assert stored.mode == VisitMode.VIDEO


def test_add_and_remove_questions(clinic, practice_admin):
    vt = clinic.visit
    before = [q["id"] for q in vt.questionnaire]
    admin.add_question(practice_admin, clinic.practice.id, vt.id,
                       {"text": "Pregnant?", "type": "yes_no", "required": False})
    admin.remove_question(practice_admin, clinic.practice.id, vt.id, "meds")
    db.session.expire_all()
    stored = db.session.get(VisitType, vt.id)
    ids = [q["id"] for q in stored.questionnaire]
    assert "meds" not in ids and ids[:-1] == [i for i in before if i != "meds"]
    assert stored.questionnaire[-1]["text"] == "Pregnant?" and ids[-1] not in before
    with pytest.raises(NotFound):
        admin.remove_question(practice_admin, clinic.practice.id, vt.id, "meds")


def test_delete_only_unused_visit_types(clinic, practice_admin):
    place(clinic, local(future_day(3), 10))
    db.session.commit()
    with pytest.raises(Conflict):
        admin.delete_visit_type(practice_admin, clinic.practice.id, clinic.visit.id)
    unused = new_visit(clinic, practice_admin)
    admin.delete_visit_type(practice_admin, clinic.practice.id, unused.id)
    assert db.session.get(VisitType, unused.id) is None
    assert db.session.get(VisitType, clinic.visit.id) is not None


def test_staff_may_look_but_not_change_and_strangers_may_not_look(clinic, practice_admin):
    provider_user = make_staff(practice=clinic.practice, role=StaffRole.PROVIDER)
    other_admin = make_staff(practice=make_practice(), role=StaffRole.ADMIN)
    db.session.commit()
    pid = clinic.practice.id
    for looker in (clinic.staff, provider_user):
        assert {vt.name for vt in admin.visit_types(looker, pid)} == {"Check-up", "Video chat"}
        assert admin.scheduling_settings(looker, pid).cancel_cutoff_hours == 24
        with pytest.raises(Forbidden):
            new_visit(clinic, looker)
        with pytest.raises(Forbidden):
            admin.update_scheduling_settings(looker, pid, {"cancel_cutoff_hours": 1})
    for stranger in (other_admin, clinic.patient.user):
        with pytest.raises(Forbidden):
            admin.visit_types(stranger, pid)
    with pytest.raises(NotFound):  # another practice's visit type, through one's own practice
        admin.visit_type(other_admin, other_admin.memberships[0].practice_id, clinic.visit.id)


def test_settings_defaults_then_saved_and_used_by_reminders(clinic, practice_admin):
    pid = clinic.practice.id
    assert db.session.get(PracticeSchedulingSettings, pid) is None
    row = admin.update_scheduling_settings(practice_admin, pid, {"reminder_offsets": [60, 2880, 60],
                                                        "video_url_template": "https://meet.example/x/{appointment_id}",
                                                        "cancel_cutoff_hours": 4})
    assert row.reminder_offsets == "2880,60" and row.offsets == [2880, 60]
    db.session.expire_all()
    stored = db.session.get(PracticeSchedulingSettings, pid)
    assert (stored.cancel_cutoff_hours, stored.checkin_opens_hours) == (4, 72)
    appointment = place(clinic, local(future_day(10), 10))
    due = sorted(r.due_at for r in reminders.plan(appointment))
    assert [appointment.starts_at - d for d in due] == [timedelta(minutes=m) for m in (2880, 60)]


@pytest.mark.parametrize("template, message", [
    ("ftp://video.example/{appointment_id}", "https://"),
    ("video.example/{appointment_id}", "https://"),
    ("https://video.example/room", "{appointment_id}"),
    ("https://video.example/{appointment_id}/{room}", "braces"),
])
def test_settings_refuse_bad_video_links(clinic, practice_admin, template, message):
    with pytest.raises(Invalid) as exc:
        admin.update_scheduling_settings(practice_admin, clinic.practice.id, {"video_url_template": template})
    assert message in str(exc.value.fields["video_url_template"][0])
    assert db.session.get(PracticeSchedulingSettings, clinic.practice.id) is None


def test_home_practice_prefers_one_the_user_administers(clinic):
    other = make_practice()
    user = make_staff(practice=clinic.practice, role=StaffRole.STAFF)
    assert admin.home_practice_id(user) == clinic.practice.id
    user.memberships.append(type(user.memberships[0])(practice_id=other.id, role=StaffRole.ADMIN))
    db.session.flush()
    assert admin.home_practice_id(user) == other.id
    with pytest.raises(Forbidden):
        admin.home_practice_id(clinic.patient.user)
