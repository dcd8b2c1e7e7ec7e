"""appointments: a status history; patients: search names also hold names with punctuation run together

Revision ID: 0012a_staff_history
Revises: 0010_scheduling_rules
"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

import hearth.models.base

revision = "0012a_staff_history"
down_revision = "0010_scheduling_rules"
branch_labels = None
depends_on = None

STATUSES = ("booked", "cancelled", "arrived", "roomed", "seen", "completed", "no_show")


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\W_]+", " ", plain).strip()


def _search_key(*names):
    # A copy of hearth.textfold.search_key as it was when this migration was written.
    words = _fold(" ".join(n or "" for n in names))
    joined = []
    for name in names:
        for part in re.findall(r"[\w]+(?:[^\w\s]+[\w]+)+", name or ""):
            squashed = _fold(part).replace(" ", "")
            if squashed and squashed not in joined:
                joined.append(squashed)
    return " ".join([words, *joined]).strip() if words else ""


def upgrade():
    status = sa.Enum(*STATUSES, name="appointmentstatus", native_enum=False, length=13)
    op.create_table(
        "appointment_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("from_status", status, nullable=True),
        sa.Column("to_status", status, nullable=False),
        sa.Column("at", hearth.models.base.UTCDateTime(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["appointment_id"], ["appointment.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["by_user_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_appointment_status_change_appointment_at", "appointment_status_change",
                    ["appointment_id", "at"], unique=False)
    # What is known of the past: when each visit was booked, and its current status if it moved on.
    conn = op.get_bind()
    appointment = sa.table("appointment", sa.column("id", sa.Integer), sa.column("status", sa.String),
                           sa.column("created_at", hearth.models.base.UTCDateTime()),
                           sa.column("cancelled_at", hearth.models.base.UTCDateTime()),
                           sa.column("booked_by_user_id", sa.Integer))
    change = sa.table("appointment_status_change", sa.column("appointment_id", sa.Integer),
                      sa.column("from_status", sa.String), sa.column("to_status", sa.String),
                      sa.column("at", hearth.models.base.UTCDateTime()), sa.column("by_user_id", sa.Integer))
    rows = conn.execute(sa.select(appointment.c.id, appointment.c.status, appointment.c.created_at,
                                  appointment.c.cancelled_at, appointment.c.booked_by_user_id)).all()
    for row in rows:
        conn.execute(change.insert().values(appointment_id=row.id, from_status=None, to_status="booked",
                                            at=row.created_at, by_user_id=row.booked_by_user_id))
        if row.status == "cancelled" and row.cancelled_at is not None:
            conn.execute(change.insert().values(appointment_id=row.id, from_status="booked", to_status="cancelled",
                                                at=row.cancelled_at, by_user_id=None))

    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.alter_column("search_name", existing_type=sa.String(length=210), type_=sa.String(length=300),
                              existing_nullable=True)
    patient = sa.table("patient", sa.column("id", sa.Integer), sa.column("given_name", sa.String),
                       sa.column("family_name", sa.String), sa.column("search_name", sa.String))
    for row in conn.execute(sa.select(patient.c.id, patient.c.given_name, patient.c.family_name)).all():
        conn.execute(patient.update().where(patient.c.id == row.id)
                     .values(search_name=_search_key(row.given_name, row.family_name)[:300]))


def downgrade():
    patient = sa.table("patient", sa.column("id", sa.Integer), sa.column("given_name", sa.String),
                       sa.column("family_name", sa.String), sa.column("search_name", sa.String))
    conn = op.get_bind()
    for row in conn.execute(sa.select(patient.c.id, patient.c.given_name, patient.c.family_name)).all():
        conn.execute(patient.update().where(patient.c.id == row.id)
                     .values(search_name=_fold(f"{row.given_name} {row.family_name}")[:210]))
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.alter_column("search_name", existing_type=sa.String(length=300), type_=sa.String(length=210),
                              existing_nullable=True)
    op.drop_index("ix_appointment_status_change_appointment_at", table_name="appointment_status_change")
    op.drop_table("appointment_status_change")
