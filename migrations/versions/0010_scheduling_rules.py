"""scheduling rules: calendar UID/sequence per visit, overlap reason, unique visit-type names, .ics title choice

Revision ID: 0010_scheduling_rules
Revises: 0008_accounts_phones
"""

import uuid

import sqlalchemy as sa
from alembic import op

import hearth.models.base

revision = "0010_scheduling_rules"
down_revision = "0008_accounts_phones"
branch_labels = None
depends_on = None


def _key(name):
    # A copy of hearth.models.scheduling.name_key as it was when this migration was written.
    return " ".join((name or "").split()).casefold()[:120]


def _backfill_appointments(conn):
    appointment = sa.table("appointment", sa.column("id", sa.Integer), sa.column("uid", sa.String),
                           sa.column("status", sa.String), sa.column("created_at", hearth.models.base.UTCDateTime()),
                           sa.column("cancelled_at", hearth.models.base.UTCDateTime()),
                           sa.column("calendar_sequence", sa.Integer),
                           sa.column("changed_at", hearth.models.base.UTCDateTime()))
    rows = conn.execute(sa.select(appointment.c.id, appointment.c.status, appointment.c.created_at,
                                  appointment.c.cancelled_at)).all()
    for row in rows:
        cancelled = row.status == "cancelled"
        conn.execute(appointment.update().where(appointment.c.id == row.id).values(
            uid=str(uuid.uuid4()), calendar_sequence=1 if cancelled else 0,
            changed_at=(row.cancelled_at if cancelled and row.cancelled_at else row.created_at)))


def _backfill_visit_types(conn):
    """Key every name; a name already used in its practice (any case) gets " (2)", " (3)"… so keys are unique."""
    visit_type = sa.table("visit_type", sa.column("id", sa.Integer), sa.column("practice_id", sa.Integer),
                          sa.column("name", sa.String), sa.column("name_key", sa.String))
    taken: set[tuple[int, str]] = set()
    rows = conn.execute(sa.select(visit_type.c.id, visit_type.c.practice_id, visit_type.c.name)
                        .order_by(visit_type.c.id)).all()
    for row in rows:
        name, n = row.name, 1
        while (row.practice_id, _key(name)) in taken:
            n += 1
            name = f"{row.name[:110]} ({n})"
        taken.add((row.practice_id, _key(name)))
        conn.execute(visit_type.update().where(visit_type.c.id == row.id).values(name=name, name_key=_key(name)))


def upgrade():
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("overlap_reason", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("uid", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("calendar_sequence", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("changed_at", hearth.models.base.UTCDateTime(), nullable=True))
    with op.batch_alter_table("visit_type", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=120), nullable=True))
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_shows_visit_type", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    conn = op.get_bind()
    _backfill_appointments(conn)
    _backfill_visit_types(conn)
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.alter_column("uid", existing_type=sa.String(length=36), nullable=False)
        batch_op.alter_column("changed_at", existing_type=hearth.models.base.UTCDateTime(), nullable=False)
        batch_op.alter_column("calendar_sequence", existing_type=sa.Integer(), server_default=None)
        batch_op.create_unique_constraint("uq_appointment_uid", ["uid"])
    with op.batch_alter_table("visit_type", schema=None) as batch_op:
        batch_op.alter_column("name_key", existing_type=sa.String(length=120), nullable=False)
        batch_op.create_unique_constraint("uq_visit_type_practice_id_name_key", ["practice_id", "name_key"])
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.alter_column("calendar_shows_visit_type", existing_type=sa.Boolean(), server_default=None)


def downgrade():
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_column("calendar_shows_visit_type")
    with op.batch_alter_table("visit_type", schema=None) as batch_op:
        batch_op.drop_constraint("uq_visit_type_practice_id_name_key", type_="unique")
        batch_op.drop_column("name_key")
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_constraint("uq_appointment_uid", type_="unique")
        batch_op.drop_column("changed_at")
        batch_op.drop_column("calendar_sequence")
        batch_op.drop_column("uid")
        batch_op.drop_column("overlap_reason")
