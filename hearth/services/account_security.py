"""A person's own account: profile, password, email, two-factor sign-in, sessions and push devices.

These touch no patient data, so there is no policy.authorize: the actor is always the account
owner. Changing the password, the email or two-factor sign-in needs a recent password check:
the portal session's `reauth_at` (set by `reauthenticate`), or the `current_password` the API sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from hearth import db
from hearth.claims import claim
from hearth.clock import is_valid_zone, utcnow
from hearth.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from hearth.i18n import _l
from hearth.models import Device, SessionKind, User, UserSession
from hearth.security import password_rules
from hearth.security.passwords import hash_password
from hearth.security.tokens import token_hash
from hearth.services import auth, security_notices, sessions, two_factor
from hearth.services.accounts import SUPPORTED_LOCALES
from hearth.services.auth import LoginPolicy

SAME_PASSWORD = _l("Your new password is the same as your current one. Choose a different password; "
                   "nothing was changed.")


class ReauthRequired(DomainError):
    """The change needs the password again: the portal sends the person to "confirm your password"."""

    status = 403
    title = "Re-authentication required"


@dataclass(frozen=True)
class SessionInfo:
    id: int
    kind: str
    label: str
    ip: str | None
    created_at: datetime
    last_seen_at: datetime
    current: bool


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str


def needs_reauth(session_row: UserSession, policy: LoginPolicy) -> bool:
    """True when the session's last password check is older than the re-authentication window."""
    return session_row.reauth_at is None or utcnow() - session_row.reauth_at > policy.reauth


def require_recent_auth(user: User, session_row: UserSession, current_password: str | None,
                        policy: LoginPolicy) -> None:
    """Pass when `current_password` is right (API) or the portal session confirmed it lately.

    Raises ReauthRequired, Locked, or Invalid (`current_password` field).
    """
    if current_password is not None:
        auth.confirm_password(user, current_password, policy=policy)
    elif needs_reauth(session_row, policy):
        raise ReauthRequired(str(_l("Confirm your password to continue.")))


@db.transactional
def reauthenticate(user: User, session_row: UserSession, password: str, *, policy: LoginPolicy) -> None:
    """Check the password again and mark the session as recently confirmed. Raises Invalid or Locked."""
    auth.confirm_password(user, password, policy=policy)
    session_row.reauth_at = utcnow()


@db.transactional
def update_profile(user: User, *, display_name: str, locale: str, timezone: str | None) -> User:
    """Change the name shown to others, the language and the time zone. Raises Invalid."""
    errors = {}
    if locale not in SUPPORTED_LOCALES:
        errors["locale"] = [str(_l("Choose English or Spanish."))]
    if timezone and not is_valid_zone(timezone):
        errors["timezone"] = [str(_l("Choose a time zone from the list."))]
    if not display_name.strip():
        errors["display_name"] = [str(_l("Enter your name."))]
    if errors:
        raise Invalid(fields=errors)
    user.display_name = display_name.strip()
    user.locale = locale
    user.timezone = timezone or None
    return user


@db.transactional
def change_password(user: User, session_row: UserSession, *, new_password: str, policy: LoginPolicy,
                    current_password: str | None = None) -> int:
    """Set a new password (rules applied) and sign out every other session; returns how many ended.

    Raises ReauthRequired, Invalid (`password` or `current_password` field; a new password equal to
    the current one changes nothing) or Locked.
    """
    require_recent_auth(user, session_row, current_password, policy)
    check_new_password(user, new_password)
    user.password_hash = hash_password(password_rules.normalize(new_password))
    user.password_changed_at = utcnow()
    security_notices.password_changed(user)
    return sessions.revoke_all(user, except_id=session_row.id)


def check_new_password(user: User, new_password: str) -> None:
    """Refuse a new password the rules refuse, or one equal to the current password (nothing would change).

    Raises Invalid with a `password` field.
    """
    if auth.password_matches(user, new_password):
        message = str(SAME_PASSWORD)
        raise Invalid(message, fields={"password": [message]})
    problems = password_rules.check(new_password, email=user.email, name=user.display_name)
    if problems:
        raise Invalid(problems[0], fields={"password": problems})


@db.transactional
def start_two_factor(user: User) -> Enrolment:
    """A secret for the authenticator app, kept pending until confirmed. Raises Conflict when already on."""
    if user.totp_enabled:
        raise Conflict(str(_l("Two-factor sign-in is already on.")))
    if not user.totp_secret:  # two "start" requests at once: the first secret stays, both show it
        claim(user, User.totp_secret.is_(None), totp_secret=two_factor.new_secret(), totp_last_step=None)
    return Enrolment(user.totp_secret, two_factor.provisioning_uri(user.totp_secret, user.email))


