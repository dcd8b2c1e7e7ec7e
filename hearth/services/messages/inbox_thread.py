"""One thread as the care team sees it: every message (internal notes too), its history, and what can be done.

Opening it is audited (view/message_thread) and marks the patient's side's messages read by the care
team ("Read by your care team at ..." on the patient's pages); staff see, under each of their own
messages, when the patient's side read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from hearth import claims, db, policy
from hearth.clock import utcnow
from hearth.errors import NotFound
from hearth.models import User
from hearth.models.messages import (
    AuthorRelation,
    Message,
    MessagePool,
    MessageTemplate,
    MessageThread,
    MessageThreadEvent,
    ThreadStatus,
)
from hearth.services.messages import inbox as listing
from hearth.services.messages import reads


@dataclass
class HistoryEntry:
    event: MessageThreadEvent
    actor_name: str | None
    from_label: str | None
    to_label: str | None


@dataclass
class StaffThread:
    thread: MessageThread
    messages: list[Message]
    history: list[HistoryEntry]
    overdue: bool
    staff: list[User] = field(default_factory=list)  # assign choices
    pools: list[MessagePool] = field(default_factory=list)  # move choices
    templates: list[MessageTemplate] = field(default_factory=list)
    draft: str = ""  # a saved reply filled in, to start the reply with

    @property
    def patient(self):
        return self.thread.patient


def load_thread(user: User, thread_id: int, *, practice_id: int | None = None,
                for_update: bool = False) -> MessageThread:
    """A thread, for the providers, staff and admins of its practice (NotFound for anyone else, and when
    `practice_id` is given and is not the thread's)."""
    if for_update:
        claims.lock(MessageThread, thread_id)
    thread = db.session.scalar(
        select(MessageThread).where(MessageThread.id == thread_id)
        .options(joinedload(MessageThread.patient), joinedload(MessageThread.pool), joinedload(MessageThread.owner))
        .execution_options(populate_existing=for_update))
    if thread is None or (practice_id is not None and thread.practice_id != practice_id):
        raise NotFound()
    if not policy.is_staff_of(user, thread.practice_id):
        raise NotFound()
    return thread


def authorize(user: User, thread: MessageThread, action: str) -> None:
    policy.authorize(user, thread.patient, listing.SCOPE, action, "message_thread", thread.id,
                     confidential=thread.confidential)


def user_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def _history(thread: MessageThread) -> list[HistoryEntry]:
    from hearth.services.messages.inbox_labels import event_value

    events = db.session.scalars(select(MessageThreadEvent).where(MessageThreadEvent.thread_id == thread.id)
                                .order_by(MessageThreadEvent.id)).all()
    ids = {e.actor_user_id for e in events if e.actor_user_id}
    for e in events:
        for value in (e.from_value, e.to_value):
            if value and value.isdigit():
                ids.add(int(value))
    names = user_names(ids)
    pools = {}
    if any(e.kind == "pool" for e in events):
        pools = dict(db.session.execute(select(MessagePool.id, MessagePool.name)
                                        .where(MessagePool.practice_id == thread.practice_id)).all())
    return [HistoryEntry(e, names.get(e.actor_user_id) if e.actor_user_id else None,
                         event_value(e.kind, e.from_value, names, pools),
                         event_value(e.kind, e.to_value, names, pools)) for e in events]


@db.transactional
def open_thread(user: User, thread_id: int, *, practice_id: int | None = None, template_id: int | None = None,
                now: datetime | None = None) -> StaffThread:
    """The thread with its messages (notes included), attachments, history and the choices to act on it.

    Audited as view/message_thread; marks the patient's side's messages read by the care team.
    `template_id` fills that saved reply for this patient into `draft`. Raises Forbidden for non-staff,
    NotFound for another practice's thread or template.
    """
    from hearth.services.messages import inbox_templates

    now = now or utcnow()
    thread = load_thread(user, thread_id, practice_id=practice_id)
    practice_id = thread.practice_id
    authorize(user, thread, "view")
    last_id = db.session.scalar(select(func.max(Message.id)).where(Message.thread_id == thread.id))
    if last_id is not None:
        reads.mark(user, thread, last_id, AuthorRelation.STAFF, now=now)
    messages = db.session.scalars(
        select(Message).where(Message.thread_id == thread.id).order_by(Message.id)
        .options(joinedload(Message.author), selectinload(Message.attachments))
        .execution_options(populate_existing=True)).unique().all()
    practice = thread.patient.practice
    view = StaffThread(thread, list(messages), _history(thread), listing.is_overdue(thread, now),
                       staff=listing.practice_staff(practice_id),
                       pools=list(db.session.scalars(select(MessagePool).where(
                           MessagePool.practice_id == practice_id, MessagePool.active.is_(True))
                           .order_by(MessagePool.name))),
                       templates=inbox_templates.active_templates(practice_id))
    if template_id is not None:
        view.draft = inbox_templates.fill_for(inbox_templates.load_template(practice_id, template_id),
                                              thread.patient, practice)
    return view


def is_closed(thread: MessageThread) -> bool:
    return thread.status == ThreadStatus.CLOSED


def open_file(user: User, thread_id: int, attachment_id: int):
    """A file of the thread and its bytes, for the care team (notes' files too); audited as a download.

    NotFound for anyone but the practice's staff, another thread's file, or a file no longer stored.
    """
    from hearth.services.messages import attachments

    thread = load_thread(user, thread_id)
    return attachments.open_attachment(user, thread.patient, thread_id, attachment_id)
