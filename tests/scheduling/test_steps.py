"""Booking in steps: days with open times (60 at a time), one day's times grouped, a review with the cutoff."""

from datetime import timedelta

from hearth import db
from hearth.models import ExceptionKind, ScheduleException
from hearth.services.scheduling import steps
from hearth.services.scheduling.availability import SlotQuery
from tests.conftest import login
from tests.factories import make_grant, make_provider, make_user
from tests.querycount import count_queries
from tests.scheduling.conftest import add_hours, future_day, local


def test_sixty_days_show_only_the_days_with_open_times_and_the_first_one(clinic):
    first_open = future_day(3)
    day0 = future_day(0)
    # The provider is away until the third day: the strip starts there.
    db.session.add(ScheduleException(provider_id=clinic.provider.id, kind=ExceptionKind.TIME_OFF,
                                     starts_at=local(day0, 0), ends_at=local(first_open, 0)))
    db.session.commit()
    with count_queries() as queries:
        view = steps.open_days(clinic.patient.user, clinic.patient, SlotQuery(clinic.visit.id))
    assert view.days[0].day == first_open and view.first.starts_at == local(first_open, 9)
    assert (view.end - view.start).days == steps.DAYS_SHOWN - 1
    assert len(view.days) == steps.DAYS_SHOWN - 3 and all(d.count == 16 for d in view.days)  # 9:00-17:00, 30 min
    assert view.later == view.end + timedelta(days=1) and view.earlier is None
    assert queries.count < 20


def test_a_days_times_are_grouped_per_provider_and_part_of_the_day(clinic):
    other = make_provider(practice=clinic.practice, given_name="Grace", family_name="Hopper")
    clinic.visit.providers.append(other)
    add_hours(other, clinic.location)
    db.session.commit()
    day = future_day(4)
    view = steps.day_times(clinic.patient.user, clinic.patient, SlotQuery(clinic.visit.id), day)
    assert [g.provider_name for g in view.groups] == sorted(g.provider_name for g in view.groups)
    assert len(view.groups) == 2 and view.count == 32
    for group in view.groups:
        assert [p.name for p in group.parts] == ["morning", "afternoon"]
        assert len(group.parts[0].slots) == 6 and len(group.parts[1].slots) == 10
    assert view.previous_day == day - timedelta(days=1) and view.next_day == day + timedelta(days=1)


def test_review_says_where_when_with_whom_and_until_when_it_can_be_cancelled(clinic, client):
    clinic.visit.instructions = "Bring your medicines."
    db.session.commit()
    login(client, clinic.patient.user)
    day = future_day(5)
    slot = f"{clinic.provider.id}|{clinic.location.id}|{local(day, 10).isoformat()}"
    page = client.get("/appointments/find/review", query_string={"visit_type_id": clinic.visit.id, "slot": slot})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Main Street" in html and "1 Main St" in html and "Ada Lovelace" in html
    assert "10:00 AM" in html and "Bring your medicines." in html
    cutoff = steps.review(clinic.patient.user, clinic.patient, clinic.visit.id, clinic.provider.id,
                          clinic.location.id, local(day, 10)).cancel_until
    assert cutoff == local(day, 10) - timedelta(hours=24)
    assert "If you book this time you can't cancel online after" in html.replace("&#39;", "'") and "555-0100" in html
    # The form books with one plain POST (no JavaScript).
    assert 'method="post" action="/appointments/book"' in html and f'value="{slot}"' in html


def test_each_step_is_a_plain_page_of_links_and_forms(clinic, client):
    login(client, clinic.patient.user)
    first = client.get("/appointments/find").get_data(as_text=True)
    assert 'method="get" action="/appointments/find/days"' in first and 'name="visit_type_id"' in first
    days = client.get("/appointments/find/days", query_string={"visit_type_id": clinic.visit.id})
    assert days.status_code == 200 and "First available" in days.text
    assert "/appointments/find/times?day=" in days.text and f"visit_type_id={clinic.visit.id}" in days.text
    assert "<script" not in days.text.split("<main")[1].split("</main>")[0]


def test_a_caregiver_without_the_appointments_scope_cannot_search(clinic, client):
    carer = make_user()
    make_grant(patient=clinic.patient, caregiver=carer, scopes=("messages",))
    db.session.commit()
    login(client, carer)
    assert client.get("/appointments/find/days", query_string={"visit_type_id": clinic.visit.id}).status_code == 404
    assert client.get("/appointments/find").status_code == 404
