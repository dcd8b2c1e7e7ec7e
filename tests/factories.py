"""Keyword-only factories for test data. Each flushes, so ids exist, and never commits."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hearth import db
from hearth.clock import utcnow
from hearth.models import (
    ALL_SCOPES,
    CaregiverGrant,
    GrantKind,
    GrantStatus,
    Membership,
    Patient,
    Practice,
    Provider,
    StaffRole,
    User,
)
from hearth.security.passwords import hash_password

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def make_practice(*, name: str | None = None, timezone: str = "America/New_York", **kw) -> Practice:
    n = _n()
    practice = Practice(name=name or f"Practice {n}", slug=f"practice-{n}", timezone=timezone, **kw)
    db.session.add(practice)
    db.session.flush()
    return practice


def make_user(*, email: str | None = None, password: str = PASSWORD, name: str | None = None,
              locale: str = "en", roles: dict[Practice, list[StaffRole]] | None = None, **kw) -> User:
    n = _n()
    user = User(email=email or f"user{n}@example.test", password_hash=hash_password(password),
                display_name=name or f"User {n}", locale=locale, **kw)
    db.session.add(user)
    db.session.flush()
    for practice, practice_roles in (roles or {}).items():
        for role in practice_roles:
            user.memberships.append(Membership(practice_id=practice.id, role=role))
    db.session.flush()
    return user


def make_staff(*, practice: Practice, role: StaffRole = StaffRole.STAFF, **kw) -> User:
    return make_user(roles={practice: [role]}, **kw)


def make_provider(*, practice: Practice, user: User | None = None, specialty: str = "Family medicine",
                  **kw) -> Provider:
    n = _n()
    user = user or make_staff(practice=practice, role=StaffRole.PROVIDER)
    provider = Provider(practice_id=practice.id, user_id=user.id, given_name=kw.pop("given_name", f"Doc{n}"),
                        family_name=kw.pop("family_name", "Smith"), specialty=specialty, **kw)
    db.session.add(provider)
    db.session.flush()
    return provider


def make_patient(*, practice: Practice | None = None, user: User | None | bool = True,
                 given_name: str | None = None, family_name: str = "Doe",
                 date_of_birth: date = date(1980, 5, 17), **kw) -> Patient:
    """A patient; `user=True` (default) also creates her portal account, `user=None` none."""
    n = _n()
    practice = practice or make_practice()
    if user is True:
        user = make_user(name=f"{given_name or 'Pat'} {family_name}")
    patient = Patient(practice_id=practice.id, user_id=user.id if user else None, mrn=kw.pop("mrn", f"MRN{n:06d}"),
                      given_name=given_name or f"Pat{n}", family_name=family_name, date_of_birth=date_of_birth,
                      email=user.email if user else None, **kw)
    db.session.add(patient)
    db.session.flush()
    return patient


def make_grant(*, patient: Patient, caregiver: User | None = None, scopes=ALL_SCOPES,
               kind: GrantKind = GrantKind.PROXY, status: GrantStatus = GrantStatus.ACTIVE,
               ends_in: timedelta | None = None, **kw) -> CaregiverGrant:
    caregiver = caregiver or make_user()
    now = utcnow()
    grant = CaregiverGrant(patient_id=patient.id, caregiver_user_id=caregiver.id, invited_email=caregiver.email,
                           kind=kind, status=status, scopes=",".join(scopes), starts_at=now - timedelta(days=1),
                           ends_at=now + ends_in if ends_in is not None else None,
                           accepted_at=now if status == GrantStatus.ACTIVE else None, **kw)
    db.session.add(grant)
    db.session.flush()
    return grant
