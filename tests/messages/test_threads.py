"""The patient's side of messaging, and post_message as the care team uses it."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from hearth import db
from hearth.clock import utcnow
from hearth.errors import Conflict, Forbidden, Invalid, NotFound
from hearth.models import (
    AuditEvent,
    GrantKind,
    Message,
    MessageThread,
    Notification,
    ThreadPriority,
    ThreadStatus,
)
from hearth.services.messages import post_message, threads
from hearth.services.messages.text import render
from tests.factories import make_grant, make_user
from tests.messages.helpers import make_clinic, make_teen, start
from tests.querycount import count_queries


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_patient_starts_a_thread_routed_by_reason_with_a_reply_by():
    c = make_clinic()
    monday = datetime(2026, 11, 30, 15, tzinfo=UTC)
    thread = start(c.patient.user, c.patient, reason="billing", now=monday)
    assert thread.pool.name == "Billing" and thread.status == ThreadStatus.OPEN
    assert thread.due_at == datetime(2026, 12, 3, 22, tzinfo=UTC)  # billing: 3 business days
    assert thread.message_count == 1 and thread.priority == ThreadPriority.ROUTINE
    (message,) = thread.messages
    assert message.author_relation == "self" and message.acting_for_patient_id is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.resource_type == "message_thread",
                                                      AuditEvent.action == "create")) is not None


def test_caregiver_with_messages_scope_writes_for_the_patient():
    c = make_clinic()
    daughter = make_user(name="Ana")
    make_grant(patient=c.patient, caregiver=daughter, scopes=("messages",))
    thread = start(daughter, c.patient)
    assert thread.created_by_relation == "caregiver"
    assert thread.messages[0].acting_for_patient_id == c.patient.id
    other = make_user()
    make_grant(patient=c.patient, caregiver=other, scopes=("appointments",))
    db.session.commit()
    with pytest.raises(NotFound):
        start(other, c.patient)


@pytest.mark.parametrize(("subject", "body", "field"), [
    ("x" * 81, "fine", "subject"),
    ("", "fine", "subject"),
    ("fine", "", "body"),
    ("fine", "   \n ", "body"),
    ("fine", "x" * 4001, "body"),
])
def test_bad_input_changes_nothing(subject, body, field):
    c = make_clinic()
    before = count(MessageThread), count(Message)
    with pytest.raises(Invalid) as caught:
        start(c.patient.user, c.patient, subject=subject, body=body)
    assert field in caught.value.fields
    assert (count(MessageThread), count(Message)) == before


def test_limits_are_inclusive_and_unknown_reasons_refused():
    c = make_clinic()
    thread = start(c.patient.user, c.patient, subject="s" * 80, body="b" * 4000)
    assert len(thread.subject) == 80
    with pytest.raises(Invalid):
        start(c.patient.user, c.patient, reason="gossip")


def test_staff_reply_notifies_patient_and_message_caregivers_without_details():
    c = make_clinic()
    daughter, billing_only = make_user(), make_user()
    make_grant(patient=c.patient, caregiver=daughter, scopes=("messages",))
    make_grant(patient=c.patient, caregiver=billing_only, scopes=("billing",))
    thread = start(c.patient.user, c.patient, subject="Secret rash", body="Very private text")
    reply = post_message(c.nurse, thread.id, "Please send a photo.")
    db.session.refresh(thread)
    assert thread.status == ThreadStatus.WAITING and thread.due_at is None
    assert thread.first_staff_reply_at == reply.created_at and thread.patient_read_at is None
    rows = db.session.scalars(select(Notification).where(Notification.kind == "message")).all()
    assert {r.recipient_user_id for r in rows} == {c.patient.user.id, daughter.id}
    for row in rows:
        assert row.template == "new_message" and not row.params
    # the patient answers: open again, due again, the care team's read mark cleared
    post_message(c.patient.user, thread.id, "Here it is")
    db.session.refresh(thread)
    assert thread.status == ThreadStatus.OPEN and thread.due_at is not None and thread.staff_read_at is None
    assert thread.first_staff_reply_at == reply.created_at and thread.message_count == 3


def test_internal_notes_never_reach_the_patient_side():
    c = make_clinic()
    thread = start(c.patient.user, c.patient)
    post_message(c.nurse, thread.id, "Note: call pharmacy first", internal=True)
    assert count(Notification) == 0
    view = threads.get_thread(c.patient.user, c.patient, thread.id)
    assert [m.body for m in view.messages] == ["It has been itchy for a week."]
    staff_view = threads.get_thread(c.nurse, c.patient, thread.id)
    assert len(staff_view.messages) == 2
    with pytest.raises(Forbidden):
        post_message(c.patient.user, thread.id, "sneaky", internal=True)


def test_urgent_words_flag_the_thread_and_the_warning_is_recorded():
    c = make_clinic()
    thread = start(c.patient.user, c.patient, subject="Help", body="Tengo dolor en el pecho", warning_shown=True)
    assert thread.priority == ThreadPriority.URGENT and thread.urgent_terms == "chest_pain"
    assert thread.urgent_warning_at is not None and thread.messages[0].urgent
    post_message(c.patient.user, thread.id, "and now I feel suicidal")
    db.session.refresh(thread)
    assert thread.urgent_terms == "chest_pain,self_harm"


def test_teen_confidential_thread_is_hidden_from_a_guardian_without_consent():
    c = make_clinic()
    teen = make_teen(c.practice, utcnow().date())
    mother, consented = make_user(), make_user()
    make_grant(patient=teen, caregiver=mother, kind=GrantKind.GUARDIAN)
    make_grant(patient=teen, caregiver=consented, kind=GrantKind.GUARDIAN, teen_consent_at=utcnow())
    db.session.commit()
    secret = start(teen.user, teen, subject="Private", confidential=True)
    plain = start(teen.user, teen, subject="School form", reason="forms")
    assert [t.id for t in threads.list_threads(mother, teen).items] == [plain.id]
    with pytest.raises(NotFound):
        threads.get_thread(mother, teen, secret.id)
    with pytest.raises(NotFound):
        post_message(mother, secret.id, "hello?")
    assert {t.id for t in threads.list_threads(consented, teen).items} == {plain.id, secret.id}
    post_message(c.nurse, secret.id, "We can talk about it.")
    told = db.session.scalars(select(Notification.recipient_user_id).where(Notification.kind == "message")).all()
    assert set(told) == {teen.user.id, consented.id}
    assert threads.unread_count(mother, teen) == 0 and threads.unread_count(teen.user, teen) == 1


def test_only_a_teen_herself_marks_confidential():
    c = make_clinic()
    with pytest.raises(Forbidden):  # an adult patient is not in the teen tier
        start(c.patient.user, c.patient, confidential=True)
    teen = make_teen(c.practice, utcnow().date())
    guardian = make_user()
    make_grant(patient=teen, caregiver=guardian, kind=GrantKind.GUARDIAN)
    db.session.commit()
    with pytest.raises(Forbidden):
        start(guardian, teen, confidential=True)
    thread = start(teen.user, teen)
    assert threads.set_confidential(teen.user, teen, thread.id, True).confidential
    with pytest.raises(NotFound):
        threads.get_thread(guardian, teen, thread.id)


def test_close_own_thread_once_and_no_reply_after():
    c = make_clinic()
    thread = start(c.patient.user, c.patient)
    closed = threads.close_thread(c.patient.user, c.patient, thread.id)
    first = closed.closed_at
    assert closed.status == ThreadStatus.CLOSED and closed.due_at is None
    assert threads.close_thread(c.patient.user, c.patient, thread.id).closed_at == first
    with pytest.raises(Conflict):
        post_message(c.patient.user, thread.id, "one more thing")


def test_read_receipts_both_ways():
    c = make_clinic()
    thread = start(c.patient.user, c.patient)
    assert thread.messages[0].read_by_staff_at is None
    threads.get_thread(c.nurse, c.patient, thread.id)
    db.session.expire_all()
    assert thread.messages[0].read_by_staff_at is not None and thread.staff_read_at is not None
    reply = post_message(c.nurse, thread.id, "Thanks")
    assert threads.unread_count(c.patient.user, c.patient) == 1
    threads.mark_read(c.patient.user, c.patient, thread.id)
    db.session.expire_all()
    assert reply.read_by_patient_at is not None
    assert threads.unread_count(c.patient.user, c.patient) == 0


def test_a_double_submit_makes_one_thread_and_one_message():
    c = make_clinic()
    first = start(c.patient.user, c.patient, client_key="form-123")
    again = start(c.patient.user, c.patient, client_key="form-123")
    assert first.id == again.id and count(MessageThread) == 1
    m1 = post_message(c.patient.user, first.id, "more", client_key="reply-1")
    m2 = post_message(c.patient.user, first.id, "more", client_key="reply-1")
    assert m1.id == m2.id and count(Message) == 2


def test_other_patients_threads_are_not_found():
    c, d = make_clinic(), make_clinic()
    thread = start(c.patient.user, c.patient)
    with pytest.raises(NotFound):
        threads.get_thread(d.patient.user, c.patient, thread.id)
    with pytest.raises(NotFound):
        threads.get_thread(d.patient.user, d.patient, thread.id)
    with pytest.raises(NotFound):
        post_message(d.nurse, thread.id, "wrong practice")


def test_thread_list_is_paged_newest_first_in_bounded_statements():
    c = make_clinic()
    base = utcnow() - timedelta(days=3)
    made = [start(c.patient.user, c.patient, subject=f"Q{i}", now=base + timedelta(hours=i)) for i in range(3)]
    with count_queries() as few:
        page = threads.list_threads(c.patient.user, c.patient, per_page=2)
    assert [t.id for t in page.items] == [made[2].id, made[1].id] and page.total == 3 and page.has_next
    for i in range(3, 12):
        start(c.patient.user, c.patient, subject=f"Q{i}", now=base + timedelta(hours=i))
    with count_queries() as many:
        threads.list_threads(c.patient.user, c.patient, per_page=20)
    assert many.count == few.count


def test_text_is_escaped_and_only_web_links_are_clickable():
    html = str(render('<b>hi</b> see https://example.org/x?a=1&b=2 or javascript:alert(1) "q"'))
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert '<a href="https://example.org/x?a=1&amp;b=2" rel="nofollow noopener noreferrer">' in html
    assert 'href="javascript' not in html
    assert "<a " not in str(render('<a href="https://evil.test">x</a>'))  # typed markup stays text
