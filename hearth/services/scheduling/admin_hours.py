"""A practice's weekly hours per provider and location, and its exceptions (time off, extra hours).

Weekly hours are local wall-clock times at the location; one provider cannot have two overlapping
spans on the same weekday while their effective dates overlap (whatever the location). Exception
times typed without an offset are read in the practice's zone (the location's, for extra hours there).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from hearth import db
from hearth.clock import utcnow
from hearth.errors import Invalid, NotFound
from hearth.i18n import _l
from hearth.models import (
    Appointment,
    AppointmentStatus,
    ExceptionKind,
    Practice,
    Provider,
    ProviderSchedule,
    ScheduleException,
    User,
)
from hearth.services.scheduling import practice_cancel
from hearth.services.scheduling.admin import AdminPage, log_after_commit, page_for, practice_for
from hearth.services.scheduling.common import load_location, load_provider, lock_provider, zone_for

HOURS_FIELDS = ("provider_id", "location_id", "weekday", "start_time", "end_time", "effective_from",
                "effective_until")
EXCEPTION_FIELDS = ("provider_id", "kind", "location_id", "starts_at", "ends_at", "reason")
PAGE_SIZE = 50
MAX_EXCEPTION = timedelta(days=366)


@dataclass(frozen=True)
class ExceptionRow:
    """An exception with its zone, the booked visits it overlaps, and how many visits saving it cancelled."""

    exception: ScheduleException
    timezone: str
    booked: int = 0
    cancelled: int = 0

    @property
    def first_day(self) -> date:
        """The local day it starts on (where the schedule page should open)."""
        return self.exception.starts_at.astimezone(ZoneInfo(self.timezone)).date()

    @property
    def days(self) -> int:
        """How many local days it spans, at most the 7 a schedule page shows."""
        last = (self.exception.ends_at - timedelta(microseconds=1)).astimezone(ZoneInfo(self.timezone)).date()
        return max(1, min(7, (last - self.first_day).days + 1))


# Weekly hours


def _hours(practice_id: int) -> list[ProviderSchedule]:
    return list(db.session.scalars(
        select(ProviderSchedule).join(ProviderSchedule.provider).where(Provider.practice_id == practice_id)
        .options(selectinload(ProviderSchedule.provider), selectinload(ProviderSchedule.location))
        .order_by(Provider.family_name, Provider.given_name, ProviderSchedule.provider_id, ProviderSchedule.weekday,
                  ProviderSchedule.start_time)
    ))


@db.transactional
def hours(user: User, practice_id: int) -> list[ProviderSchedule]:
    """Every provider's weekly hours, by provider, weekday and start; three queries."""
    practice_for(user, practice_id)
    return _hours(practice_id)


@db.transactional
def hours_page(user: User, practice_id: int) -> AdminPage:
    return page_for(user, practice_id, items=_hours(practice_id))


def _hours_row(practice_id: int, hours_id: int) -> ProviderSchedule:
    row = db.session.scalar(select(ProviderSchedule).join(ProviderSchedule.provider)
                            .where(ProviderSchedule.id == hours_id, Provider.practice_id == practice_id))
    if row is None:
        raise NotFound()
    return row


@db.transactional
def hours_row_page(user: User, practice_id: int, hours_id: int) -> AdminPage:
    """The edit page of one row of weekly hours."""
    view = page_for(user, practice_id)
    view.item = _hours_row(practice_id, hours_id)
    return view


def _check_hours(practice_id: int, row: ProviderSchedule) -> None:
    """Invalid unless the hours are in order, at this practice, and clear of the provider's other hours."""
    errors: dict[str, list] = {}
    if row.end_time <= row.start_time:
        errors["end_time"] = [_l("The end must be after the start.")]
    if row.effective_from and row.effective_until and row.effective_until < row.effective_from:
        errors["effective_until"] = [_l("The last day must not be before the first day.")]
    if errors:
        raise Invalid(_l("Please correct the highlighted fields."), fields=errors)
    for key, load in (("provider_id", load_provider), ("location_id", load_location)):
        try:
            load(practice_id, getattr(row, key))
        except NotFound as exc:
            errors[key] = [exc.message]
    if errors:
        raise Invalid(_l("Please correct the highlighted fields."), fields=errors)
    # Lock the provider so two admins cannot add overlapping hours at once (PostgreSQL; SQLite serializes).
    db.session.execute(select(Provider.id).where(Provider.id == row.provider_id).with_for_update())
    others = db.session.scalars(select(ProviderSchedule).where(
        ProviderSchedule.provider_id == row.provider_id, ProviderSchedule.weekday == row.weekday,
        ProviderSchedule.id != (row.id or 0)))
    for other in others:
        if (row.start_time < other.end_time and other.start_time < row.end_time
                and (row.effective_from or date.min) <= (other.effective_until or date.max)
                and (other.effective_from or date.min) <= (row.effective_until or date.max)):
            raise Invalid(_l("Please correct the highlighted fields."), fields={"start_time": [_l(
                "These hours overlap the provider's %(start)s–%(end)s on the same day.",
                start=other.start_time.strftime("%H:%M"), end=other.end_time.strftime("%H:%M"))]})


