"""secure messaging: pools, reason routes, business hours and closed days, threads (Communication +
Task), messages, read marks, attachments, thread events, saved reply templates

Revision ID: 0014a_messages
Revises: 0013_read_indexes
"""

import sqlalchemy as sa
from alembic import op

from hearth.models.base import UTCDateTime

revision = "0014a_messages"
down_revision = "0013_read_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "message_pool",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("reply_target_business_days", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("translations", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_message_pool_practice_id_practice"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_pool")),
        sa.UniqueConstraint("practice_id", "name", name=op.f("uq_message_pool_practice_id_name")),
    )
    op.create_table(
        "message_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("translations", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_message_template_created_by_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_message_template_practice_id_practice"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_template")),
        sa.UniqueConstraint("practice_id", "title", name=op.f("uq_message_template_practice_id_title")),
    )
    op.create_table(
        "practice_business_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("opens_at", sa.Time(), nullable=False),
        sa.Column("closes_at", sa.Time(), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
            name=op.f("fk_practice_business_hours_practice_id_practice"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_business_hours")),
        sa.UniqueConstraint("practice_id", "weekday", name=op.f("uq_practice_business_hours_practice_id_weekday")),
    )
    op.create_table(
        "practice_closed_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
            name=op.f("fk_practice_closed_day_practice_id_practice"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_closed_day")),
        sa.UniqueConstraint("practice_id", "day", name=op.f("uq_practice_closed_day_practice_id_day")),
    )
    op.create_table(
        "message_reason_route",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "medical_question",
                "appointment",
                "refill",
                "test_results",
                "billing",
                "forms",
                "other",
                name="messagereason",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id"],
            ["message_pool.id"],
            name=op.f("fk_message_reason_route_pool_id_message_pool"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
            name=op.f("fk_message_reason_route_practice_id_practice"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_reason_route")),
        sa.UniqueConstraint("practice_id", "reason", name=op.f("uq_message_reason_route_practice_id_reason")),
    )
    op.create_index(op.f("ix_message_reason_route_pool_id"), "message_reason_route", ["pool_id"], unique=False)
    op.create_table(
        "message_thread",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "medical_question",
                "appointment",
                "refill",
                "test_results",
                "billing",
                "forms",
                "other",
                name="messagereason",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "waiting", "closed", name="threadstatus", native_enum=False, length=11),
            nullable=False,
        ),
        sa.Column(
            "priority",
            sa.Enum("routine", "urgent", name="threadpriority", native_enum=False, length=11),
            nullable=False,
        ),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", UTCDateTime(), nullable=True),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_by_relation",
            sa.Enum("self", "caregiver", "staff", name="authorrelation", native_enum=False, length=13),
            nullable=False,
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_message_at", UTCDateTime(), nullable=False),
        sa.Column("last_patient_message_at", UTCDateTime(), nullable=True),
        sa.Column("first_staff_reply_at", UTCDateTime(), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("staff_read_at", UTCDateTime(), nullable=True),
        sa.Column("patient_read_at", UTCDateTime(), nullable=True),
        sa.Column("urgent_warning_at", UTCDateTime(), nullable=True),
        sa.Column("urgent_terms", sa.String(length=200), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_message_thread_closed_by_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_message_thread_created_by_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"],
            ["user_account.id"],
            name=op.f("fk_message_thread_owner_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_message_thread_patient_id_patient"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["pool_id"], ["message_pool.id"], name=op.f("fk_message_thread_pool_id_message_pool"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_message_thread_practice_id_practice"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_thread")),
    )
    op.create_index(
        op.f("ix_message_thread_created_by_user_id"), "message_thread", ["created_by_user_id"], unique=False
    )
    op.create_index("ix_message_thread_owner_status", "message_thread", ["owner_user_id", "status"], unique=False)
    op.create_index("ix_message_thread_patient_last", "message_thread", ["patient_id", "last_message_at"], unique=False)
    op.create_index(
        "ix_message_thread_pool_status_due", "message_thread", ["pool_id", "status", "priority", "due_at"], unique=False
    )
    op.create_index(
        "ix_message_thread_practice_status_last",
        "message_thread",
        ["practice_id", "status", "last_message_at"],
        unique=False,
    )
    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.Column(
            "author_relation",
            sa.Enum("self", "caregiver", "staff", name="authorrelation", native_enum=False, length=13),
            nullable=False,
        ),
        sa.Column("acting_for_patient_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("urgent_terms", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=True),
        sa.Column("read_by_staff_at", UTCDateTime(), nullable=True),
        sa.Column("read_by_patient_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["acting_for_patient_id"],
            ["patient.id"],
            name=op.f("fk_message_acting_for_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["user_account.id"],
            name=op.f("fk_message_author_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["message_thread.id"], name=op.f("fk_message_thread_id_message_thread"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message")),
        sa.UniqueConstraint("author_user_id", "client_key", name=op.f("uq_message_author_user_id_client_key")),
    )
    op.create_index(op.f("ix_message_acting_for_patient_id"), "message", ["acting_for_patient_id"], unique=False)
    op.create_index(op.f("ix_message_author_user_id"), "message", ["author_user_id"], unique=False)
    op.create_index("ix_message_thread_id_id", "message", ["thread_id", "id"], unique=False)
    op.create_table(
        "message_read_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("last_read_message_id", sa.Integer(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["message_thread.id"],
            name=op.f("fk_message_read_mark_thread_id_message_thread"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_message_read_mark_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_read_mark")),
        sa.UniqueConstraint("thread_id", "user_id", name=op.f("uq_message_read_mark_thread_id_user_id")),
    )
    op.create_index("ix_message_read_mark_user_thread", "message_read_mark", ["user_id", "thread_id"], unique=False)
    op.create_table(
        "message_thread_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "claimed",
                "assigned",
                "unassigned",
                "status",
                "pool",
                "priority",
                name="threadeventkind",
                native_enum=False,
                length=14,
            ),
            nullable=False,
        ),
        sa.Column("from_value", sa.String(length=120), nullable=True),
        sa.Column("to_value", sa.String(length=120), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["user_account.id"],
            name=op.f("fk_message_thread_event_actor_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["message_thread.id"],
            name=op.f("fk_message_thread_event_thread_id_message_thread"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_thread_event")),
    )
    op.create_index("ix_message_thread_event_thread_id_id", "message_thread_event", ["thread_id", "id"], unique=False)
    op.create_table(
        "message_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["message.id"], name=op.f("fk_message_attachment_message_id_message"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_attachment")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_message_attachment_storage_key")),
    )
    op.create_index(op.f("ix_message_attachment_message_id"), "message_attachment", ["message_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_message_attachment_message_id"), table_name="message_attachment")
    op.drop_table("message_attachment")
    op.drop_index("ix_message_thread_event_thread_id_id", table_name="message_thread_event")
    op.drop_table("message_thread_event")
    op.drop_index("ix_message_read_mark_user_thread", table_name="message_read_mark")
    op.drop_table("message_read_mark")
    op.drop_index("ix_message_thread_id_id", table_name="message")
    op.drop_index(op.f("ix_message_author_user_id"), table_name="message")
    op.drop_index(op.f("ix_message_acting_for_patient_id"), table_name="message")
    op.drop_table("message")
    op.drop_index("ix_message_thread_practice_status_last", table_name="message_thread")
    op.drop_index("ix_message_thread_pool_status_due", table_name="message_thread")
    op.drop_index("ix_message_thread_patient_last", table_name="message_thread")
    op.drop_index("ix_message_thread_owner_status", table_name="message_thread")
    op.drop_index(op.f("ix_message_thread_created_by_user_id"), table_name="message_thread")
    op.drop_table("message_thread")
    op.drop_index(op.f("ix_message_reason_route_pool_id"), table_name="message_reason_route")
    op.drop_table("message_reason_route")
    op.drop_table("practice_closed_day")
    op.drop_table("practice_business_hours")
    op.drop_table("message_template")
    op.drop_table("message_pool")
