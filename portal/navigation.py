"""The main navigation, decided here (not in templates) from the person's roles."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_login import current_user

from hearth import policy
from hearth.i18n import _l
from hearth.models import StaffRole


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


# (endpoint, label, who sees it)
_ITEMS = [
    ("home.index", _l("Home"), "all"),
    ("appointments.index", _l("Appointments"), "person"),
    ("notifications.index", _l("Notifications"), "all"),
    ("caregivers.index", _l("Caregivers"), "all"),
    ("records.profile", _l("Profile"), "person"),
    ("records.access_log", _l("Who viewed my record"), "self"),
    ("staff.patients", _l("Patients"), "staff"),
    ("schedule.index", _l("Schedule"), "staff"),
    ("settings.practice", _l("Practice settings"), "admin"),
    ("scheduling_admin.index", _l("Scheduling setup"), "admin"),
    ("account.index", _l("Account"), "all"),
]


def nav_items(person) -> list[NavItem]:
    if not current_user.is_authenticated:
        return []
    user = current_user.user
    is_staff = bool(policy.staff_practice_ids(user))
    is_admin = any(m.role == StaffRole.ADMIN for m in user.memberships)
    items = []
    for endpoint, label, audience in _ITEMS:
        if endpoint not in current_app.view_functions:
            continue
        if audience == "person" and person is None:
            continue
        if audience == "self" and (person is None or not person.is_self):
            continue
        if audience == "staff" and not is_staff:
            continue
        if audience == "admin" and not is_admin:
            continue
        url = url_for(endpoint)
        items.append(NavItem(str(label), url, request.path == url or (url != "/" and request.path.startswith(url))))
    return items
