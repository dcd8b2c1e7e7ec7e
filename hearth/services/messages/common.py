"""Shared pieces of the messaging services: limits, loading a thread, visibility, who gets notified."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from hearth import db, policy
from hearth.errors import Conflict, Invalid, NotFound
from hearth.i18n import _l
from hearth.models import AuthorRelation, CaregiverGrant, GrantStatus, MessagePool, MessageThread, Patient, User
from hearth.models.messages import BODY_MAX_CHARS, SUBJECT_MAX_CHARS

SCOPE = "messages"
RESOURCE = "message_thread"
BODY_MAX = BODY_MAX_CHARS
SUBJECT_MAX = SUBJECT_MAX_CHARS


URGENT_NOTICE = _l("This may be an emergency. Call 911 now. For a mental health crisis, call or text 988. "
                   "To send your message anyway, send it again with warning_shown set to true.")


class UrgentWordsFound(Conflict):
    """The text names an emergency and the writer has not yet seen the 911 / 988 warning.

    `topics` are the emergency topics found (hearth.services.messages.urgent_terms); `crisis` is True
    when 988 applies. Nothing was written.
    """

    def __init__(self, topics: list[str], crisis: bool):
        super().__init__(str(URGENT_NOTICE), fields={"warning_shown": [str(URGENT_NOTICE)]})
        self.topics = topics
        self.crisis = crisis


def clean_body(body: str | None) -> str:
    """The body as stored: line ends unified, outer blank space trimmed. Raises Invalid (empty, too long)."""
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise Invalid(_l("Write your message."), fields={"body": [_l("Write your message.")]})
    if len(text) > BODY_MAX:
        msg = _l("Your message is too long: use %(max)s characters or fewer.", max=f"{BODY_MAX:,}")
        raise Invalid(msg, fields={"body": [msg]})
    return text


def clean_subject(subject: str | None) -> str:
    """The subject on one line, trimmed. Raises Invalid (empty, longer than 80 characters)."""
    text = " ".join((subject or "").split())
    if not text:
        raise Invalid(_l("Enter a subject."), fields={"subject": [_l("Enter a subject.")]})
    if len(text) > SUBJECT_MAX:
        msg = _l("The subject is too long: use %(max)s characters or fewer.", max=SUBJECT_MAX)
        raise Invalid(msg, fields={"subject": [msg]})
    return text


def load_thread(patient: Patient, thread_id: int) -> MessageThread:
    """The patient's thread `thread_id`, or NotFound (another patient's thread looks absent)."""
    thread = db.session.get(MessageThread, thread_id,
                            options=[joinedload(MessageThread.pool).joinedload(MessagePool.practice)])
    if thread is None or thread.patient_id != patient.id:
        raise NotFound()
    return thread


def authorize_thread(user: User, thread: MessageThread, action: str) -> policy.Access:
    """policy.authorize for one thread, with its confidential flag (guardians without the teen's consent
    get NotFound)."""
    return policy.authorize(user, thread.patient, SCOPE, action, RESOURCE, thread.id,
                            confidential=thread.confidential)


def patient_side_users(thread: MessageThread) -> list[User]:
    """Who on the patient's side hears of a new care-team message: the patient's own account and the
    caregivers whose active grant covers messages (and the thread, if it is confidential)."""
    patient = thread.patient
    users: list[User] = []
    if patient.user is not None and patient.user.is_active:
        users.append(patient.user)
    grants = db.session.scalars(select(CaregiverGrant).where(
        CaregiverGrant.patient_id == patient.id, CaregiverGrant.status == GrantStatus.ACTIVE,
        CaregiverGrant.caregiver_user_id.is_not(None))).all()
    for grant in grants:
        caregiver = grant.caregiver
        if caregiver is None or any(u.id == caregiver.id for u in users):
            continue
        if policy.access(caregiver, patient, SCOPE, confidential=thread.confidential) is not None:
            users.append(caregiver)
    return users


def relation_of(granted: policy.Access) -> AuthorRelation:
    """The author relation for how the policy let the user in (a signed link counts as the patient)."""
    values = {r.value for r in AuthorRelation}
    return AuthorRelation(granted.relation) if granted.relation in values else AuthorRelation.SELF
