"""The staff workspace: the landing page of providers and staff (messages, today's visits, and other cards)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required

from hearth.schemas.fields import parse_id
from hearth.services import workspace
from portal.helpers import actor

bp = Blueprint("workspace", __name__, url_prefix="/workspace")


@bp.get("")
@login_required
def index():
    """The cards of one practice the user works at (`practice_id`, else her first)."""
    view = workspace.home(actor(), request.args.get("practice_id", type=parse_id))
    return render_template("workspace/index.html", w=view)
