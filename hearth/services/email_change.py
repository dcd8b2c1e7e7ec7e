"""Changing the sign-in email: it takes effect only when a link sent to the NEW address is opened.

Asking (after a recent password check) records the address as pending and emails it a signed link
that expires after EMAIL_CHANGE_HOURS. The link names the account, the new address and a
fingerprint of the account's current email and password, so it dies once used (the email
changed), when a newer change is asked for (another pending address), or when the password
changes. Confirming swaps the address in one conditional UPDATE, so two clicks at once change it
once; the old address then gets the existing security notice.

The answer to a request is the same whether or not another account uses the address: then no link
is sent, and the owner of that address is told someone tried to use it instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from itsdangerous import SignatureExpired
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from hearth import db
from hearth.clock import utcnow
from hearth.errors import Invalid
from hearth.i18n import _l
from hearth.models import User, UserSession
from hearth.notify import outbox
from hearth.security import signing
from hearth.services import account_security, auth, security_notices
from hearth.services.auth import LoginPolicy

SALT = "hearth-email-change"
SAME = _l("That is already your sign-in email address. Nothing was changed.")
EXPIRED = _l("This link has expired. Ask for the change again from your account page.")
NOT_VALID = _l("This link is not valid or was already used. Your sign-in email address was not changed.")
TAKEN = _l("Another account started using this email address meanwhile. Your sign-in email address was not "
           "changed.")


@dataclass(frozen=True)
class EmailChangeSettings:
    secret: str
    hours: int
    base_url: str

    @classmethod
    def from_config(cls, cfg) -> EmailChangeSettings:
        return cls(cfg["SECRET_KEY"], cfg["EMAIL_CHANGE_HOURS"], cfg["BASE_URL"])


@dataclass(frozen=True)
class PendingChange:
    user: User
    new_email: str


def _fingerprint(user: User, new_email: str) -> str:
    # A hash, because the token is signed, not encrypted: it must not show the password hash.
    state = f"{user.email}\n{new_email}\n{user.password_hash}"
    return hashlib.sha256(state.encode()).hexdigest()[:32]


def confirm_link(token: str, settings: EmailChangeSettings) -> str:
    return f"{settings.base_url.rstrip('/')}/account/email/confirm/{token}"


@db.transactional
def request_change(user: User, session_row: UserSession, *, email: str, settings: EmailChangeSettings,
                   policy: LoginPolicy, current_password: str | None = None) -> str:
    """Start changing the sign-in email; returns the pending address. Nothing changes until the link is opened.

    Raises ReauthRequired, Locked, or Invalid (wrong `current_password`; `email` already the current one).
    """
    account_security.require_recent_auth(user, session_row, current_password, policy)
    email = auth.normalize_email(email)
    if email == auth.normalize_email(user.email):
        raise Invalid(str(SAME), fields={"email": [str(SAME)]})
    now = utcnow()
    user.pending_email, user.pending_email_at = email, now
    owner = db.session.scalar(select(User).where(func.lower(User.email) == email, User.id != user.id))
    # One message per address and account per minute, however often the form is sent.
    key = f"email-change:{user.id}:{hashlib.sha256(email.encode()).hexdigest()[:16]}:{now:%Y%m%dT%H%M}"
    if owner is None:
        token = signing.dumps(settings.secret, SALT, {"u": user.id, "e": email, "f": _fingerprint(user, email)})
        outbox.enqueue(key=key, kind="account", template="email_change_confirm", user=user, to_email=email,
                       params={"url": confirm_link(token, settings), "hours": settings.hours})
    else:
        outbox.enqueue(key=key, kind="account", template="email_in_use", user=owner, to_email=owner.email)
    return email


@db.transactional
def cancel_change(user: User) -> None:
    """Forget a pending change: the link already sent stops working."""
    user.pending_email, user.pending_email_at = None, None


def _payload(token: str, settings: EmailChangeSettings) -> dict:
    try:
        payload = signing.loads(settings.secret, SALT, token, settings.hours * 3600, invalid=Invalid)
    except Invalid as exc:
        raise Invalid(str(EXPIRED if isinstance(exc.__cause__, SignatureExpired) else NOT_VALID)) from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise Invalid(str(NOT_VALID))
    return payload


def _lock(user_id: int) -> None:
    """Begin with a write on the account row: a row lock on PostgreSQL, the write lock on SQLite (whose
    reader could not become a writer once another click wrote), so parallel clicks queue here."""
    db.session.execute(update(User).where(User.id == user_id).values(pending_email_at=User.pending_email_at)
                       .execution_options(synchronize_session=False))


def check_token(token: str, settings: EmailChangeSettings, *, lock: bool = False) -> PendingChange:
    """The change a link is for, without making it; Invalid (a message to show) when expired, forged or used."""
    payload = _payload(token, settings)
    if lock:
        _lock(payload["u"])
    user = db.session.get(User, payload["u"], populate_existing=True)
    new_email = payload.get("e")
    if (user is None or not user.is_active or not new_email or user.pending_email != new_email
            or payload.get("f") != _fingerprint(user, new_email)):
        raise Invalid(str(NOT_VALID))
    return PendingChange(user, new_email)


@db.transactional
def confirm(token: str, settings: EmailChangeSettings) -> User:
    """Make the pending address the sign-in email (once, however many clicks) and tell the old address.

    Raises Invalid: the link expired, was used or replaced, or the address was taken meanwhile.
    """
    change = check_token(token, settings, lock=True)
    user, old_email = change.user, change.user.email
    if db.session.scalar(select(User.id).where(func.lower(User.email) == change.new_email, User.id != user.id)):
        raise Invalid(str(TAKEN))
    try:
        with db.session.begin_nested():
            done = db.session.execute(
                update(User)
                .where(User.id == user.id, User.email == old_email, User.pending_email == change.new_email)
                .values(email=change.new_email, pending_email=None, pending_email_at=None)
                .execution_options(synchronize_session="fetch")
            ).rowcount
    except IntegrityError as exc:
        raise Invalid(str(TAKEN)) from exc
    if done != 1:
        raise Invalid(str(NOT_VALID))
    db.session.refresh(user)
    security_notices.email_changed(user, old_email)
    return user
