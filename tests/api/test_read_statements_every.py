"""Issue 11 for every GET of /api/v1: bounded statements, the same for 1 row and for N, no lazy load.

tests/api/test_read_statements.py checks six reads with hand-built data. This module checks every GET
operation the OpenAPI document lists, so a new list endpoint cannot be forgotten: `test_every_get_has_a_case`
fails when a GET path has neither a case here nor a reasoned entry in EXEMPT.

The data comes from the authorization matrix's world (tests/authz_world.py): a patient with one generic
row in every table that belongs to a patient. `grow` then adds N more rows to every one of those tables,
children attached to the world's own parent rows, so a list gets N more items and a detail (a thread,
a result) N more children. A read must run the same number of statements in both worlds, at most
MAX_STATEMENTS plus the audit insert (or its own bound in BOUNDS, with the reason), and no lazy load.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from hearth import db
from hearth.clock import utcnow
from hearth.models import MessageTemplate
from tests import authz_world
from tests.api.test_read_statements import MAX_STATEMENTS, audit_inserts
from tests.api.test_staff import bearer
from tests.authz_rows import Generator, owned_tables
from tests.querycount import count_queries

N = 12

# GET operations without a statement-count case, and why.
EXEMPT = {
    # Public, by a signed token (the token is the credential): one row looked up by its token, no list,
    # and the generic world has no valid token to aim at.
    "/api/v1/caregivers/invitations/{token}": "one invitation by its secret token, no list",
    "/api/v1/appointment-links/{token}": "one appointment by a signed reminder token, no list",
}

# Reads above MAX_STATEMENTS today (statements besides the audit insert, authentication included), as
# measured when this module was written: a ratchet, not a justification. Each stays bounded (the same
# count for 1 and for N rows is asserted for all); lower an entry, or remove it, when its read is
# reworked. Most of the excess is per-request set-up that is not the list itself: the token's session
# and user, the patient, the caregiver grant or the staff membership, settings of the practice.
BOUNDS: dict[str, int] = {
    # No audit insert on these two practice-wide lists; the patient list is the `ormpath` rework's.
    "/api/v1/practices/{practice_id}/patients": 5,
    "/api/v1/practices/{practice_id}/refill-requests": 5,
    "/api/v1/patients/{patient_id}/access-log": 5,
    "/api/v1/patients/{patient_id}/appointments/{appointment_id}/calendar.ics": 6,
    "/api/v1/patients/{patient_id}/appointments/{appointment_id}/join": 6,
    "/api/v1/patients/{patient_id}/appointments/{appointment_id}": 7,
    "/api/v1/patients/{patient_id}/booking-options": 6,
    "/api/v1/patients/{patient_id}/caregivers/{grant_id}/activity": 6,
    "/api/v1/patients/{patient_id}/caregivers": 5,
    "/api/v1/patients/{patient_id}/estimates": 5,
    "/api/v1/patients/{patient_id}/good-faith-estimates/{estimate_id}/pdf": 5,
    "/api/v1/patients/{patient_id}/good-faith-estimates/{estimate_id}": 5,
    "/api/v1/patients/{patient_id}/good-faith-estimates": 5,
    "/api/v1/patients/{patient_id}/medications": 5,
    "/api/v1/patients/{patient_id}/messages/threads/{thread_id}": 7,
    "/api/v1/patients/{patient_id}/messages/threads": 5,
    "/api/v1/patients/{patient_id}/refill-requests/{request_id}": 5,
    "/api/v1/patients/{patient_id}/refill-requests": 6,
    "/api/v1/patients/{patient_id}/results/{report_id}": 8,
    "/api/v1/patients/{patient_id}/results": 5,
    "/api/v1/patients/{patient_id}/slots": 9,
    "/api/v1/patients/{patient_id}/statements": 7,
    "/api/v1/practices/{practice_id}/appointments/{appointment_id}": 13,
    "/api/v1/practices/{practice_id}/inbox/threads/{thread_id}/files/{attachment_id}": 6,
    "/api/v1/practices/{practice_id}/inbox/threads/{thread_id}": 17,
    "/api/v1/practices/{practice_id}/inbox/threads/{thread_id}/templates/{template_id}": 16,
    "/api/v1/practices/{practice_id}/inbox": 6,  # no audit insert: the queue is not one patient's record
    "/api/v1/practices/{practice_id}/messaging-settings": 6,  # no audit insert (practice settings)
    "/api/v1/practices/{practice_id}/patients/{patient_id}/guardians": 6,
    "/api/v1/practices/{practice_id}/patients/{patient_id}/threads": 5,
    "/api/v1/practices/{practice_id}/patients/{patient_id}": 6,
    "/api/v1/practices/{practice_id}/workspace": 10,
    "/api/v1/statements/{statement_id}/payment-plan": 11,
    "/api/v1/statements/{statement_id}/pdf": 10,
    "/api/v1/statements/{statement_id}": 11,
}

# Paths whose ids the world cannot fill from its rows, and what to use instead.
TREND_CODE = "2345-7"
FIXED_ARGS = {"side": "front", "code": TREND_CODE}


# Reads that still lazy-load a relationship, each a fix to make (a single object's relationship, not a
# per-row load: the counts above stay flat with the rows).
LAZY_KNOWN = {
    "/api/v1/patients/{patient_id}/appointments/{appointment_id}",
    "/api/v1/patients/{patient_id}/booking-options",
    "/api/v1/patients/{patient_id}/slots",
}

# Query parameters the world's generic examples would get wrong.
QUERY = {"/api/v1/patients/{patient_id}/result-trends/{code}": {"unit": "mg/dL"}}

# Staff tools that take a patient id (tests/test_authorization_matrix.py STAFF_TOOLS).
STAFF_PATHS = {"/api/v1/patients/{patient_id}/fee-choices", "/api/v1/patients/{patient_id}/results/{report_id}/views"}

# Reads measured on a refusal (the statement count still bounds the path a client takes), and why.
EXPECTED_STATUS = {
    "/api/v1/patients/{patient_id}/appointments/{appointment_id}/join": (409, "the generic visit is not a video "
                                                                               "visit in its joining window"),
    "/api/v1/patients/{patient_id}/coverage/card/{side}": (404, "no card image is stored for the generic coverage"),
    "/api/v1/patients/{patient_id}/messages/threads/{thread_id}/files/{attachment_id}": (
        404, "the generic attachment row has no stored file"),
    "/api/v1/practices/{practice_id}/inbox/threads/{thread_id}/files/{attachment_id}": (
        404, "the generic attachment row has no stored file"),
}


def role_for(path: str) -> str:
    if path in STAFF_PATHS:
        return "own_practice_staff"
    if path.startswith("/api/v1/practices/"):
        return "own_practice_staff"
    if path.startswith("/api/v1/caregiving"):
        return "caregiver_with_scope"
    return "victim"


def get_paths(app) -> list[str]:
    spec = app.extensions["hearth_api"].spec.to_dict()
    return sorted(p for p, ops in spec["paths"].items() if "get" in ops)


def grow(w, rows: int) -> None:
    """Add `rows` generic rows to every table that belongs to the patient, under the world's parent rows."""
    fixed = {"patient": w.victim_id, "practice": w.practice_id, "user_account": w.victim_user_id,
             "provider": w.provider_id, "caregiver_grant": w.grant_id, "location": w.location_id, **w.rows}
    generator = Generator(fixed, w.practice_id, authz_world.EMAIL)
    for _ in range(rows):
        for name in owned_tables():
            generator.rows.pop(name, None)
            generator.create(db.Base.metadata.tables[name])
    add_templates(w, rows)
    shape(w)


