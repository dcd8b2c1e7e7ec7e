"""Message text as HTML: escaped, web links made clickable, nothing else (plain text only).

The text is escaped first and bleach.linkify then only wraps the URLs it finds in <a> tags with
rel="nofollow noopener noreferrer"; no markup a patient types can survive. Line breaks are kept by
CSS (white-space: pre-wrap), not by tags.
"""

from __future__ import annotations

from bleach.linkifier import Linker
from markupsafe import Markup, escape

REL = "nofollow noopener noreferrer"


def _rel(attrs, new=False):
    href = attrs.get((None, "href"), "")
    if not href.startswith(("http://", "https://")):
        return None  # only web links
    attrs[(None, "rel")] = REL
    return attrs


_LINKER = Linker(callbacks=[_rel], parse_email=False)


def render(text: str | None) -> Markup:
    """Safe HTML for a message body."""
    return Markup(_LINKER.linkify(str(escape(text or ""))))

