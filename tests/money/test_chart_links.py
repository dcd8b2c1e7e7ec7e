"""The staff chart links to insurance, billing and sending financing offers only for roles that may open them:
every link shown answers 200, and a provider sees no billing link (it would answer 403)."""

from __future__ import annotations

import re

import pytest

from hearth.models import StaffRole
from tests.conftest import login
from tests.factories import make_staff

LINKS = {"insurance": "/staff/patients/{id}/insurance", "billing": "/staff/patients/{id}/billing",
         "financing": "/financing/send/{id}"}


@pytest.mark.parametrize(("role", "shown"), [
    (StaffRole.STAFF, {"insurance", "billing", "financing"}),
    (StaffRole.ADMIN, {"insurance", "billing", "financing"}),
    (StaffRole.PROVIDER, {"insurance", "financing"}),
])
def test_chart_money_links_by_role(client, world, role, shown):
    user = make_staff(practice=world.practice, role=role)
    login(client, user)
    html = client.get(f"/staff/patients/{world.patient.id}").get_data(as_text=True)
    hrefs = set(re.findall(r'href="([^"]+)"', html))
    for name, pattern in LINKS.items():
        url = pattern.format(id=world.patient.id)
        assert (url in hrefs) is (name in shown), name
        status = client.get(url).status_code
        assert (status == 200) is (name in shown), (name, status)