def add_templates(w, count: int) -> None:
    """Saved replies of the practice (a practice table the generic world leaves empty)."""
    first = len(db.session.scalars(select(MessageTemplate.id).where(
        MessageTemplate.practice_id == w.practice_id)).all())
    for i in range(first, first + count):
        db.session.add(MessageTemplate(practice_id=w.practice_id, title=f"Reply {i}", body="Hi {first_name}"))
    db.session.flush()
    w.rows.setdefault("message_template", db.session.scalar(select(func.min(MessageTemplate.id)).where(
        MessageTemplate.practice_id == w.practice_id)))


def shape(w) -> None:
    """Make the generic rows visible where a read filters on what the generator leaves empty: results
    released, observations coded (a trend reads one LOINC code in one unit) and numeric."""
    t = db.Base.metadata.tables
    report, observation = t["diagnostic_report"], t["observation"]
    db.session.execute(report.update().where(report.c.patient_id == w.victim_id)
                       .values(released_at=utcnow(), version=1))
    db.session.execute(observation.update().where(observation.c.patient_id == w.victim_id)
                       .values(loinc_code=TREND_CODE, unit="mg/dL", value_quantity=Decimal("5.4"), version=1))
    db.session.commit()


def url_for(w, path: str) -> str | None:
    def fill(match):
        name = match.group(1)
        if name in FIXED_ARGS:
            value = FIXED_ARGS[name]
            return str(value)
        value = w.id_for(name)
        if value is None:
            raise LookupError(name)
        return str(value)

    try:
        return re.sub(r"\{([^}]+)\}", fill, path)
    except LookupError:
        return None


