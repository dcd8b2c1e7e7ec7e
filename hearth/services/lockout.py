"""Sign-in lockout: failed passwords and codes, counted in the database in one statement each.

The count is raised SQL-side (`failed_logins = failed_logins + 1 ... RETURNING`) and the lock is
decided in the same statement, so parallel wrong guesses cannot overwrite each other's count: the
account locks at exactly the `max_failures`-th failure, and a guess that arrives while it is locked
is refused without being counted. The count stays at the limit while locked (it is exact); the first
failure after the lock has passed starts a new count at 1.

An email address without an account gets the same counter and lock (in `sign_in_throttle`, by a
hash of the address), so the answers (401, then 429 with Retry-After) do not tell whether an
address has an account.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, delete, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from hearth import db
from hearth.claims import claim
from hearth.clock import utcnow
from hearth.errors import Locked
from hearth.i18n import _l
from hearth.models import SignInThrottle, User
from hearth.models.base import UTCDateTime
from hearth.security.tokens import token_hash

log = logging.getLogger("hearth.auth")

# Rows for unknown addresses are forgotten this long after their last failure (and any lock) passed.
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Limits:
    max_failures: int
    lockout: timedelta


def locked_error(until: datetime, now: datetime | None = None) -> Locked:
    """The lockout error, saying in how many minutes the person may try again."""
    minutes = max(1, math.ceil((until - (now or utcnow())).total_seconds() / 60))
    if minutes == 1:
        message = _l("Too many failed sign-ins. Try again in 1 minute, or reset your password.")
    else:
        message = _l("Too many failed sign-ins. Try again in %(minutes)d minutes, or reset your password.",
                     minutes=minutes)
    return Locked(str(message), until=until)


def address_key(email: str) -> str:
    """The stored key for an address without an account: a hash, never the address itself."""
    return token_hash(f"sign-in:{email.strip().lower()}")


def check(user: User | None, email: str, now: datetime | None = None) -> None:
    """Raise Locked while the account (or, without one, the address) is locked."""
    now = now or utcnow()
    if user is not None:
        until = user.locked_until
    else:
        until = db.session.scalar(select(SignInThrottle.locked_until)
                                  .where(SignInThrottle.key_hash == address_key(email)))
    if until is not None and until > now:
        raise locked_error(until, now)


def _counted(table, limits: Limits, now: datetime) -> tuple[ColumnElement, ColumnElement]:
    """The new count and lock, as SQL over the row's current values (the lock decided in the same statement)."""
    count = case((table.locked_until.is_(None), table.failed_logins + 1), else_=1)
    until = case((count >= limits.max_failures, literal(now + limits.lockout, UTCDateTime())), else_=None)
    return count, until


def record_failure(user: User | None, email: str, limits: Limits) -> None:
    """Count one failed password or code and commit it (the caller then raises); Locked at the limit.

    What the request read so far is committed first, so the counting transaction begins with its
    write (on SQLite a transaction that read first may not be allowed to write).
    """
    now = utcnow()
    db.session.commit()
    row = _count_account(user, limits, now) if user is not None else _count_address(email, limits, now)
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.updated_at < now - FORGET_AFTER,
                                                    or_(SignInThrottle.locked_until.is_(None),
                                                        SignInThrottle.locked_until < now - FORGET_AFTER)))
    db.session.commit()
    # Logged by account id (or the address's hash), never the email: operators see attacks, not people.
    who = f"account {user.id}" if user is not None else f"unknown address {address_key(email)[:12]}"
    if row is None:  # locked by a parallel request meanwhile: refused, not counted
        log.warning("sign-in refused: %s is locked", who)
        if user is None:
            check(None, email, now)
        else:
            _raise_current_lock(user.id, now)
        return
    log.warning("failed sign-in for %s (%d in a row)", who, row.failed_logins)
    if row.locked_until is not None:
        log.warning("%s locked until %s after %d failures", who, row.locked_until.isoformat(timespec="seconds"),
                    row.failed_logins)
        raise locked_error(row.locked_until, now)


def _count_account(user: User, limits: Limits, now: datetime):
    count, until = _counted(User, limits, now)
    stmt = (update(User).where(User.id == user.id, or_(User.locked_until.is_(None), User.locked_until <= now))
            .values(failed_logins=count, locked_until=until)
            .returning(User.failed_logins, User.locked_until)
            .execution_options(synchronize_session=False))
    row = db.session.execute(stmt).first()
    db.session.expire(user, ["failed_logins", "locked_until"])
    return row


def _count_address(email: str, limits: Limits, now: datetime):
    table = SignInThrottle
    insert = postgresql.insert if db.is_postgres() else sqlite.insert
    first_lock = now + limits.lockout if limits.max_failures <= 1 else None
    stmt = insert(table).values(key_hash=address_key(email), failed_logins=1, locked_until=first_lock, updated_at=now)
    count, until = _counted(table, limits, now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.key_hash],
        set_={"failed_logins": count, "locked_until": until, "updated_at": now},
        where=or_(table.locked_until.is_(None), table.locked_until <= now),
    ).returning(table.failed_logins, table.locked_until)
    return db.session.execute(stmt).first()


def _raise_current_lock(user_id: int, now: datetime) -> None:
    until = db.session.scalar(select(User.locked_until).where(User.id == user_id))
    if until is not None and until > now:
        raise locked_error(until, now)


def clear(user: User) -> None:
    """After a complete sign-in: the count starts again. Locked if a parallel failure locked it meanwhile."""
    now = utcnow()
    if not claim(user, or_(User.locked_until.is_(None), User.locked_until <= now),
                 failed_logins=0, locked_until=None, last_login_at=now):
        _raise_current_lock(user.id, now)
