"""Where uploaded files live: one small adapter, a local folder by default.

Files are stored under random names (no patient, no original name on disk) in a folder outside the
web root (`FILE_STORAGE_DIR`, default `instance/uploads`), so only Hearth's authorized routes can
serve them. An object store replaces it by implementing `Storage` and setting `FILE_STORAGE`.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Protocol

from flask import current_app

_KEY = re.compile(r"^[0-9a-f]{32}$")


class Storage(Protocol):
    def put(self, data: bytes) -> str: ...

    def read(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files in one folder, two levels of fan-out (ab/cd/abcd…) so no directory grows huge."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):  # a key is only ever one we made: never a path from outside
            raise FileNotFoundError(key)
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes) -> str:
        """Write `data` under a new random key (128 bits) and return the key; written whole or not at all."""
        key = secrets.token_hex(16)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        with open(partial, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(partial, 0o600)
        os.replace(partial, path)
        return key

    def read(self, key: str) -> bytes:
        """The stored bytes. Raises FileNotFoundError for an unknown or malformed key."""
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def storage() -> Storage:
    """The app's storage: `FILE_STORAGE` (an object) when configured, else a LocalStorage."""
    configured = current_app.config.get("FILE_STORAGE")
    if configured is not None:
        return configured
    root = current_app.config.get("FILE_STORAGE_DIR") or os.path.join(current_app.instance_path, "uploads")
    return LocalStorage(root)
