"""Signed, time-limited tokens (itsdangerous) for API access, invitations and password resets."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from hearth.errors import Invalid, Unauthorized


@lru_cache(maxsize=64)
def _serializer(secret: str, salt: str) -> URLSafeTimedSerializer:
    """One serializer per key and purpose: building one (key derivation set-up) cost more than checking
    an API token, which every API request does. They keep no per-call state, so sharing them is safe."""
    return URLSafeTimedSerializer(secret, salt=salt)


def dumps(secret: str, salt: str, payload: Any) -> str:
    return _serializer(secret, salt).dumps(payload)


def loads(secret: str, salt: str, token: str, max_age: int, *, invalid=Unauthorized) -> Any:
    """Decode `token`; raises `invalid` (Unauthorized by default) when it is forged or too old."""
    try:
        return _serializer(secret, salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise invalid("This link or token has expired.") from exc
    except BadSignature as exc:
        raise invalid("This link or token is not valid.") from exc


__all__ = ["Invalid", "dumps", "loads"]
