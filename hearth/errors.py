"""Domain exceptions. The portal turns them into pages and flashes, the API into problem+json."""

from __future__ import annotations

from hearth.i18n import _l


class DomainError(Exception):
    """Base class: `status` is the HTTP status both layers use, `message` is safe to show; `title`
    (translated when shown) names the kind of problem."""

    status = 400
    title = _l("Bad request")

    def __init__(self, message: str | None = None, *, fields: dict | None = None):
        super().__init__(message or self.title)
        self.message = message or self.title
        self.fields = fields or {}


class Invalid(DomainError):
    status = 422
    title = _l("Invalid input")


class NotFound(DomainError):
    status = 404
    title = _l("Not found")


class Forbidden(DomainError):
    status = 403
    title = _l("Forbidden")


class Unauthorized(DomainError):
    status = 401
    title = _l("Authentication required")


class Conflict(DomainError):
    status = 409
    title = _l("Conflict")


class Locked(DomainError):
    """Too many failed sign-ins: the account is locked until `until`."""

    status = 429
    title = _l("Too many attempts")

    def __init__(self, message: str | None = None, *, until=None):
        super().__init__(message)
        self.until = until
