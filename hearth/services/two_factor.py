"""TOTP two-factor sign-in (pyotp): enrolment, verification with replay protection."""

from __future__ import annotations

import pyotp

from hearth.clock import utcnow
from hearth.models import User


def verify_code(user: User, code: str) -> bool:
    """Accept a current code (±1 step for clock drift) once: a replayed code is refused."""
    if not user.totp_secret:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = utcnow()
    for offset in (0, -1, 1):
        at = now.timestamp() + offset * totp.interval
        step = totp.timecode(db_safe_datetime(at))
        if totp.at(at) == code.strip():
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False
            user.totp_last_step = step
            return True
    return False


def db_safe_datetime(timestamp: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(timestamp, UTC)
