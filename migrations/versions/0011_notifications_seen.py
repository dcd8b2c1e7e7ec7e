"""accounts: when the person last opened the notification centre (the home page counts what is new since)

Revision ID: 0011_notifications_seen
Revises: 0012b_practice_texts
"""

import sqlalchemy as sa
from alembic import op

import hearth.models.base

revision = "0011_notifications_seen"
down_revision = "0012b_practice_texts"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notifications_seen_at", hearth.models.base.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("notifications_seen_at")
