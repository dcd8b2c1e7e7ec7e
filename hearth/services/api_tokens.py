"""API credentials: short-lived signed access tokens and rotating, revocable refresh tokens.

A refresh token's family is a UserSession row; presenting a refresh token that was already
used revokes the family (token theft), and revoking the session ends every token in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import NoReturn

from sqlalchemy import select, update

from hearth import db
from hearth.claims import claim
from hearth.clock import utcnow
from hearth.errors import Unauthorized
from hearth.i18n import _l
from hearth.models import RefreshToken, SessionKind, User, UserSession
from hearth.security import signing
from hearth.security.tokens import new_token, token_hash
from hearth.services import auth, sessions

ACCESS_SALT = "hearth-api-access"


@dataclass(frozen=True)
class TokenSettings:
    secret: str
    access_ttl: timedelta
    refresh_ttl: timedelta
    max_failures: int
    lockout: timedelta
    staff_two_factor: bool = True


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    session: UserSession


def _issue_pair(row: UserSession, settings: TokenSettings) -> TokenPair:
    refresh = new_token()
    now = utcnow()
    db.session.add(RefreshToken(session_id=row.id, token_hash=token_hash(refresh), created_at=now,
                                expires_at=now + settings.refresh_ttl))
    access = signing.dumps(settings.secret, ACCESS_SALT, {"s": row.id, "u": row.user_id})
    return TokenPair(access, refresh, int(settings.access_ttl.total_seconds()), row)


@db.transactional
def sign_in(email: str, password: str, otp: str | None, device_label: str | None,
            settings: TokenSettings) -> TokenPair:
    """Check credentials (and the one-time code when enrolled) and open an API session."""
    user = auth.authenticate(email, password, otp, policy=auth.LoginPolicy(
        max_failures=settings.max_failures, lockout=settings.lockout, staff_two_factor=settings.staff_two_factor))
    row = sessions.start_api_session(user, settings.refresh_ttl, device_label)
    return _issue_pair(row, settings)


@db.transactional
def refresh(refresh_token: str, settings: TokenSettings) -> TokenPair:
    """Rotate a refresh token; reuse of an old one revokes the whole family.

    The token is spent by one conditional UPDATE (`used_at IS NULL`) before anything else is read:
    of the same token posted many times at once exactly one wins, and every other try counts as
    reuse. Raises Unauthorized.
    """
    digest, now = token_hash(refresh_token), utcnow()
    spent = db.session.execute(
        update(RefreshToken).where(RefreshToken.token_hash == digest, RefreshToken.used_at.is_(None),
                                   RefreshToken.expires_at > now)
        .values(used_at=now).returning(RefreshToken.session_id)
        .execution_options(synchronize_session=False)).scalar()
    if spent is None:
        _refused(digest, now)
    row = db.session.get(UserSession, spent)
    if not sessions.is_live(row, None, now):
        raise Unauthorized(_l("The refresh token has expired. Please sign in again."))
    row.last_seen_at = now
    return _issue_pair(row, settings)


def _refused(digest: str, now) -> NoReturn:
    """Why a refresh token could not be spent; a used one revokes its family (committed) first."""
    stored = db.session.scalar(select(RefreshToken).where(RefreshToken.token_hash == digest))
    if stored is None:
        raise Unauthorized(_l("The refresh token is not valid."))
    if stored.used_at is not None:
        if claim(stored.session, UserSession.revoked_at.is_(None), revoked_at=now):
            sessions.end([stored.session], now)  # its push devices stop too
        db.session.commit()
        raise Unauthorized(_l("The refresh token was already used; all tokens of this sign-in are revoked."))
    raise Unauthorized(_l("The refresh token has expired. Please sign in again."))


def authenticate(access_token: str, settings: TokenSettings) -> tuple[User, UserSession]:
    """The user and session behind a bearer token; Unauthorized when forged, old or revoked."""
    payload = signing.loads(settings.secret, ACCESS_SALT, access_token, int(settings.access_ttl.total_seconds()))
    row = sessions.load_with_user(payload.get("s")) if isinstance(payload, dict) else None
    if row is None or row.kind != SessionKind.API or row.user_id != payload.get("u") or not sessions.is_live(row, None):
        raise Unauthorized(_l("The access token is no longer valid."))
    return row.user, row
