"""Signing in: password and one-time code, per-account lockout, and opening the session.

Failed passwords and failed codes count toward the same lockout, so knowing a password does not
give unlimited tries at the 6-digit code. The counter resets only after a complete sign-in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from hearth import db
from hearth.errors import Forbidden, Invalid, Locked, Unauthorized
from hearth.i18n import _l
from hearth.models import User, UserSession
from hearth.security.password_rules import normalize
from hearth.security.passwords import hash_password, needs_rehash, verify_password
from hearth.security.tokens import token_hash
from hearth.services import lockout, sessions, two_factor

WRONG_CREDENTIALS = _l("The email or password is incorrect.")
CODE_NEEDED = _l("Enter the 6-digit code from your authenticator app.")
WRONG_CODE = _l("That code is not right or was already used. Enter the current code from your authenticator app.")
ENROL_IN_PORTAL = _l("Two-factor sign-in is required for staff accounts. Set it up in the Hearth portal under "
                     "Account, then sign in here again.")


@dataclass(frozen=True)
class LoginPolicy:
    """Lockout, two-factor and re-authentication settings, read from the app config at the edge."""

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    staff_two_factor: bool = True
    reauth: timedelta = timedelta(minutes=5)

    @classmethod
    def from_config(cls, cfg: Mapping) -> LoginPolicy:
        return cls(
            max_failures=cfg["LOGIN_MAX_FAILURES"],
            lockout=timedelta(minutes=cfg["LOGIN_LOCKOUT_MINUTES"]),
            staff_two_factor=cfg.get("STAFF_TWO_FACTOR_REQUIRED", True),
            reauth=timedelta(minutes=cfg["REAUTH_MINUTES"]),
        )


@dataclass(frozen=True)
class WebSignIn:
    """The outcome of a portal sign-in step: a session (`sid`, `row`), or a code still to ask for."""

    user: User
    sid: str | None = None
    row: UserSession | None = None

    @property
    def needs_code(self) -> bool:
        return self.sid is None


def normalize_email(email: str) -> str:
    """The form every email address is compared and stored in (schemas.contact.EmailAddress uses it too)."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def locked_error(until: datetime, now: datetime | None = None) -> Locked:
    """The lockout error, saying in how many minutes the person may try again."""
    return lockout.locked_error(until, now)


def ensure_not_locked(user: User, now: datetime | None = None) -> None:
    """Raise Locked while the account's lockout lasts."""
    lockout.check(user, user.email, now)


def record_failure(user: User | None, policy: LoginPolicy, email: str | None = None) -> None:
    """Count one failed password or code (SQL-side, exact under parallel tries) and commit it; the
    caller then raises. Raises Locked at the limit. Without a user, the address `email` is counted."""
    lockout.record_failure(user, email if user is None else user.email,
                           lockout.Limits(policy.max_failures, policy.lockout))


def password_matches(user: User, password: str) -> bool:
    """Check `password` as stored (NFKC-normalized), falling back to the raw text for older hashes."""
    normalized = normalize(password or "")
    return verify_password(user.password_hash, normalized) or (
        normalized != password and verify_password(user.password_hash, password))


def _password_step(email: str, password: str, policy: LoginPolicy) -> User:
    """The active user whose email and password match; one message for every kind of mismatch."""
    user = find_user_by_email(email)
    lockout.check(user, normalize_email(email))  # an address without an account locks the same way
    if user is None:
        verify_password(None, password)  # same work as for a real account, so timing tells nothing
        record_failure(None, policy, normalize_email(email))
        raise Unauthorized(str(WRONG_CREDENTIALS))
    if not password_matches(user, password) or not user.is_active:
        record_failure(user, policy)
        raise Unauthorized(str(WRONG_CREDENTIALS))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(normalize(password))
    return user


def _code_step(user: User, code: str | None, policy: LoginPolicy, field: str) -> None:
    if not two_factor.clean_code(code):
        raise Unauthorized(str(CODE_NEEDED), fields={field: [str(CODE_NEEDED)]})
    if not two_factor.verify_code(user, code):
        record_failure(user, policy)
        raise Unauthorized(str(WRONG_CODE), fields={field: [str(WRONG_CODE)]})


def _succeeded(user: User) -> None:
    lockout.clear(user)


def must_enrol(user: User, policy: LoginPolicy) -> bool:
    """True when the user has to set up two-factor sign-in before doing anything else."""
    return policy.staff_two_factor and not user.totp_enabled and two_factor.is_required(user)


@db.transactional
def authenticate(email: str, password: str, otp: str | None, *, policy: LoginPolicy) -> User:
    """Check password and (when enrolled) the one-time code for an API sign-in.

    Raises Locked, Unauthorized (wrong credentials or code, with an `otp` field error for the
    code) and Forbidden for staff who have not set up two-factor sign-in in the portal yet.
    """
    user = _password_step(email, password, policy)
    if user.totp_enabled:
        _code_step(user, otp, policy, "otp")
    elif must_enrol(user, policy):
        raise Forbidden(str(ENROL_IN_PORTAL))
    _succeeded(user)
    return user


@db.transactional
def begin_web_sign_in(email: str, password: str, *, policy: LoginPolicy,
                      session_policy: sessions.SessionPolicy) -> WebSignIn:
    """Portal password step: opens the session, or says a code is needed (no session yet)."""
    user = _password_step(email, password, policy)
    if user.totp_enabled:
        return WebSignIn(user)
    _succeeded(user)
    sid, row = sessions.start_web_session(user, session_policy)
    return WebSignIn(user, sid, row)


@db.transactional
def finish_web_sign_in(user_id: int, code: str | None, *, policy: LoginPolicy,
                       session_policy: sessions.SessionPolicy) -> WebSignIn:
    """Portal code step for a user who passed the password step moments ago; opens the session."""
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or not user.totp_enabled:
        raise Unauthorized(str(WRONG_CREDENTIALS))
    ensure_not_locked(user)
    _code_step(user, code, policy, "code")
    _succeeded(user)
    sid, row = sessions.start_web_session(user, session_policy)
    return WebSignIn(user, sid, row)


@db.transactional
def confirm_password(user: User, password: str, *, policy: LoginPolicy) -> None:
    """Re-check the signed-in user's password (before sensitive changes); failures count toward lockout.

    Raises Locked, or Invalid with a `current_password` field error.
    """
    ensure_not_locked(user)
    if not password_matches(user, password or ""):
        record_failure(user, policy)
        message = str(_l("The password is incorrect."))
        raise Invalid(message, fields={"current_password": [message]})


def session_end_reason(sid: str, policy: sessions.SessionPolicy) -> str | None:
    """Why the portal session behind `sid` ended: "idle", "expired", "revoked", or None if unknown."""
    row = db.session.scalar(select(UserSession).where(UserSession.sid_hash == token_hash(sid)))
    if row is None or row.revoked_at is None:
        return None
    if row.revoked_at >= row.expires_at:
        return "expired"
    if row.revoked_at - row.last_seen_at >= policy.idle:
        return "idle"
    return "revoked"