def measure(client, w, headers: dict, path: str, app) -> tuple[int, list[str], int, list[str]]:
    """(status, statements, body length, lazy loads) for one GET, from an empty identity map."""
    url = url_for(w, path)
    if url is None:
        return 0, [], 0, []
    query = {**w.query(app, _Rule(path), "GET"), **QUERY.get(path, {})}
    client.get(url, headers=headers, query_string=query)  # warm per-process caches
    db.session.expunge_all()
    with count_queries() as counter, lazy_loads() as lazy:
        response = client.get(url, headers=headers, query_string=query)
    return response.status_code, counter.statements, len(response.get_data()), lazy


@contextmanager
def lazy_loads() -> Iterator[list[str]]:
    """Record (without raising, so the count stays whole) every lazy relationship load in the block."""
    seen: list[str] = []

    def check(state) -> None:
        if state.is_relationship_load and state.lazy_loaded_from is not None:
            seen.append(f"{state.lazy_loaded_from.class_.__name__}: {state.statement}")

    event.listen(Session, "do_orm_execute", check)
    try:
        yield seen
    finally:
        event.remove(Session, "do_orm_execute", check)


class _Rule:
    """What World.query reads of a werkzeug rule: its path, in Flask's <name> form."""

    def __init__(self, path: str):
        self.rule = re.sub(r"\{([^}]+)\}", r"<\1>", path)


def table(app, client) -> dict[str, dict]:
    """Every GET operation measured in a world of 1 row and of 1 + N rows."""
    w = authz_world.build(without_scope=None)
    add_templates(w, 1)
    shape(w)
    headers = {role: bearer(client, w.users[role]) for role in ("victim", "own_practice_staff",
                                                                "caregiver_with_scope")}
    paths = [p for p in get_paths(app) if p not in EXEMPT]
    out = {p: {} for p in paths}
    for label in ("one", "many"):
        if label == "many":
            grow(w, N)
        for path in paths:
            status, statements, size, lazy = measure(client, w, headers[role_for(path)], path, app)
            out[path][label] = {"status": status, "statements": statements, "size": size, "lazy": lazy}
    return out


def short(s: str) -> str:
    return " ".join(s.split())[:140]


def test_every_get_statement_count(app, client):
    results = table(app, client)
    problems = []
    for path, r in results.items():
        one, many = r["one"], r["many"]
        bound = BOUNDS.get(path, MAX_STATEMENTS)
        line = (f"{path}: {one['status']}/{many['status']} statements {len(one['statements'])} → "
                f"{len(many['statements'])} size {one['size']} → {many['size']}")
        print(line)
        bad = []
        expected = EXPECTED_STATUS.get(path, (200,))[0]
        if one["status"] != expected or many["status"] != expected:
            bad.append(f"not {expected}")
        if len(one["statements"]) != len(many["statements"]):
            bad.append("grows with the rows")
        for stmts in (one["statements"], many["statements"]):
            audits = audit_inserts(stmts)
            if audits > 1 or len(stmts) - audits > bound:
                bad.append(f"over the bound {bound}")
                break
        if path in LAZY_KNOWN and not (many["lazy"] or one["lazy"]):
            bad.append("no lazy load any more: remove it from LAZY_KNOWN")
        if (many["lazy"] or one["lazy"]) and path not in LAZY_KNOWN:
            bad.append("lazy load: " + "; ".join(short(s) for s in many["lazy"] + one["lazy"]))
        if bad:
            problems.append(line + " — " + ", ".join(bad) + "\n    " +
                            "\n    ".join(short(s) for s in many["statements"]))
    assert not problems, "\n".join(problems)


def test_every_get_has_a_case(app):
    """Every GET of the OpenAPI document is measured unless exempt; every list here names a real path."""
    paths = set(get_paths(app))
    assert paths, "the OpenAPI document lists no GET operation"
    for name, listed in (("EXEMPT", EXEMPT), ("BOUNDS", BOUNDS), ("EXPECTED_STATUS", EXPECTED_STATUS),
                         ("QUERY", QUERY), ("STAFF_PATHS", STAFF_PATHS), ("LAZY_KNOWN", LAZY_KNOWN)):
        assert set(listed) <= paths, f"{name} names a path the API no longer has: {set(listed) - paths}"
    assert all(reason for reason in EXEMPT.values()), "every exemption says why"
