"""A test's trend as accessible SVG, drawn by pygal (a kept charting library) on the server.

The SVG goes inline into the page, so it works without JavaScript: pygal's tooltip script is left
out, and its inline <style> too (the Content-Security-Policy allows only the site's own style sheets;
static/css/results.css styles the chart). The SVG carries role="img", an aria-label, and a <title> and
<desc> it is labelled by; the page shows the same numbers as a table beside it. One line is one LOINC
code in one unit (the caller's `Trend`); the reference range, when every point has the same one, is
drawn as two dashed lines.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

import pygal
from babel.dates import format_date
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from hearth.services.results.reading import Trend

STYLE = re.compile(r"<(style|script)[^>]*>.*?</\1>", re.S)
COMMENT = re.compile(r"<!--.*?-->", re.S)
PYGAL_TITLE = re.compile(r"<title>[^<]*</title>")
OPEN_SVG = re.compile(r"<svg\b([^>]*)>")
CHART_ID = re.compile(r'\s(id="chart-[0-9a-f-]*"|style="[^"]*")')


def number(value: Decimal | float | None, locale: str) -> str:
    """A lab value as the reader writes numbers ("5.4", "5,4"), without trailing zeros."""
    if value is None:
        return ""
    return format_decimal(Decimal(value).normalize(), format="#,##0.######", locale=locale)


def _range(trend: Trend) -> tuple[Decimal | None, Decimal | None]:
    lows = {p.range_low for p in trend.points}
    highs = {p.range_high for p in trend.points}
    return (lows.pop() if len(lows) == 1 else None), (highs.pop() if len(highs) == 1 else None)


def trend_svg(trend: Trend, *, title: str, description: str, locale: str, zone: str, labels: dict[str, str],
              element_id: str = "trend") -> Markup:
    """The trend's chart as inline SVG markup; `labels` names the series ("value", "low", "high")."""

    def day(moment: datetime) -> str:
        return format_date(moment.astimezone(_zone(zone)).date(), "medium", locale=locale)

    chart = pygal.DateTimeLine(
        js=[], css=[], disable_xml_declaration=True, show_legend=True, legend_at_bottom=True, width=420,
        legend_at_bottom_columns=1, truncate_legend=-1,  # one name a line, never cut ("Límite alto de lo…")
        height=300, explicit_size=False, x_label_rotation=0, truncate_label=-1,
        x_value_formatter=day, value_formatter=lambda v: number(v, locale), dots_size=4, margin=12,
        margin_right=40, margin_left=8,
        pretty_print=False, tooltip_fancy_mode=False,
    )
    step = max(1, -(-len(trend.points) // 3))  # at most 3 dates under the axis: readable at phone width
    chart.x_labels = [p.at for p in trend.points[::step]]
    chart.add(labels["value"], [(p.at, float(p.value)) for p in trend.points])
    low, high = _range(trend)
    ends = [trend.points[0].at, trend.points[-1].at]
    if high is not None:
        chart.add(labels["high"], [(at, float(high)) for at in ends], show_dots=False)
    if low is not None:
        chart.add(labels["low"], [(at, float(low)) for at in ends], show_dots=False)
    svg = chart.render(is_unicode=True)
    svg = PYGAL_TITLE.sub("", CHART_ID.sub("", COMMENT.sub("", STYLE.sub("", svg))))
    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    head = (f'<svg\\1 id="{escape(element_id)}" role="img" aria-label="{escape(title)}" '
            f'aria-labelledby="{title_id} {desc_id}" focusable="false">'
            f'<title id="{title_id}">{escape(title)}</title><desc id="{desc_id}">{escape(description)}</desc>')
    svg = OPEN_SVG.sub(lambda m: head.replace("\\1", m.group(1)), svg, count=1)
    return Markup(svg)  # noqa: S704 - pygal's own escaped output, our texts escaped above


def _zone(zone: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(zone)
