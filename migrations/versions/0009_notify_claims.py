"""notifications: claim tokens, attempts recorded before the send, wishes read at sending time

Revision ID: 0009_notify_claims
Revises: 0006_patient_search_name
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_notify_claims"
down_revision = "0006_patient_search_name"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("latest_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("spent_channels", sa.String(length=40), nullable=False, server_default=""))
    with op.batch_alter_table("notification_attempt", schema=None) as batch_op:
        batch_op.alter_column("outcome", existing_type=sa.String(length=13), nullable=True)
        batch_op.add_column(sa.Column("finished_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("worker_id", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("device_id", sa.Integer(), nullable=True))


def downgrade():
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE notification_attempt SET outcome = 'transient' WHERE outcome IS NULL"))
    conn.execute(sa.text("UPDATE notification_attempt SET outcome = 'transient' WHERE outcome = 'unknown'"))
    with op.batch_alter_table("notification_attempt", schema=None) as batch_op:
        batch_op.drop_column("device_id")
        batch_op.drop_column("worker_id")
        batch_op.drop_column("finished_at")
        batch_op.alter_column("outcome", existing_type=sa.String(length=13), nullable=False)
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("spent_channels")
        batch_op.drop_column("latest_at")
        batch_op.drop_column("claim_token")
