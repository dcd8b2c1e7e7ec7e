"""Notification outbox, delivery attempts and notification preferences.

Revision ID: 0002_notifications
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_notifications"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

CHANNEL = sa.Enum("push", "email", "sms", name="channel", native_enum=False, length=9)
STATUS = sa.Enum("pending", "sending", "sent", "failed", "cancelled", name="notificationstatus",
                 native_enum=False, length=13)
OUTCOME = sa.Enum("sent", "transient", "permanent", "skipped", name="attemptoutcome", native_enum=False, length=13)


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_user_id", sa.Integer(), nullable=True),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("channel", CHANNEL, nullable=False),
        sa.Column("fallback_channels", sa.String(length=40), nullable=False),
        sa.Column("template", sa.String(length=60), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["recipient_user_id"], ["user_account.id"],
                                name=op.f("fk_notification_recipient_user_id_user_account"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"],
                                name=op.f("fk_notification_patient_id_patient"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_notification_idempotency_key")),
    )
    op.create_index(op.f("ix_notification_patient_id"), "notification", ["patient_id"])
    op.create_index("ix_notification_recipient_created_at", "notification", ["recipient_user_id", "created_at"])
    op.create_index("ix_notification_status_due_at", "notification", ["status", "due_at"])

    op.create_table(
        "notification_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("channel", CHANNEL, nullable=False),
        sa.Column("outcome", OUTCOME, nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("provider_message_id", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["notification_id"], ["notification.id"],
                                name=op.f("fk_notification_attempt_notification_id_notification"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_attempt")),
    )
    op.create_index(op.f("ix_notification_attempt_notification_id"), "notification_attempt", ["notification_id"])

    op.create_table(
        "notification_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("channels", sa.String(length=40), nullable=False),
        sa.Column("quiet_hours_start", sa.Time(), nullable=True),
        sa.Column("quiet_hours_end", sa.Time(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_notification_preference_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preference")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_notification_preference_user_id_kind")),
    )


def downgrade() -> None:
    op.drop_table("notification_preference")
    op.drop_index(op.f("ix_notification_attempt_notification_id"), table_name="notification_attempt")
    op.drop_table("notification_attempt")
    op.drop_index("ix_notification_status_due_at", table_name="notification")
    op.drop_index("ix_notification_recipient_created_at", table_name="notification")
    op.drop_index(op.f("ix_notification_patient_id"), table_name="notification")
    op.drop_table("notification")
