"""Guest pay: the statement code and the patient's date of birth open one statement, without signing in.

What a guest sees is the amount due, the practice and the statement date, nothing else. Wrong
answers are counted per statement code in `sign_in_throttle` (by a hash of the code, in one
statement, like sign-in failures): after MAX_FAILURES the code is locked for LOCKOUT, whoever
tries; the portal adds a per-address limit (Flask-Limiter). A code stops working CODE_DAYS after
the statement was issued, and the unlocked page only for ACCESS_MINUTES.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from hearth import audit, db
from hearth.clock import utcnow
from hearth.errors import Invalid, Locked, NotFound, Unauthorized
from hearth.i18n import _l
from hearth.models import SignInThrottle, Statement
from hearth.models.base import UTCDateTime
from hearth.security import signing
from hearth.security.tokens import token_hash
from hearth.services.billing import ledger
from hearth.services.billing.statements import normalize_code

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=30)
CODE_DAYS = 180
ACCESS_MINUTES = 15
NO_MATCH = _l("We could not find a bill with that code and date of birth. Check both and try again.")
LOCKED = _l("Too many tries for this code. Please wait 30 minutes, or call the practice.")
EXPIRED = _l("This page has expired. Please enter the code again.")
TOKEN_SALT = "hearth-guest-pay"


@dataclass(frozen=True)
class GuestView:
    statement_id: int
    practice_name: str
    issued_on: date
    balance_cents: int


def _key(code: str) -> str:
    return token_hash(f"guest-pay:{code}")


def _locked_until(code: str, now: datetime) -> datetime | None:
    until = db.session.scalar(select(SignInThrottle.locked_until).where(SignInThrottle.key_hash == _key(code)))
    return until if until is not None and until > now else None


def _count_failure(code: str, now: datetime) -> None:
    """One wrong answer for `code`, counted and locked in one statement (parallel guesses cannot slip by)."""
    table = SignInThrottle
    insert = postgresql.insert if db.is_postgres() else sqlite.insert
    count = case((table.locked_until.is_(None), table.failed_logins + 1), else_=1)
    until = case((count >= MAX_FAILURES, literal(now + LOCKOUT, UTCDateTime())), else_=None)
    stmt = insert(table).values(key_hash=_key(code), failed_logins=1, locked_until=None, updated_at=now)
    stmt = stmt.on_conflict_do_update(index_elements=[table.key_hash],
                                      set_={"failed_logins": count, "locked_until": until, "updated_at": now},
                                      where=or_(table.locked_until.is_(None), table.locked_until <= now))
    db.session.execute(stmt)


@db.transactional
def _failed(code: str) -> None:
    _count_failure(code, utcnow())


def open_statement(code: str, born: date | None) -> GuestView:
    """The statement for `code` if `born` is its patient's date of birth. Raises Locked or Invalid (same
    answer for an unknown code, a wrong date and an old statement)."""
    now = utcnow()
    code = normalize_code(code)
    if not code:
        raise Invalid(NO_MATCH, fields={"code": [NO_MATCH]})
    if _locked_until(code, now):
        raise Locked(str(LOCKED), until=_locked_until(code, now))
    statement = db.session.scalar(select(Statement).where(Statement.code == code))
    good = (statement is not None and born is not None and statement.patient.date_of_birth == born
            and statement.issued_on >= (now - timedelta(days=CODE_DAYS)).date())
    if not good:
        _failed(code)
        if _locked_until(code, utcnow()):
            raise Locked(str(LOCKED), until=_locked_until(code, utcnow()))
        raise Invalid(NO_MATCH, fields={"code": [NO_MATCH]})
    return _opened(statement.id)


@db.transactional
def _opened(statement_id: int) -> GuestView:
    statement = ledger.load_statement(statement_id)
    audit.record(actor=None, relation="guest", patient_id=statement.patient_id, action="view",
                 resource_type="statement", resource_id=statement.id)
    return view(statement.id)


def view(statement_id: int) -> GuestView:
    """What a guest who unlocked the statement sees (the caller checked the unlock). NotFound."""
    statement = db.session.get(Statement, statement_id)
    if statement is None:
        raise NotFound()
    return GuestView(statement.id, statement.patient.practice.name, statement.issued_on,
                     ledger.totals(statement.id).balance)


def issue_token(view: GuestView, secret: str) -> str:
    """The API's stand-in for the portal's unlocked page: a signed token naming one statement, good for
    ACCESS_MINUTES (checked by `open_token`). Give it only after `open_statement` succeeded."""
    return signing.dumps(secret, TOKEN_SALT, {"s": view.statement_id})


def open_token(token: str, secret: str) -> GuestView:
    """The statement a guest token unlocked. Raises Unauthorized (forged or older than ACCESS_MINUTES)."""
    def expired(_message: str) -> Unauthorized:
        return Unauthorized(str(EXPIRED))

    held = signing.loads(secret, TOKEN_SALT, token, ACCESS_MINUTES * 60, invalid=expired)
    statement_id = held.get("s") if isinstance(held, dict) else None
    if not isinstance(statement_id, int):
        raise Unauthorized(str(EXPIRED))
    return view(statement_id)
