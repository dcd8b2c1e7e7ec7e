"""QR codes as inline SVG (segno): the two-factor set-up key for an authenticator app's camera."""

from __future__ import annotations

import segno
from markupsafe import Markup, escape


def qr_svg(data: str, label: str) -> Markup:
    """`data` as a scalable QR code image with `label` as its accessible name (no script, no external file)."""
    svg = segno.make(data, error="m").svg_inline(scale=1, border=4, light="#fff", dark="#000", omitsize=True,
                                                 svgclass="hearth-qr", lineclass=None)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" focusable="false" ', 1))
