"""The world of the authorization matrix: a victim, her rows, the people who may not see them, and bodies."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

import pyotp
from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.models import ALL_SCOPES, GrantStatus, Location, StaffRole
from tests.authz_rows import Generator, owned_ids, owned_tables, tables_named
from tests.factories import PASSWORD, make_grant, make_patient, make_practice, make_provider, make_user

DOB = date(1957, 3, 14)
MRN = "ZQ-44817"
EMAIL = "wilhelmina.zabriskie@victim.example"
DOB_TEXTS = ("1957-03-14", "Mar 14, 1957", "March 14, 1957", "03/14/1957", "3/14/1957", "14/03/1957",
             "14 mar 1957", "14 de marzo de 1957", "3/14/57")
PRACTICE_TABLES = ("practice", "location", "provider", "membership", "care_team")


def _staff(practice):
    return make_user(roles={practice: [StaffRole.PROVIDER, StaffRole.STAFF, StaffRole.ADMIN]},
                     totp_secret=pyotp.random_base32(), totp_enabled_at=utcnow())


@dataclass(frozen=True)
class Login:
    """Plain values (no ORM object: requests roll back and detach them)."""

    id: int
    email: str
    totp_secret: str | None


@dataclass
class World:
    victim_id: int
    victim_user_id: int
    practice_id: int
    provider_id: int
    location_id: int
    grant_id: int
    users: dict[str, Login | None]
    rows: dict[str, int] = field(default_factory=dict)
    markers: dict[str, str] = field(default_factory=dict)  # marker text → table

    # ---- ids for URL converters and bodies
    def is_victims(self, name: str) -> bool:
        """True when the URL argument names one of the victim's own rows (not her practice's)."""
        if name in ("patient_id", "grant_id", "user_id"):
            return True
        base = name[:-3] if name.endswith("_id") else name
        owned = set(owned_tables())
        return any(t in self.rows and t in owned for t in tables_named(base)[:1])

    def id_for(self, name: str) -> int | None:
        fixed = {"patient_id": self.victim_id, "practice_id": self.practice_id, "pid": self.practice_id,
                 "grant_id": self.grant_id, "user_id": self.victim_user_id, "provider_id": self.provider_id,
                 "location_id": self.location_id}
        if name in fixed:
            return fixed[name]
        base = name[:-3] if name.endswith("_id") else name
        for table in tables_named(base):
            if table in self.rows:
                return self.rows[table]
        return None

    # ---- what must not leak, and what must not change
    def leaks(self, body: bytes, scope_words=None) -> list[str]:
        """Victim data in `body`; with `scope_words`, only markers of rows in those areas count."""
        text = body.decode("utf-8", "replace").lower()
        if scope_words is not None:
            return [f"{m} ({t})" for m, t in self.markers.items() if m.lower() in text and _matches(t, scope_words)]
        needles = [MRN, "Zabriskie", EMAIL, *DOB_TEXTS, *self.markers]
        return [n for n in needles if n.lower() in text]

    def fingerprint(self) -> tuple:
        """Every row of the victim's (and her practice's settings), to compare before and after a request."""
        out = []
        meta = db.Base.metadata.tables
        for name, ids in owned_ids(self.victim_id).items():
            table = meta[name]
            pk = list(table.primary_key.columns)[0]
            out.append((name, sorted(map(tuple, db.session.execute(select(table).where(pk.in_(ids))).all()))))
        for name, column, key in (("patient", "id", self.victim_id), ("user_account", "id", self.victim_user_id),
                                  ("caregiver_grant", "patient_id", self.victim_id)):
            table = meta[name]
            rows = db.session.execute(select(table).where(table.c[column] == key)).all()
            out.append((name, sorted(map(tuple, rows))))
        for name in PRACTICE_TABLES:
            table = meta[name]
            col = table.c.id if name == "practice" else table.c.practice_id
            rows = db.session.execute(select(table).where(col == self.practice_id)).all()
            out.append((name, sorted(tuple(map(str, r)) for r in rows)))
        return tuple(out)

    # ---- request bodies
    def bodies(self, app, rule, method: str, kind: str) -> list:
        spec = app.extensions["hearth_api"].spec.to_dict()
        if kind == "api":
            op = spec["paths"].get(openapi_path(rule.rule), {}).get(method.lower(), {})
            schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if schema is None:
                return [None]
            minimal, full = self.example(schema, spec, required_only=True), self.example(schema, spec)
            return [minimal] if minimal == full else [minimal, full]
        form = {"patient_id": str(self.victim_id), "grant_id": str(self.grant_id)}
        for path_item in spec["paths"].values():
            for op in (v for v in path_item.values() if isinstance(v, dict)):
                schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
                if schema is not None:
                    for key, value in (self.example(schema, spec) or {}).items():
                        if isinstance(value, bool):
                            form.setdefault(key, "y")
                        elif isinstance(value, str | int | float):
                            form.setdefault(key, str(value))
                        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                            form.setdefault(key, value)
        return [{}, form]

    def query(self, app, rule, method: str) -> dict:
        """The operation's required query parameters, filled in (an API GET with none missing gets past validation)."""
        spec = app.extensions["hearth_api"].spec.to_dict()
        item = spec["paths"].get(openapi_path(rule.rule), {})
        params = item.get(method.lower(), {}).get("parameters", []) if rule.rule.startswith("/api/") else []
        return {p["name"]: self.example(p.get("schema", {}), spec, p["name"])
                for p in params if p.get("in") == "query" and p.get("required")}

    def example(self, schema: dict, spec: dict, name: str = "", *, required_only: bool = False, depth: int = 0):
        """A plausible value for an OpenAPI schema, aimed at the victim's ids where a field names one."""
        if "$ref" in schema:
            schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        if depth > 4:
            return None
        if schema.get("enum"):
            return schema["enum"][0]
        kind, fmt = schema.get("type"), schema.get("format")
        if kind == "object" or "properties" in schema:
            props = {k: v for k, v in schema.get("properties", {}).items() if not v.get("readOnly")}
            wanted = set(schema.get("required", [])) if required_only else set(props)
            return {k: self.example(v, spec, k, required_only=required_only, depth=depth + 1)
                    for k, v in props.items() if k in wanted}
        if kind == "array":
            if name.endswith("scopes"):
                return list(ALL_SCOPES)
            return [self.example(schema.get("items", {}), spec, name, depth=depth + 1)]
        if kind == "integer":
            return self.id_for(name) or 1
        if kind == "number":
            return 10.5
        if kind == "boolean":
            return True
        later = timedelta(days=7) if re.search(r"(^|_)(to|end|until)($|_)", name) else timedelta(0)
        now = utcnow() + later
        by_format = {"date": (date.today() + later + timedelta(days=7)).isoformat(), "email": "someone@example.test",
                     "date-time": (now + timedelta(days=1)).isoformat(), "uuid": str(uuid.uuid4())}
        by_name = {"password": PASSWORD, "otp": "123456", "locale": "en", "lang": "en", "token": "no-such-token",
                   "timezone": "America/New_York", "phone": "(555) 010-0100", "time": "09:00"}
        for key, value in by_name.items():
            if key in name:
                return value
        return by_format.get(fmt, "Hello from the authorization matrix")


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule)


