"""scheduling: visit types, weekly hours, exceptions, appointments with slot locks, waitlist

Revision ID: 0003_scheduling
Revises: 0002_notifications
"""

import sqlalchemy as sa
from alembic import op

import hearth.models.base

revision = "0003_scheduling"
down_revision = "0002_notifications"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('practice_scheduling_settings',
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('cancel_cutoff_hours', sa.Integer(), nullable=False),
    sa.Column('checkin_opens_hours', sa.Integer(), nullable=False),
    sa.Column('checkin_closes_minutes', sa.Integer(), nullable=False),
    sa.Column('video_url_template', sa.String(length=300), nullable=False),
    sa.Column('video_join_minutes_before', sa.Integer(), nullable=False),
    sa.Column('reminder_offsets', sa.String(length=100), nullable=False),
    sa.Column('booking_horizon_days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_practice_scheduling_settings_practice_id_practice'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('practice_id', name=op.f('pk_practice_scheduling_settings'))
    )

    op.create_table('visit_type',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('mode', sa.Enum('in_person', 'video', name='visitmode', native_enum=False, length=13), nullable=False),
    sa.Column('self_schedulable', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=True),
    sa.Column('questionnaire', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_visit_type_practice_id_practice'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_type'))
    )
    op.create_index(op.f('ix_visit_type_practice_id'), 'visit_type', ['practice_id'], unique=False)

    op.create_table('provider_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=True),
    sa.Column('effective_until', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_provider_schedule_location_id_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_provider_schedule_provider_id_provider'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_schedule'))
    )
    op.create_index(op.f('ix_provider_schedule_location_id'), 'provider_schedule', ['location_id'], unique=False)
    op.create_index('ix_provider_schedule_provider_weekday', 'provider_schedule', ['provider_id', 'weekday'], unique=False)

    op.create_table('schedule_exception',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('time_off', 'extra_hours', name='exceptionkind', native_enum=False, length=15), nullable=False),
    sa.Column('starts_at', hearth.models.base.UTCDateTime(), nullable=False),
    sa.Column('ends_at', hearth.models.base.UTCDateTime(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_schedule_exception_location_id_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_schedule_exception_provider_id_provider'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_exception'))
    )
    op.create_index('ix_schedule_exception_provider_starts_at', 'schedule_exception', ['provider_id', 'starts_at'], unique=False)

    op.create_table('visit_type_provider',
    sa.Column('visit_type_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_visit_type_provider_provider_id_provider'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_type_id'], ['visit_type.id'], name=op.f('fk_visit_type_provider_visit_type_id_visit_type'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('visit_type_id', 'provider_id', name=op.f('pk_visit_type_provider'))
    )

    op.create_table('appointment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('visit_type_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', hearth.models.base.UTCDateTime(), nullable=False),
    sa.Column('ends_at', hearth.models.base.UTCDateTime(), nullable=False),
    sa.Column('status', sa.Enum('booked', 'cancelled', 'arrived', 'roomed', 'seen', 'completed', 'no_show', name='appointmentstatus', native_enum=False, length=13), nullable=False),
    sa.Column('arrived_at', hearth.models.base.UTCDateTime(), nullable=True),
    sa.Column('roomed_at', hearth.models.base.UTCDateTime(), nullable=True),
    sa.Column('seen_at', hearth.models.base.UTCDateTime(), nullable=True),
    sa.Column('completed_at', hearth.models.base.UTCDateTime(), nullable=True),
    sa.Column('no_show_at', hearth.models.base.UTCDateTime(), nullable=True),
    sa.Column('cancelled_at', hearth.models.base.UTCDateTime(), nullable=True),
    sa.Column('cancel_reason', sa.String(length=300), nullable=True),
    sa.Column('booked_by_user_id', sa.Integer(), nullable=True),
    sa.Column('checked_in_at', hearth.models.base.UTCDateTime(), nullable=True),
    sa.Column('questionnaire_answers', sa.JSON(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', hearth.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['booked_by_user_id'], ['user_account.id'], name=op.f('fk_appointment_booked_by_user_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_appointment_location_id_location'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_appointment_patient_id_patient'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_appointment_provider_id_provider'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_type_id'], ['visit_type.id'], name=op.f('fk_appointment_visit_type_id_visit_type'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment'))
    )
    op.create_index('ix_appointment_patient_starts_at', 'appointment', ['patient_id', 'starts_at'], unique=False)
    op.create_index('ix_appointment_provider_starts_at', 'appointment', ['provider_id', 'starts_at'], unique=False)
    op.create_index(op.f('ix_appointment_visit_type_id'), 'appointment', ['visit_type_id'], unique=False)

    op.create_table('waitlist_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('visit_type_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('window_start', sa.Date(), nullable=False),
    sa.Column('window_end', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('waiting', 'offered', 'booked', 'removed', name='waitliststatus', native_enum=False, length=11), nullable=False),
    sa.Column('created_at', hearth.models.base.UTCDateTime(), nullable=False),
    sa.Column('offered_at', hearth.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_waitlist_entry_patient_id_patient'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_waitlist_entry_provider_id_provider'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_type_id'], ['visit_type.id'], name=op.f('fk_waitlist_entry_visit_type_id_visit_type'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_entry'))
    )
    op.create_index(op.f('ix_waitlist_entry_patient_id'), 'waitlist_entry', ['patient_id'], unique=False)
    op.create_index('ix_waitlist_entry_visit_type_status', 'waitlist_entry', ['visit_type_id', 'status'], unique=False)

    op.create_table('appointment_slot_lock',
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('slot_start', hearth.models.base.UTCDateTime(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_appointment_slot_lock_appointment_id_appointment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_appointment_slot_lock_provider_id_provider'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('provider_id', 'slot_start', name=op.f('pk_appointment_slot_lock'))
    )
    op.create_index(op.f('ix_appointment_slot_lock_appointment_id'), 'appointment_slot_lock', ['appointment_id'], unique=False)


def downgrade():
    op.drop_table('appointment_slot_lock')
    op.drop_table('waitlist_entry')
    op.drop_table('appointment')
    op.drop_table('visit_type_provider')
    op.drop_table('schedule_exception')
    op.drop_table('provider_schedule')
    op.drop_table('visit_type')
    op.drop_table('practice_scheduling_settings')
