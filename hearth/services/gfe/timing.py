"""When a Good Faith Estimate is due: pure date arithmetic in business days (45 CFR 149.610(b)(1)(vi)).

- scheduled at least 3 business days before the service: within 1 business day of scheduling;
- scheduled at least 10 business days before: within 3 business days of scheduling;
- requested (no scheduling): within 3 business days of the request;
- scheduled fewer than 3 business days ahead: no GFE is required (one may still be requested).

Business days are Monday to Friday; federal holidays are not subtracted (Hearth issues the estimate
at once anyway, so the due date is only kept for the record).
Days ahead counts the business days after the scheduling day up to and including the service day
(booked Monday for Thursday: Tue, Wed, Thu = 3).
"""

from __future__ import annotations

from datetime import date, timedelta

REQUIRED_AHEAD = 3
LONG_AHEAD = 10


def is_business_day(day: date) -> bool:
    return day.weekday() < 5


def business_days_ahead(scheduled_on: date, service_on: date) -> int:
    """Business days d with scheduled_on < d <= service_on (0 when the service is not later)."""
    if service_on <= scheduled_on:
        return 0
    days, whole_weeks = (service_on - scheduled_on).days, 0
    whole_weeks, rest = divmod(days, 7)
    count = whole_weeks * 5
    for i in range(1, rest + 1):
        if is_business_day(scheduled_on + timedelta(days=whole_weeks * 7 + i)):
            count += 1
    return count


def add_business_days(start: date, n: int) -> date:
    """The n-th business day after `start`."""
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            n -= 1
    return day


def due_after_scheduling(scheduled_on: date, service_on: date) -> date | None:
    """The date a GFE is due for a service scheduled on `scheduled_on` for `service_on`; None: not required."""
    ahead = business_days_ahead(scheduled_on, service_on)
    if ahead >= LONG_AHEAD:
        return add_business_days(scheduled_on, 3)
    if ahead >= REQUIRED_AHEAD:
        return add_business_days(scheduled_on, 1)
    return None


def due_after_request(requested_on: date) -> date:
    """A GFE asked for is due within 3 business days of the request."""
    return add_business_days(requested_on, 3)
