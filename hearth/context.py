"""Who is acting, for whom, and from where: set by the HTTP layers, read by policy and audit.

The domain never touches Flask's request; the portal and API fill a `RequestInfo` per request.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None = None
    user_agent: str | None = None


_request_info: ContextVar[RequestInfo] = ContextVar("hearth_request_info", default=RequestInfo())  # noqa: B039 (frozen)


def set_request_info(info: RequestInfo) -> None:
    _request_info.set(info)


def request_info() -> RequestInfo:
    return _request_info.get()
