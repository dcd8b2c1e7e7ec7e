"""financing offers and good faith estimates

Revision ID: 0014g_gfe_financing
Revises: 0014e_estimates, 0014a_messages
"""

import sqlalchemy as sa
from alembic import op

import hearth.models.base

revision = "0014g_gfe_financing"
down_revision = '0014e_estimates'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "financing_offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("disclosure", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", hearth.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_financing_offer_practice_id_practice"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_financing_offer")),
    )
    with op.batch_alter_table("financing_offer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_financing_offer_practice_id"), ["practice_id"], unique=False)

    op.create_table(
        "gfe_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("tin", sa.String(length=10), nullable=True),
        sa.Column("npi", sa.String(length=10), nullable=True),
        sa.Column("state", sa.String(length=2), nullable=True),
        sa.Column("contact", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_gfe_settings_practice_id_practice"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gfe_settings")),
        sa.UniqueConstraint("practice_id", name=op.f("uq_gfe_settings_practice_id")),
    )
    op.create_table(
        "financing_click",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["financing_offer.id"],
            name=op.f("fk_financing_click_offer_id_financing_offer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_financing_click")),
        sa.UniqueConstraint("offer_id", "place", "day", name=op.f("uq_financing_click_offer_id_place_day")),
    )
    op.create_table(
        "financing_promotion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind", sa.Enum("deferred", "fixed_apr", name="promotionkind", native_enum=False, length=13), nullable=False
        ),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("apr_bp", sa.Integer(), nullable=True),
        sa.Column("min_amount_cents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["financing_offer.id"],
            name=op.f("fk_financing_promotion_offer_id_financing_offer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_financing_promotion")),
    )
    with op.batch_alter_table("financing_promotion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_financing_promotion_offer_id"), ["offer_id"], unique=False)

    op.create_table(
        "good_faith_estimate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column(
            "reason", sa.Enum("booking", "request", name="gfereason", native_enum=False, length=11), nullable=False
        ),
        sa.Column("issued_at", hearth.models.base.UTCDateTime(), nullable=False),
        sa.Column("due_by", sa.Date(), nullable=True),
        sa.Column("patient_name", sa.String(length=210), nullable=False),
        sa.Column("patient_birth_date", sa.Date(), nullable=False),
        sa.Column("primary_service", sa.String(length=300), nullable=False),
        sa.Column("primary_service_code", sa.String(length=20), nullable=True),
        sa.Column("scheduled_on", sa.Date(), nullable=True),
        sa.Column("diagnosis_codes", sa.String(length=200), nullable=True),
        sa.Column("separately_scheduled", sa.Text(), nullable=True),
        sa.Column("contact", sa.String(length=300), nullable=True),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("issued_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointment.id"],
            name=op.f("fk_good_faith_estimate_appointment_id_appointment"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_good_faith_estimate_issued_by_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_good_faith_estimate_patient_id_patient"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
            name=op.f("fk_good_faith_estimate_practice_id_practice"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_good_faith_estimate")),
        sa.UniqueConstraint("appointment_id", name=op.f("uq_good_faith_estimate_appointment_id")),
    )
    with op.batch_alter_table("good_faith_estimate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_good_faith_estimate_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "gfe_provider",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("estimate_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("convening", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("npi", sa.String(length=10), nullable=True),
        sa.Column("tin", sa.String(length=10), nullable=True),
        sa.Column("state", sa.String(length=2), nullable=True),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["estimate_id"],
            ["good_faith_estimate.id"],
            name=op.f("fk_gfe_provider_estimate_id_good_faith_estimate"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gfe_provider")),
    )
    with op.batch_alter_table("gfe_provider", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gfe_provider_estimate_id"), ["estimate_id"], unique=False)

    op.create_table(
        "gfe_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=True),
        sa.Column("code_type", sa.String(length=10), nullable=True),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("diagnosis_codes", sa.String(length=200), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("charge_cents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["gfe_provider.id"], name=op.f("fk_gfe_item_provider_id_gfe_provider"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gfe_item")),
    )
    with op.batch_alter_table("gfe_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gfe_item_provider_id"), ["provider_id"], unique=False)


def downgrade():

    with op.batch_alter_table("gfe_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gfe_item_provider_id"))

    op.drop_table("gfe_item")
    with op.batch_alter_table("gfe_provider", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gfe_provider_estimate_id"))

    op.drop_table("gfe_provider")
    with op.batch_alter_table("good_faith_estimate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_good_faith_estimate_patient_id"))

    op.drop_table("good_faith_estimate")
    with op.batch_alter_table("financing_promotion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_financing_promotion_offer_id"))

    op.drop_table("financing_promotion")
    op.drop_table("financing_click")
    op.drop_table("gfe_settings")
    with op.batch_alter_table("financing_offer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_financing_offer_practice_id"))

    op.drop_table("financing_offer")
