from datetime import timedelta

from hearth import db
from hearth.clock import utcnow
from hearth.models import StaffRole
from hearth.services import workspace, workspace_cards
from hearth.services.workspace_cards import CardLine, WorkspaceCard
from tests.api.test_staff import bearer
from tests.inbox.helpers import make_thread
from tests.inbox.test_inbox_portal import setup_clinic


def test_a_capability_adds_its_card_with_one_registration(monkeypatch):
    practice, nurse, doctor, pool, desk, ana = setup_clinic()
    workspace_cards._load()  # the real cards register once, in the real list
    monkeypatch.setattr(workspace_cards, "_MAKERS", list(workspace_cards._MAKERS))

    @workspace_cards.register({StaffRole.PROVIDER})
    def refills(user, practice, now):
        return [WorkspaceCard("refills", "Pending refills", "Open the queue", "workspace.index", count=2,
                              lines=[CardLine("Ana Lopez · 2 days")], priority=12)]

    kinds = [c.kind for c in workspace.home(doctor, practice.id).cards]
    assert kinds[0] == "refills" and {"messages", "schedule_today"} <= set(kinds)  # other capabilities' cards too
    assert "refills" not in [c.kind for c in workspace.home(nurse, practice.id).cards]  # providers only


def test_workspace_api(client):
    practice, nurse, doctor, pool, desk, ana = setup_clinic()
    make_thread(patient=ana, pool=pool, due_in=-timedelta(minutes=1), at=utcnow() - timedelta(days=3))
    db.session.commit()
    r = client.get(f"/api/v1/practices/{practice.id}/workspace", headers=bearer(client, nurse))
    assert r.status_code == 200
    cards = {c["kind"]: c for c in r.json["cards"]}
    assert cards["messages"]["count"] == 1
    assert [(line["text"], line["alert"]) for line in cards["messages"]["lines"]] == [("Front desk", False),
                                                                                     ("Nurse line", True)]
    assert cards["schedule_today"]["count"] == 0
    assert client.get(f"/api/v1/practices/{practice.id}/workspace",
                      headers=bearer(client, ana.user)).status_code == 403
