"""The main navigation, decided here (not in templates) from the person's roles and a caregiver's scopes.

Every area a user may open is an item; a few are "primary" (the phone's bottom bar and the desktop
header), the rest sit under "More" (a plain page, and the header's menu drawer when JavaScript runs).
An area appears only when the user may open it: a caregiver without the appointments scope sees no
"Appointments". Areas that do not exist yet (no view registered) never appear.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    icon: str = "more_horiz"  # a USWDS icon name (static/vendor/uswds-*/img/usa-icons)
    primary: bool = False
    badge_url: str | None = None  # a JSON count the page's script polls (static/js/inbox_counts.js)


@dataclass(frozen=True)
class Navigation:
    items: list[NavItem] = field(default_factory=list)

    @property
    def primary(self) -> list[NavItem]:
        return [i for i in self.items if i.primary]

    @property
    def more(self) -> list[NavItem]:
        return [i for i in self.items if not i.primary]

    @property
    def more_active(self) -> bool:
        return any(i.active for i in self.more) or request.path == url_for("home.more")

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class _Area:
    endpoint: str
    label: object
    audience: str  # all | person | self | staff | admin
    scope: str | None = None  # the caregiver scope the area needs (None: any active grant)
    icon: str = "more_horiz"
    primary_for: tuple[str, ...] = ()  # "person" (patients, caregivers) and/or "staff"
    badge: str | None = None  # endpoint of a JSON count shown beside the label (polled, never needed)


# In menu order; feature modules add their areas here (their view must exist to be shown).
AREAS = [
    _Area("home.index", _l("Home"), "all", icon="home", primary_for=("person",)),
    _Area("workspace.index", _l("Workspace"), "staff", icon="home", primary_for=("staff",)),
    _Area("inbox.index", _l("Inbox"), "staff", icon="mail", primary_for=("staff",), badge="inbox.counts"),
    _Area("appointments.index", _l("Appointments"), "person", "appointments", icon="event", primary_for=("person",)),
    _Area("messages.index", _l("Messages"), "person", "messages", icon="mail", primary_for=("person",)),
    _Area("medications.index", _l("Medications"), "person", "medications"),
    _Area("results.index", _l("Test results"), "person", "results"),
    _Area("billing.index", _l("Billing"), "person", "billing"),
    _Area("notifications.index", _l("Notifications"), "all", icon="notifications", primary_for=("person",)),
    _Area("staff.patients", _l("Patients"), "staff", icon="person", primary_for=("staff",)),
    _Area("schedule.index", _l("Schedule"), "staff", icon="event", primary_for=("staff",)),
    _Area("refill_queue.index", _l("Refill requests"), "staff"),
    _Area("caregivers.index", _l("Caregivers"), "all"),
    _Area("financing.pay_over_time", _l("Pay over time"), "person", "billing"),
    _Area("gfe.index", _l("Good Faith Estimates"), "person", "billing"),
    _Area("records.profile", _l("Profile"), "person"),
    _Area("coverage.index", _l("Insurance"), "person", "billing"),
    _Area("estimates.tool", _l("Price estimates"), "person", "billing"),
    _Area("records.access_log", _l("Who viewed my record"), "self"),
    _Area("settings.practice", _l("Practice settings"), "admin"),
    _Area("scheduling_admin.index", _l("Scheduling setup"), "admin"),
    _Area("results_staff.awaiting", _l("Results waiting for a comment"), "staff"),
    _Area("messaging_admin.index", _l("Messaging setup"), "admin"),
    _Area("fee_schedule.index", _l("Fee schedule"), "admin"),
    _Area("financing.settings", _l("Financing offers"), "admin"),
    _Area("gfe.settings", _l("Good Faith Estimate settings"), "admin"),
    _Area("account.index", _l("Account"), "all"),
]
PRIMARY_LIMIT = 3  # the bottom bar: three areas and "More"


def _visible(area: _Area, person, is_staff: bool, is_admin: bool) -> bool:
    if area.endpoint not in current_app.view_functions:
        return False
    if area.audience == "person":
        return person is not None and person.may(area.scope)
    if area.audience == "self":
        return person is not None and person.is_self
    if area.audience == "staff":
        return is_staff
    if area.audience == "admin":
        return is_admin
    return True


def navigation(person) -> Navigation:
    """What the signed-in user's menus offer for the person she acts for (empty when signed out)."""
    if not current_user.is_authenticated:
        return Navigation()
    user = current_user.user
    is_staff = bool(policy.staff_practice_ids(user))
    is_admin = any(m.role == StaffRole.ADMIN for m in user.memberships)
    kind = "staff" if is_staff else "person"
    items, primaries = [], 0
    for area in AREAS:
        if not _visible(area, person, is_staff, is_admin):
            continue
        url = url_for(area.endpoint)
        active = request.path == url or (url != "/" and request.path.startswith(url + "/"))
        primary = kind in area.primary_for and primaries < PRIMARY_LIMIT
        primaries += primary
        badge_url = url_for(area.badge) if area.badge and area.badge in current_app.view_functions else None
        items.append(NavItem(str(area.label), url, active, area.icon, primary, badge_url))
    return Navigation(items)


def nav_items(person) -> list[NavItem]:
    """Every area the user may open, in menu order (kept for callers that want a flat list)."""
    return navigation(person).items