@db.transactional
def add_hours(user: User, practice_id: int, data: dict[str, Any]) -> ProviderSchedule:
    """Add weekly hours; Forbidden for non-admins, Invalid for bad or overlapping hours."""
    practice_for(user, practice_id, edit=True)
    row = ProviderSchedule(**{k: data.get(k) for k in HOURS_FIELDS})
    _check_hours(practice_id, row)
    db.session.add(row)
    db.session.flush()
    log_after_commit("practice %s hours %s added by user %s", practice_id, row.id, user.id)
    return row


@db.transactional
def update_hours(user: User, practice_id: int, hours_id: int, changes: dict[str, Any]) -> ProviderSchedule:
    """Change weekly hours (checked as a whole with the stored fields); Forbidden, NotFound, Invalid."""
    practice_for(user, practice_id, edit=True)
    row = _hours_row(practice_id, hours_id)
    with db.session.no_autoflush:
        for key in HOURS_FIELDS:
            if key in changes:
                setattr(row, key, changes[key])
        _check_hours(practice_id, row)
    log_after_commit("practice %s hours %s changed by user %s: %s", practice_id, row.id, user.id, sorted(changes))
    return row


@db.transactional
def delete_hours(user: User, practice_id: int, hours_id: int) -> None:
    """Remove weekly hours (booked visits stay booked)."""
    practice_for(user, practice_id, edit=True)
    db.session.delete(_hours_row(practice_id, hours_id))
    log_after_commit("practice %s hours %s deleted by user %s", practice_id, hours_id, user.id)


# Exceptions


def _rows(practice: Practice, exceptions: list[ScheduleException]) -> list[ExceptionRow]:
    """Each exception with its zone and, for time off, how many booked visits fall inside; one query."""
    ids = [e.id for e in exceptions if e.kind == ExceptionKind.TIME_OFF]
    counts: dict[int, int] = {}
    if ids:
        counts = dict(db.session.execute(
            select(ScheduleException.id, func.count(Appointment.id))
            .join(Appointment, and_(Appointment.provider_id == ScheduleException.provider_id,
                                    Appointment.starts_at < ScheduleException.ends_at,
                                    Appointment.ends_at > ScheduleException.starts_at))
            .where(ScheduleException.id.in_(ids), Appointment.status == AppointmentStatus.BOOKED)
            .group_by(ScheduleException.id)
        ).all())
    return [ExceptionRow(e, zone_for(practice, e.location), counts.get(e.id, 0)) for e in exceptions]


def _exceptions(practice: Practice, page: int, now: datetime | None = None) -> tuple[list[ExceptionRow], bool]:
    found = list(db.session.scalars(
        select(ScheduleException).join(Provider, Provider.id == ScheduleException.provider_id)
        .where(Provider.practice_id == practice.id, ScheduleException.ends_at > (now or utcnow()))
        .options(selectinload(ScheduleException.location), selectinload(ScheduleException.provider))
        .order_by(ScheduleException.starts_at, ScheduleException.id)
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ))
    return _rows(practice, found[:PAGE_SIZE]), len(found) > PAGE_SIZE


@db.transactional
def exceptions(user: User, practice_id: int, page: int = 1) -> tuple[list[ExceptionRow], bool]:
    """Current and coming exceptions by start, 50 a page: (rows, whether there is a next page)."""
    return _exceptions(practice_for(user, practice_id), page)


@db.transactional
def exceptions_page(user: User, practice_id: int, page: int = 1) -> AdminPage:
    view = page_for(user, practice_id, page=page)
    view.items, view.has_next = _exceptions(view.practice, page)
    return view


def _exception(practice_id: int, exception_id: int) -> ScheduleException:
    row = db.session.scalar(select(ScheduleException).join(Provider, Provider.id == ScheduleException.provider_id)
                            .where(ScheduleException.id == exception_id, Provider.practice_id == practice_id))
    if row is None:
        raise NotFound()
    return row


