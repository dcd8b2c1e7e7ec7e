"""Password reset by an emailed, signed, single-use link.

The token is signed with itsdangerous and expires after PASSWORD_RESET_MINUTES. It carries a
fingerprint of the account's sign-in email and password hash, so it stops working as soon as either
changes: that makes it single-use without storing anything, and a link requested before the email
changed cannot be used after it. Asking for a reset never says whether the
email has an account.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from itsdangerous import SignatureExpired

from hearth import db
from hearth.clock import utcnow
from hearth.errors import Invalid
from hearth.i18n import _l
from hearth.models import User
from hearth.security import password_rules, signing
from hearth.security.passwords import hash_password
from hearth.services import account_security, auth, security_notices, sessions

SALT = "hearth-password-reset"
EXPIRED = _l("This password reset link has expired. Ask for a new one below.")
NOT_VALID = _l("This password reset link is not valid or was already used. Ask for a new one below.")


@dataclass(frozen=True)
class ResetSettings:
    secret: str
    minutes: int
    base_url: str


def _fingerprint(user: User) -> str:
    # The state the link was issued for: the sign-in email and the password. A hash of both, since the
    # token is signed, not encrypted, and must not reveal the address or the argon2 hash.
    state = f"{auth.normalize_email(user.email)}\n{user.password_hash}"
    return hashlib.sha256(state.encode()).hexdigest()[:32]


def make_token(user: User, settings: ResetSettings) -> str:
    return signing.dumps(settings.secret, SALT, {"u": user.id, "p": _fingerprint(user)})


def reset_link(token: str, settings: ResetSettings) -> str:
    return f"{settings.base_url.rstrip('/')}/reset-password/{token}"


def _send_reset_email(user: User, link: str, minutes: int) -> None:
    """Queue the reset email in the outbox (sent by the dispatcher after this transaction commits)."""
    from hearth.notify import outbox

    # One message per account per minute, however often the form is sent.
    key = f"password-reset:{user.id}:{utcnow():%Y%m%dT%H%M}"
    outbox.enqueue(key=key, kind="account", template="password_reset", params={"url": link, "minutes": minutes},
                   user=user)


@db.transactional
def request_reset(email: str, settings: ResetSettings) -> None:
    """Email a reset link when `email` belongs to an active account; do nothing visible otherwise."""
    user = auth.find_user_by_email(email)
    if user is None or not user.is_active:
        return
    _send_reset_email(user, reset_link(make_token(user, settings), settings), settings.minutes)


def check_token(token: str, settings: ResetSettings) -> User:
    """The user a reset link is for; Invalid (with a message to show) when expired, forged or used."""
    try:
        payload = signing.loads(settings.secret, SALT, token, settings.minutes * 60, invalid=Invalid)
    except Invalid as exc:
        raise Invalid(str(EXPIRED if isinstance(exc.__cause__, SignatureExpired) else NOT_VALID)) from exc
    user = db.session.get(User, payload.get("u")) if isinstance(payload, dict) else None
    if user is None or not user.is_active or payload.get("p") != _fingerprint(user):
        raise Invalid(str(NOT_VALID))
    return user


@db.transactional
def reset_password(token: str, new_password: str, settings: ResetSettings) -> User:
    """Set a new password from a reset link: rules applied, lockout cleared, every session ended.

    Raises Invalid: with no fields for a bad link, with a `password` field when the rules refuse it or
    it is the current password.
    """
    user = check_token(token, settings)
    account_security.check_new_password(user, new_password)
    user.password_hash = hash_password(password_rules.normalize(new_password))
    user.password_changed_at = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    sessions.revoke_all(user)
    security_notices.password_changed(user)
    return user
