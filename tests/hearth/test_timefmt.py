"""Dates and times for humans: the issue's examples, no seconds, a zone name only when the reader's differs."""

from datetime import UTC, date, datetime

from hearth import timefmt

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
NINE_NY = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)  # Wed, Dec 2, 9:00 in New York
NY = "America/New_York"


def test_the_issue_examples_in_english_and_spanish():
    assert timefmt.when(NINE_NY, "en", zone=NY, viewer_zone=NY, now=NOW) == "Wed, Dec 2 · 9:00 AM"
    assert timefmt.when(NINE_NY, "es", zone=NY, viewer_zone=NY, now=NOW) == "mié, 2 dic · 9:00"


def test_no_seconds_and_the_year_only_when_it_is_not_this_year():
    later = datetime(2027, 3, 4, 15, 30, 45, tzinfo=UTC)
    assert timefmt.when(later, "en", zone=NY, now=NOW) == "Thu, Mar 4, 2027 · 10:30 AM"
    assert ":45" not in timefmt.when(later, "es", zone=NY, now=NOW)
    assert timefmt.day(date(2026, 12, 2), "es", now=NOW) == "mié, 2 dic"
    assert timefmt.when(NINE_NY, "en", zone=NY, parts="time") == "9:00 AM"


def test_a_short_zone_name_only_when_the_readers_zone_shows_another_time():
    assert timefmt.when(NINE_NY, "en", zone=NY, viewer_zone="America/Chicago", now=NOW) == "Wed, Dec 2 · 9:00 AM EST"
    summer = datetime(2026, 7, 1, 13, 0, tzinfo=UTC)
    assert timefmt.when(summer, "en", zone=NY, viewer_zone="Europe/Madrid", now=NOW).endswith("9:00 AM EDT")
    # Detroit keeps New York's clock: no zone name, though the zone's name differs.
    assert timefmt.when(NINE_NY, "en", zone=NY, viewer_zone="America/Detroit", now=NOW) == "Wed, Dec 2 · 9:00 AM"
    # One spelling in Spanish too: a short name, never "America/New_York" or "hora de Estados Unidos".
    spanish = timefmt.when(NINE_NY, "es", zone=NY, viewer_zone="Europe/Madrid", now=NOW)
    assert spanish == "mié, 2 dic · 9:00 GMT-5"
