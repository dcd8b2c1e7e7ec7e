"""Helpers shared by the caregiver tests (no tests here): settings and the link an invitation email carries."""

from __future__ import annotations

from sqlalchemy import select

from hearth import db
from hearth.models import Notification, NotificationStatus
from hearth.services.caregivers import InviteSettings

SETTINGS = InviteSettings(base_url="https://hearth.example.test", days=7)


def invitation_emails(grant_id: int) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.idempotency_key.startswith(f"caregiver_invitation:{grant_id}:"))
        .order_by(Notification.id)))


def token_of(grant_id: int) -> str:
    """The token in the newest pending invitation email for the grant (what the invitee clicks)."""
    pending = [n for n in invitation_emails(grant_id) if n.status == NotificationStatus.PENDING]
    assert pending, "no pending invitation email"
    return pending[-1].params["url"].rsplit("/", 1)[1]
