"""Caregiver pages: who can act for me, people I care for, invitation links, guardians for staff."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, get_timezone
from flask_login import current_user, login_required, login_user
from marshmallow import ValidationError

from hearth.clock import to_zone
from hearth.errors import DomainError
from hearth.extensions import limiter
from hearth.i18n import _l
from hearth.models import ALL_SCOPES
from hearth.schemas.caregivers import (
    ActivityQuerySchema,
    GrantFormSchema,
    InviteFormSchema,
    MinorQuerySchema,
    RegisterSchema,
)
from hearth.services import caregivers
from hearth.services.audit_labels import describe, scope_label
from portal.acting import current_person, people
from portal.helpers import actor, form_errors
from portal.principal import Principal, session_policy

bp = Blueprint("caregivers", __name__, url_prefix="/caregivers")

STATES = {
    "pending": _l("Invitation sent"),
    "invite_expired": _l("Invitation expired"),
    "active": _l("Active"),
    "ended": _l("Ended"),
    "cancelled": _l("Invitation cancelled"),
    "revoked": _l("Access removed"),
    "declined": _l("Invitation declined"),
}


@bp.context_processor
def _labels():
    return {"all_scopes": ALL_SCOPES, "scope_label": scope_label, "state_label": lambda s: str(STATES.get(s, s)),
            "scope_names": lambda scopes: ", ".join(scope_label(s) for s in scopes), "describe": describe,
            "viewer_zone": _zone(), "invitation_days": current_app.config["INVITATION_DAYS"],
            "search_limit": caregivers.MINOR_SEARCH_LIMIT}


def _patient_links(patient_id: int) -> dict:
    """How the patient's grant list links to its actions."""
    return {
        "edit_url": lambda g: url_for("caregivers.edit", patient_id=patient_id, grant_id=g.grant.id),
        "activity_url": lambda g: url_for("caregivers.activity", patient_id=patient_id, grant_id=g.grant.id),
        "action_url": lambda g, what: url_for(f"caregivers.{what}", patient_id=patient_id, grant_id=g.grant.id),
        "consent_url": None,
    }


def _practice_links(practice_id: int, patient_id: int) -> dict:
    """How the practice's guardian list links to its actions."""
    ids = {"practice_id": practice_id, "patient_id": patient_id}
    return {
        "edit_url": None,
        "activity_url": None,
        "action_url": lambda g, what: url_for(f"caregivers.guardian_{what}", grant_id=g.grant.id, **ids),
        "consent_url": lambda g: url_for("caregivers.teen_consent", grant_id=g.grant.id, **ids),
    }


def _settings() -> caregivers.InviteSettings:
    return caregivers.InviteSettings.from_config(current_app.config)


def _zone() -> str:
    return str(get_timezone())


def _form_data() -> dict:
    data = {k: request.form.get(k, "") for k in ("email", "relationship_label", "ends_at")}
    data["scopes"] = request.form.getlist("scopes")
    return data


def _local(moment) -> str:
    return to_zone(moment, _zone()).strftime("%Y-%m-%dT%H:%M") if moment else ""


# -- the patient and the caregiver ---------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    """Who can act for me (when I act for myself), the people I care for, and staff shortcuts."""
    person = current_person()
    own_id = person.patient.id if person is not None and person.is_self else None
    has_own_record = any(p.is_self for p in people())
    return render_template("caregivers/index.html", person=person, overview=caregivers.overview(actor(), own_id),
                           has_own_record=has_own_record, **(_patient_links(own_id) if own_id else {}))


def _invite_form(patient_id: int, practice_id: int | None):
    """GET: an empty form; POST: invite, or the form again with its errors (422)."""
    values = {"scopes": [], "email": "", "relationship_label": "", "ends_at": ""}
    if request.method == "GET":
        return values, {}, None
    values = _form_data()
    try:
        data = InviteFormSchema(zone=_zone()).load(values)
        caregivers.invite(actor(), patient_id, data, _settings(), practice_id=practice_id)
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status in (403, 404):
            raise
        return values, form_errors(exc), None
    flash(_l("Invitation sent to %(email)s.", email=data["email"]), "success")
    return values, {}, data


