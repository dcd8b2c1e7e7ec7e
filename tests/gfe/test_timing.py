from datetime import date

import pytest

from hearth.services.gfe import timing


# Weeks without a federal holiday (30 November to 21 December 2026); holidays are tested below.
@pytest.mark.parametrize(("scheduled", "service", "ahead"), [
    (date(2026, 11, 30), date(2026, 12, 3), 3),  # Mon → Thu
    (date(2026, 11, 30), date(2026, 12, 2), 2),  # Mon → Wed
    (date(2026, 12, 4), date(2026, 12, 9), 3),  # Fri → Wed: Mon, Tue, Wed
    (date(2026, 12, 5), date(2026, 12, 9), 3),  # Sat → Wed
    (date(2026, 12, 4), date(2026, 12, 6), 0),  # Fri → Sun
    (date(2026, 11, 30), date(2026, 12, 14), 10),  # two weeks
    (date(2026, 11, 30), date(2026, 11, 30), 0),
    (date(2026, 11, 30), date(2026, 11, 27), 0),
])
def test_business_days_ahead(scheduled, service, ahead):
    assert timing.business_days_ahead(scheduled, service) == ahead


@pytest.mark.parametrize(("scheduled", "service", "due"), [
    (date(2026, 11, 30), date(2026, 12, 2), None),  # 2 business days out: not required
    (date(2026, 11, 30), date(2026, 12, 3), date(2026, 12, 1)),  # 3 out: within 1 business day
    (date(2026, 12, 4), date(2026, 12, 11), date(2026, 12, 7)),  # Fri, 5 out: the next Monday
    (date(2026, 11, 30), date(2026, 12, 11), date(2026, 12, 1)),  # 9 out: still 1 business day
    (date(2026, 11, 30), date(2026, 12, 14), date(2026, 12, 3)),  # 10 out: within 3 business days
    (date(2026, 12, 3), date(2027, 1, 22), date(2026, 12, 8)),  # Thu + 3 business days: Tue
])
def test_due_after_scheduling(scheduled, service, due):
    assert timing.due_after_scheduling(scheduled, service) == due


def test_due_after_request_is_three_business_days():
    assert timing.due_after_request(date(2026, 12, 4)) == date(2026, 12, 9)  # Fri → Wed
    assert timing.due_after_request(date(2026, 11, 30)) == date(2026, 12, 3)


def test_federal_holidays_are_not_business_days():
    """Booked the day before Thanksgiving 2026 for the Monday after: Fri + Mon = 2 business days, so no GFE is
    required (weekdays alone would count 3); the day after Independence Day observed (Fri 3 July 2026) too."""
    assert not timing.is_business_day(date(2026, 11, 26)) and not timing.is_business_day(date(2026, 7, 3))
    assert timing.business_days_ahead(date(2026, 11, 25), date(2026, 11, 30)) == 2
    assert timing.due_after_scheduling(date(2026, 11, 25), date(2026, 11, 30)) is None
    assert timing.add_business_days(date(2026, 11, 25), 1) == date(2026, 11, 27)
