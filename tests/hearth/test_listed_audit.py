"""Practice-level lists audit each patient they show (list/<resource> events), in one INSERT.

The staff patient list, the refill queue, the schedule, the results waiting for a comment and the
workspace cards that name patients show names, dates of birth, medicines or tests: each listed
patient's access log says that staff saw her there, as it says when her chart is opened.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.models import AuditEvent
from hearth.services import patients, workspace
from hearth.services.access_log import patient_trail
from hearth.services.medications import queue
from hearth.services.medications.refills import request_refill
from hearth.services.results import staff as results_staff
from hearth.services.scheduling import staff as schedule_staff
from tests.factories import make_patient
from tests.medications.helpers import make_world
from tests.querycount import count_queries
from tests.results import helpers as results
from tests.scheduling.conftest import clinic, future_day, local, place  # noqa: F401  (clinic: a fixture)


def events(actor_id: int, action: str, resource_type: str) -> list[tuple[int | None, str | None]]:
    return sorted(db.session.execute(
        select(AuditEvent.patient_id, AuditEvent.resource_id)
        .where(AuditEvent.actor_user_id == actor_id, AuditEvent.action == action,
               AuditEvent.resource_type == resource_type)).all())


def test_the_staff_patient_list_audits_each_patient_on_the_page_in_one_insert():
    world = make_world()
    others = [make_patient(practice=world.practice, family_name=f"Zed{i}", user=None) for i in range(3)]
    db.session.commit()
    with count_queries() as counter:
        listed = patients.practice_patients(world.staff, world.practice.id)
    ids = {p.id for p in listed.page.items}
    assert ids == {world.patient.id, *(p.id for p in others)}
    assert sum(s.lstrip().upper().startswith("INSERT INTO AUDIT_EVENT") for s in counter.statements) == 1
    assert events(world.staff.id, "list", "patient") == sorted((i, str(i)) for i in ids)


def test_an_empty_page_writes_no_event():
    world = make_world()
    patients.practice_patients(world.staff, world.practice.id, query="nobody-by-this-name")
    assert events(world.staff.id, "list", "patient") == []


def test_the_refill_queue_and_the_workspace_card_naming_her_audit_it_for_its_patient():
    world = make_world()
    made = request_refill(world.patient.user, world.patient, [world.med.id], world.pharmacy.id)
    page = queue.queue(world.staff, world.practice.id)
    assert [item.request.id for item in page.items] == [made.id]
    assert events(world.staff.id, "list", "refill_request") == [(world.patient.id, str(made.id))]
    workspace.home(world.staff, world.practice.id)  # the pending-refills card names her and the medicine
    assert events(world.staff.id, "list", "workspace") == [(world.patient.id, "pending_refills")]


def test_results_waiting_for_a_comment_audit_each_report_listed():
    c = results.clinic()
    report = results.record(c)
    page = results_staff.awaiting_comment(c.nurse, c.practice.id)
    assert [item.report.id for item in page.items] == [report.id]
    assert events(c.nurse.id, "list", "result") == [(c.patient.id, str(report.id))]


def test_the_schedule_audits_each_visit_for_its_patient_and_her_access_log_says_so(clinic):  # noqa: F811
    day = future_day(5)
    other = make_patient(practice=clinic.practice, family_name="Other", user=None)
    mine = place(clinic, local(day, 9))
    theirs = place(clinic, local(day, 10), patient=other)
    place(clinic, local(day + timedelta(days=1), 9))  # another day: not shown, not audited
    staff = clinic.staff
    db.session.commit()
    schedule_staff.schedule(staff, clinic.practice.id, day)
    assert events(staff.id, "list", "appointment") == sorted(
        [(clinic.patient.id, str(mine.id)), (other.id, str(theirs.id))])
    trail = patient_trail(clinic.patient.user, clinic.patient.id)
    seen = [e for e in trail.page.items if e.action == "list" and e.resource_type == "appointment"]
    assert len(seen) == 1 and seen[0].relation == "staff" and seen[0].what == "Viewed appointments"
    assert abs(seen[0].at - utcnow()) < timedelta(minutes=1)
