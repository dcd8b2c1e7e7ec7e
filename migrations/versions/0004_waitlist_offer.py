"""waitlist: remember the freed slot offered to each entry, so the portal can offer "Book this time"

Revision ID: 0004_waitlist_offer
Revises: 0003_scheduling
"""

import sqlalchemy as sa
from alembic import op

import hearth.models.base

revision = "0004_waitlist_offer"
down_revision = "0003_scheduling"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("waitlist_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offer_provider_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("offer_location_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("offer_starts_at", hearth.models.base.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_waitlist_entry_offer_provider_id_provider"), "provider",
                                    ["offer_provider_id"], ["id"], ondelete="SET NULL")
        batch_op.create_foreign_key(op.f("fk_waitlist_entry_offer_location_id_location"), "location",
                                    ["offer_location_id"], ["id"], ondelete="SET NULL")


def downgrade():
    with op.batch_alter_table("waitlist_entry", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_waitlist_entry_offer_location_id_location"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_waitlist_entry_offer_provider_id_provider"), type_="foreignkey")
        batch_op.drop_column("offer_starts_at")
        batch_op.drop_column("offer_location_id")
        batch_op.drop_column("offer_provider_id")
