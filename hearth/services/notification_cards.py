"""What is new in the notification centre: a home card, and forgetting it once the centre is opened."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_ngettext
from sqlalchemy import func, select, update

from hearth import db
from hearth.clock import utcnow
from hearth.i18n import _l
from hearth.models import Notification, NotificationStatus, User
from hearth.services.acting import Person
from hearth.services.home_cards import Card, register


def unread_count(user: User) -> int:
    """Notifications sent to `user` since she last opened the notification centre (one query)."""
    stmt = select(func.count()).select_from(Notification).where(
        Notification.recipient_user_id == user.id, Notification.status == NotificationStatus.SENT)
    if user.notifications_seen_at is not None:
        stmt = stmt.where(Notification.sent_at > user.notifications_seen_at)
    return db.session.scalar(stmt) or 0


@db.transactional
def mark_seen(user: User, now: datetime | None = None) -> None:
    """The notification centre was opened: nothing in it is new any more (one UPDATE, never backwards)."""
    now = now or utcnow()
    db.session.execute(update(User).where(User.id == user.id).where(
        (User.notifications_seen_at.is_(None)) | (User.notifications_seen_at < now)).values(notifications_seen_at=now))


@register(None)
def unread_card(user: User, person: Person, now: datetime) -> list[Card]:
    count = unread_count(user)
    if not count:
        return []
    title = lazy_ngettext("You have %(num)d new notification", "You have %(num)d new notifications", count)
    return [Card("unread_notifications", str(title), str(_l("Open notifications")), "notifications.index",
                 priority=40)]
