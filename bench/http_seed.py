"""The data bench/http_reads.py reads: the demo practice plus bulk rows written with Core inserts.

On top of `flask seed-demo`: `patients` more patients in the demo practice (with an audit trail of 5 events
each), `rows` appointments for the benchmark patient (Emily Carter, the demo's patient) on one day ~60 days
ahead plus `rows` for other patients on that day (the staff schedule day shows 2 × rows), one appointment per
bulk patient spread over the year, `rows` sent notifications for Emily, and API sessions for Emily and the
front desk (tokens signed with the servers' SECRET_KEY, as `POST /api/v1/auth/token` signs them: the staff
token skips the two-factor prompt, which only guards sign-in). Also the free slots the write pair books.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, func, insert, select

CHUNK = 5000


@dataclass
class World:
    practice_id: int
    patient_id: int
    patient_token: str
    staff_token: str
    day: date
    slots: list[dict]
    patient_count: int


def _chunks(rows: list[dict]):
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]


def seed_world(env: dict, *, patients: int, rows: int, slots: int) -> World:
    """Bulk rows, sessions and slots on env["DATABASE_URL"] (already migrated and demo-seeded)."""
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "RATELIMIT_ENABLED", "MAIL_HOST")})
    from hearth import db, demo, patient_words
    from hearth.app import create_app
    from hearth.clock import utcnow
    from hearth.models import (
        Appointment,
        AppointmentStatus,
        AuditEvent,
        Notification,
        NotificationStatus,
        Patient,
        Practice,
        Provider,
        User,
        VisitType,
    )
    from hearth.security import signing
    from hearth.services import api_tokens, sessions
    from hearth.services.scheduling.availability import open_slots
    from hearth.textfold import search_key

    app = create_app()
    rng = random.Random(11)
    with app.app_context():
        practice = db.session.scalar(select(Practice).where(Practice.slug == demo.PRACTICE_SLUG))
        patient = db.session.scalar(select(Patient).where(Patient.email == demo.PATIENT_EMAIL))
        staff = db.session.scalar(select(User).where(User.email == demo.FRONT_DESK_EMAIL))
        providers = list(db.session.scalars(select(Provider).where(Provider.practice_id == practice.id)))
        visit = db.session.scalar(select(VisitType).where(VisitType.practice_id == practice.id,
                                                          VisitType.name == "Follow-up visit"))
        zone = ZoneInfo(practice.timezone)
        now = utcnow()
        day = (now.astimezone(zone) + timedelta(days=60)).date()
        families = ["Garcia", "Smith", "Nguyen", "Johnson", "Brown", "Lopez", "Kim", "Patel", "Miller", "Davis"]
        given = ["Ana", "Ben", "Chloe", "David", "Eva", "Femi", "Gita", "Hugo", "Iris", "Jon"]
        people = []
        for i in range(patients):
            g, f = rng.choice(given), f"{rng.choice(families)}{i % 997}"
            people.append({"practice_id": practice.id, "mrn": f"B{i:08d}", "given_name": g, "family_name": f,
                           "date_of_birth": date(1940, 1, 1) + timedelta(days=rng.randrange(30000)),
                           "search_name": search_key(g, f)[:300], "created_at": now})
        for chunk in _chunks(people):
            db.session.execute(insert(Patient.__table__), chunk)
        bulk_ids = list(db.session.scalars(select(Patient.id).where(Patient.practice_id == practice.id,
                                                                     Patient.mrn.like("B%"))))
        patient_words.refill(db.session.connection(), bulk_ids)  # Core inserts skip the ORM's name-word events

        def visit_row(patient_id: int, at: datetime, status=AppointmentStatus.BOOKED) -> dict:
            provider = providers[rng.randrange(len(providers))]
            return {"patient_id": patient_id, "provider_id": provider.id, "visit_type_id": visit.id,
                    "starts_at": at, "ends_at": at + timedelta(minutes=15), "status": status,
                    "created_at": now, "changed_at": now}

        morning = datetime.combine(day, datetime.min.time(), zone).replace(hour=8)
        visits = [visit_row(patient.id, morning + timedelta(minutes=15 * i)) for i in range(rows)]
        visits += [visit_row(bulk_ids[i % len(bulk_ids)] if bulk_ids else patient.id,
                             morning + timedelta(minutes=15 * i)) for i in range(rows)]
        for pid in bulk_ids:  # one visit each, outside the booking window the write pair uses
            offset = rng.choice([-1, 1]) * rng.randrange(30, 330)
            visits.append(visit_row(pid, now.replace(minute=0, second=0, microsecond=0) + timedelta(days=offset),
                                    AppointmentStatus.COMPLETED if offset < 0 else AppointmentStatus.BOOKED))
        for chunk in _chunks(visits):
            db.session.execute(insert(Appointment.__table__), chunk)
        notes = [{"recipient_user_id": patient.user_id, "patient_id": patient.id, "kind": "reminder",
                  "channel": "email", "template": "appointment_reminder", "params": {}, "locale": "en",
                  "due_at": now - timedelta(hours=i), "sent_at": now - timedelta(hours=i),
                  "status": NotificationStatus.SENT, "idempotency_key": f"bench-{i}",
                  "created_at": now - timedelta(hours=i)} for i in range(rows)]
        db.session.execute(insert(Notification.__table__), notes)
        trail = [{"at": now - timedelta(minutes=n), "actor_user_id": staff.id, "actor_relation": "staff",
                  "patient_id": pid, "action": "view", "resource_type": "patient", "resource_id": str(pid)}
                 for pid in bulk_ids for n in range(5)]
        for chunk in _chunks(trail):
            db.session.execute(insert(AuditEvent.__table__), chunk)

        def token(user: User) -> str:
            row = sessions.start_api_session(user, timedelta(days=1), "bench")
            return signing.dumps(app.config["SECRET_KEY"], api_tokens.ACCESS_SALT, {"s": row.id, "u": user.id})

        patient_token, staff_token = token(patient.user), token(staff)
        bare = MetaData()
        Table("bench_bare_write", bare, Column("id", Integer, primary_key=True), Column("note", String(40)),
              Column("at", DateTime, server_default=func.now()))
        db.session.commit()
        bare.create_all(db.engine())
        today = now.date()
        taken = list(db.session.scalars(select(Appointment.starts_at).where(Appointment.patient_id == patient.id)))
        free: list[dict] = []
        chosen: list[datetime] = []
        for slot in open_slots(visit, today + timedelta(days=3), today + timedelta(days=20)):
            # an hour from each other and from her own visits: a patient may not overlap her own visits
            if all(abs(slot.starts_at - at) >= timedelta(hours=1) for at in taken + chosen):
                chosen.append(slot.starts_at)
                free.append({"visit_type_id": visit.id, "provider_id": slot.provider_id,
                             "location_id": slot.location_id, "starts_at": slot.starts_at.isoformat()})
        count = db.session.scalar(select(func.count()).select_from(Patient)) or 0
    if len(free) < slots:
        raise SystemExit(f"only {len(free)} free slots with distinct times for {slots} connections")
    return World(practice.id, patient.id, patient_token, staff_token, day, free[:slots], count)
