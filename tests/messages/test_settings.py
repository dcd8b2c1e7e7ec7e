"""Messaging setup for admins: inboxes, reason routes, office hours, closed days (portal and API)."""

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from hearth import db
from hearth.errors import Forbidden, Invalid
from hearth.models import MessagePool, MessageReasonRoute, PracticeBusinessHours, PracticeClosedDay, StaffRole
from hearth.services.messages import pools, settings
from hearth.services.messages.hours import reply_by
from tests.factories import make_staff
from tests.messages.helpers import make_clinic
from tests.portal.test_staff import enrolled_staff, sign_in

_ADMINS = {}


def admin_of(practice_id):
    return _ADMINS[practice_id]


@pytest.fixture
def clinic():
    c = make_clinic()
    _ADMINS[c.practice.id] = make_staff(practice=c.practice, role=StaffRole.ADMIN)
    db.session.commit()
    return c


def test_admin_adds_an_inbox_routes_a_reason_sets_hours_and_a_holiday(clinic):
    admin = admin_of(clinic.practice.id)
    view = settings.messaging_settings(admin, clinic.practice.id)
    assert [h["opens_at"] for h in view.hours][:5] == [time(8)] * 5 and view.hours[5]["opens_at"] is None
    data = {
        "pools": [*[{**p} for p in view.pools],
                  {"id": None, "name": "Forms desk", "name_es": "Formularios", "reply_target_business_days": 5,
                   "active": True}],
        "routes": [{**r} for r in view.routes],
        "hours": [{"weekday": w, "opens_at": time(9), "closes_at": time(13)} for w in range(4)],
        "closed_days": [{"day": date(2026, 12, 1), "name": "Training day"}],
    }
    saved = settings.save_messaging_settings(admin, clinic.practice.id, data)
    forms_desk = next(p for p in saved.pools if p["name"] == "Forms desk")
    data["pools"] = saved.pools
    data["routes"] = [{**r, "pool_id": forms_desk["id"]} if r["reason"] == "forms" else r for r in saved.routes]
    settings.save_messaging_settings(admin, clinic.practice.id, data)
    assert pools.route_for(clinic.practice, "forms").pool.name == "Forms desk"
    assert pools.pool_name(pools.route_for(clinic.practice, "forms").pool, "es") == "Formularios"
    # Monday 10:00 New York, 5 business days of Mon-Thu 9-1 with Tuesday Dec 1 closed: Dec 2, 3, 7, 8, 9 -> Wed 1 PM
    assert reply_by(clinic.practice, 5, datetime(2026, 11, 30, 15, tzinfo=UTC)) == datetime(2026, 12, 9, 18,
                                                                                            tzinfo=UTC)


@pytest.mark.parametrize(("change", "field"), [
    (lambda d: d["hours"].append({"weekday": 6, "opens_at": time(12), "closes_at": time(9)}), "hours.6"),
    (lambda d: d["pools"].append({"id": None, "name": "Nurse line", "reply_target_business_days": 1}), "pools.3.name"),
    (lambda d: d["routes"].__setitem__(0, {"reason": "medical_question", "pool_id": None, "enabled": True}),
     "routes.medical_question"),
])
def test_bad_settings_change_nothing(clinic, change, field):
    admin = admin_of(clinic.practice.id)
    view = settings.messaging_settings(admin, clinic.practice.id)
    data = {"pools": [dict(p) for p in view.pools], "routes": [dict(r) for r in view.routes],
            "hours": [h for h in view.hours if h["opens_at"]], "closed_days": []}
    change(data)
    before = (len(db.session.scalars(select(MessagePool)).all()),
              len(db.session.scalars(select(MessageReasonRoute)).all()))
    with pytest.raises(Invalid) as caught:
        settings.save_messaging_settings(admin, clinic.practice.id, data)
    assert field in caught.value.fields
    assert (len(db.session.scalars(select(MessagePool)).all()),
            len(db.session.scalars(select(MessageReasonRoute)).all())) == before
    assert db.session.scalars(select(PracticeBusinessHours)).all() == []


def test_only_admins(clinic):
    with pytest.raises(Forbidden):
        settings.messaging_settings(clinic.nurse, clinic.practice.id)
    with pytest.raises(Forbidden):
        settings.messaging_settings(clinic.patient.user, clinic.practice.id)


def test_portal_page_saves_hours_and_a_closed_day(client, clinic):
    admin = enrolled_staff(practice=clinic.practice, role=StaffRole.ADMIN)
    db.session.commit()
    sign_in(client, admin)
    page = client.get(f"/settings/messaging?practice={clinic.practice.id}")
    assert page.status_code == 200 and "Where each reason goes" in page.get_data(as_text=True)
    view = settings.messaging_settings(admin, clinic.practice.id)
    form = {"pool_rows": str(len(view.pools) + 1), "closed_rows": "1", "closed-0-day": "2026-12-24",
            "closed-0-name": "Christmas Eve"}
    for i, p in enumerate(view.pools):
        form.update({f"pools-{i}-id": str(p["id"]), f"pools-{i}-name": p["name"], f"pools-{i}-name_es": p["name_es"],
                     f"pools-{i}-days": str(p["reply_target_business_days"]), f"pools-{i}-active": "true"})
    for r in view.routes:
        form.update({f"route-{r['reason']}": str(r["pool_id"]), f"route-{r['reason']}-on": "true"})
    for w in range(5):
        form.update({f"hours-{w}-opens": "08:30", f"hours-{w}-closes": "16:30"})
    response = client.post(f"/settings/messaging/{clinic.practice.id}", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert db.session.scalar(select(PracticeClosedDay.name)) == "Christmas Eve"
    assert len(db.session.scalars(select(PracticeBusinessHours)).all()) == 5
    form["hours-6-opens"], form["hours-6-closes"] = "15:00", "09:00"
    bad = client.post(f"/settings/messaging/{clinic.practice.id}", data=form)
    assert bad.status_code == 422 and "Enter an opening time before the closing time." in bad.get_data(as_text=True)
    client.post("/logout")
    nurse = enrolled_staff(practice=clinic.practice)
    db.session.commit()
    sign_in(client, nurse)
    assert client.get(f"/settings/messaging?practice={clinic.practice.id}").status_code == 403


def test_api_reads_and_saves_the_document(client, clinic):
    from tests.api.test_staff import bearer

    admin = enrolled_staff(practice=clinic.practice, role=StaffRole.ADMIN)
    db.session.commit()
    auth = bearer(client, admin)
    url = f"/api/v1/practices/{clinic.practice.id}/messaging-settings"
    got = client.get(url, headers=auth)
    assert got.status_code == 200 and got.json["hours"][0]["opens_at"] == "08:00"
    body = {**got.json, "closed_days": [{"day": "2026-12-31", "name": "New Year's Eve"}]}
    body["hours"] = [h for h in body["hours"] if h["opens_at"]]
    saved = client.put(url, headers=auth, json=body)
    assert saved.status_code == 200, saved.json
    assert saved.json["closed_days"] == [{"day": "2026-12-31", "name": "New Year's Eve"}]
    nurse = enrolled_staff(practice=clinic.practice)
    db.session.commit()
    assert client.get(url, headers=bearer(client, nurse)).status_code == 403
