"""results: diagnostic reports with kept versions, observations, release preferences, teen-confidential categories

Revision ID: 0014d_results
Revises: 0013_read_indexes
"""

import sqlalchemy as sa
from alembic import op

import hearth.models.base

revision = '0014d_results'
down_revision = '0014c_medications'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('practice_result_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('confidential_for_teens', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_practice_result_settings_practice_id_practice'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_result_settings')),
    sa.UniqueConstraint('practice_id', name=op.f('uq_practice_result_settings_practice_id'))
    )
    op.create_table('diagnostic_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('lab', 'imaging', 'pathology', 'microbiology', 'genetics', 'other', name='resultcategory', native_enum=False, length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('loinc_code', sa.String(length=20), nullable=True),
    sa.Column('status', sa.Enum('preliminary', 'final', 'corrected', name='reportstatus', native_enum=False, length=15), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('performer', sa.String(length=200), nullable=True),
    sa.Column('ordering_provider_id', sa.Integer(), nullable=True),
    sa.Column('effective_at', hearth.models.base.UTCDateTime(), nullable=False),
    sa.Column('issued_at', hearth.models.base.UTCDateTime(), nullable=False),
    sa.Column('comment', sa.String(length=4000), nullable=True),
    sa.Column('commented_by_user_id', sa.Integer(), nullable=True),
    sa.Column('commented_at', hearth.models.base.UTCDateTime(), nullable=True),
    sa.Column('released_at', hearth.models.base.UTCDateTime(), nullable=True),
    sa.Column('created_at', hearth.models.base.UTCDateTime(), nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('client_key', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['commented_by_user_id'], ['user_account.id'], name=op.f('fk_diagnostic_report_commented_by_user_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['user_account.id'], name=op.f('fk_diagnostic_report_created_by_user_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ordering_provider_id'], ['provider.id'], name=op.f('fk_diagnostic_report_ordering_provider_id_provider'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_diagnostic_report_patient_id_patient'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_diagnostic_report_practice_id_practice'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diagnostic_report')),
    sa.UniqueConstraint('patient_id', 'client_key', name=op.f('uq_diagnostic_report_patient_id_client_key'))
    )
    with op.batch_alter_table('diagnostic_report', schema=None) as batch_op:
        batch_op.create_index('ix_diagnostic_report_patient_effective', ['patient_id', 'effective_at'], unique=False)
        batch_op.create_index('ix_diagnostic_report_practice_commented', ['practice_id', 'commented_at', 'issued_at'], unique=False)

    op.create_table('result_release_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('lab', 'imaging', 'pathology', 'microbiology', 'genetics', 'other', name='resultcategory', native_enum=False, length=16), nullable=False),
    sa.Column('wait_for_comment', sa.Boolean(), nullable=False),
    sa.Column('updated_at', hearth.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_result_release_preference_patient_id_patient'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_release_preference')),
    sa.UniqueConstraint('patient_id', 'category', name=op.f('uq_result_release_preference_patient_id_category'))
    )
    op.create_table('diagnostic_report_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('preliminary', 'final', 'corrected', name='reportstatus', native_enum=False, length=15), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('loinc_code', sa.String(length=20), nullable=True),
    sa.Column('performer', sa.String(length=200), nullable=True),
    sa.Column('effective_at', hearth.models.base.UTCDateTime(), nullable=False),
    sa.Column('issued_at', hearth.models.base.UTCDateTime(), nullable=False),
    sa.Column('correction_reason', sa.String(length=500), nullable=True),
    sa.Column('recorded_at', hearth.models.base.UTCDateTime(), nullable=False),
    sa.Column('recorded_by_user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['recorded_by_user_id'], ['user_account.id'], name=op.f('fk_diagnostic_report_version_recorded_by_user_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['diagnostic_report.id'], name=op.f('fk_diagnostic_report_version_report_id_diagnostic_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diagnostic_report_version')),
    sa.UniqueConstraint('report_id', 'version', name=op.f('uq_diagnostic_report_version_report_id_version'))
    )
    op.create_table('observation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('loinc_code', sa.String(length=20), nullable=True),
    sa.Column('status', sa.Enum('preliminary', 'final', 'corrected', name='reportstatus', native_enum=False, length=15), nullable=False),
    sa.Column('value_quantity', sa.Numeric(precision=18, scale=6), nullable=True),
    sa.Column('unit', sa.String(length=40), nullable=True),
    sa.Column('value_string', sa.String(length=500), nullable=True),
    sa.Column('range_low', sa.Numeric(precision=18, scale=6), nullable=True),
    sa.Column('range_high', sa.Numeric(precision=18, scale=6), nullable=True),
    sa.Column('range_text', sa.String(length=200), nullable=True),
    sa.Column('interpretation', sa.Enum('N', 'H', 'L', 'HH', 'LL', 'A', name='interpretation', native_enum=False, length=6), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_observation_patient_id_patient'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['diagnostic_report.id'], name=op.f('fk_observation_report_id_diagnostic_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observation'))
    )
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index('ix_observation_patient_loinc', ['patient_id', 'loinc_code', 'unit'], unique=False)
        batch_op.create_index('ix_observation_report_version', ['report_id', 'version', 'position'], unique=False)



def downgrade():
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_index('ix_observation_report_version')
        batch_op.drop_index('ix_observation_patient_loinc')

    op.drop_table('observation')
    op.drop_table('diagnostic_report_version')
    op.drop_table('result_release_preference')
    with op.batch_alter_table('diagnostic_report', schema=None) as batch_op:
        batch_op.drop_index('ix_diagnostic_report_practice_commented')
        batch_op.drop_index('ix_diagnostic_report_patient_effective')

    op.drop_table('diagnostic_report')
    op.drop_table('practice_result_settings')