def _matches(table: str, words) -> bool:
    return any(re.search(w, table) for w in words)


def build(*, without_scope: str | None) -> World:
    """The victim, the people who may see her record, and those who may not (one each)."""
    now = utcnow()
    practice, elsewhere = make_practice(name="Victim Clinic"), make_practice(name="Other Clinic")
    provider = make_provider(practice=practice)
    location = Location(practice_id=practice.id, name="Main office")
    db.session.add(location)
    victim = make_patient(practice=practice, user=make_user(email=EMAIL, name="Wilhelmina Zabriskie"),
                          given_name="Wilhelmina", family_name="Zabriskie", date_of_birth=DOB,
                          phone="555-0188", primary_provider_id=provider.id)
    victim.mrn = MRN
    other_patient = make_patient(practice=practice, given_name="Olive", family_name="Neighbor")
    make_patient(practice=elsewhere, given_name="Bert", family_name="Elsewhere")
    grant = make_grant(patient=victim, caregiver=make_user(name="Carla Giver"), scopes=ALL_SCOPES)
    kept = [s for s in ALL_SCOPES if s != without_scope] if without_scope else []
    users = {
        "anonymous": None,
        "victim": victim.user,
        "own_practice_staff": _staff(practice),
        "other_patient": other_patient.user,
        "caregiver_with_scope": grant.caregiver,
        "caregiver_without_scope": make_grant(patient=victim, scopes=kept).caregiver,
        "caregiver_expired": make_grant(patient=victim, ends_in=timedelta(days=-1)).caregiver,
        "caregiver_revoked": make_grant(patient=victim, status=GrantStatus.REVOKED, revoked_at=now).caregiver,
        "other_practice_staff": _staff(elsewhere),
    }
    db.session.flush()
    w = World(victim.id, victim.user_id, practice.id, provider.id, location.id, grant.id,
              {k: u and Login(u.id, u.email, u.totp_secret) for k, u in users.items()})
    generator = Generator({"patient": victim.id, "practice": practice.id, "user_account": victim.user_id,
                           "provider": provider.id, "caregiver_grant": grant.id, "location": location.id},
                          practice.id, EMAIL)
    for name in owned_tables():
        if name not in generator.rows:
            generator.create(db.Base.metadata.tables[name])
    w.rows, w.markers = generator.rows, generator.markers
    db.session.commit()
    return w
