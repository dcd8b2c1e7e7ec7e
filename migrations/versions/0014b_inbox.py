"""the care team's inbox: indexes for the reason filter and "assigned to me" (owner, status, due)

Revision ID: 0014b_inbox
Revises: 0014a_messages
"""

from alembic import op

revision = "0014b_inbox"
down_revision = "0014a_messages"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_message_thread_practice_reason_status", "message_thread", ["practice_id", "reason", "status"])
    op.create_index("ix_message_thread_owner_status_due", "message_thread", ["owner_user_id", "status", "due_at"])


def downgrade():
    op.drop_index("ix_message_thread_owner_status_due", table_name="message_thread")
    op.drop_index("ix_message_thread_practice_reason_status", table_name="message_thread")
