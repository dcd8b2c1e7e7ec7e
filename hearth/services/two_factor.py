"""TOTP two-factor sign-in (RFC 6238 through pyotp): secrets, enrolment URIs and one-time verification.

Codes are 6 digits on 30-second steps; one step either side is accepted for clock drift, and a
step once used (or any earlier one) is refused, so a code seen over a shoulder cannot be replayed.
"""

from __future__ import annotations

import hmac
import re

import pyotp
from sqlalchemy import or_

from hearth.claims import claim
from hearth.clock import utcnow
from hearth.models import User

ISSUER = "Hearth"
DIGITS = 6
INTERVAL = 30
DRIFT_STEPS = 1
_CODE = re.compile(r"^\d{6}$")


def new_secret() -> str:
    """A fresh random base32 secret (160 bits, the RFC 4226 recommendation)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// URI an authenticator app imports (typed in, or shown as a QR code by the app)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(name=email, issuer_name=ISSUER)


def is_required(user: User) -> bool:
    """Staff, providers and admins (anyone with a practice membership) must use two-factor sign-in."""
    return bool(user.memberships)


def clean_code(code: str | None) -> str:
    """The code as typed, without the spaces or dashes some apps show in the middle."""
    return re.sub(r"[\s\-]", "", code or "")


def verify_code(user: User, code: str | None, *, secret: str | None = None) -> bool:
    """True for a valid, not yet used code; records its time step so it cannot be used again.

    `secret` defaults to the user's; enrolment passes the pending one. The caller commits.
    """
    secret = secret or user.totp_secret
    code = clean_code(code)
    if not secret or not _CODE.match(code):
        return False
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    current = int(utcnow().timestamp()) // INTERVAL
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return _spend_step(user, step)
    return False


def _spend_step(user: User, step: int) -> bool:
    """Record `step` as used in one conditional UPDATE: of parallel requests with one code, one wins."""
    if user.id is None:  # not saved yet (never the case for a sign-in): nothing to race with
        user.totp_last_step = step
        return True
    return claim(user, or_(User.totp_last_step.is_(None), User.totp_last_step < step), totp_last_step=step)
