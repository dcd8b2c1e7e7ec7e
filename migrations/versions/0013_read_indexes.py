"""appointments: an index on starts_at for the staff schedule day (a practice's day across all providers)

Revision ID: 0013_read_indexes
Revises: 0007_sign_in_throttle
"""

from alembic import op

revision = "0013_read_indexes"
down_revision = "0007_sign_in_throttle"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_appointment_starts_at", "appointment", ["starts_at"])


def downgrade():
    op.drop_index("ix_appointment_starts_at", table_name="appointment")
