"""The demo's messages: every pool has threads, one urgent, one overdue, a teen's private thread."""

from sqlalchemy import func, select

from hearth import db, demo
from hearth.clock import utcnow
from hearth.models import MessagePool, MessageThread, Notification, Patient, ThreadPriority, ThreadStatus, User
from hearth.services.messages import threads


def test_demo_threads():
    demo.seed()
    all_threads = db.session.scalars(select(MessageThread)).all()
    pools = db.session.scalars(select(MessagePool)).all()
    assert {t.pool_id for t in all_threads} == {p.id for p in pools}
    assert any(t.priority == ThreadPriority.URGENT and t.urgent_warning_at for t in all_threads)
    now = utcnow()
    assert any(t.status == ThreadStatus.OPEN and t.due_at and t.due_at < now for t in all_threads)
    assert sum(t.priority == ThreadPriority.URGENT for t in all_threads) == 1
    caregiver_thread = next(t for t in all_threads if t.created_by_relation == "caregiver")
    assert caregiver_thread.messages[0].acting_for_patient_id == caregiver_thread.patient_id
    teen = db.session.scalar(select(Patient).where(Patient.mrn == "HFM-000108"))
    parent = db.session.scalar(select(User).where(User.email == demo.PARENT_EMAIL))
    private = next(t for t in all_threads if t.confidential)
    assert private.patient_id == teen.id
    assert private.id not in [t.id for t in threads.list_threads(parent, teen).items]
    assert db.session.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "message")) == 0
    count = len(all_threads)
    demo.seed()
    assert db.session.scalar(select(func.count()).select_from(MessageThread)) == count
