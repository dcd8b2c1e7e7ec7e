from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hearth import db
from hearth.clock import utcnow
from hearth.errors import Conflict, Forbidden, Invalid, NotFound
from hearth.models import (
    AuditEvent,
    Message,
    MessageReason,
    MessageThreadEvent,
    Notification,
    StaffRole,
    ThreadPriority,
    ThreadStatus,
)
from hearth.services.messages import inbox, inbox_actions, inbox_outreach, inbox_templates, inbox_thread
from hearth.services.messages.inbox import Filters
from hearth.services.messages.posting import post_message
from tests.factories import make_patient, make_practice, make_staff
from tests.inbox.helpers import make_pool, make_thread
from tests.querycount import count_queries


@pytest.fixture
def clinic():
    practice = make_practice(name="Oak Clinic", phone="+12025550143")
    nurse = make_staff(practice=practice, name="Nora Nurse")
    doctor = make_staff(practice=practice, role=StaffRole.PROVIDER, name="Dr Grey")
    pool = make_pool(practice=practice, name="Nurse line")
    desk = make_pool(practice=practice, name="Front desk")
    ana = make_patient(practice=practice, given_name="Ana", family_name="Lopez")
    bob = make_patient(practice=practice, given_name="Bob", family_name="Baker")

    class C:
        pass

    db.session.commit()  # kept when a use case under test rolls back
    c = C()
    c.practice, c.nurse, c.doctor, c.pool, c.desk, c.ana, c.bob = practice, nurse, doctor, pool, desk, ana, bob
    return c


def subjects(box) -> list[str]:
    return [row.thread.subject for row in box.page.items]


def test_order_is_overdue_then_urgent_then_oldest(clinic):
    now = utcnow()
    make_thread(patient=clinic.ana, pool=clinic.pool, subject="old", at=now - timedelta(hours=5),
                due_in=timedelta(days=1))
    make_thread(patient=clinic.bob, pool=clinic.pool, subject="new urgent", at=now - timedelta(hours=1),
                urgent=True, due_in=timedelta(days=1))
    make_thread(patient=clinic.ana, pool=clinic.pool, subject="overdue", at=now - timedelta(hours=2),
                due_in=-timedelta(minutes=5))
    make_thread(patient=clinic.bob, pool=clinic.pool, subject="newest", at=now - timedelta(minutes=30),
                due_in=timedelta(days=1))
    box = inbox.inbox(clinic.nurse, clinic.practice.id, Filters(view="unassigned"))
    assert subjects(box) == ["overdue", "new urgent", "old", "newest"]
    assert [r.overdue for r in box.page.items] == [True, False, False, False]
    assert all(r.unread for r in box.page.items)
    nurse_line = next(p for p in box.pools if p.pool.id == clinic.pool.id)
    assert (nurse_line.unread, nurse_line.overdue, nurse_line.open) == (4, 1, 4)


def test_views(clinic):
    mine = make_thread(patient=clinic.ana, pool=clinic.pool, subject="mine")
    make_thread(patient=clinic.ana, pool=clinic.pool, subject="free")
    theirs = make_thread(patient=clinic.bob, pool=clinic.pool, subject="theirs")
    make_thread(patient=clinic.bob, pool=clinic.pool, subject="waiting", status=ThreadStatus.WAITING)
    make_thread(patient=clinic.bob, pool=clinic.pool, subject="closed", status=ThreadStatus.CLOSED)
    inbox_actions.claim(clinic.nurse, mine.id)
    inbox_actions.claim(clinic.doctor, theirs.id)

    def view(name):
        return set(subjects(inbox.inbox(clinic.nurse, clinic.practice.id, Filters(view=name))))

    assert view("unassigned") == {"free", "waiting"}
    assert view("mine") == {"mine"}
    assert view("open") == {"mine", "free", "theirs"}
    assert view("waiting") == {"waiting"}
    assert view("closed") == {"closed"}
    with pytest.raises(NotFound):
        inbox.inbox(clinic.nurse, clinic.practice.id, Filters(view="everything"))


def test_search_and_filters(clinic):
    make_thread(patient=clinic.ana, pool=clinic.pool, subject="Rash on arm", body="It itches")
    make_thread(patient=clinic.bob, pool=clinic.desk, subject="Bill question", body="Why 100% of it?",
                reason=MessageReason.BILLING)
    third = make_thread(patient=clinic.bob, pool=clinic.pool, subject="Knee", body="My knee hurts")
    inbox_actions.claim(clinic.doctor, third.id)

    def found(**kw):
        return set(subjects(inbox.inbox(clinic.nurse, clinic.practice.id, Filters(view="open", **kw))))

    assert found(q="lopez") == {"Rash on arm"}  # patient name, accents and case ignored
    assert found(q="BILL") == {"Bill question"}  # subject
    assert found(q="knee hurts") == {"Knee"}  # text
    assert found(q="100%") == {"Bill question"}  # % is a character, not a wildcard
    assert found(q="nothing like it") == set()
    assert found(pool_id=clinic.desk.id) == {"Bill question"}
    assert found(reason=MessageReason.BILLING) == {"Bill question"}
    assert found(assignee_id=clinic.doctor.id) == {"Knee"}
    assert found(status=ThreadStatus.WAITING) == set()


