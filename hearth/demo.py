"""Demo data for `flask seed-demo`: one practice with staff, patients and caregivers, created idempotently.

Everything is keyed on the practice slug, user emails, patient MRNs and (patient, caregiver) pairs,
so running the seed again changes nothing. Passwords and the staff TOTP secret are demo-only.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from hearth import db
from hearth.clock import to_zone, utcnow
from hearth.models import (
    ALL_SCOPES,
    CaregiverGrant,
    CareTeam,
    CareTeamMember,
    GrantKind,
    GrantStatus,
    Location,
    Membership,
    Patient,
    Practice,
    Provider,
    Scope,
    StaffRole,
    User,
)
from hearth.security.passwords import hash_password
from hearth.services.billing.demo import seed_billing
from hearth.services.billing.money_demo import seed_money
from hearth.services.estimates.demo import seed_estimates
from hearth.services.gfe.demo import seed_gfe_and_financing
from hearth.services.medications.demo import seed_medications
from hearth.services.messages.demo import seed_messages
from hearth.services.results.demo import seed_results
from hearth.services.scheduling.demo import seed_scheduling

DEMO_PASSWORD = "hearth-demo-2026"
# Base32; every demo staff account shares it so one authenticator entry signs them all in.
DEFAULT_TOTP_SECRET = "HEARTHDEMOTOTPSECRETKEY234567ABC"
PRACTICE_SLUG = "hearth-family-medicine"
PRACTICE_NAME = "Hearth Family Medicine"
TIMEZONE = "America/New_York"

ADMIN_EMAIL = "helen.park@hearth.example.com"
PROVIDER_EMAIL = "amara.okafor@hearth.example.com"
FRONT_DESK_EMAIL = "tom.becker@hearth.example.com"
NURSE_EMAIL = "grace.kim@hearth.example.com"
PATIENT_EMAIL = "emily.carter@example.com"
CAREGIVER_EMAIL = "sarah.mitchell@example.com"
PARENT_EMAIL = "david.nguyen@example.com"


def totp_secret() -> str:
    """The demo staff TOTP secret: HEARTH_DEMO_TOTP_SECRET when set, else the documented default."""
    secret = (os.environ.get("HEARTH_DEMO_TOTP_SECRET") or DEFAULT_TOTP_SECRET).strip().upper()
    try:
        base64.b32decode(secret + "=" * (-len(secret) % 8))
    except binascii.Error as exc:
        raise ValueError(f"HEARTH_DEMO_TOTP_SECRET is not base32 (A-Z, 2-7): {secret!r}") from exc
    return secret


@dataclass(frozen=True)
class StaffSpec:
    email: str
    name: str
    roles: tuple[StaffRole, ...]
    label: str
    provider: tuple[str, str, str, str, str] | None = None  # given, family, credentials, specialty, npi
    team_role: str | None = None


STAFF = [
    StaffSpec(ADMIN_EMAIL, "Helen Park", (StaffRole.ADMIN,), "Practice admin"),
    StaffSpec(PROVIDER_EMAIL, "Dr. Amara Okafor", (StaffRole.PROVIDER,), "Provider (family medicine)",
              ("Amara", "Okafor", "MD", "Family medicine", "1234567893"), "Physician"),
    StaffSpec("daniel.reyes@hearth.example.com", "Dr. Daniel Reyes", (StaffRole.PROVIDER,), "Provider (pediatrics)",
              ("Daniel", "Reyes", "MD", "Pediatrics", "1245319599")),
    StaffSpec("priya.natarajan@hearth.example.com", "Priya Natarajan, NP", (StaffRole.PROVIDER,),
              "Provider (geriatrics)", ("Priya", "Natarajan", "NP", "Geriatric medicine", "1306849450"),
              "Nurse practitioner"),
    StaffSpec(FRONT_DESK_EMAIL, "Tom Becker", (StaffRole.STAFF,), "Front desk", team_role="Front desk"),
    StaffSpec(NURSE_EMAIL, "Grace Kim, RN", (StaffRole.STAFF,), "Nurse (also a patient)", team_role="Nurse"),
]

# mrn, given, family, dob (a date, or for children (age in years, days since the last birthday) so they
# keep their age whenever the demo is seeded), sex, language, phone, email when the patient has a portal
# account (None: no account), primary provider's family name (adults never see the pediatrician, Reyes).
PATIENTS = [
    ("HFM-000101", "Emily", "Carter", date(1988, 4, 23), "female", "en", "+15550101101", PATIENT_EMAIL, "Okafor"),
    ("HFM-000102", "María", "García", date(1979, 11, 2), "female", "es", "+15550101102",
     "maria.garcia@example.com", "Okafor"),
    ("HFM-000103", "José", "Hernández", date(1965, 2, 17), "male", "es", "+15550101103",
     "jose.hernandez@example.com", "Okafor"),
    ("HFM-000104", "Walter", "Brooks", date(1941, 8, 30), "male", "en", "+15550101104", None, "Natarajan"),
    ("HFM-000105", "Margaret", "Brooks", date(1944, 1, 15), "female", "en", "+15550101105", None, "Natarajan"),
    ("HFM-000106", "David", "Nguyen", date(1982, 7, 9), "male", "en", "+15550101106", PARENT_EMAIL, "Okafor"),
    ("HFM-000107", "Lily", "Nguyen", (9, 40), "female", "en", "+15550101106", None, "Reyes"),
    ("HFM-000108", "Ethan", "Nguyen", (15, 200), "male", "en", "+15550101106", None, "Reyes"),
    ("HFM-000109", "Grace", "Kim", date(1990, 9, 9), "female", "en", "+15550101109", NURSE_EMAIL, "Okafor"),
    ("HFM-000110", "Robert", "Johnson", date(1958, 3, 4), "male", "en", "+15550101110",
     "robert.johnson@example.com", "Okafor"),
    ("HFM-000111", "Linda", "Williams", date(1950, 12, 19), "female", "en", "+15550101111",
     "linda.williams@example.com", "Natarajan"),
    ("HFM-000112", "James", "Smith", date(1972, 5, 28), "male", "en", "+15550101112",
     "james.smith@example.com", "Okafor"),
    ("HFM-000113", "Patricia", "Brown", date(1969, 10, 11), "female", "en", "+15550101113",
     "patricia.brown@example.com", "Natarajan"),
    ("HFM-000114", "Carmen", "Rodríguez", date(1992, 6, 30), "female", "es", "+15550101114",
     "carmen.rodriguez@example.com", "Natarajan"),
    ("HFM-000115", "Luis", "Martínez", date(2001, 1, 22), "male", "es", "+15550101115",
     "luis.martinez@example.com", "Okafor"),
    ("HFM-000116", "Sofía", "Morales", (6, 110), "female", "es", "+15550101116", None, "Reyes"),
    ("HFM-000117", "Aisha", "Khan", date(1995, 8, 14), "female", "en", "+15550101117",
     "aisha.khan@example.com", "Okafor"),
    ("HFM-000118", "Michael", "O'Brien", date(1947, 4, 2), "male", "en", "+15550101118", None, "Natarajan"),
    ("HFM-000119", "Olivia", "Davis", date(2003, 2, 26), "female", "en", "+15550101119",
     "olivia.davis@example.com", "Okafor"),
    ("HFM-000120", "Kevin", "Thompson", date(1976, 9, 17), "male", "en", "+15550101120",
     "kevin.thompson@example.com", "Okafor"),
    ("HFM-000121", "Rosa", "Delgado", date(1938, 7, 7), "female", "es", "+15550101121", None, "Natarajan"),
    ("HFM-000122", "Hannah", "Lee", date(1999, 11, 5), "female", "en", "+15550101122",
     "hannah.lee@example.com", "Okafor"),
    # Try the searches: "lopez" finds López, "obrien" finds O'Brien, "000123" finds this MRN.
    ("HFM-000123", "Ana", "López", date(1986, 3, 12), "female", "es", "+15550101123", None, "Okafor"),
]

# patient MRN, caregiver email, kind, scopes, relationship, days until the grant ends (None: no end)
GRANTS = [
    ("HFM-000104", CAREGIVER_EMAIL, GrantKind.PROXY, (Scope.APPOINTMENTS, Scope.MESSAGES), "Daughter", 365),
    ("HFM-000105", CAREGIVER_EMAIL, GrantKind.PROXY,
     (Scope.APPOINTMENTS, Scope.MESSAGES, Scope.MEDICATIONS, Scope.RESULTS), "Daughter", 365),
    ("HFM-000107", PARENT_EMAIL, GrantKind.GUARDIAN, ALL_SCOPES, "Parent", None),
    ("HFM-000108", PARENT_EMAIL, GrantKind.GUARDIAN, ALL_SCOPES, "Parent", None),
]


@functools.cache
def _demo_hash() -> str:
    """One real argon2 hash of the shared demo password, reused for every demo account (seeding stays quick)."""
    return hash_password(DEMO_PASSWORD)


def _user(email: str, name: str, *, locale: str = "en", staff: bool = False) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, password_hash=_demo_hash(), display_name=name, locale=locale, timezone=TIMEZONE)
        if staff:
            user.totp_secret = totp_secret()
            user.totp_enabled_at = utcnow()
        db.session.add(user)
        db.session.flush()
    return user


def _membership(user: User, practice: Practice, role: StaffRole) -> None:
    if not any(m.practice_id == practice.id and m.role == role for m in user.memberships):
        user.memberships.append(Membership(practice_id=practice.id, role=role))


def _one(model, **where):
    stmt = select(model).filter_by(**where)
    found = db.session.scalar(stmt)
    if found is None:
        found = model(**where)
        db.session.add(found)
        db.session.flush()
    return found


def _practice() -> Practice:
    practice = db.session.scalar(select(Practice).where(Practice.slug == PRACTICE_SLUG))
    if practice is None:
        practice = Practice(name=PRACTICE_NAME, slug=PRACTICE_SLUG, timezone=TIMEZONE, phone="+15550102000")
        db.session.add(practice)
        db.session.flush()
    for name, spanish, address, phone in [
        ("Downtown clinic", "Clínica del centro", "120 Main Street, Springfield, NY 10001", "+15550102001"),
        ("Riverside clinic", "Clínica Riverside", "48 River Road, Springfield, NY 10002", "+15550102002"),
    ]:
        location = _one(Location, practice_id=practice.id, name=name)
        if location.address is None:
            location.address, location.phone = address, phone
        if not location.translations:
            location.translations = {"es": {"name": spanish}}
    return practice


def _birth_date(value: date | tuple[int, int]) -> date:
    """Children are given as (age, days since the last birthday): that age whenever the demo is seeded,
    each with a birthday of her own."""
    if isinstance(value, date):
        return value
    age, days_since = value
    last_birthday = to_zone(utcnow(), TIMEZONE).date() - timedelta(days=days_since)
    if (last_birthday.month, last_birthday.day) == (2, 29):
        last_birthday -= timedelta(days=1)
    return last_birthday.replace(year=last_birthday.year - age)


def _staff(practice: Practice) -> tuple[dict[str, Provider], list[tuple[str, str]]]:
    providers: dict[str, Provider] = {}
    logins = []
    team = _one(CareTeam, practice_id=practice.id, name="Blue team")
    for spec in STAFF:
        user = _user(spec.email, spec.name, staff=True)
        for role in spec.roles:
            _membership(user, practice, role)
        if spec.provider:
            given, family, credentials, specialty, npi = spec.provider
            provider = db.session.scalar(select(Provider).where(Provider.practice_id == practice.id,
                                                                Provider.user_id == user.id))
            if provider is None:
                provider = Provider(practice_id=practice.id, user_id=user.id, given_name=given, family_name=family,
                                    credentials=credentials, specialty=specialty, npi=npi)
                db.session.add(provider)
            providers[family] = provider
        if spec.team_role and not any(m.user_id == user.id for m in team.members):
            team.members.append(CareTeamMember(user_id=user.id, role_label=spec.team_role))
        logins.append((spec.label + " [2FA]", spec.email))
    db.session.flush()
    return providers, logins


def _patients(practice: Practice, providers: dict[str, Provider]) -> dict[str, Patient]:
    team = db.session.scalar(select(CareTeam).where(CareTeam.practice_id == practice.id, CareTeam.name == "Blue team"))
    patients = {}
    for mrn, given, family, born, sex, language, phone, email, provider_name in PATIENTS:
        patient = db.session.scalar(select(Patient).where(Patient.practice_id == practice.id, Patient.mrn == mrn))
        if patient is None:
            user = _user(email, f"{given} {family}", locale=language) if email else None
            patient = Patient(
                practice_id=practice.id, user_id=user.id if user else None, mrn=mrn, given_name=given,
                family_name=family, date_of_birth=_birth_date(born), sex=sex, email=email, phone=phone,
                address=f"{100 + int(mrn[-3:])} Elm Street, Springfield, NY 10001", preferred_language=language,
                preferred_channels="email,sms" if email else "sms", primary_provider_id=providers[provider_name].id,
                care_team_id=team.id if team else None,
            )
            db.session.add(patient)
        patients[mrn] = patient
    db.session.flush()
    return patients


def _grants(patients: dict[str, Patient], granted_by: User) -> None:
    now = utcnow()
    for mrn, email, kind, scopes, relationship, days in GRANTS:
        patient = patients[mrn]
        caregiver = _user(email, "Sarah Mitchell")  # the parent's account exists already
        exists = db.session.scalar(select(CaregiverGrant).where(CaregiverGrant.patient_id == patient.id,
                                                                CaregiverGrant.caregiver_user_id == caregiver.id))
        if exists is None:
            db.session.add(CaregiverGrant(
                patient_id=patient.id, caregiver_user_id=caregiver.id, invited_email=email,
                relationship_label=relationship, kind=kind, status=GrantStatus.ACTIVE,
                scopes=",".join(str(s) for s in scopes), starts_at=now,
                ends_at=now + timedelta(days=days) if days else None, created_by_user_id=granted_by.id,
                created_at=now, accepted_at=now,
            ))
    db.session.flush()


@db.transactional
def seed() -> list[tuple[str, str]]:
    """Create (or leave as is) the demo practice and people; returns (role, email) for each demo login."""
    practice = _practice()
    providers, logins = _staff(practice)
    patients = _patients(practice, providers)
    _user(CAREGIVER_EMAIL, "Sarah Mitchell")
    front_desk = db.session.scalar(select(User).where(User.email == FRONT_DESK_EMAIL))
    _grants(patients, front_desk)
    seed_scheduling(practice)
    seed_estimates(practice, front_desk)
    seed_gfe_and_financing(practice)
    seed_medications(practice)
    seed_results(practice)
    seed_billing(practice)
    seed_money(practice)
    seed_messages(practice, nurse_email=NURSE_EMAIL, billing_email=FRONT_DESK_EMAIL)
    logins += [
        ("Patient", PATIENT_EMAIL),
        ("Patient (Spanish)", "maria.garcia@example.com"),
        ("Caregiver of both parents", CAREGIVER_EMAIL),
        ("Parent of a child and a teen", PARENT_EMAIL),
    ]
    return logins


def has_practice() -> bool:
    """True when any practice exists (run.sh seeds an empty database only)."""
    return db.session.scalar(select(Practice.id).limit(1)) is not None
