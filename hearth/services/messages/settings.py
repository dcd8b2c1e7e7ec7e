"""Messaging setup, for a practice's admins: pools (shared inboxes) with reply targets, which pool each
reason goes to, office hours and closed days (they decide the reply-by time patients see).

One document read and saved whole (the portal page and `PUT /api/v1/practices/<id>/messaging-settings`):
pools are updated by id or added without one (never deleted: a pool with threads is switched off);
routes, hours and closed days are replaced. Raises Forbidden (not an admin), Invalid (field errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from sqlalchemy import delete, select

from hearth import claims, db, policy
from hearth.errors import Invalid, NotFound
from hearth.i18n import _l
from hearth.models import (
    MessagePool,
    MessageReason,
    MessageReasonRoute,
    Practice,
    PracticeBusinessHours,
    PracticeClosedDay,
    StaffRole,
    User,
)
from hearth.services.messages.hours import DEFAULT_HOURS

ADMINS = frozenset({StaffRole.ADMIN})


@dataclass
class MessagingSettings:
    practice: Practice
    pools: list[dict[str, Any]] = field(default_factory=list)
    routes: list[dict[str, Any]] = field(default_factory=list)
    hours: list[dict[str, Any]] = field(default_factory=list)
    closed_days: list[dict[str, Any]] = field(default_factory=list)


def _practice(user: User, practice_id: int) -> Practice:
    policy.require_practice_role(user, practice_id, ADMINS)
    practice = db.session.get(Practice, practice_id)
    if practice is None:
        raise NotFound()
    return practice


def _read(practice: Practice) -> MessagingSettings:
    pools = db.session.scalars(select(MessagePool).where(MessagePool.practice_id == practice.id)
                               .order_by(MessagePool.name)).all()
    routes = {r.reason: r for r in db.session.scalars(
        select(MessageReasonRoute).where(MessageReasonRoute.practice_id == practice.id))}
    hours = {h.weekday: h for h in db.session.scalars(
        select(PracticeBusinessHours).where(PracticeBusinessHours.practice_id == practice.id))}
    closed = db.session.scalars(select(PracticeClosedDay).where(PracticeClosedDay.practice_id == practice.id)
                                .order_by(PracticeClosedDay.day)).all()
    week = {w: (h.opens_at, h.closes_at) for w, h in hours.items()} if hours else DEFAULT_HOURS
    return MessagingSettings(
        practice,
        [{"id": p.id, "name": p.name, "name_es": ((p.translations or {}).get("es") or {}).get("name", ""),
          "reply_target_business_days": p.reply_target_business_days, "active": p.active} for p in pools],
        [{"reason": r.value, "pool_id": routes[r].pool_id if r in routes else None,
          "enabled": routes[r].enabled if r in routes else False} for r in MessageReason],
        [{"weekday": w, "opens_at": week[w][0] if w in week else None, "closes_at": week[w][1] if w in week else None}
         for w in range(7)],
        [{"day": d.day, "name": d.name or ""} for d in closed],
    )


@db.transactional
def messaging_settings(user: User, practice_id: int) -> MessagingSettings:
    """The practice's messaging setup (hours show the default week when none is set)."""
    return _read(_practice(user, practice_id))


def _problem(errors: dict[str, list[str]], key: str, message) -> None:
    errors.setdefault(key, []).append(str(message))


def _save_pools(practice: Practice, rows: list[dict], errors: dict) -> dict[int, MessagePool]:
    existing = {p.id: p for p in db.session.scalars(select(MessagePool).where(MessagePool.practice_id == practice.id))}
    listed = {r.get("id") for r in rows if r.get("id")}
    names = {p.name.casefold() for p in existing.values() if p.id not in listed}  # pools left as they are
    changes = []
    for i, row in enumerate(rows):
        name = " ".join((row.get("name") or "").split())
        if not name:
            if row.get("id"):
                _problem(errors, f"pools.{i}.name", _l("Enter a name."))
            continue  # the empty "add a pool" row
        if name.casefold() in names:
            _problem(errors, f"pools.{i}.name", _l("Two pools cannot have the same name."))
            continue
        names.add(name.casefold())
        if row.get("id") and row["id"] not in existing:
            raise NotFound()
        changes.append((existing.get(row.get("id")), name, row))
    if errors:
        return {}
    for pool, name, row in changes:
        if pool is None:
            pool = MessagePool(practice_id=practice.id)
            db.session.add(pool)
        pool.name = name
        pool.reply_target_business_days = row.get("reply_target_business_days", 2)
        pool.active = row.get("active", True)
        spanish = " ".join((row.get("name_es") or "").split())
        pool.translations = {"es": {"name": spanish}} if spanish else {}
    db.session.flush()
    return {p.id: p for p in db.session.scalars(select(MessagePool).where(MessagePool.practice_id == practice.id))}


def _save_routes(practice: Practice, rows: list[dict], pools: dict[int, MessagePool], errors: dict) -> None:
    db.session.execute(delete(MessageReasonRoute).where(MessageReasonRoute.practice_id == practice.id))
    for row in rows:
        reason, pool_id = MessageReason(row["reason"]), row.get("pool_id")
        if pool_id is None:
            if row.get("enabled"):
                _problem(errors, f"routes.{reason.value}", _l("Choose the inbox for this reason."))
            continue
        pool = pools.get(pool_id)
        if pool is None or (row.get("enabled") and not pool.active):
            _problem(errors, f"routes.{reason.value}", _l("Choose one of the practice's active inboxes."))
            continue
        db.session.add(MessageReasonRoute(practice_id=practice.id, reason=reason, pool_id=pool.id,
                                          enabled=bool(row.get("enabled"))))


def _save_hours(practice: Practice, rows: list[dict], errors: dict) -> None:
    db.session.execute(delete(PracticeBusinessHours).where(PracticeBusinessHours.practice_id == practice.id))
    for row in rows:
        opens, closes = row.get("opens_at"), row.get("closes_at")
        if opens is None and closes is None:
            continue  # closed that day
        if not isinstance(opens, time) or not isinstance(closes, time) or opens >= closes:
            _problem(errors, f"hours.{row['weekday']}", _l("Enter an opening time before the closing time."))
            continue
        db.session.add(PracticeBusinessHours(practice_id=practice.id, weekday=row["weekday"], opens_at=opens,
                                             closes_at=closes))


def _save_closed(practice: Practice, rows: list[dict]) -> None:
    db.session.execute(delete(PracticeClosedDay).where(PracticeClosedDay.practice_id == practice.id))
    seen: set[date] = set()
    for row in rows:
        if row["day"] not in seen:
            seen.add(row["day"])
            db.session.add(PracticeClosedDay(practice_id=practice.id, day=row["day"], name=row.get("name") or None))


@db.transactional
def save_messaging_settings(user: User, practice_id: int, data: dict) -> MessagingSettings:
    """Save the whole setup (see the module docstring); changes nothing when any part is invalid."""
    practice = _practice(user, practice_id)
    claims.lock(Practice, practice.id)  # two admins saving at once: one after the other
    errors: dict[str, list[str]] = {}
    pools = _save_pools(practice, data.get("pools", []), errors)
    if not errors:
        _save_routes(practice, data.get("routes", []), pools, errors)
        _save_hours(practice, data.get("hours", []), errors)
        _save_closed(practice, data.get("closed_days", []))
    if errors:
        raise Invalid(_l("Please correct the highlighted fields."), fields=errors)
    db.session.flush()
    return _read(practice)
