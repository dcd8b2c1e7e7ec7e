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
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from hearth import db
from hearth.claims import claim
from hearth.clock import utcnow
from hearth.errors import Invalid
from hearth.i18n import _l
from hearth.models import User
from hearth.security import password_rules, signing
from hearth.security.passwords import hash_password
from hearth.security.tokens import token_hash
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


@db.transactional
def request_reset(email: str, settings: ResetSettings, *, locale: str | None = None) -> None:
    """Email a reset link when `email` belongs to an active account, else a note that no account uses it.

    Both cases do the same work (one look-up, one outbox row addressed to the typed address, sent by
    the dispatcher after the commit), so neither the answer nor its timing tells whether the address
    has an account. At most one message per address per minute. `locale` is for an unknown address.
    """
    from hearth.notify import outbox

    email = auth.normalize_email(email)
    # The account alone: loading its memberships too would be work an unknown address does not cost.
    user = db.session.scalar(select(User).where(func.lower(User.email) == email).options(lazyload(User.memberships)))
    minute = f"{utcnow():%Y%m%dT%H%M}"
    if user is not None and user.is_active:
        template, params = "password_reset", {"url": reset_link(make_token(user, settings), settings),
                                              "minutes": settings.minutes}
        locale = user.locale
    else:
        template, params = "password_reset_no_account", {"url": f"{settings.base_url.rstrip('/')}/forgot-password"}
    outbox.enqueue(key=f"password-reset:{token_hash(email)[:32]}:{minute}", kind="account", template=template,
                   params=params, to_email=email, locale=locale)


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
    # Spent by one conditional UPDATE on the hash the link was made for: of parallel uses, one wins.
    if not claim(user, User.password_hash == user.password_hash, User.email == user.email,
                 password_hash=hash_password(password_rules.normalize(new_password)), password_changed_at=utcnow(),
                 failed_logins=0, locked_until=None):
        raise Invalid(str(NOT_VALID))
    sessions.revoke_all(user)
    security_notices.password_changed(user)
    return user
