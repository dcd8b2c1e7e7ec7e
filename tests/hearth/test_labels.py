"""Enumerations in the reader's language: sex, care-team roles, appointment statuses, audit actions and
resource names (every pair Hearth writes has words)."""

import ast
import pathlib

import pytest
from flask_babel import refresh

from hearth.labels import label
from hearth.models import CareTeam, CareTeamMember
from hearth.services import audit_labels
from tests.conftest import login
from tests.factories import make_patient, make_practice, make_staff

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def spanish(app):
    with app.test_request_context("/", headers={"Accept-Language": "es"}):
        refresh()
        yield
    refresh()


def test_enumerations_in_spanish(spanish):
    assert label("sex", "female") == "Femenino" and label("sex", "male") == "Masculino"
    assert label("care_team_role", "Physician") == "Médico" and label("care_team_role", "Front desk") == "Recepción"
    assert label("care_team_role", "Dietitian") == "Dietitian"  # free text the practice typed stays as typed
    assert label("appointment_status", "no_show") == "No se presentó"
    assert audit_labels.describe("status:arrived", "appointment") == "Marcó la cita como En la clínica"
    assert audit_labels.describe("join_waitlist", "waitlist") == "Se unió a la lista de espera"
    assert audit_labels.describe("list", "slots") == "Consultado · Horarios disponibles"


def _written_pairs() -> set[tuple[str, str]]:
    """(action, resource) of every policy.authorize / audit.record call with literal codes in hearth/."""
    pairs = set()
    for path in (ROOT / "hearth").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", None))
            if name == "authorize" and len(node.args) >= 5 or name == "authorize_link" and len(node.args) >= 5:
                action, resource = node.args[3], node.args[4]
            elif name in ("record", "record_listed") and {"action", "resource_type"} <= {k.arg for k in node.keywords}:
                kw = {k.arg: k.value for k in node.keywords}
                action, resource = kw["action"], kw["resource_type"]
            else:
                continue
            if isinstance(action, ast.Constant) and isinstance(resource, ast.Constant):
                pairs.add((action.value, resource.value))
    return pairs


def test_every_audited_action_has_words():
    pairs = _written_pairs()
    assert ("view", "appointment") in pairs and len(pairs) > 15
    missing = [p for p in pairs if p not in audit_labels.PHRASES]
    assert missing == []


def test_chart_shows_sex_and_roles_in_spanish(client):
    practice = make_practice()
    staff = make_staff(practice=practice, locale="es")
    nurse = make_staff(practice=practice, name="Grace Kim")
    team = CareTeam(practice_id=practice.id, name="Azul", members=[CareTeamMember(user_id=nurse.id,
                                                                                 role_label="Nurse")])
    from hearth import db

    db.session.add(team)
    db.session.flush()
    patient = make_patient(practice=practice, user=None, sex="female", care_team_id=team.id)
    db.session.commit()
    login(client, staff)
    html = client.get(f"/staff/patients/{patient.id}").get_data(as_text=True)
    assert "Femenino" in html and "Grace Kim — Enfermería" in html and ">female<" not in html
