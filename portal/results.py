"""Test results for the patient and her caregivers: the list, one report, a test over time, release choices."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from hearth.errors import DomainError
from hearth.i18n import _l, current_language
from hearth.models import ResultCategory
from hearth.schemas.results import ResultPageArgsSchema, ResultTrendArgsSchema
from hearth.services.results import chart, preferences, reading
from hearth.services.results.common import (
    category_label,
    interpretation_label,
    is_out_of_range,
    status_label,
)
from portal.acting import current_person
from portal.formatting import viewer_zone
from portal.helpers import actor

bp = Blueprint("results", __name__, url_prefix="/results")


def _locale() -> str:
    return current_language() or "en"


@bp.app_template_filter("result_number")
def result_number(value) -> str:
    return chart.number(value, _locale())


@bp.app_template_filter("result_category")
def result_category(value) -> str:
    return category_label(value)


@bp.app_template_filter("result_status")
def result_status(value) -> str:
    return status_label(value)


@bp.app_template_filter("result_flag")
def result_flag(value) -> str:
    return interpretation_label(value)


@bp.app_template_test("out_of_range")
def out_of_range(observation) -> bool:
    return is_out_of_range(observation)


def _patient():
    person = current_person()
    if person is None:
        abort(404)
    return person.patient


def _page_args() -> dict:
    try:
        return ResultPageArgsSchema().load(request.args, unknown="exclude")
    except ValidationError:
        return {"page": 1, "per_page": 20}


@bp.get("")
@login_required
def index():
    """The released results, newest first, 20 per page."""
    args = _page_args()
    pg = reading.list_reports(actor(), _patient(), page=args["page"], per_page=20)
    return render_template("results/index.html", pg=pg, page_url=lambda n: url_for("results.index", page=n))


@bp.get("/<int:report_id>")
@login_required
def detail(report_id: int):
    """One report: values with their ranges and flags in words, the clinician's comment, earlier versions."""
    view = reading.get_report(actor(), _patient(), report_id)
    return render_template("results/detail.html", view=view, report=view.report, back_url=url_for("results.index"))


@bp.get("/trend")
@login_required
def trend():
    """One test over time (one LOINC code in one unit): a chart and the same numbers as a table."""
    try:
        args = ResultTrendArgsSchema().load(request.args, unknown="exclude")
    except ValidationError:
        abort(404)
    t = reading.trend(actor(), _patient(), args["code"], args["unit"])
    return render_template("results/trend.html", t=t, svg=trend_chart(t), trend_url=_trend_url)


def _trend_url(code: str, unit: str | None) -> str:
    return url_for("results.trend", code=code, unit=unit)


def trend_chart(t: reading.Trend, element_id: str = "trend"):
    """The trend's accessible SVG in the reader's language and zone."""
    name = f"{t.name} ({t.unit})" if t.unit else t.name
    title = str(_l("%(name)s over time", name=name))
    first, last = t.points[0], t.points[-1]
    description = str(_l("%(count)d values from %(first)s to %(last)s. The latest is %(value)s. The numbers are "
                         "in the table below the chart.", count=len(t.points), first=_day(first.at),
                         last=_day(last.at), value=result_number(last.value)))
    labels = {"value": t.name, "low": str(_l("Low end of normal")), "high": str(_l("High end of normal"))}
    return chart.trend_svg(t, title=title, description=description, locale=_locale(), zone=viewer_zone(),
                           labels=labels, element_id=element_id)


def _day(moment) -> str:
    from portal.formatting import viewed

    return viewed(moment, parts="date")


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def release_preferences():
    """When new results show: at once (the default), or after a clinician comments, per category."""
    patient = _patient()
    if request.method == "POST":
        wanted = set(request.form.getlist("wait"))
        try:
            preferences.put(actor(), patient, {c: c.value in wanted for c in ResultCategory})
        except DomainError as exc:
            if exc.status == 404:
                raise
            flash(str(exc.message), "error")
            return redirect(url_for("results.release_preferences"))
        flash(_l("Your choices are saved."), "success")
        return redirect(url_for("results.release_preferences"))
    return render_template("results/preferences.html", prefs=preferences.get(actor(), patient), patient=patient)
