"""Issue 11: every audited API read runs a bounded number of SQL statements, whatever the number of rows.

At most 4 statements plus the audit insert per read (tests/querycount.py counts what the engine runs,
authentication included), the same count for 1 row and for 12, and no lazy load while a list is
serialized: a listener fails the request on any lazy relationship load.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from hearth import db, notify
from hearth.models import NotificationStatus
from tests.api.test_staff import bearer
from tests.factories import make_patient, make_provider
from tests.portal.test_staff import enrolled_staff
from tests.querycount import count_queries
from tests.scheduling.conftest import clinic, future_day, local, place  # noqa: F401  (clinic: a fixture)

MAX_STATEMENTS = 4  # besides the audit insert
# Reads that need fewer: the appointment list is the sign-in check, the patient and one SELECT of the
# upcoming and past visits together (hearth/services/scheduling/booking.upcoming_and_past).
TIGHTER = {"appointments": 3}


class LazyLoad(AssertionError):
    pass


@contextmanager
def no_lazy_loads() -> Iterator[list[str]]:
    """Raise on any lazy relationship load the ORM runs inside the block (eager loads are fine)."""
    seen: list[str] = []

    def check(state) -> None:
        if state.is_relationship_load and state.lazy_loaded_from is not None:
            seen.append(str(state.statement))
            raise LazyLoad(f"lazy load of {state.lazy_loaded_from.class_.__name__}: {state.statement}")

    event.listen(Session, "do_orm_execute", check)
    try:
        yield seen
    finally:
        event.remove(Session, "do_orm_execute", check)


def world(clinic, rows: int):  # noqa: F811
    """The clinic's patient with `rows` visits on one day and `rows` sent notifications; other patients too."""
    day = future_day(10)
    second = make_provider(practice=clinic.practice, given_name="Grace", family_name="Hopper")
    for i in range(rows):
        place(clinic, local(day, 9) + timedelta(minutes=30 * i))
        other = make_patient(practice=clinic.practice, family_name=f"Other{i}", user=None)
        place(clinic, local(day, 9) + timedelta(minutes=30 * i), patient=other, provider=second)
        row = notify.enqueue(key=f"read-{rows}-{i}", kind="reminder", template="appointment_reminder",
                             user=clinic.patient.user, patient=clinic.patient)
        row.status, row.sent_at = NotificationStatus.SENT, row.due_at
    staff = enrolled_staff(practice=clinic.practice)
    db.session.commit()
    return day, staff


def reads(clinic, day, staff_auth, patient_auth):  # noqa: F811
    pid, practice = clinic.patient.id, clinic.practice.id
    return {
        "me": ("/api/v1/me", patient_auth),
        "appointments": (f"/api/v1/patients/{pid}/appointments", patient_auth),
        "patient": (f"/api/v1/patients/{pid}", patient_auth),
        "notifications": ("/api/v1/notifications", patient_auth),
        "staff patient list": (f"/api/v1/practices/{practice}/patients", staff_auth),
        "staff schedule day": (f"/api/v1/practices/{practice}/schedule?date={day}", staff_auth),
    }


def audit_inserts(statements: list[str]) -> int:
    return sum(1 for s in statements if s.lstrip().upper().startswith("INSERT INTO AUDIT_EVENT"))


def measured(client, path: str, auth: dict) -> list[str]:
    # Tests keep one session across requests: start from an empty identity map, as a request in
    # production starts from a fresh session, so nothing loaded earlier hides a statement.
    db.session.expunge_all()
    with count_queries() as counter:
        response = client.get(path, headers=auth)
    assert response.status_code == 200, (path, response.json)
    return counter.statements


@pytest.mark.parametrize("rows", [1, 12])
def test_each_read_runs_at_most_four_statements_plus_the_audit_insert(client, clinic, rows):  # noqa: F811
    day, staff = world(clinic, rows)
    paths = reads(clinic, day, bearer(client, staff), bearer(client, clinic.patient.user))
    over = {}
    for name, (path, auth) in paths.items():
        client.get(path, headers=auth)  # warm caches that are per process (translations, mappers)
        statements = measured(client, path, auth)
        audits = audit_inserts(statements)
        if audits > 1 or len(statements) - audits > TIGHTER.get(name, MAX_STATEMENTS):
            over[name] = [" ".join(s.split())[:110] for s in statements]
    assert not over, "\n".join(f"{name}: {len(s)}\n  " + "\n  ".join(s) for name, s in over.items())


def test_the_statement_count_does_not_grow_with_the_rows(client, clinic):  # noqa: F811
    day, staff = world(clinic, 2)
    paths = reads(clinic, day, bearer(client, staff), bearer(client, clinic.patient.user))
    few = {name: len(measured(client, path, auth)) for name, (path, auth) in paths.items()}
    world_more = world(clinic, 0)[1]
    for i in range(2, 14):
        place(clinic, local(day, 9) + timedelta(minutes=30 * i))
        notify.enqueue(key=f"more-{i}", kind="reminder", template="appointment_reminder",
                       user=clinic.patient.user, patient=clinic.patient).status = NotificationStatus.SENT
    db.session.commit()
    assert world_more
    many = {name: len(measured(client, path, auth)) for name, (path, auth) in paths.items()}
    assert many == few


def test_lists_serialize_without_lazy_loads(client, clinic):  # noqa: F811
    day, staff = world(clinic, 5)
    paths = reads(clinic, day, bearer(client, staff), bearer(client, clinic.patient.user))
    lazy = {}
    for name, (path, auth) in paths.items():
        db.session.expunge_all()
        with no_lazy_loads() as seen:
            response = client.get(path, headers=auth)
        if seen or response.status_code != 200:
            lazy[name] = (response.status_code, [" ".join(s.split())[:110] for s in seen])
    assert not lazy, "\n".join(f"{name}: {status}\n  " + "\n  ".join(s) for name, (status, s) in lazy.items())


def test_the_lazy_load_guard_catches_a_lazy_load(clinic):  # noqa: F811
    appointment = place(clinic, local(future_day(10), 9))
    db.session.commit()
    db.session.expire_all()
    loaded = db.session.get(type(appointment), appointment.id)
    with pytest.raises(LazyLoad), no_lazy_loads():
        loaded.patient.user  # noqa: B018  (a lazy load, on purpose)
