"""Read marks and read receipts, both ways.

Each user has one mark per thread (how far she read: per-user unread). The first reader on the
other side also stamps the messages (`Message.read_by_staff_at` / `read_by_patient_at`: "Read by
your care team at ...") and the thread (`staff_read_at` / `patient_read_at`: unread in lists). All
writes are single conditional statements, so parallel readers cannot move a receipt later.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hearth import db
from hearth.clock import utcnow
from hearth.models import AuthorRelation, Message, MessageReadMark, MessageThread, User


def mark(user: User, thread: MessageThread, up_to_message_id: int, relation: AuthorRelation | str,
         *, now: datetime | None = None) -> None:
    """Record that `user` (reaching the thread as `relation`) has read it up to `up_to_message_id`."""
    now = now or utcnow()
    insert = pg_insert if db.is_postgres() else sqlite_insert
    stmt = insert(MessageReadMark).values(thread_id=thread.id, user_id=user.id,
                                          last_read_message_id=up_to_message_id, read_at=now)
    greatest = func.greatest if db.is_postgres() else func.max
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=["thread_id", "user_id"],
        set_={"last_read_message_id": greatest(MessageReadMark.last_read_message_id,
                                               stmt.excluded.last_read_message_id), "read_at": now},
    ))
    staff = AuthorRelation(relation) == AuthorRelation.STAFF
    if staff:
        db.session.execute(update(Message).where(
            Message.thread_id == thread.id, Message.id <= up_to_message_id, Message.read_by_staff_at.is_(None),
            Message.author_relation != AuthorRelation.STAFF).values(read_by_staff_at=now)
            .execution_options(synchronize_session=False))
        db.session.execute(update(MessageThread).where(
            MessageThread.id == thread.id, MessageThread.staff_read_at.is_(None)).values(staff_read_at=now)
            .execution_options(synchronize_session=False))
    else:
        db.session.execute(update(Message).where(
            Message.thread_id == thread.id, Message.id <= up_to_message_id, Message.read_by_patient_at.is_(None),
            Message.author_relation == AuthorRelation.STAFF, Message.internal.is_(False)).values(read_by_patient_at=now)
            .execution_options(synchronize_session=False))
        db.session.execute(update(MessageThread).where(
            MessageThread.id == thread.id, MessageThread.patient_read_at.is_(None)).values(patient_read_at=now)
            .execution_options(synchronize_session=False))
    db.session.expire(thread, ["staff_read_at", "patient_read_at"])
