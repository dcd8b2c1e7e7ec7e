"""When a Good Faith Estimate is due: pure date arithmetic in business days (45 CFR 149.610(b)(1)(vi)).

- scheduled at least 3 business days before the service: within 1 business day of scheduling;
- scheduled at least 10 business days before: within 3 business days of scheduling;
- requested (no scheduling): within 3 business days of the request;
- scheduled fewer than 3 business days ahead: no GFE is required (one may still be requested).

Business days are Monday to Friday except US federal holidays, observed dates included (the `holidays`
library's US calendar: New Year's Day, MLK Day, Washington's Birthday, Memorial Day, Juneteenth,
Independence Day, Labor Day, Columbus Day, Veterans Day, Thanksgiving, Christmas).
Days ahead counts the business days after the scheduling day up to and including the service day
(booked Monday for Thursday: Tue, Wed, Thu = 3).
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays

REQUIRED_AHEAD = 3
LONG_AHEAD = 10


_FEDERAL = holidays.country_holidays("US")  # fills itself year by year as dates are asked for


def is_business_day(day: date) -> bool:
    """Monday to Friday and not a US federal holiday (observed dates count as holidays)."""
    return day.weekday() < 5 and day not in _FEDERAL


def business_days_ahead(scheduled_on: date, service_on: date) -> int:
    """Business days d with scheduled_on < d <= service_on (0 when the service is not later)."""
    days = (service_on - scheduled_on).days
    return sum(1 for i in range(1, days + 1) if is_business_day(scheduled_on + timedelta(days=i)))


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