@db.transactional
def confirm_two_factor(user: User, session_row: UserSession, *, code: str, policy: LoginPolicy,
                       current_password: str | None = None) -> None:
    """Turn two-factor sign-in on once the person proves the app works with a first code.

    Raises ReauthRequired, Conflict (already on or not started) or Invalid (`code` field).
    """
    require_recent_auth(user, session_row, current_password, policy)
    if user.totp_enabled or not user.totp_secret:
        raise Conflict(str(_l("Start setting up two-factor sign-in first.")))
    if not two_factor.verify_code(user, code):
        message = str(_l("That code is not right. Check the time on your phone and enter the current code."))
        raise Invalid(message, fields={"code": [message]})
    user.totp_enabled_at = utcnow()


@db.transactional
def disable_two_factor(user: User, session_row: UserSession, *, policy: LoginPolicy,
                       current_password: str | None = None) -> None:
    """Turn two-factor sign-in off (patients only). Raises ReauthRequired or Forbidden for staff."""
    require_recent_auth(user, session_row, current_password, policy)
    if policy.staff_two_factor and two_factor.is_required(user):
        raise Forbidden(str(_l("Two-factor sign-in is required for staff accounts and cannot be turned off.")))
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None


def list_sessions(user: User, session_policy: sessions.SessionPolicy, current_id: int | None) -> list[SessionInfo]:
    """The user's sessions that still work (idle portal sessions left out), newest activity first."""
    now = utcnow()
    return [
        SessionInfo(row.id, row.kind.value, row.device_label or describe_user_agent(row.user_agent), row.ip,
                    row.created_at, row.last_seen_at, row.id == current_id)
        for row in sessions.list_active(user)
        if row.kind == SessionKind.API or now - row.last_seen_at < session_policy.idle
    ]


def describe_user_agent(user_agent: str | None) -> str:
    """A short "Browser on System" label from a User-Agent header, good enough to recognize a device."""
    ua = user_agent or ""
    browser = next((name for token, name in _BROWSERS if token in ua), None)
    system = next((name for token, name in _SYSTEMS if token in ua), None)
    if browser and system:
        return str(_l("%(browser)s on %(system)s", browser=browser, system=system))
    return str(browser or system or (ua[:60] if ua else _l("Unknown device")))


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Safari/", "Safari"), ("okhttp", _l("Android app")), ("CFNetwork", _l("iOS app")))
_SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


@db.transactional
def sign_out_session(user: User, session_id: int) -> None:
    """End one of the user's own sessions. Raises NotFound for anyone else's."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id:
        raise NotFound()
    sessions.revoke(row)


@db.transactional
def sign_out_everywhere(user: User) -> int:
    """End every session and API token family, and stop pushes to the user's devices."""
    count = sessions.revoke_all(user)
    for device in db.session.scalars(select(Device).where(Device.user_id == user.id, Device.disabled_at.is_(None))):
        device.disabled_at = utcnow()
        device.disabled_reason = "signed_out"
    return count


@db.transactional
def register_device(user: User, session_row: UserSession | None, *, fcm_token: str, platform: str,
                    label: str | None) -> Device:
    """Register or refresh the app install's push token; a token moves to whoever signs in on it.

    The device belongs to `session_row` (the app's sign-in): when that session ends, pushes stop.
    """
    digest = token_hash(fcm_token)
    now = utcnow()
    values = {"user_id": user.id, "session_id": session_row.id if session_row is not None else None,
              "fcm_token": fcm_token, "platform": platform, "label": label,
              "last_seen_at": now, "disabled_at": None, "disabled_reason": None}
    device = _device_by_hash(digest)
    if device is None:
        try:
            with db.session.begin_nested():  # the same app registering twice at once: one insert wins
                device = Device(token_hash=digest, created_at=now, **values)
                db.session.add(device)
            return device
        except IntegrityError:
            device = _device_by_hash(digest)
    for name, value in values.items():
        setattr(device, name, value)
    return device


def _device_by_hash(digest: str) -> Device | None:
    return db.session.scalar(select(Device).where(Device.token_hash == digest))


def list_devices(user: User) -> list[Device]:
    return list(db.session.scalars(select(Device).where(Device.user_id == user.id)
                                   .options(selectinload(Device.session))
                                   .order_by(Device.last_seen_at.desc(), Device.id.desc())))


@db.transactional
def remove_device(user: User, device_id: int) -> None:
    """Forget one of the user's devices (no more pushes to it). Raises NotFound for anyone else's."""
    device = db.session.get(Device, device_id)
    if device is None or device.user_id != user.id:
        raise NotFound()
    db.session.delete(device)

