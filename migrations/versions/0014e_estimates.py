"""fee schedule, coverage and cost estimates

Revision ID: 0014e_estimates
Revises: 0014c_medications
"""

import sqlalchemy as sa
from alembic import op

import hearth.models.base


revision = "0014e_estimates"
down_revision = "0014c_medications"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "fee_schedule_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("code_type", sa.Enum("CPT", "HCPCS", name="codetype", native_enum=False, length=9), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("translations", sa.JSON(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "office_visit",
                "preventive",
                "specialist",
                "mental_health",
                "lab",
                "imaging",
                "procedure",
                name="servicecategory",
                native_enum=False,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("self_pay_cents", sa.Integer(), nullable=False),
        sa.Column("gross_charge_cents", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", hearth.models.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "gross_charge_cents IS NULL OR gross_charge_cents >= 0", name=op.f("ck_fee_schedule_item_gross_nonneg")
        ),
        sa.CheckConstraint("self_pay_cents >= 0", name=op.f("ck_fee_schedule_item_self_pay_nonneg")),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_fee_schedule_item_practice_id_practice"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_schedule_item")),
        sa.UniqueConstraint(
            "practice_id", "code_type", "code", name=op.f("uq_fee_schedule_item_practice_id_code_type_code")
        ),
    )
    with op.batch_alter_table("fee_schedule_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fee_schedule_item_practice_id"), ["practice_id"], unique=False)

    op.create_table(
        "allowed_amount",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fee_item_id", sa.Integer(), nullable=False),
        sa.Column("payer_name", sa.String(length=120), nullable=False),
        sa.Column("payer_key", sa.String(length=120), nullable=False),
        sa.Column("plan_name", sa.String(length=120), nullable=False),
        sa.Column("plan_key", sa.String(length=120), nullable=False),
        sa.Column("allowed_cents", sa.Integer(), nullable=False),
        sa.CheckConstraint("allowed_cents >= 0", name=op.f("ck_allowed_amount_allowed_nonneg")),
        sa.ForeignKeyConstraint(
            ["fee_item_id"],
            ["fee_schedule_item.id"],
            name=op.f("fk_allowed_amount_fee_item_id_fee_schedule_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allowed_amount")),
        sa.UniqueConstraint(
            "fee_item_id", "payer_key", "plan_key", name=op.f("uq_allowed_amount_fee_item_id_payer_key_plan_key")
        ),
    )
    with op.batch_alter_table("allowed_amount", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allowed_amount_fee_item_id"), ["fee_item_id"], unique=False)

    op.create_table(
        "visit_type_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_type_id", sa.Integer(), nullable=False),
        sa.Column("fee_item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity >= 1", name=op.f("ck_visit_type_service_quantity_min")),
        sa.ForeignKeyConstraint(
            ["fee_item_id"],
            ["fee_schedule_item.id"],
            name=op.f("fk_visit_type_service_fee_item_id_fee_schedule_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visit_type_id"],
            ["visit_type.id"],
            name=op.f("fk_visit_type_service_visit_type_id_visit_type"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_type_service")),
        sa.UniqueConstraint(
            "visit_type_id", "fee_item_id", name=op.f("uq_visit_type_service_visit_type_id_fee_item_id")
        ),
    )
    with op.batch_alter_table("visit_type_service", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_type_service_fee_item_id"), ["fee_item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_type_service_visit_type_id"), ["visit_type_id"], unique=False)

    op.create_table(
        "coverage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind", sa.Enum("insurance", "self_pay", name="coveragekind", native_enum=False, length=13), nullable=False
        ),
        sa.Column("payer_name", sa.String(length=120), nullable=True),
        sa.Column("plan_name", sa.String(length=120), nullable=True),
        sa.Column("member_id", sa.String(length=40), nullable=True),
        sa.Column("group_id", sa.String(length=40), nullable=True),
        sa.Column("subscriber_name", sa.String(length=200), nullable=True),
        sa.Column(
            "subscriber_relationship",
            sa.Enum(
                "self",
                "spouse",
                "child",
                "parent",
                "other",
                name="subscriberrelationship",
                native_enum=False,
                length=10,
            ),
            nullable=True,
        ),
        sa.Column("card_front_key", sa.String(length=120), nullable=True),
        sa.Column("card_front_type", sa.String(length=60), nullable=True),
        sa.Column("card_back_key", sa.String(length=120), nullable=True),
        sa.Column("card_back_type", sa.String(length=60), nullable=True),
        sa.Column("deductible_cents", sa.Integer(), nullable=False),
        sa.Column("coinsurance_bp", sa.Integer(), nullable=False),
        sa.Column("copays", sa.JSON(), nullable=False),
        sa.Column("copay_counts_toward_deductible", sa.Boolean(), nullable=False),
        sa.Column("uncovered_categories", sa.JSON(), nullable=False),
        sa.Column("oop_max_cents", sa.Integer(), nullable=True),
        sa.Column("deductible_met_cents", sa.Integer(), nullable=False),
        sa.Column("oop_met_cents", sa.Integer(), nullable=False),
        sa.Column("benefits_updated_at", hearth.models.base.UTCDateTime(), nullable=True),
        sa.Column("verified_at", hearth.models.base.UTCDateTime(), nullable=True),
        sa.Column("verified_by_user_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", hearth.models.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "coinsurance_bp >= 0 AND coinsurance_bp <= 10000", name=op.f("ck_coverage_coinsurance_range")
        ),
        sa.CheckConstraint(
            "deductible_cents >= 0 AND deductible_met_cents >= 0 AND oop_met_cents >= 0",
            name=op.f("ck_coverage_amounts_nonneg"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_coverage_patient_id_patient"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_coverage_verified_by_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverage")),
        sa.UniqueConstraint("patient_id", name=op.f("uq_coverage_patient_id")),
    )
    op.create_table(
        "cost_estimate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("visit_type_id", sa.Integer(), nullable=True),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", hearth.models.base.UTCDateTime(), nullable=False),
        sa.Column("self_pay", sa.Boolean(), nullable=False),
        sa.Column("allowed_cents", sa.Integer(), nullable=False),
        sa.Column("patient_cents", sa.Integer(), nullable=False),
        sa.Column("plan_cents", sa.Integer(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointment.id"],
            name=op.f("fk_cost_estimate_appointment_id_appointment"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_cost_estimate_created_by_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_cost_estimate_patient_id_patient"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["visit_type_id"],
            ["visit_type.id"],
            name=op.f("fk_cost_estimate_visit_type_id_visit_type"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_estimate")),
    )
    with op.batch_alter_table("cost_estimate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cost_estimate_appointment_id"), ["appointment_id"], unique=False)
        batch_op.create_index("ix_cost_estimate_patient_created", ["patient_id", "created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("cost_estimate", schema=None) as batch_op:
        batch_op.drop_index("ix_cost_estimate_patient_created")
        batch_op.drop_index(batch_op.f("ix_cost_estimate_appointment_id"))

    op.drop_table("cost_estimate")
    op.drop_table("coverage")
    with op.batch_alter_table("visit_type_service", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_type_service_visit_type_id"))
        batch_op.drop_index(batch_op.f("ix_visit_type_service_fee_item_id"))

    op.drop_table("visit_type_service")
    with op.batch_alter_table("allowed_amount", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allowed_amount_fee_item_id"))

    op.drop_table("allowed_amount")
    with op.batch_alter_table("fee_schedule_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_schedule_item_practice_id"))

    op.drop_table("fee_schedule_item")