def test_only_the_practice_staff_see_the_inbox_and_each_listed_thread_is_audited(clinic):
    thread = make_thread(patient=clinic.ana, pool=clinic.pool)
    with pytest.raises(Forbidden):
        inbox.inbox(make_staff(practice=make_practice()), clinic.practice.id)
    with pytest.raises(Forbidden):
        inbox.inbox(clinic.ana.user, clinic.practice.id)
    inbox.inbox(clinic.nurse, clinic.practice.id)
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.actor_user_id == clinic.nurse.id, AuditEvent.action == "list",
        AuditEvent.resource_type == "message_thread", AuditEvent.resource_id == str(thread.id))) == 1
    with pytest.raises(NotFound):
        inbox_thread.open_thread(make_staff(practice=make_practice()), thread.id)


def test_listing_runs_a_bounded_number_of_statements(clinic):
    inbox_actions.claim(clinic.doctor, make_thread(patient=clinic.ana, pool=clinic.pool).id)
    db.session.expire_all()
    with count_queries() as few:
        inbox.inbox(clinic.nurse, clinic.practice.id, Filters(view="open"))
    for i in range(15):
        thread = make_thread(patient=clinic.bob if i % 2 else clinic.ana, pool=clinic.desk if i % 3 else clinic.pool,
                             subject=f"s{i}")
        if i % 4 == 0:
            inbox_actions.claim(clinic.doctor, thread.id)
    db.session.expire_all()
    with count_queries() as many:
        box = inbox.inbox(clinic.nurse, clinic.practice.id, Filters(view="open"))
    assert len(box.page.items) == 16
    assert many.count == few.count <= 10, "\n".join(s[:90] for s in many.statements)


def test_claim_once_and_conflict(clinic):
    thread = make_thread(patient=clinic.ana, pool=clinic.pool)
    inbox_actions.claim(clinic.nurse, thread.id)
    inbox_actions.claim(clinic.nurse, thread.id)  # a double submit: nothing more
    with pytest.raises(Conflict):
        inbox_actions.claim(clinic.doctor, thread.id)
    events = db.session.scalars(select(MessageThreadEvent).where(MessageThreadEvent.thread_id == thread.id)).all()
    assert [(e.kind, e.to_value) for e in events] == [("claimed", str(clinic.nurse.id))]
    assert thread.owner_user_id == clinic.nurse.id


def test_assign_reassign_unassign_are_recorded(clinic):
    thread = make_thread(patient=clinic.ana, pool=clinic.pool)
    inbox_actions.assign(clinic.nurse, thread.id, clinic.doctor.id)
    inbox_actions.assign(clinic.doctor, thread.id, clinic.nurse.id)
    inbox_actions.assign(clinic.doctor, thread.id, clinic.nurse.id)  # no change, no record
    inbox_actions.assign(clinic.nurse, thread.id, None)
    stranger = make_staff(practice=make_practice())
    db.session.commit()
    with pytest.raises(Invalid):
        inbox_actions.assign(clinic.nurse, thread.id, stranger.id)
    with pytest.raises(Invalid):
        inbox_actions.assign(clinic.nurse, thread.id, clinic.ana.user.id)
    view = inbox_thread.open_thread(clinic.nurse, thread.id)
    from hearth.services.messages.inbox_labels import event_text

    assert [event_text(h) for h in view.history] == [
        "Nora Nurse assigned it to Dr Grey", "Dr Grey assigned it to Nora Nurse", "Nora Nurse put it back in the pool"]
    assert view.thread.owner_user_id is None


def test_status_priority_and_pool_moves(clinic):
    thread = make_thread(patient=clinic.ana, pool=clinic.pool)
    inbox_actions.claim(clinic.nurse, thread.id)
    inbox_actions.set_status(clinic.nurse, thread.id, ThreadStatus.CLOSED)
    assert thread.status == ThreadStatus.CLOSED and thread.closed_by_user_id == clinic.nurse.id
    inbox_actions.set_status(clinic.nurse, thread.id, ThreadStatus.OPEN)
    assert thread.closed_at is None
    inbox_actions.set_priority(clinic.nurse, thread.id, ThreadPriority.URGENT)
    inbox_actions.move_to_pool(clinic.nurse, thread.id, clinic.desk.id)
    assert thread.pool_id == clinic.desk.id and thread.owner_user_id is None
    with pytest.raises(Invalid):
        inbox_actions.move_to_pool(clinic.nurse, thread.id, make_pool(practice=make_practice(), name="x").id)
    from hearth.services.messages.inbox_labels import event_text

    texts = [event_text(h) for h in inbox_thread.open_thread(clinic.nurse, thread.id).history]
    assert texts == ["Nora Nurse claimed the conversation",
                     "Nora Nurse changed the status from Open to Closed",
                     "Nora Nurse changed the status from Closed to Open",
                     "Nora Nurse changed the priority from Routine to Urgent",
                     "Nora Nurse moved it from Nurse line to Front desk",
                     "Nora Nurse put it back in the pool"]


