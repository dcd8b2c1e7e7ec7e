import logging

from hearth.models import Location, Membership, StaffRole
from tests.conftest import login
from tests.factories import make_patient, make_practice
from tests.portal.test_staff import audit_count, enrolled_staff, sign_in

VALID = {"name": "Oak Family Clinic", "phone": "+1 555 010 1000", "timezone": "America/Chicago",
         "minor_full_access_below": "13", "adult_age": "18"}


def test_admin_sees_and_saves_settings(client, caplog):
    practice = make_practice(name="Oak Clinic")
    admin = enrolled_staff(practice=practice, role=StaffRole.ADMIN)
    sign_in(client, admin)
    page = client.get("/settings/practice")
    assert page.status_code == 200
    assert b"Settings of Oak Clinic" in page.data and b'<option value="America/New_York" selected>' in page.data
    with caplog.at_level(logging.INFO, logger="hearth.services.practice_settings"):
        saved = client.post(f"/settings/practice/{practice.id}", data=VALID)
    assert saved.status_code == 302
    assert (practice.name, practice.timezone, practice.minor_full_access_below, practice.phone) == (
        "Oak Family Clinic", "America/Chicago", 13, "+15550101000")
    assert any(f"practice {practice.id} settings changed by user {admin.id}" in r.getMessage() for r in caplog.records)
    assert audit_count(actor_user_id=admin.id) == 0  # not patient data


def test_bad_settings_re_render_with_values(client):
    practice = make_practice()
    admin = enrolled_staff(practice=practice, role=StaffRole.ADMIN)
    sign_in(client, admin)
    bad_zone = client.post(f"/settings/practice/{practice.id}", data={**VALID, "timezone": "Mars/Olympus"})
    assert bad_zone.status_code == 422 and b"Choose a time zone from the list." in bad_zone.data
    assert b'value="Oak Family Clinic"' in bad_zone.data
    tiers = client.post(f"/settings/practice/{practice.id}", data={**VALID, "minor_full_access_below": "17",
                                                                   "adult_age": "16"})
    assert tiers.status_code == 422 and b"Full guardian access must end before the adult age." in tiers.data
    out_of_range = client.post(f"/settings/practice/{practice.id}", data={**VALID, "adult_age": "30"})
    assert out_of_range.status_code == 422 and b"Enter an age from 16 to 21." in out_of_range.data
    zero = client.post(f"/settings/practice/{practice.id}", data={**VALID, "minor_full_access_below": "0",
                                                                  "name": ""})
    assert zero.status_code == 422 and b'value="0"' in zero.data
    assert practice.timezone == "America/New_York" and practice.adult_age == 18


def test_non_admins_are_refused(client):
    practice = make_practice()
    nurse = enrolled_staff(practice=practice)
    sign_in(client, nurse)
    assert client.get("/settings/practice").status_code == 403
    assert client.post(f"/settings/practice/{practice.id}", data=VALID).status_code == 403
    assert client.get(f"/settings/practice/{practice.id}/locations/new").status_code == 403
    client.post("/logout")
    patient = make_patient(practice=practice)
    login(client, patient.user)
    assert client.get("/settings/practice").status_code == 403
    assert practice.name != VALID["name"]


def test_admin_of_another_practice_is_refused(client):
    mine, theirs = make_practice(), make_practice(name="Theirs")
    admin = enrolled_staff(practice=mine, role=StaffRole.ADMIN)
    sign_in(client, admin)
    assert client.get(f"/settings/practice?practice={theirs.id}").status_code == 403
    assert client.post(f"/settings/practice/{theirs.id}", data=VALID).status_code == 403
    assert theirs.name == "Theirs"


def test_admin_of_two_practices_picks_one(client):
    alpha, beta = make_practice(name="Alpha"), make_practice(name="Beta")
    admin = enrolled_staff(practice=beta, role=StaffRole.ADMIN)
    admin.memberships.append(Membership(practice_id=alpha.id, role=StaffRole.ADMIN))
    sign_in(client, admin)
    assert b"Settings of Alpha" in client.get("/settings/practice").data
    assert b"Settings of Beta" in client.get(f"/settings/practice?practice={beta.id}").data


def test_locations_add_and_edit(client, db_session):
    practice = make_practice()
    admin = enrolled_staff(practice=practice, role=StaffRole.ADMIN)
    sign_in(client, admin)
    assert client.get(f"/settings/practice/{practice.id}/locations/new").status_code == 200
    bad = client.post(f"/settings/practice/{practice.id}/locations/new",
                      data={"name": "", "address": "1 Main St", "timezone": "Nowhere/Land"})
    assert bad.status_code == 422 and b"1 Main St" in bad.data
    added = client.post(f"/settings/practice/{practice.id}/locations/new",
                        data={"name": "Downtown", "address": "1 Main St", "phone": "555 010 3000", "timezone": ""})
    assert added.status_code == 302
    location = db_session.query(Location).filter_by(practice_id=practice.id).one()
    assert (location.name, location.timezone) == ("Downtown", None)
    page = client.get("/settings/practice").get_data(as_text=True)
    assert "Downtown" in page and "Same as the practice" in page
    edited = client.post(f"/settings/practice/{practice.id}/locations/{location.id}",
                         data={"name": "Uptown", "address": "9 High St", "phone": "", "timezone": "America/Denver"})
    assert edited.status_code == 302
    assert (location.name, location.phone, location.timezone) == ("Uptown", None, "America/Denver")


def test_location_of_another_practice_is_not_found(client, db_session):
    mine, theirs = make_practice(), make_practice()
    other = Location(practice_id=theirs.id, name="Theirs")
    db_session.add(other)
    db_session.flush()
    admin = enrolled_staff(practice=mine, role=StaffRole.ADMIN)
    sign_in(client, admin)
    assert client.get(f"/settings/practice/{mine.id}/locations/{other.id}").status_code == 404
    assert client.post(f"/settings/practice/{mine.id}/locations/{other.id}", data={"name": "Mine now"}).status_code \
        == 404
    assert other.name == "Theirs"


def test_a_stored_zone_outside_the_list_stays_selected(client):
    practice = make_practice(timezone="UTC")
    admin = enrolled_staff(practice=practice, role=StaffRole.ADMIN)
    sign_in(client, admin)
    assert b'<option value="UTC" selected>' in client.get("/settings/practice").data
