"""All models, imported here so Alembic and the app see one complete metadata."""

from hearth.models.appointment_history import AppointmentStatusChange
from hearth.models.audit import AuditEvent
from hearth.models.base import Base
from hearth.models.caregiver import ALL_SCOPES, CaregiverGrant, GrantKind, GrantStatus, Scope
from hearth.models.coverage import Coverage, CoverageKind, SubscriberRelationship
from hearth.models.estimates import CostEstimate
from hearth.models.fees import AllowedAmount, CodeType, FeeScheduleItem, ServiceCategory, VisitTypeService
from hearth.models.financing import FinancingClick, FinancingOffer, FinancingPromotion, PromotionKind
from hearth.models.gfe import GfeItem, GfeProvider, GfeReason, GfeSettings, GoodFaithEstimate
from hearth.models.notification import (
    AttemptOutcome,
    Channel,
    Notification,
    NotificationAttempt,
    NotificationPreference,
    NotificationStatus,
)
from hearth.models.patient import CHANNELS, CareTeam, CareTeamMember, Patient, Provider
from hearth.models.practice import Location, Membership, Practice, StaffRole
from hearth.models.scheduling import (
    Appointment,
    AppointmentSlotLock,
    AppointmentStatus,
    ExceptionKind,
    PracticeSchedulingSettings,
    ProviderSchedule,
    ScheduleException,
    VisitMode,
    VisitType,
    WaitlistEntry,
    WaitlistStatus,
)
from hearth.models.user import Device, RefreshToken, SessionKind, SignInThrottle, User, UserSession

__all__ = [
    "FinancingClick",
    "FinancingOffer",
    "FinancingPromotion",
    "PromotionKind",
    "GfeItem",
    "GfeProvider",
    "GfeReason",
    "GfeSettings",
    "GoodFaithEstimate",
    "AllowedAmount",
    "CodeType",
    "CostEstimate",
    "Coverage",
    "CoverageKind",
    "FeeScheduleItem",
    "ServiceCategory",
    "SubscriberRelationship",
    "VisitTypeService",
    "Appointment",
    "AppointmentStatusChange",
    "AppointmentSlotLock",
    "AppointmentStatus",
    "ExceptionKind",
    "PracticeSchedulingSettings",
    "ProviderSchedule",
    "ScheduleException",
    "VisitMode",
    "VisitType",
    "WaitlistEntry",
    "WaitlistStatus",
    "ALL_SCOPES",
    "CHANNELS",
    "AttemptOutcome",
    "AuditEvent",
    "Base",
    "CareTeam",
    "CareTeamMember",
    "CaregiverGrant",
    "Channel",
    "Device",
    "GrantKind",
    "GrantStatus",
    "Location",
    "Membership",
    "Notification",
    "NotificationAttempt",
    "NotificationPreference",
    "NotificationStatus",
    "Patient",
    "Practice",
    "Provider",
    "RefreshToken",
    "Scope",
    "SessionKind",
    "SignInThrottle",
    "StaffRole",
    "User",
    "UserSession",
]
