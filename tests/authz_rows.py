"""Generic rows for the authorization matrix: one plausible row in every table that belongs to a patient.

Rows are made from the metadata alone, so a table added later gets one too. Free-text columns get
marker strings, which a leak check can then look for in any response.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.models import ALL_SCOPES

# Tables the world sets up itself, or that anyone's request may append to (sessions, the audit log).
NOT_GENERATED = {"patient", "caregiver_grant", "audit_event", "user_session", "refresh_token", "user_account",
                 "membership", "practice", "location", "provider", "care_team", "care_team_member", "device"}
CODE_WORDS = ("status", "kind", "type", "state", "channel", "currency", "zone", "locale", "language", "lang",
              "code", "sex", "slug", "token", "hash", "key", "method", "source", "role", "scope", "color",
              "category", "mime", "format", "url", "recurrence", "rrule", "template", "ref", "npi")


def tables_named(base: str) -> list[str]:
    names = db.Base.metadata.tables
    exact = [n for n in (base, base + "s") if n in names]
    return exact + sorted(n for n in names if n.endswith("_" + base))


def owned_tables() -> list[str]:
    owned: list[str] = []
    for table in db.Base.metadata.sorted_tables:
        if table.name in NOT_GENERATED or table.name.startswith("notification"):
            continue
        if "patient_id" in table.c or any(fk.column.table.name in owned for fk in table.foreign_keys):
            owned.append(table.name)
    return owned


def owned_ids(patient_id: int) -> dict[str, list]:
    """Primary keys of the rows that belong to the patient, directly or through a parent row."""
    meta, found = db.Base.metadata.tables, {}
    for name in owned_tables():
        table = meta[name]
        pk = list(table.primary_key.columns)[0]
        conds = [table.c.patient_id == patient_id] if "patient_id" in table.c else []
        for fk in table.foreign_keys:
            parent = fk.column.table.name
            if found.get(parent):
                conds.append(fk.parent.in_(found[parent]))
        found[name] = list(db.session.scalars(select(pk).where(sa.or_(*conds)))) if conds else []
    return found


class Generator:
    """Inserts one plausible row per table, resolving foreign keys to the victim's world."""

    def __init__(self, fixed: dict[str, int], practice_id: int, email: str):
        self.owned = set(owned_tables())
        self.fixed, self.practice_id, self.email = fixed, practice_id, email
        self.rows: dict[str, int] = {}  # table → id of the row made
        self.markers: dict[str, str] = {}  # marker text → table

    def ref(self, table: sa.Table, depth: int) -> int | None:
        if table.name in self.fixed:
            return self.fixed[table.name]
        if table.name in self.rows:
            return self.rows[table.name]
        pk = list(table.primary_key.columns)[0]
        if "practice_id" in table.c:
            found = db.session.scalar(select(pk).where(table.c.practice_id == self.practice_id).limit(1))
            if found is not None:
                return found
        if depth < 3 and table.name not in NOT_GENERATED:
            return self.create(table, depth + 1)
        return None

    def value(self, col: sa.Column, depth: int):
        name, kind = col.name, col.type
        if col.foreign_keys:
            return self.ref(next(iter(col.foreign_keys)).column.table, depth)
        if isinstance(kind, sa.Enum):
            return None if col.nullable or col.default is not None else kind.enums[0]
        if isinstance(kind, sa.String) and not any(w in name for w in CODE_WORDS):
            if col.table.name not in self.owned:
                return None if col.nullable else "General"
            if "email" in name:
                return self.email
            if kind.length is None or kind.length >= 8:
                marker = f"Zqm{len(self.markers):04d}"
                self.markers[marker] = col.table.name
                return marker
        if col.nullable or col.default is not None or col.server_default is not None:
            return None
        return _plain(col)

    def create(self, table: sa.Table, depth: int = 0) -> int | None:
        values = {}
        for col in table.columns:
            if col.primary_key and isinstance(col.type, sa.Integer) and not col.foreign_keys:
                continue
            value = self.value(col, depth)
            if value is None and not col.nullable and col.default is None and col.server_default is None:
                return None
            if value is not None:
                values[col.name] = value
        pk = list(table.primary_key.columns)[0]
        try:
            with db.session.begin_nested():
                new_id = db.session.execute(sa.insert(table).values(values).returning(pk)).scalar_one()
        except sa.exc.SQLAlchemyError:
            return None
        self.rows[table.name] = new_id
        return new_id


def _plain(col: sa.Column):
    """A value for a required column that is not free text."""
    name = col.name
    try:
        kind = getattr(col.type, "impl_instance", col.type).python_type
    except NotImplementedError:
        return None
    late = any(w in name for w in ("end", "until", "expires", "to_"))
    if kind is bool:
        return False
    if kind is int:
        return 30 if "minute" in name else 1250 if ("cent" in name or "amount" in name) else 1
    if kind in (Decimal, float):
        return kind("12.50")
    if kind is datetime:
        return utcnow() + timedelta(days=1, minutes=30 if late else 0)
    if kind is date:
        return date.today() + timedelta(days=8 if late else 7)
    if kind is time:
        return time(17, 0) if late else time(9, 0)
    if kind is timedelta:
        return timedelta(minutes=30)
    if kind in (dict, list):
        return kind()
    if kind is uuid.UUID:
        return uuid.uuid4()
    if kind is str:
        length = getattr(col.type, "length", None) or 64
        defaults = {"zone": "America/New_York", "currency": "usd", "locale": "en", "language": "en",
                    "lang": "en", "channel": "email", "scope": ",".join(ALL_SCOPES)}
        for word, value in defaults.items():
            if word in name:
                return value[:length]
        if any(w in name for w in ("token", "hash", "key")):
            return secrets.token_hex(32)[:length]
        return "other"[:length]
    return None