def test_opening_marks_read_and_receipts_go_both_ways(clinic):
    thread = make_thread(patient=clinic.ana, pool=clinic.pool, body="Question")
    assert inbox.inbox(clinic.nurse, clinic.practice.id).page.items[0].unread
    view = inbox_thread.open_thread(clinic.nurse, thread.id)
    assert view.messages[0].read_by_staff_at is not None
    assert not inbox.inbox(clinic.nurse, clinic.practice.id, Filters(view="open")).page.items[0].unread
    post_message(clinic.nurse, thread.id, "Answer")
    note = post_message(clinic.nurse, thread.id, "Call her tomorrow", internal=True)
    assert note.internal
    assert thread.first_staff_reply_at is not None and thread.due_at is None
    assert thread.status == ThreadStatus.WAITING


def test_internal_notes_notify_no_one(clinic):
    thread = make_thread(patient=clinic.ana, pool=clinic.pool)
    before = db.session.scalar(select(func.count(Notification.id)))
    post_message(clinic.nurse, thread.id, "Internal only", internal=True)
    assert db.session.scalar(select(func.count(Notification.id))) == before
    with pytest.raises(Forbidden):
        post_message(clinic.ana.user, thread.id, "sneaky", internal=True)


def test_saved_replies_with_placeholders(clinic):
    tpl = inbox_templates.save_template(clinic.nurse, clinic.practice.id, title="Call us",
                                        body="Hi {first_name}, please call {practice_phone}.",
                                        body_es="Hola {first_name}, llame al {practice_phone}.")
    thread = make_thread(patient=clinic.ana, pool=clinic.pool)
    view = inbox_thread.open_thread(clinic.nurse, thread.id, template_id=tpl.id)
    assert view.draft == "Hi Ana, please call (202) 555-0143."
    clinic.ana.preferred_language = "es"
    view = inbox_thread.open_thread(clinic.nurse, thread.id, template_id=tpl.id)
    assert view.draft == "Hola Ana, llame al (202) 555-0143."
    with pytest.raises(Invalid) as bad:
        inbox_templates.save_template(clinic.nurse, clinic.practice.id, title="Bad", body="{patient.__class__}")
    assert "body" in bad.value.fields
    with pytest.raises(Conflict):
        inbox_templates.save_template(clinic.nurse, clinic.practice.id, title="call US", body="x")
    other = make_practice()
    elsewhere = inbox_templates.save_template(make_staff(practice=other), other.id, title="t", body="b")
    with pytest.raises(Forbidden):
        inbox_templates.list_templates(clinic.nurse, other.id)
    with pytest.raises(NotFound):
        inbox_thread.open_thread(clinic.nurse, thread.id, template_id=elsewhere.id)
    inbox_templates.delete_template(clinic.nurse, clinic.practice.id, tpl.id)
    assert inbox_templates.list_templates(clinic.nurse, clinic.practice.id) == []


def test_outreach_starts_a_thread_waiting_on_the_patient(clinic):
    thread = inbox_outreach.start_thread(clinic.nurse, clinic.practice.id, clinic.ana.id, pool_id=clinic.pool.id,
                                         subject="Your lab visit", body="Please come in fasting.")
    assert thread.status == ThreadStatus.WAITING and thread.owner_user_id == clinic.nurse.id
    messages = db.session.scalars(select(Message).where(Message.thread_id == thread.id)).all()
    assert [m.body for m in messages] == ["Please come in fasting."]
    sent = db.session.scalars(select(Notification).where(Notification.recipient_user_id == clinic.ana.user_id)).all()
    assert sent and all("lab" not in str(n.params).lower() for n in sent)
    foreign_pool = make_pool(practice=make_practice())
    stranger = make_patient(practice=make_practice())
    db.session.commit()
    with pytest.raises(Invalid) as bad:
        inbox_outreach.start_thread(clinic.nurse, clinic.practice.id, clinic.ana.id,
                                    pool_id=foreign_pool.id, subject="", body="x" * 5000)
    assert set(bad.value.fields) == {"pool_id", "subject", "body"}
    with pytest.raises(NotFound):
        inbox_outreach.start_thread(clinic.nurse, clinic.practice.id, stranger.id, pool_id=clinic.pool.id,
                                    subject="s", body="b")
