"""medications (after FHIR R4 MedicationRequest), saved pharmacies, refill requests and their lines

Revision ID: 0014c_medications
Revises: 0013_read_indexes
"""

import sqlalchemy as sa
from alembic import op

import hearth.models.base


revision = "0014c_medications"
down_revision = "0013_read_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('medication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('strength', sa.String(length=60), nullable=True),
    sa.Column('form', sa.String(length=60), nullable=True),
    sa.Column('instructions', sa.String(length=1000), nullable=True),
    sa.Column('prescriber_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=True),
    sa.Column('refills_left', sa.Integer(), nullable=False),
    sa.Column('last_filled_on', sa.Date(), nullable=True),
    sa.Column('supply_days', sa.Integer(), nullable=True),
    sa.Column('runs_out_on', sa.Date(), nullable=True),
    sa.Column('controlled_schedule', sa.Enum('II', 'III', 'IV', 'V', name='controlledschedule', native_enum=False, length=7), nullable=True),
    sa.Column('status', sa.Enum('active', 'stopped', name='medicationstatus', native_enum=False, length=11), nullable=False),
    sa.Column('stopped_at', hearth.models.base.UTCDateTime(), nullable=True),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', hearth.models.base.UTCDateTime(), nullable=False),
    sa.Column('changed_at', hearth.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['user_account.id'], name=op.f('fk_medication_created_by_user_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_medication_patient_id_patient'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['prescriber_id'], ['provider.id'], name=op.f('fk_medication_prescriber_id_provider'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_medication'))
    )
    with op.batch_alter_table('medication', schema=None) as batch_op:
        batch_op.create_index('ix_medication_patient_status', ['patient_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_medication_prescriber_id'), ['prescriber_id'], unique=False)
        batch_op.create_index('ix_medication_runs_out_on', ['runs_out_on'], unique=False)

    op.create_table('pharmacy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('preferred', sa.Boolean(), nullable=False),
    sa.Column('created_at', hearth.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_pharmacy_patient_id_patient'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pharmacy'))
    )
    with op.batch_alter_table('pharmacy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pharmacy_patient_id'), ['patient_id'], unique=False)

    op.create_table('refill_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('pharmacy_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('status', sa.Enum('requested', 'approved', 'denied', 'needs_visit', name='refillstatus', native_enum=False, length=15), nullable=False),
    sa.Column('requested_by_user_id', sa.Integer(), nullable=True),
    sa.Column('by_caregiver', sa.Boolean(), nullable=False),
    sa.Column('created_at', hearth.models.base.UTCDateTime(), nullable=False),
    sa.Column('decided_at', hearth.models.base.UTCDateTime(), nullable=True),
    sa.Column('decided_by_user_id', sa.Integer(), nullable=True),
    sa.Column('denial_reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_user_id'], ['user_account.id'], name=op.f('fk_refill_request_decided_by_user_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_refill_request_patient_id_patient'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pharmacy_id'], ['pharmacy.id'], name=op.f('fk_refill_request_pharmacy_id_pharmacy'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by_user_id'], ['user_account.id'], name=op.f('fk_refill_request_requested_by_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refill_request'))
    )
    with op.batch_alter_table('refill_request', schema=None) as batch_op:
        batch_op.create_index('ix_refill_request_patient_created', ['patient_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_refill_request_pharmacy_id'), ['pharmacy_id'], unique=False)
        batch_op.create_index('ix_refill_request_status_created', ['status', 'created_at'], unique=False)

    op.create_table('refill_request_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('medication_id', sa.Integer(), nullable=False),
    sa.Column('last_filled_on', sa.Date(), nullable=True),
    sa.Column('renewal', sa.Boolean(), nullable=False),
    sa.Column('pending', sa.Boolean(), nullable=False),
    sa.Column('approved_quantity', sa.Integer(), nullable=True),
    sa.Column('approved_refills', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['medication_id'], ['medication.id'], name=op.f('fk_refill_request_line_medication_id_medication'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['refill_request.id'], name=op.f('fk_refill_request_line_request_id_refill_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refill_request_line'))
    )
    with op.batch_alter_table('refill_request_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refill_request_line_medication_id'), ['medication_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refill_request_line_request_id'), ['request_id'], unique=False)
        batch_op.create_index('uq_refill_line_pending', ['medication_id'], unique=True, sqlite_where=sa.text('pending'), postgresql_where=sa.text('pending'))



def downgrade():
    for table in ("refill_request_line", "refill_request", "pharmacy", "medication"):
        op.drop_table(table)
