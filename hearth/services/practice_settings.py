"""Practice settings for its admins: name, phone, time zone, minor access tiers and locations.

Not patient data, so no audit events; changes are logged with the standard logger after commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from hearth import db, phones, policy
from hearth.clock import is_valid_zone
from hearth.errors import Forbidden, Invalid, NotFound
from hearth.i18n import _l
from hearth.models import Location, Practice, StaffRole, User

log = logging.getLogger(__name__)

ADMINS = frozenset({StaffRole.ADMIN})
PRACTICE_FIELDS = ("name", "phone", "country", "timezone", "minor_full_access_below", "adult_age", "default_language")
LOCATION_FIELDS = ("name", "address", "phone", "timezone", "translations")


@dataclass
class SettingsView:
    """The practices the user administers (for a picker) and the one shown, with its locations."""

    practices: list[Practice]
    practice: Practice


def admin_practices(user: User) -> list[Practice]:
    """Practices where `user` is an admin, by name."""
    ids = sorted({m.practice_id for m in user.memberships if m.role == StaffRole.ADMIN})
    if not ids:
        return []
    return list(db.session.scalars(select(Practice).where(Practice.id.in_(ids)).order_by(Practice.name, Practice.id)))


def _practice(user: User, practice_id: int) -> Practice:
    policy.require_practice_role(user, practice_id, ADMINS)
    practice = db.session.get(Practice, practice_id)
    if practice is None:
        raise NotFound()
    return practice


@db.transactional
def settings(user: User, practice_id: int | None = None) -> SettingsView:
    """A practice's settings and locations; `practice_id` None picks the first one the user administers.

    Raises Forbidden unless `user` is an admin of the practice.
    """
    practices = admin_practices(user)
    if practice_id is None:
        if not practices:
            raise Forbidden()
        practice_id = practices[0].id
    practice = _practice(user, practice_id)
    # The locations by one explicit query (ordered by name, as the relationship is): the practice is
    # usually in the identity map already (the staff check), where an eager option would not apply.
    set_committed_value(practice, "locations", list(db.session.scalars(
        select(Location).where(Location.practice_id == practice.id).order_by(Location.name))))
    return SettingsView(practices, practice)


def _check_zone(zone: str | None, errors: dict) -> None:
    if zone is not None and not is_valid_zone(zone):
        errors.setdefault("timezone", []).append(_l("Choose a time zone from the list."))


def _log_after_commit(message: str, *args: Any) -> None:
    db.after_commit(lambda: log.info(message, *args))


@db.transactional
def update_practice(user: User, practice_id: int, changes: dict[str, Any]) -> Practice:
    """Change the practice's settings (phone in E.164); Forbidden for non-admins, Invalid for an unknown zone or
    country, an impossible phone number or bad age tiers."""
    practice = _practice(user, practice_id)
    changes = {k: v for k, v in changes.items() if k in PRACTICE_FIELDS}
    errors: dict[str, list] = {}
    _check_zone(changes.get("timezone"), errors)
    if "country" in changes and not phones.is_country(changes["country"]):
        errors.setdefault("country", []).append(_l("Choose a country from the list."))
    phones.normalize_in(changes, changes.get("country") or practice.country, errors)
    full_below = changes.get("minor_full_access_below", practice.minor_full_access_below)
    adult = changes.get("adult_age", practice.adult_age)
    if full_below >= adult:
        key = "minor_full_access_below" if "minor_full_access_below" in changes else "adult_age"
        errors.setdefault(key, []).append(_l("Full guardian access must end before the adult age."))
    if errors:
        raise Invalid(_l("Please correct the highlighted fields."), fields=errors)
    for key, value in changes.items():
        setattr(practice, key, value)
    _log_after_commit("practice %s settings changed by user %s: %s", practice.id, user.id, sorted(changes))
    return practice


def _location(practice: Practice, location_id: int) -> Location:
    location = db.session.get(Location, location_id)
    if location is None or location.practice_id != practice.id:
        raise NotFound()
    return location


@db.transactional
def location(user: User, practice_id: int, location_id: int) -> Location:
    """One location of the practice, for its edit form; Forbidden for non-admins, NotFound elsewhere."""
    return _location(_practice(user, practice_id), location_id)


@db.transactional
def add_location(user: User, practice_id: int, data: dict[str, Any]) -> Location:
    """Add a location to the practice; Forbidden for non-admins, Invalid for an unknown zone."""
    practice = _practice(user, practice_id)
    errors: dict[str, list] = {}
    data = dict(data)
    _check_zone(data.get("timezone"), errors)
    phones.normalize_in(data, practice.country, errors)
    if errors:
        raise Invalid(_l("Please correct the highlighted fields."), fields=errors)
    new = Location(**{k: data.get(k) for k in LOCATION_FIELDS if k != "translations"},
                   translations=data.get("translations") or {})
    practice.locations.append(new)
    db.session.flush()
    _log_after_commit("practice %s location %s added by user %s", practice.id, new.id, user.id)
    return new


@db.transactional
def update_location(user: User, practice_id: int, location_id: int, changes: dict[str, Any]) -> Location:
    """Change a location; Forbidden for non-admins, NotFound for another practice's, Invalid for a bad zone."""
    practice = _practice(user, practice_id)
    target = _location(practice, location_id)
    changes = {k: v for k, v in changes.items() if k in LOCATION_FIELDS}
    errors: dict[str, list] = {}
    _check_zone(changes.get("timezone"), errors)
    phones.normalize_in(changes, practice.country, errors)
    if "name" in changes and not changes["name"]:
        errors.setdefault("name", []).append(_l("Enter a name."))
    if errors:
        raise Invalid(_l("Please correct the highlighted fields."), fields=errors)
    for key, value in changes.items():
        setattr(target, key, value)
    _log_after_commit("practice %s location %s changed by user %s: %s", practice_id, target.id, user.id,
                      sorted(changes))
    return target
