"""How messages are labelled for readers: who wrote them ("Ana for Maria"), reasons, statuses."""

from __future__ import annotations

from hearth.i18n import _l
from hearth.models import AuthorRelation, Message, MessageThread, ThreadStatus

STATUS_LABELS = {
    ThreadStatus.OPEN: _l("Waiting for your care team"),
    ThreadStatus.WAITING: _l("Your care team replied"),
    ThreadStatus.CLOSED: _l("Closed"),
}


def author_name(message: Message, thread: MessageThread) -> str:
    """The author as the thread shows it: the patient, "NAME for PATIENT" for a caregiver, the staff name."""
    patient = thread.patient
    relation = AuthorRelation(message.author_relation)
    if relation == AuthorRelation.SELF:
        return patient.full_name
    name = message.author.display_name if message.author is not None else str(_l("Someone"))
    if relation == AuthorRelation.CAREGIVER:
        return str(_l("%(name)s for %(patient)s", name=name, patient=patient.full_name))
    return name


def from_care_team(message: Message) -> bool:
    return AuthorRelation(message.author_relation) == AuthorRelation.STAFF


def status_label(status: ThreadStatus | str) -> str:
    return str(STATUS_LABELS[ThreadStatus(status)])