@bp.route("/patients/<int:patient_id>/invite", methods=["GET", "POST"])
@login_required
def invite(patient_id: int):
    """The patient invites someone to help: email, relationship, areas, optional end."""
    values, errors, done = _invite_form(patient_id, None)
    if done:
        return redirect(url_for("caregivers.index"))
    if request.method == "GET":
        caregivers.managed_patient(actor(), patient_id)
    return render_template("caregivers/invite.html", patient_id=patient_id, errors=errors,
                           values=values), (422 if request.method == "POST" else 200)


@bp.route("/patients/<int:patient_id>/grants/<int:grant_id>/edit", methods=["GET", "POST"])
@login_required
def edit(patient_id: int, grant_id: int):
    """Change which areas a caregiver may use and until when."""
    errors: dict = {}
    if request.method == "POST":
        values = _form_data()
        try:
            data = GrantFormSchema(zone=_zone()).load({k: v for k, v in values.items() if k != "email"})
            done = caregivers.update(actor(), patient_id, grant_id, data)
            flash(_l("Access for %(name)s was updated.", name=done.caregiver_name), "success")
            return redirect(url_for("caregivers.index"))
        except (ValidationError, DomainError) as exc:
            if isinstance(exc, DomainError) and exc.status in (403, 404):
                raise
            errors = form_errors(exc)
    grant = caregivers.get_grant(actor(), patient_id, grant_id)
    if not errors:
        row = grant.grant
        values = {"scopes": row.scope_list, "relationship_label": row.relationship_label or "",
                  "ends_at": _local(row.ends_at)}
    return render_template("caregivers/edit.html", grant=grant, errors=errors, values=values), (
        422 if errors else 200)


@bp.post("/patients/<int:patient_id>/grants/<int:grant_id>/revoke")
@login_required
def revoke(patient_id: int, grant_id: int):
    """Revoke now (or cancel the invitation); takes effect on the caregiver's next request."""
    done = caregivers.revoke(actor(), patient_id, grant_id)
    flash(_l("%(name)s can no longer act for you.", name=done.caregiver_name) if done.grant.accepted_at
          else _l("The invitation was cancelled."), "success")
    return redirect(url_for("caregivers.index"))


@bp.post("/patients/<int:patient_id>/grants/<int:grant_id>/resend")
@login_required
def resend(patient_id: int, grant_id: int):
    done = caregivers.resend(actor(), patient_id, grant_id, _settings())
    flash(_l("Invitation sent again to %(email)s.", email=done.grant.invited_email), "success")
    return redirect(url_for("caregivers.index"))


@bp.get("/patients/<int:patient_id>/grants/<int:grant_id>/activity")
@login_required
def activity(patient_id: int, grant_id: int):
    """What one caregiver did in the patient's record."""
    try:
        args = ActivityQuerySchema().load(request.args, unknown="exclude")
    except ValidationError:
        args = {"page": 1, "per_page": caregivers.ACTIVITY_PER_PAGE}
    grant, page = caregivers.activity(actor(), patient_id, grant_id, args["page"], args["per_page"])
    return render_template("caregivers/activity.html", grant=grant, page=page, patient_id=patient_id)


# -- invitation links ---------------------------------------------------------------------------


@bp.get("/accept/<token>")
@limiter.limit("30/minute")
def accept(token: str):
    """Show who invited, for which areas, and the ways to accept or decline."""
    return _accept_page(token, {}, {"display_name": ""})


def _accept_page(token: str, errors: dict, values: dict, status: int = 200):
    found = caregivers.invitation(token)
    return render_template("caregivers/accept.html", invitation=found, token=token, errors=errors,
                           values=values), (status if found.grant else 404)


@bp.post("/accept/<token>")
@limiter.limit("30/minute")
@login_required
def accept_post(token: str):
    """Accept as the signed-in account."""
    done = caregivers.accept(actor(), token, current_user.session_row)
    flash(_l("You can now act for %(name)s.", name=done.grant.patient.full_name), "success")
    return redirect(url_for("caregivers.index"))


