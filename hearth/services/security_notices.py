"""Emails that tell a person their sign-in details changed, so a takeover does not go unnoticed.

A changed email address is announced to the *old* address (the new one may be the attacker's),
with the new address masked; a changed password to the account's address. Both go out as
"account" mail: always email, never held by quiet hours.
"""

from __future__ import annotations

from hearth.clock import utcnow
from hearth.models import User
from hearth.notify import outbox


def mask(email: str) -> str:
    """"ana.lopez@example.com" -> "a***@example.com": enough to recognise, not to harvest."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def email_changed(user: User, old_email: str) -> None:
    outbox.enqueue(key=f"email-changed:{user.id}:{utcnow():%Y%m%dT%H%M%S%f}", kind="account",
                   template="email_changed", params={"new_email": mask(user.email)}, user=user,
                   to_email=old_email)


def password_changed(user: User) -> None:
    outbox.enqueue(key=f"password-changed:{user.id}:{utcnow():%Y%m%dT%H%M%S%f}", kind="account",
                   template="password_changed", user=user)
