"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from hearth import audit, db
from hearth.models import AuditEvent
from tests.conftest import alembic_config


def test_models_match_migrations():
    with db.engine().connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_single_head():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1


def test_audit_log_is_append_only():
    """The ORM refuses to change audit rows; on PostgreSQL a trigger refuses it for any client too."""
    event = AuditEvent(actor_relation="system", action="test", resource_type="test")  # record() uses Core
    db.session.add(event)
    db.session.flush()
    event.action = "changed"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    if db.engine().dialect.name == "postgresql":
        audit.record(actor=None, relation="system", patient_id=None, action="test", resource_type="test")
        db.session.flush()
        with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
            db.session.execute(text("UPDATE audit_event SET action = 'x'"))