def _utc(moment: datetime, zone: str) -> datetime:
    """A typed time: without an offset it is local to `zone`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC)


def _apply_exception(practice: Practice, row: ScheduleException, data: dict[str, Any]) -> None:
    """Set and check the fields; local times are read in the zone of the (new) location."""
    for key in ("provider_id", "kind", "location_id", "reason"):
        if key in data:
            setattr(row, key, ExceptionKind(data[key]) if key == "kind" else data[key])
    errors: dict[str, list] = {}
    try:
        load_provider(practice.id, row.provider_id)
    except NotFound as exc:
        errors["provider_id"] = [exc.message]
    location = None
    if row.kind == ExceptionKind.TIME_OFF:
        row.location_id = None  # time off blocks the provider everywhere
    elif row.location_id is None:
        errors["location_id"] = [_l("Choose where the extra hours are.")]
    else:
        try:
            location = load_location(practice.id, row.location_id)
        except NotFound as exc:
            errors["location_id"] = [exc.message]
    zone = zone_for(practice, location)
    for key in ("starts_at", "ends_at"):
        if key in data:
            setattr(row, key, _utc(data[key], zone))
    if row.starts_at and row.ends_at and row.ends_at <= row.starts_at:
        errors["ends_at"] = [_l("The end must be after the start.")]
    elif row.starts_at and row.ends_at and row.ends_at - row.starts_at > MAX_EXCEPTION:
        errors["ends_at"] = [_l("Enter at most a year at a time.")]
    elif row.ends_at and row.ends_at <= utcnow() and ("starts_at" in data or "ends_at" in data):
        # The list shows current and coming exceptions only: a past one would be saved out of sight.
        errors["ends_at"] = [_l("This time is already over. Enter a time that ends in the future.")]
    if errors:
        raise Invalid(_l("Please correct the highlighted fields."), fields=errors)


def _saved(user: User, practice: Practice, row: ScheduleException, cancel_booked: bool) -> ExceptionRow:
    """The row as the list shows it, after cancelling the visits booked inside when asked to."""
    cancelled = practice_cancel.cancel_inside(user, practice, row) if cancel_booked else 0
    return replace(_rows(practice, [row])[0], cancelled=cancelled)


@db.transactional
def add_exception(user: User, practice_id: int, data: dict[str, Any], *, cancel_booked: bool = False
                  ) -> ExceptionRow:
    """Add time off or extra hours; Forbidden for non-admins, Invalid for bad times or another practice's ids.

    Booked visits inside new time off stay booked (the row says how many) unless `cancel_booked`: then
    they are cancelled in this transaction and each patient is told (see `practice_cancel`).
    """
    practice = practice_for(user, practice_id, edit=True)
    row = ScheduleException(kind=ExceptionKind.TIME_OFF)
    with db.session.no_autoflush:
        _apply_exception(practice, row, data)
    # A booking racing this time off is then either counted (and cancelled when asked) or refused.
    lock_provider(row.provider_id, shared=False)
    db.session.add(row)
    db.session.flush()
    saved = _saved(user, practice, row, cancel_booked)
    log_after_commit("practice %s exception %s added by user %s (%s visits cancelled)", practice_id, row.id,
                     user.id, saved.cancelled)
    return saved


@db.transactional
def update_exception(user: User, practice_id: int, exception_id: int, changes: dict[str, Any], *,
                     cancel_booked: bool = False) -> ExceptionRow:
    """Change an exception (`cancel_booked` as for adding, over the new times); Forbidden, NotFound, Invalid."""
    practice = practice_for(user, practice_id, edit=True)
    row = _exception(practice_id, exception_id)
    with db.session.no_autoflush:
        _apply_exception(practice, row, {k: v for k, v in changes.items() if k in EXCEPTION_FIELDS})
        lock_provider(row.provider_id, shared=False)
    db.session.flush()
    saved = _saved(user, practice, row, cancel_booked)
    log_after_commit("practice %s exception %s changed by user %s: %s (%s visits cancelled)", practice_id, row.id,
                     user.id, sorted(changes), saved.cancelled)
    return saved


@db.transactional
def delete_exception(user: User, practice_id: int, exception_id: int) -> None:
    """Remove an exception."""
    practice_for(user, practice_id, edit=True)
    db.session.delete(_exception(practice_id, exception_id))
    log_after_commit("practice %s exception %s deleted by user %s", practice_id, exception_id, user.id)
