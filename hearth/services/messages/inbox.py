"""The care team's inbox: a practice's threads per pool, in views, searched and filtered, with live counts.

Views (`VIEWS`): unassigned, assigned to me, all open, waiting on the patient, closed. Order: overdue
first (past the pool's reply target: `due_at` < now), then urgent, then oldest (the patient's
latest unanswered message first); closed threads newest closed first. Every thread listed is read
through the policy and audited (list/message_thread), in one INSERT for the page.

A list runs a bounded number of statements whatever its length: the pools, their counts, the page's
count and rows (patient, pool and owner joined), and the audit insert. The filters and sorts run on
the thread table's indexes (pool, status, priority, due; owner, status; practice, status).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, exists, func, insert, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from hearth import db, policy
from hearth.clock import utcnow
from hearth.context import request_info
from hearth.errors import NotFound
from hearth.models import AuditEvent, Membership, Patient, Practice, User
from hearth.models.messages import Message, MessagePool, MessageReason, MessageThread, ThreadPriority, ThreadStatus
from hearth.services import patient_search
from hearth.services.pagination import Page, clamp, paginate

PER_PAGE = 25
MAX_PER_PAGE = 100
SCOPE = "messages"
VIEWS = ("unassigned", "mine", "open", "waiting", "closed")
# Not closed, written as an IN list so the (pool, status, ...) and (practice, status, ...) indexes serve it:
# closed threads are the history that grows; the open ones stay few.
ACTIVE = (ThreadStatus.OPEN, ThreadStatus.WAITING)
DEFAULT_VIEW = "unassigned"


@dataclass(frozen=True)
class Filters:
    """What the inbox shows: a view, and optional narrowing (all ids are the practice's own)."""

    view: str = DEFAULT_VIEW
    pool_id: int | None = None
    status: ThreadStatus | None = None
    assignee_id: int | None = None
    reason: MessageReason | None = None
    q: str = ""


@dataclass
class PoolCount:
    """One pool with what the navigation and the workspace show: unread, overdue and open threads."""

    pool: MessagePool
    unread: int = 0
    overdue: int = 0
    open: int = 0


@dataclass
class InboxRow:
    thread: MessageThread
    unread: bool
    overdue: bool

    @property
    def patient(self) -> Patient:
        return self.thread.patient


@dataclass
class Inbox:
    practice: Practice
    filters: Filters
    pools: list[PoolCount]
    page: Page[InboxRow]
    staff: list[User] = field(default_factory=list)  # who threads can be assigned to (the filter's choices)

    @property
    def unread_total(self) -> int:
        return sum(p.unread for p in self.pools)


def unread_condition():
    """A thread whose latest message from the patient's side nobody of the care team has read yet."""
    return and_(MessageThread.last_patient_message_at.isnot(None), MessageThread.staff_read_at.is_(None),
                MessageThread.status.in_(ACTIVE))


def overdue_condition(now: datetime):
    """A thread past its pool's reply target, still waiting for the care team's answer."""
    return and_(MessageThread.due_at.isnot(None), MessageThread.due_at < now, MessageThread.status.in_(ACTIVE))


def is_unread(thread: MessageThread) -> bool:
    return (thread.last_patient_message_at is not None and thread.staff_read_at is None
            and thread.status != ThreadStatus.CLOSED)


def is_overdue(thread: MessageThread, now: datetime) -> bool:
    return thread.due_at is not None and thread.due_at < now and thread.status != ThreadStatus.CLOSED


def _like(text: str) -> str:
    return "%" + re.sub(r"([\\%_])", r"\\\1", text.strip().lower()) + "%"


def search_condition(q: str):
    """Patient (name words, MRN, as the patient search), subject or any message's text holds `q`."""
    pattern = _like(q)
    has_text = exists().where(Message.thread_id == MessageThread.id,
                              func.lower(Message.body).like(pattern, escape="\\"))
    return or_(*patient_search.conditions(q), func.lower(MessageThread.subject).like(pattern, escape="\\"),
               has_text)


def _view_conditions(view: str, user: User) -> list:
    if view == "unassigned":
        return [MessageThread.owner_user_id.is_(None), MessageThread.status.in_(ACTIVE)]
    if view == "mine":
        return [MessageThread.owner_user_id == user.id, MessageThread.status.in_(ACTIVE)]
    if view == "open":
        return [MessageThread.status == ThreadStatus.OPEN]
    if view == "waiting":
        return [MessageThread.status == ThreadStatus.WAITING]
    if view == "closed":
        return [MessageThread.status == ThreadStatus.CLOSED]
    raise NotFound()


def conditions(practice_id: int, filters: Filters, user: User) -> list:
    where = [MessageThread.practice_id == practice_id, *_view_conditions(filters.view, user)]
    if filters.pool_id is not None:
        where.append(MessageThread.pool_id == filters.pool_id)
    if filters.status is not None:
        where.append(MessageThread.status == filters.status)
    if filters.assignee_id is not None:
        where.append(MessageThread.owner_user_id == filters.assignee_id)
    if filters.reason is not None:
        where.append(MessageThread.reason == filters.reason)
    if filters.q.strip():
        where.append(search_condition(filters.q))
    return where


def ordering(view: str, now: datetime) -> list:
    """Overdue, then urgent, then oldest waiting; closed threads newest closed first."""
    if view == "closed":
        return [MessageThread.closed_at.desc(), MessageThread.id.desc()]
    return [case((overdue_condition(now), 0), else_=1),
            case((MessageThread.priority == ThreadPriority.URGENT, 0), else_=1),
            func.coalesce(MessageThread.last_patient_message_at, MessageThread.created_at),
            MessageThread.id]


def pool_counts(practice_id: int, now: datetime) -> list[PoolCount]:
    """The practice's active pools by name, each with its unread, overdue and open counts (two statements)."""
    pools = db.session.scalars(select(MessagePool).where(MessagePool.practice_id == practice_id,
                                                         MessagePool.active.is_(True))
                               .order_by(MessagePool.name, MessagePool.id)).all()
    rows = db.session.execute(
        select(MessageThread.pool_id,
               func.sum(case((unread_condition(), 1), else_=0)),
               func.sum(case((overdue_condition(now), 1), else_=0)),
               func.count(MessageThread.id))
        .where(MessageThread.practice_id == practice_id, MessageThread.status.in_(ACTIVE))
        .group_by(MessageThread.pool_id)
    ).all()
    by_pool = {pool_id: (int(unread or 0), int(overdue or 0), int(total or 0))
               for pool_id, unread, overdue, total in rows}
    return [PoolCount(p, *by_pool.get(p.id, (0, 0, 0))) for p in pools]


def practice_staff(practice_id: int) -> list[User]:
    """Active providers, staff and admins of the practice, by name: who a thread can be assigned to."""
    return list(db.session.scalars(
        select(User).where(User.is_active.is_(True),
                           User.id.in_(select(Membership.user_id).where(Membership.practice_id == practice_id,
                                                                        Membership.role.in_(policy.CLINICAL_ROLES))))
        .order_by(User.display_name, User.id)))


def authorize_listed(user: User, threads: list[MessageThread], action: str = "list") -> None:
    """`policy.authorize` for every thread of a page, with the audit rows written in one executemany.

    The decision is the policy's own (`policy.access`, with each thread's confidential flag); the audit
    events are those `authorize` writes, one per thread, inserted together so a page of 100 costs one
    statement, not 100. Raises NotFound when any thread is not the user's to see.
    """
    info = request_info()
    events = []
    for thread in threads:
        granted = policy.access(user, thread.patient, SCOPE, confidential=thread.confidential)
        if granted is None:
            raise NotFound()
        events.append({"actor_user_id": user.id, "actor_relation": granted.relation, "patient_id": thread.patient_id,
                       "action": action, "resource_type": "message_thread", "resource_id": str(thread.id),
                       "ip": info.ip, "user_agent": (info.user_agent or "")[:300] or None, "at": utcnow()})
    if events:
        db.session.execute(insert(AuditEvent), events)


def load_practice(user: User, practice_id: int) -> Practice:
    """The practice, for one of its providers, staff or admins (Forbidden otherwise)."""
    policy.require_practice_role(user, practice_id, policy.CLINICAL_ROLES)
    practice = db.session.get(Practice, practice_id)
    if practice is None:
        raise NotFound()
    return practice


@db.transactional
def inbox(user: User, practice_id: int, filters: Filters = Filters(), *, page: int = 1, per_page: int = PER_PAGE,
          with_staff: bool = False, now: datetime | None = None) -> Inbox:
    """A page of the practice's threads in `filters`' view, most pressing first, each read audited.

    Raises Forbidden for anyone but the practice's providers, staff and admins; NotFound for an
    unknown view.
    """
    now = now or utcnow()
    practice = load_practice(user, practice_id)
    page, per_page = clamp(page, per_page, MAX_PER_PAGE)
    where = conditions(practice_id, filters, user)
    stmt = select(MessageThread).where(*where).order_by(*ordering(filters.view, now))
    count = select(func.count(MessageThread.id)).where(*where)
    if filters.q.strip():  # the patient's name and MRN are searched too: join her (else the index alone serves)
        stmt = stmt.join(MessageThread.patient).options(contains_eager(MessageThread.patient))
        count = count.join(MessageThread.patient)
    else:
        stmt = stmt.options(joinedload(MessageThread.patient))
    stmt = stmt.options(joinedload(MessageThread.pool), joinedload(MessageThread.owner))
    rows, total = paginate(stmt, count, page, per_page)
    threads = [thread for (thread,) in rows]
    authorize_listed(user, threads)
    items = [InboxRow(thread, is_unread(thread), is_overdue(thread, now)) for thread in threads]
    return Inbox(practice, filters, pool_counts(practice_id, now), Page(items, page, per_page, total),
                 practice_staff(practice_id) if with_staff else [])


@db.transactional
def counts(user: User, practice_id: int, *, now: datetime | None = None) -> list[PoolCount]:
    """Unread, overdue and open threads per pool (what the navigation polls); no patient data, no audit."""
    load_practice(user, practice_id)
    return pool_counts(practice_id, now or utcnow())
