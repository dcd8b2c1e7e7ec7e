"""GET /api/v1/me: who is signed in and whom she may act for."""

from __future__ import annotations

from api.blueprint import Blueprint
from api.security import BEARER, actor, token_required
from hearth import policy
from hearth.models import ALL_SCOPES
from hearth.schemas.people import MeSchema
from hearth.services import acting

blp = Blueprint("api_me", __name__, url_prefix="/api/v1/me", description="The signed-in user")


@blp.route("", methods=["GET"])
@blp.response(200, MeSchema)
@blp.doc(security=BEARER)
@token_required
def me():
    """The signed-in user, her roles, and the patients she may act for (with scopes)."""
    user = actor()
    people = []
    for person in acting.people_for(user):
        grant = person.grant
        people.append({
            "patient": person.patient,
            "relation": "self" if grant is None else "caregiver",
            "scopes": list(ALL_SCOPES) if grant is None else grant.scope_list,
            "grant_ends_at": None if grant is None else policy.grant_end(grant),
        })
    return {
        "id": user.id, "email": user.email, "display_name": user.display_name, "locale": user.locale,
        "timezone": user.timezone, "two_factor_enabled": user.totp_enabled, "people": people,
        "memberships": [{"practice_id": m.practice_id, "role": m.role.value} for m in user.memberships],
    }
