from datetime import date

import pytest

from hearth.services.gfe import timing


@pytest.mark.parametrize(("scheduled", "service", "ahead"), [
    (date(2026, 11, 23), date(2026, 11, 26), 3),  # Mon → Thu
    (date(2026, 11, 23), date(2026, 11, 25), 2),  # Mon → Wed
    (date(2026, 11, 27), date(2026, 12, 2), 3),  # Fri → Wed: Mon, Tue, Wed
    (date(2026, 11, 28), date(2026, 12, 2), 3),  # Sat → Wed
    (date(2026, 11, 27), date(2026, 11, 29), 0),  # Fri → Sun
    (date(2026, 11, 23), date(2026, 12, 7), 10),  # two weeks
    (date(2026, 11, 23), date(2026, 11, 23), 0),
    (date(2026, 11, 23), date(2026, 11, 20), 0),
])
def test_business_days_ahead(scheduled, service, ahead):
    assert timing.business_days_ahead(scheduled, service) == ahead


@pytest.mark.parametrize(("scheduled", "service", "due"), [
    (date(2026, 11, 23), date(2026, 11, 25), None),  # 2 business days out: not required
    (date(2026, 11, 23), date(2026, 11, 26), date(2026, 11, 24)),  # 3 out: within 1 business day
    (date(2026, 11, 27), date(2026, 12, 4), date(2026, 11, 30)),  # Fri, 5 out: the next Monday
    (date(2026, 11, 23), date(2026, 12, 4), date(2026, 11, 24)),  # 9 out: still 1 business day
    (date(2026, 11, 23), date(2026, 12, 7), date(2026, 11, 26)),  # 10 out: within 3 business days
    (date(2026, 11, 26), date(2027, 1, 15), date(2026, 12, 1)),  # Thu + 3 business days: Tue
])
def test_due_after_scheduling(scheduled, service, due):
    assert timing.due_after_scheduling(scheduled, service) == due


def test_due_after_request_is_three_business_days():
    assert timing.due_after_request(date(2026, 11, 27)) == date(2026, 12, 2)  # Fri → Wed
    assert timing.due_after_request(date(2026, 11, 23)) == date(2026, 11, 26)
