"""Caregiver (proxy) and guardian access: invitations, acceptance, editing, revocation, activity.

A patient manages her own proxies; staff of her practice manage guardians of a minor. Policy is
read live on every request (hearth.policy), so an edit or a revocation takes effect at once.
"""

from __future__ import annotations

from hearth.services.caregivers.common import (
    ACTIVITY_PER_PAGE,
    MAX_PER_PAGE,
    MINOR_SEARCH_LIMIT,
    GrantList,
    GrantView,
    Invitation,
    InviteSettings,
    Overview,
    Registered,
    view,
)
from hearth.services.caregivers.grants import (
    activity,
    caring_for,
    get_grant,
    invite,
    list_grants,
    managed_patient,
    overview,
    resend,
    revoke,
    set_teen_consent,
    update,
)
from hearth.services.caregivers.invitations import (
    accept,
    decline,
    invitation,
    invitation_state,
    my_access,
    register_and_accept,
)
from hearth.services.caregivers.minors import (
    MAX_QUERY,
    find_minors,
    is_minor,
)

__all__ = [
    "ACTIVITY_PER_PAGE",
    "GrantList",
    "GrantView",
    "Invitation",
    "InviteSettings",
    "MAX_PER_PAGE",
    "MAX_QUERY",
    "MINOR_SEARCH_LIMIT",
    "Overview",
    "Registered",
    "accept",
    "activity",
    "caring_for",
    "decline",
    "find_minors",
    "get_grant",
    "invitation",
    "invitation_state",
    "invite",
    "is_minor",
    "list_grants",
    "managed_patient",
    "my_access",
    "overview",
    "register_and_accept",
    "resend",
    "revoke",
    "set_teen_consent",
    "update",
    "view",
]
