"""Signing in: password check with per-account lockout after repeated failures."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from hearth import db
from hearth.clock import utcnow
from hearth.errors import Locked, Unauthorized
from hearth.i18n import _l
from hearth.models import User
from hearth.security.passwords import hash_password, needs_rehash, verify_password


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


@db.transactional
def check_password(email: str, password: str, *, max_failures: int, lockout: timedelta) -> User:
    """Return the user whose email and password match.

    Raises Locked while the account is locked (after `max_failures` failures in a row) and
    Unauthorized for any other failure, with one message that does not say which part was wrong.
    """
    user = find_user_by_email(email)
    now = utcnow()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        raise Locked(_l("Too many failed sign-ins. Try again in a few minutes or reset your password."),
                     until=user.locked_until)
    if user is None or not verify_password(user.password_hash, password) or not user.is_active:
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= max_failures:
                user.locked_until = now + lockout
                user.failed_logins = 0
                db.session.commit()
                raise Locked(_l("Too many failed sign-ins. Try again in a few minutes or reset your password."),
                             until=user.locked_until)
            db.session.commit()
        raise Unauthorized(_l("The email or password is incorrect."))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def check_second_factor(user: User, otp: str | None) -> None:
    """Require a valid one-time code when the user has two-factor sign-in enabled."""
    if not user.totp_enabled:
        return
    from hearth.services import two_factor

    if not otp or not two_factor.verify_code(user, otp):
        raise Unauthorized(_l("Enter the 6-digit code from your authenticator app."), fields={"otp": [
            _l("Enter the 6-digit code from your authenticator app.")]})
