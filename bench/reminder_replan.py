"""Re-planning reminders: how long an admin waits when the practice's reminder offsets change.

Builds a database with the real migrations, one practice with N patients (each with an account)
and N booked visits starting eight days ahead, plans their reminders (3 offsets each, as booking
does), then changes the offsets through the admin use case (`update_scheduling_settings`), which
re-plans every coming visit in the same transaction: two offsets dropped, two added, one kept.

    .venv/bin/python bench/reminder_replan.py --visits 5000
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_replan .venv/bin/python bench/reminder_replan.py

On PostgreSQL the tables are built in a private schema that is dropped at the end. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NEW_OFFSETS = [4320, 1440, 60]  # from the default 10080, 1440, 120


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=5000)
    args = parser.parse_args(argv)
    n = args.visits

    from sqlalchemy import func, select, text

    from bench.reminder_fanout import database, drop_schema, migrate
    from tests.conftest import use_fast_hashing

    url, schema, tmp = database(os.environ.get("DATABASE_URL"))
    use_fast_hashing()
    from hearth.app import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 32, "MAIL_HOST": "", "TESTING": True})
    try:
        with app.app_context():
            from hearth import db
            from hearth.clock import utcnow
            from hearth.models import Appointment, AppointmentStatus, Notification, StaffRole, VisitMode, VisitType
            from hearth.services.scheduling import admin, reminders
            from tests.factories import make_patient, make_practice, make_provider, make_staff

            migrate()
            practice = make_practice()
            provider = make_provider(practice=practice)
            visit = VisitType(practice_id=practice.id, name="Visit", duration_minutes=15, mode=VisitMode.VIDEO,
                              self_schedulable=True, questionnaire=[])
            db.session.add(visit)
            db.session.flush()
            boss = make_staff(practice=practice, role=StaffRole.ADMIN)
            start = utcnow() + timedelta(days=8)
            for i in range(n):
                patient = make_patient(practice=practice)
                begins = start + timedelta(minutes=15 * i)
                db.session.add(Appointment(patient_id=patient.id, provider_id=provider.id, visit_type_id=visit.id,
                                           starts_at=begins, ends_at=begins + timedelta(minutes=15),
                                           status=AppointmentStatus.BOOKED))
            db.session.commit()
            if db.session.get_bind().dialect.name == "postgresql":
                db.session.execute(text("ANALYZE"))  # as autovacuum would have by now
                db.session.commit()

            began = time.perf_counter()
            reminders.replan_practice(practice.id)
            db.session.commit()
            planned = time.perf_counter() - began

            began = time.perf_counter()
            admin.update_scheduling_settings(boss, practice.id, {"reminder_offsets": NEW_OFFSETS})
            db.session.commit()
            changed = time.perf_counter() - began

            by_status = dict(db.session.execute(
                select(Notification.status, func.count()).group_by(Notification.status)).all())
            counts = dict(sorted((str(k.value), v) for k, v in by_status.items()))
            ok = counts == {"pending": 3 * n, "cancelled": 2 * n}
            print(f"database: {db.session.get_bind().dialect.name}; visits: {n}")
            print(f"first planning: {3 * n} reminders for {n} visits in {planned:.1f} s = {n / planned:.0f} visits/s")
            print(f"offsets changed: {n} visits re-planned in {changed:.1f} s = {n / changed:.0f} visits/s "
                  f"(2 offsets dropped, 2 added)")
            print(f"check: outbox {counts}: {'ok' if ok else 'WRONG'}")
            return 0 if ok else 1
    finally:
        if schema:
            drop_schema(url, schema)
        if tmp:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
