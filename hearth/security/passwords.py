"""argon2id password hashing (argon2-cffi).

Hashing is slow on purpose (tens of milliseconds, seconds on a busy machine): it runs under
`db.unlocked()`, so a use case that has only read so far does not hold SQLite's write lock meanwhile.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hearth import db

_hasher = PasswordHasher()
# A valid hash of a random password, verified against when the email is unknown so that
# response time does not reveal which emails have accounts.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0f9c2d")


def use_fast_hashing() -> None:
    """Cheaper argon2 parameters for the test suite only (hashing cost is not what tests check)."""
    global _hasher
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def hash_password(password: str) -> str:
    with db.unlocked():
        return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    with db.unlocked():
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
