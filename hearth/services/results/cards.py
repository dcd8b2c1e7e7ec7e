"""The home page's results card ("new test results"), and the staff workspace's "results waiting for a comment".

New for a reader means released in the last 30 days and not yet opened by this reader (the audit log's
view/result events, the same source staff read "viewed" from). The workspace card registers with
`hearth.services.workspace_cards` when that module exists; both makers run two statements.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_ngettext
from sqlalchemy import String, and_, cast, exists, func, select
from sqlalchemy.orm import contains_eager

from hearth import db, policy
from hearth.i18n import _l
from hearth.models import AuditEvent, DiagnosticReport, Patient, Practice, User
from hearth.policy import CLINICAL_ROLES
from hearth.services.acting import Person
from hearth.services.home_cards import Card, register
from hearth.services.results.common import SCOPE, confidential_categories

NEW_FOR = timedelta(days=30)
LINES = 5


def unseen_count(user: User, patient: Patient, now: datetime) -> int:
    """Reports released in the last 30 days that `user` has not opened (hidden categories left out)."""
    opened = exists().where(AuditEvent.patient_id == patient.id, AuditEvent.actor_user_id == user.id,
                            AuditEvent.action == "view", AuditEvent.resource_type == "result",
                            AuditEvent.resource_id == cast(DiagnosticReport.id, String))
    stmt = select(func.count(DiagnosticReport.id)).where(
        DiagnosticReport.patient_id == patient.id, DiagnosticReport.released_at.is_not(None),
        DiagnosticReport.released_at >= now - NEW_FOR, ~opened)
    if patient.user_id != user.id:
        confidential = confidential_categories(patient.practice_id)
        if confidential and policy.access(user, patient, SCOPE, confidential=True) is None:
            stmt = stmt.where(DiagnosticReport.category.not_in(sorted(confidential)))
    return db.session.scalar(stmt) or 0


@register(SCOPE)
def result_cards(user: User, person: Person, now: datetime) -> list[Card]:
    count = unseen_count(user, person.patient, now)
    if not count:
        return []
    if person.is_self:
        title = lazy_ngettext("You have %(num)d new test result", "You have %(num)d new test results", count)
    else:
        title = lazy_ngettext("%(name)s has %(num)d new test result", "%(name)s has %(num)d new test results", count,
                         name=person.first_name)
    return [Card("new_results", str(title), str(_l("See test results")), "results.index", priority=30)]


def awaiting_summary(user: User, practice_id: int) -> tuple[int, list[DiagnosticReport]]:
    """How many reports wait for a comment at the practice, and the oldest few (staff; else nothing)."""
    if not policy.practice_roles(user, practice_id) & CLINICAL_ROLES:
        return 0, []
    waiting = and_(DiagnosticReport.practice_id == practice_id, DiagnosticReport.commented_at.is_(None))
    count = db.session.scalar(select(func.count(DiagnosticReport.id)).where(waiting)) or 0
    oldest = db.session.scalars(select(DiagnosticReport).join(DiagnosticReport.patient).where(waiting)
                                .options(contains_eager(DiagnosticReport.patient))
                                .order_by(DiagnosticReport.issued_at, DiagnosticReport.id).limit(LINES)).all()
    return count, list(oldest)


def results_awaiting_card(user: User, practice: Practice, now: datetime) -> list:
    """The workspace card: results waiting for a comment, oldest first (a WorkspaceCard)."""
    from hearth.services.workspace_cards import CardLine, WorkspaceCard

    count, oldest = awaiting_summary(user, practice.id)
    lines = [CardLine(text=f"{r.patient.full_name} · {r.name}", target="results_staff.report",
                      params={"patient_id": r.patient_id, "report_id": r.id}, at=r.issued_at,
                      note=None if r.released_at else str(_l("Patient waits for a comment")),
                      alert=r.released_at is None) for r in oldest]
    return [WorkspaceCard(
        kind="results_awaiting", title=str(_l("Results waiting for a comment")), action_label=str(_l("See all")),
        target="results_staff.awaiting", params={"practice": practice.id}, count=count,
        count_label=str(lazy_ngettext("%(num)d result", "%(num)d results", count)), lines=lines,
        empty_text=str(_l("No result is waiting for a comment.")), priority=40)]


try:  # the workspace arrives with the staff inbox; until then the card is not shown anywhere
    from hearth.services import workspace_cards as _workspace
except ImportError:  # pragma: no cover - depends on the merge order
    _workspace = None
if _workspace is not None:
    _workspace.register(CLINICAL_ROLES)(results_awaiting_card)
