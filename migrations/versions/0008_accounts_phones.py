"""accounts and phones: devices tied to the sign-in that registered them, a pending sign-in email,
the practice's country, and phone numbers in E.164

Phone numbers already stored are converted to E.164 with their practice's country as the region
(none: "US"). A value that cannot be read as a possible phone number is left as it was, and the
migration says which rows those are, so staff can correct them by hand.

Revision ID: 0008_accounts_phones
Revises: 0009_notify_claims
"""

import logging
import re

import phonenumbers
import sqlalchemy as sa

import hearth.models.base
from alembic import op
from phonenumbers.phonenumberutil import ValidationResult

revision = "0008_accounts_phones"
down_revision = "0009_notify_claims"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
_TYPED = re.compile(r"\+?[0-9 ().-]+")


def e164(text, country):
    """A copy of hearth.phones.to_e164 as it was when this migration was written; None when unreadable."""
    text = (text or "").strip()
    if not text or len(text) > 40 or not _TYPED.fullmatch(text):
        return None
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else (country or "US").upper())
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_possible_number_with_reason(number) != ValidationResult.IS_POSSIBLE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _convert(conn, table, rows, what):
    """Store each (id, phone, country) row's phone in E.164; returns the ids left as they were."""
    left = []
    for row_id, phone, country in rows:
        if not phone:
            continue
        value = e164(phone, country)
        if value is None:
            left.append(row_id)
        elif value != phone:
            conn.execute(table.update().where(table.c.id == row_id).values(**{what: value}))
    return left


def upgrade():
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_device_session_id"), ["session_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_device_session_id_user_session"), "user_session",
                                    ["session_id"], ["id"], ondelete="SET NULL")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending_email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("pending_email_at", hearth.models.base.UTCDateTime(), nullable=True))
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("country", sa.String(length=2), server_default="US", nullable=False))

    conn = op.get_bind()
    practice = sa.table("practice", sa.column("id", sa.Integer), sa.column("phone", sa.String),
                        sa.column("country", sa.String))
    location = sa.table("location", sa.column("id", sa.Integer), sa.column("practice_id", sa.Integer),
                        sa.column("phone", sa.String))
    patient = sa.table("patient", sa.column("id", sa.Integer), sa.column("practice_id", sa.Integer),
                       sa.column("phone", sa.String))
    notification = sa.table("notification", sa.column("id", sa.Integer), sa.column("patient_id", sa.Integer),
                            sa.column("recipient_user_id", sa.Integer), sa.column("channel", sa.String),
                            sa.column("status", sa.String), sa.column("to_address", sa.String))
    left = {
        "practice": _convert(conn, practice, conn.execute(
            sa.select(practice.c.id, practice.c.phone, practice.c.country)).all(), "phone"),
        "location": _convert(conn, location, conn.execute(
            sa.select(location.c.id, location.c.phone, practice.c.country)
            .join(practice, practice.c.id == location.c.practice_id)).all(), "phone"),
        "patient": _convert(conn, patient, conn.execute(
            sa.select(patient.c.id, patient.c.phone, practice.c.country)
            .join(practice, practice.c.id == patient.c.practice_id)).all(), "phone"),
    }
    # Text messages still waiting to go out: their number was copied from the patient when queued.
    # The region is the practice of the patient the row is for, else "US".
    waiting = conn.execute(
        sa.select(notification.c.id, notification.c.to_address, practice.c.country)
        .select_from(notification)
        .outerjoin(patient, patient.c.id == notification.c.patient_id)
        .outerjoin(practice, practice.c.id == patient.c.practice_id)
        .where(notification.c.channel == "sms", notification.c.status == "pending")
    ).all()
    left["notification"] = _convert(conn, notification, waiting, "to_address")
    for table, ids in left.items():
        if ids:
            log.warning("0008: %d %s phone number(s) could not be read and were left as they were (ids %s); "
                        "correct them by hand", len(ids), table, ", ".join(map(str, ids[:50])))


def downgrade():
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.drop_column("country")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("pending_email_at")
        batch_op.drop_column("pending_email")
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_device_session_id_user_session"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_device_session_id"))
        batch_op.drop_column("session_id")