@bp.post("/accept/<token>/register")
@limiter.limit("10/minute")
def register(token: str):
    """Create an account at the invited address, accept, and sign in, in one step."""
    if current_user.is_authenticated:
        return redirect(url_for("caregivers.accept", token=token))
    values = {"display_name": request.form.get("display_name", "")}
    try:
        data = RegisterSchema().load({**values, "password": request.form.get("password", "")})
        done = caregivers.register_and_accept(token, display_name=data["display_name"], password=data["password"],
                                              locale=str(get_locale() or "en"), session_policy=session_policy())
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and not exc.fields:
            flash(str(exc.message), "error")
            return _accept_page(token, {}, values, exc.status)
        return _accept_page(token, form_errors(exc), values, 422)
    login_user(Principal(done.sid, done.session_row))
    flash(_l("Welcome to Hearth. You can now act for %(name)s.", name=done.grant.patient.full_name), "success")
    return redirect(url_for("caregivers.index"))


@bp.post("/accept/<token>/decline")
@limiter.limit("30/minute")
def decline(token: str):
    caregivers.decline(actor(), token)
    flash(_l("You declined the invitation."), "info")
    return redirect(url_for("caregivers.index") if current_user.is_authenticated else url_for("auth.login"))


# -- the practice: guardians of minors ----------------------------------------------------------


@bp.get("/practices/<int:practice_id>/minors")
@login_required
def minors(practice_id: int):
    """Staff find a minor by name or MRN to manage her guardians (an over-long search shows its error and
    no one, rather than the results of a cut-off search)."""
    query = request.args.get("q", "")
    try:
        MinorQuerySchema().load({"q": query})
    except ValidationError as exc:
        practice, _none = caregivers.find_minors(actor(), practice_id, "")
        return render_template("caregivers/minors.html", practice=practice, found=[], q=query,
                               errors=form_errors(exc)), 422
    practice, found = caregivers.find_minors(actor(), practice_id, query)
    return render_template("caregivers/minors.html", practice=practice, found=found, q=query)


@bp.route("/practices/<int:practice_id>/patients/<int:patient_id>/guardians", methods=["GET", "POST"])
@login_required
def guardians(practice_id: int, patient_id: int):
    """A minor's guardians, with the teen-consent switch, revocation, and an invitation form."""
    values, errors, done = _invite_form(patient_id, practice_id)
    if done:
        return redirect(url_for("caregivers.guardians", practice_id=practice_id, patient_id=patient_id))
    listing = caregivers.list_grants(actor(), patient_id, practice_id=practice_id)
    return render_template("caregivers/guardians.html", listing=listing, practice_id=practice_id, errors=errors,
                           values=values, **_practice_links(practice_id, patient_id)), (
        422 if request.method == "POST" else 200)


@bp.post("/practices/<int:practice_id>/patients/<int:patient_id>/guardians/<int:grant_id>/teen-consent")
@login_required
def teen_consent(practice_id: int, patient_id: int, grant_id: int):
    agreed = request.form.get("agreed") == "1"
    caregivers.set_teen_consent(actor(), practice_id, patient_id, grant_id, agreed)
    flash(_l("The teen's consent was recorded.") if agreed else _l("The teen's consent was withdrawn."), "success")
    return redirect(url_for("caregivers.guardians", practice_id=practice_id, patient_id=patient_id))


@bp.post("/practices/<int:practice_id>/patients/<int:patient_id>/guardians/<int:grant_id>/revoke")
@login_required
def guardian_revoke(practice_id: int, patient_id: int, grant_id: int):
    """End a guardian's access now (or cancel the invitation)."""
    caregivers.revoke(actor(), patient_id, grant_id, practice_id=practice_id)
    flash(_l("Guardian access was removed."), "success")
    return redirect(url_for("caregivers.guardians", practice_id=practice_id, patient_id=patient_id))


@bp.post("/practices/<int:practice_id>/patients/<int:patient_id>/guardians/<int:grant_id>/resend")
@login_required
def guardian_resend(practice_id: int, patient_id: int, grant_id: int):
    done = caregivers.resend(actor(), patient_id, grant_id, _settings(), practice_id=practice_id)
    flash(_l("Invitation sent again to %(email)s.", email=done.grant.invited_email), "success")
    return redirect(url_for("caregivers.guardians", practice_id=practice_id, patient_id=patient_id))
