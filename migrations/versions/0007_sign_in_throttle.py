"""sign_in_throttle: failed sign-ins for addresses without an account, locked like an account's

Revision ID: 0007_sign_in_throttle
Revises: 0011_notifications_seen
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_sign_in_throttle"
down_revision = "0011_notifications_seen"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_in_throttle",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_sign_in_throttle")),
    )
    op.create_index(op.f("ix_sign_in_throttle_updated_at"), "sign_in_throttle", ["updated_at"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_sign_in_throttle_updated_at"), table_name="sign_in_throttle")
    op.drop_table("sign_in_throttle")
