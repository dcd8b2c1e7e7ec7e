"""Secure messaging: pools (shared inboxes), threads, messages, read marks, attachments, templates.

Modelled after FHIR R4 so an import/export maps one to one:
- `MessageThread` is a `Communication` topic plus its `Task` (owner, status, priority) in a pool;
- `Message` is a `Communication` that is `partOf` its thread (`sender` = author, `onBehalfOf` =
  the patient a caregiver writes for);
- `MessagePool` is the `Task.owner` organization unit (nurse line, front desk, billing).

Times are UTC. Staff notes (`Message.internal`) are never shown to patients or caregivers, in any
page, API response or notification.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hearth.clock import utcnow
from hearth.models.base import Base, UTCDateTime, str_enum
from hearth.models.patient import Patient
from hearth.models.practice import Practice
from hearth.models.user import User

SUBJECT_MAX_CHARS = 80
BODY_MAX_CHARS = 4000
TEMPLATE_TITLE_MAX = 120


class MessageReason(enum.StrEnum):
    """Why the patient writes; the practice maps each reason to a pool (`MessageReasonRoute`)."""

    MEDICAL_QUESTION = "medical_question"
    APPOINTMENT = "appointment"
    REFILL = "refill"
    TEST_RESULTS = "test_results"
    BILLING = "billing"  # billing or insurance
    FORMS = "forms"
    OTHER = "other"


class ThreadStatus(enum.StrEnum):
    """FHIR Task.status, simplified: open (the care team's turn), waiting on the patient, closed."""

    OPEN = "open"
    WAITING = "waiting"
    CLOSED = "closed"


class ThreadPriority(enum.StrEnum):
    """FHIR Task.priority: routine or urgent (urgent words found, or set by staff)."""

    ROUTINE = "routine"
    URGENT = "urgent"


class AuthorRelation(enum.StrEnum):
    """How the author reached the patient (the policy's Access.relation)."""

    SELF = "self"
    CAREGIVER = "caregiver"
    STAFF = "staff"


class ThreadEventKind(enum.StrEnum):
    """Changes to a thread's Task part, recorded for the care team (who claimed, reassigned, ...)."""

    CLAIMED = "claimed"
    ASSIGNED = "assigned"
    UNASSIGNED = "unassigned"
    STATUS = "status"
    POOL = "pool"
    PRIORITY = "priority"


class MessagePool(Base):
    """A shared inbox of a practice (nurse line, front desk, billing) with its reply target."""

    __tablename__ = "message_pool"
    __table_args__ = (UniqueConstraint("practice_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    # Answer within this many business days (practice hours and closed days count, see reply_by).
    reply_target_business_days: Mapped[int] = mapped_column(default=2)
    active: Mapped[bool] = mapped_column(default=True)
    # The name in languages other than the practice's default (hearth.texts): {"es": {"name": "..."}}
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    practice: Mapped[Practice] = relationship()


class MessageReasonRoute(Base):
    """Practice setting: which pool a reason goes to, and whether patients are offered that reason."""

    __tablename__ = "message_reason_route"
    __table_args__ = (UniqueConstraint("practice_id", "reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"))
    reason: Mapped[MessageReason] = mapped_column(str_enum(MessageReason))
    pool_id: Mapped[int] = mapped_column(ForeignKey("message_pool.id", ondelete="CASCADE"), index=True)
    enabled: Mapped[bool] = mapped_column(default=True)

    pool: Mapped[MessagePool] = relationship(lazy="joined", innerjoin=True)


class PracticeBusinessHours(Base):
    """When the practice answers messages: one row per open weekday (0 = Monday), practice local time."""

    __tablename__ = "practice_business_hours"
    __table_args__ = (UniqueConstraint("practice_id", "weekday"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column()
    opens_at: Mapped[time] = mapped_column(Time)
    closes_at: Mapped[time] = mapped_column(Time)


class PracticeClosedDay(Base):
    """A day the practice is closed (holiday): not a business day for reply targets."""

    __tablename__ = "practice_closed_day"
    __table_args__ = (UniqueConstraint("practice_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str | None] = mapped_column(String(120))


class MessageThread(Base):
    """A conversation about one patient in one pool: FHIR Communication topic + Task."""

    __tablename__ = "message_thread"
    __table_args__ = (
        # a patient's thread list, newest activity first
        Index("ix_message_thread_patient_last", "patient_id", "last_message_at"),
        # a pool inbox: by status, urgent first, then oldest due
        Index("ix_message_thread_pool_status_due", "pool_id", "status", "priority", "due_at"),
        # "assigned to me"
        Index("ix_message_thread_owner_status", "owner_user_id", "status"),
        Index("ix_message_thread_practice_status_last", "practice_id", "status", "last_message_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    reason: Mapped[MessageReason] = mapped_column(str_enum(MessageReason))
    pool_id: Mapped[int] = mapped_column(ForeignKey("message_pool.id", ondelete="RESTRICT"))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX_CHARS))
    status: Mapped[ThreadStatus] = mapped_column(str_enum(ThreadStatus), default=ThreadStatus.OPEN)
    priority: Mapped[ThreadPriority] = mapped_column(str_enum(ThreadPriority), default=ThreadPriority.ROUTINE)
    # FHIR Task.owner: the staff member working the thread (None = unassigned in its pool)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A teen in the practice's teen tier marked it: guardians without her consent never see it.
    confidential: Mapped[bool] = mapped_column(default=False)
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    created_by_relation: Mapped[AuthorRelation] = mapped_column(str_enum(AuthorRelation))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # the latest message from the patient's side (patient or caregiver), for "oldest first" in inboxes
    last_patient_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # response time indicator: the first staff message (not an internal note) in the thread
    first_staff_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # reply-by for the unanswered patient message(s), from the pool's target; None once staff replied
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Unread, both ways: when someone of the care team / of the patient's side first read the latest
    # message from the other side (reset to None by a new message from that other side).
    staff_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    patient_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The urgent-word warning (911/988) the patient was shown, and what it matched (concept keys).
    urgent_warning_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    urgent_terms: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    message_count: Mapped[int] = mapped_column(default=0)

    patient: Mapped[Patient] = relationship()
    pool: Mapped[MessagePool] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_user_id])
    messages: Mapped[list[Message]] = relationship(
        back_populates="thread", order_by="Message.id", cascade="all, delete-orphan", passive_deletes=True)


class Message(Base):
    """One message (FHIR Communication, partOf its thread)."""

    __tablename__ = "message"
    __table_args__ = (
        Index("ix_message_thread_id_id", "thread_id", "id"),
        # a double submit (same form sent twice, a retried API call) makes one message
        UniqueConstraint("author_user_id", "client_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_thread.id", ondelete="CASCADE"))
    author_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    author_relation: Mapped[AuthorRelation] = mapped_column(str_enum(AuthorRelation))
    # FHIR Communication.onBehalfOf: the patient a caregiver writes for (None for the patient and staff)
    acting_for_patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    # A staff note: the patient's side never sees it (pages, API, notifications).
    internal: Mapped[bool] = mapped_column(default=False)
    urgent: Mapped[bool] = mapped_column(default=False)
    urgent_terms: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The writer's idempotency key (form token or API Idempotency-Key), unique per author.
    client_key: Mapped[str | None] = mapped_column(String(64))
    # Read receipts: first read by the other side (care team for patient messages, and vice versa).
    read_by_staff_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_by_patient_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    thread: Mapped[MessageThread] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship(foreign_keys=[author_user_id])
    attachments: Mapped[list[MessageAttachment]] = relationship(
        back_populates="message", order_by="MessageAttachment.id", cascade="all, delete-orphan",
        passive_deletes=True)


class MessageReadMark(Base):
    """How far one user has read one thread (per-user unread; receipts come from Message.read_by_*)."""

    __tablename__ = "message_read_mark"
    __table_args__ = (
        UniqueConstraint("thread_id", "user_id"),
        Index("ix_message_read_mark_user_thread", "user_id", "thread_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_thread.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    last_read_message_id: Mapped[int] = mapped_column(default=0)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MessageAttachment(Base):
    """A file sent with a message, stored by hearth.files under a random key outside the web root."""

    __tablename__ = "message_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    message: Mapped[Message] = relationship(back_populates="attachments")


class MessageThreadEvent(Base):
    """A change to a thread's Task part (claim, assignment, status, pool, priority), for the care team."""

    __tablename__ = "message_thread_event"
    __table_args__ = (Index("ix_message_thread_event_thread_id_id", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_thread.id", ondelete="CASCADE"))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    kind: Mapped[ThreadEventKind] = mapped_column(str_enum(ThreadEventKind))
    from_value: Mapped[str | None] = mapped_column(String(120))
    to_value: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MessageTemplate(Base):
    """A saved reply of a practice; the body may hold placeholders ({first_name}, {practice_phone})."""

    __tablename__ = "message_template"
    __table_args__ = (UniqueConstraint("practice_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(TEMPLATE_TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)
    # title and body in languages other than the practice's default: {"es": {"title": ..., "body": ...}}
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    practice: Mapped[Practice] = relationship()
