"""Domain exceptions. The portal turns them into pages and flashes, the API into problem+json."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: `status` is the HTTP status both layers use, `message` is safe to show."""

    status = 400
    title = "Bad request"

    def __init__(self, message: str | None = None, *, fields: dict | None = None):
        super().__init__(message or self.title)
        self.message = message or self.title
        self.fields = fields or {}


class Invalid(DomainError):
    status = 422
    title = "Invalid input"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class Unauthorized(DomainError):
    status = 401
    title = "Authentication required"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class Locked(DomainError):
    """Too many failed sign-ins: the account is locked until `until`."""

    status = 429
    title = "Too many attempts"

    def __init__(self, message: str | None = None, *, until=None):
        super().__init__(message)
        self.until = until
