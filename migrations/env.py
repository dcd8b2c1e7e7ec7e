"""Alembic environment: Hearth's metadata on the engine hearth.db is configured with.

Works from `flask db ...` (the app configured the engine) and from tests, which pass a
connection in `config.attributes["connection"]`.
"""

from __future__ import annotations

from alembic import context

import hearth.models  # noqa: F401  (registers every table)
from hearth import db

config = context.config
target_metadata = db.Base.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    with db.engine().connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run against a database.")
run_migrations_online()
