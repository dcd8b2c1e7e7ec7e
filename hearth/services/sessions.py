"""Signed-in sessions: portal cookies and API token families share one table and one revocation.

Every way a session ends goes through `end`, which also stops pushes to the devices the session
registered; a session that simply runs out (its absolute end) stops them too, because delivery only
targets devices whose session is still live (`live_device_clause`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, bindparam, exists, not_, or_, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from hearth import db
from hearth.clock import utcnow
from hearth.context import request_info
from hearth.models import Device, SessionKind, User, UserSession
from hearth.security.tokens import new_token, token_hash

# Last-seen is written at most this often, so a page view does not always cost an UPDATE.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta


def _new_row(user: User, kind: SessionKind, lifetime: timedelta, device_label: str | None) -> UserSession:
    info = request_info()
    now = utcnow()
    row = UserSession(
        user_id=user.id,
        kind=kind,
        created_at=now,
        last_seen_at=now,
        reauth_at=now,
        expires_at=now + lifetime,
        ip=info.ip,
        user_agent=(info.user_agent or "")[:300] or None,
        device_label=device_label,
    )
    db.session.add(row)
    return row


def start_web_session(user: User, policy: SessionPolicy) -> tuple[str, UserSession]:
    """Open a portal session; returns the raw session id for the cookie and the row."""
    sid = new_token()
    row = _new_row(user, SessionKind.WEB, policy.absolute, None)
    row.sid_hash = token_hash(sid)
    db.session.flush()
    return sid, row


def start_api_session(user: User, lifetime: timedelta, device_label: str | None) -> UserSession:
    row = _new_row(user, SessionKind.API, lifetime, device_label)
    db.session.flush()
    return row


def is_live(row: UserSession, policy: SessionPolicy | None, now: datetime | None = None) -> bool:
    """True when the session is neither revoked, past its absolute end, nor idle too long."""
    now = now or utcnow()
    if row.revoked_at is not None or now >= row.expires_at or not row.user.is_active:
        return False
    return policy is None or now - row.last_seen_at < policy.idle


def _with_user(where: ColumnElement[bool]):
    return select(UserSession).where(where).options(joinedload(UserSession.user).joinedload(User.memberships))


# Every request runs one of these: built once, so a request pays neither for building the statement
# nor for its cache key, only for binding the value.
_BY_ID = _with_user(UserSession.id == bindparam("key"))
_BY_SID_HASH = _with_user(UserSession.sid_hash == bindparam("key"))


def load_with_user(by_id: int | None = None, *, sid_hash: str | None = None) -> UserSession | None:
    """One session row (by id, or by the hash of a cookie's session id) with its user and her
    memberships, in one statement (every request asks for them); None when there is no such row."""
    stmt, key = (_BY_ID, by_id) if sid_hash is None else (_BY_SID_HASH, sid_hash)
    if key is None:
        return None
    return db.session.scalars(stmt, {"key": key}).unique().first()


def resolve_web_session(sid: str, policy: SessionPolicy) -> UserSession | None:
    """The live session for a cookie's session id, touching its last-seen time; None when ended."""
    row = load_with_user(sid_hash=token_hash(sid))
    if row is None or row.kind != SessionKind.WEB:
        return None
    now = utcnow()
    if not is_live(row, policy, now):
        if row.revoked_at is None:
            end([row], now)
            db.session.commit()
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        _write_once(row, "last_seen_at", now, UserSession.last_seen_at < now)
    return row


def end(rows: list[UserSession], now: datetime | None = None) -> None:
    """Mark `rows` ended and disable the push devices registered through them (flushes, no commit)."""
    now = now or utcnow()
    for row in rows:
        row.revoked_at = row.revoked_at or now
    ids = [row.id for row in rows]
    if ids:
        db.session.execute(
            update(Device)
            .where(Device.session_id.in_(ids), Device.disabled_at.is_(None))
            .values(disabled_at=now, disabled_reason="signed_out")
            .execution_options(synchronize_session="fetch")
        )


def live_device_clause(now: datetime) -> ColumnElement[bool]:
    """Devices that may get pushes: enabled, and registered outside a session or through one still live."""
    ended = exists().where(UserSession.id == Device.session_id,
                           or_(UserSession.revoked_at.is_not(None), UserSession.expires_at <= now))
    return and_(Device.disabled_at.is_(None), or_(Device.session_id.is_(None), not_(ended)))
def _write_once(row: UserSession, name: str, value, condition) -> None:
    """Set one column with one UPDATE in a transaction of its own (the read before it ended first).

    Pages load many files at once, each request resolving the session: in SQLite's WAL mode a
    transaction that read cannot start writing once another request wrote (it fails at once,
    whatever the busy timeout), while a fresh UPDATE waits its turn.
    """
    db.session.commit()
    db.session.execute(update(UserSession).where(UserSession.id == row.id, condition).values({name: value})
                       .execution_options(synchronize_session=False))
    db.session.commit()
    set_committed_value(row, name, value)


@db.transactional
def revoke(row: UserSession) -> None:
    """End one session (sign out) and stop pushes to the devices it registered."""
    if row.revoked_at is None:
        end([row])


@db.transactional
def revoke_all(user: User, *, except_id: int | None = None) -> int:
    """Sign out everywhere: end every live session of `user` (optionally keeping the current one)."""
    # Loaded and set one by one (a user has few), so rows already in the session see the change too.
    stmt = select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if except_id is not None:
        stmt = stmt.where(UserSession.id != except_id)
    rows = list(db.session.scalars(stmt).all())
    end(rows)
    return len(rows)


def list_active(user: User) -> list[UserSession]:
    """The user's sessions that still work, newest activity first."""
    now = utcnow()
    rows = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None), UserSession.expires_at > now)
        .order_by(UserSession.last_seen_at.desc())
    ).all()
    return list(rows)
