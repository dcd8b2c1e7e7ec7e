"""appointments: remember when the patient confirmed (from a reminder link, the portal or the app)

Revision ID: 0005_appointment_confirmed
Revises: 0004_waitlist_offer
"""

import sqlalchemy as sa
from alembic import op

import hearth.models.base

revision = "0005_appointment_confirmed"
down_revision = "0004_waitlist_offer"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed_at", hearth.models.base.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_column("confirmed_at")
