"""Reply-by: the pool's target in business days, on the practice's hours and closed days."""

from datetime import UTC, date, datetime, time

from hearth import db
from hearth.models import PracticeBusinessHours, PracticeClosedDay
from hearth.services.messages.hours import reply_by, reply_by_text
from tests.factories import make_practice

NY = "America/New_York"


def utc(y, m, d, h, minute=0):
    return datetime(y, m, d, h, minute, tzinfo=UTC)


def test_two_business_days_from_monday_morning_is_wednesday_at_closing():
    practice = make_practice(timezone=NY)
    due = reply_by(practice, 2, utc(2026, 11, 30, 15))  # Monday 10:00 in New York
    assert due == utc(2026, 12, 2, 22)  # Wednesday 5:00 PM EST
    assert reply_by_text(due, "en", NY) == "Wednesday, December 2, 5:00 PM"
    assert reply_by_text(due, "es", NY) == "miércoles, 2 de diciembre, 17:00"


def test_after_closing_and_weekends_count_from_the_next_business_day():
    practice = make_practice(timezone=NY)
    assert reply_by(practice, 2, utc(2026, 11, 30, 23)) == utc(2026, 12, 3, 22)  # Monday 6 PM -> Thursday
    assert reply_by(practice, 2, utc(2026, 12, 5, 15)) == utc(2026, 12, 9, 22)  # Saturday -> Wednesday
    assert reply_by(practice, 1, utc(2026, 12, 4, 15)) == utc(2026, 12, 7, 22)  # Friday -> Monday


def test_closed_days_and_practice_hours_are_used():
    practice = make_practice(timezone=NY)
    db.session.add(PracticeClosedDay(practice_id=practice.id, day=date(2026, 12, 1), name="Staff day"))
    for weekday in range(4):  # Monday to Thursday, 9 to 1
        db.session.add(PracticeBusinessHours(practice_id=practice.id, weekday=weekday, opens_at=time(9),
                                             closes_at=time(13)))
    db.session.flush()
    # Monday 10:00, 2 days: Tuesday closed -> Wednesday (1), Thursday (2), at 1 PM
    assert reply_by(practice, 2, utc(2026, 11, 30, 15)) == utc(2026, 12, 3, 18)
    # Thursday at 2 PM is after closing (1 PM): counts from Monday Dec 7; 1 business day -> Tuesday Dec 8
    assert reply_by(practice, 1, utc(2026, 12, 3, 19)) == utc(2026, 12, 8, 18)


def test_zero_days_is_closing_time_today():
    practice = make_practice(timezone="America/Los_Angeles")
    assert reply_by(practice, 0, utc(2026, 11, 30, 18)) == utc(2026, 12, 1, 1)  # Monday 10 AM PT -> 5 PM PT
