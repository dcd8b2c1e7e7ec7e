"""Notification texts in English and Spanish, keyed by template, and how they are rendered.

The texts themselves live by area in hearth/notify/texts/ (account, visits, care, money).

Everything here can show on a lock screen or in a shared inbox, so no text carries a health detail:
it says that something is waiting and asks the person to open Hearth. Each template names the
parameters it accepts, and `render` refuses any other, so a caller cannot slip a diagnosis in.
Plain dictionaries keep rendering deterministic and free of any Flask or Babel context.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date

from hearth import timefmt
from hearth.notify.template_base import (  # noqa: F401  (re-exported: callers import them from here)
    CALL_US,
    DEFAULT_LOCALE,
    LINK_WORDS,
    LOCALES,
    OPEN,
    SETTINGS_NOTE,
    STOP_EMAILS,
    VISIT_LINKS,
    Rendered,
    Template,
    Text,
)
from hearth.notify.texts import account, care, money, visits
from hearth.placeholders import fill

TEMPLATES: dict[str, Template] = {**account.TEMPLATES, **visits.TEMPLATES, **care.TEMPLATES, **money.TEMPLATES}


def normalize_locale(locale: str | None) -> str:
    """The supported language for a locale such as "es-MX"; English when unsupported."""
    language = (locale or "").replace("_", "-").split("-")[0].lower()
    return language if language in LOCALES else DEFAULT_LOCALE


def check_params(key: str, params: Mapping[str, Any]) -> None:
    """Raise ValueError for an unknown template, a missing parameter or one it does not accept."""
    template = TEMPLATES.get(key)
    if template is None:
        raise ValueError(f"unknown notification template {key!r}")
    missing = set(template.required) - set(params)
    extra = set(params) - set(template.required) - set(template.optional)
    if missing or extra:
        raise ValueError(f"template {key!r}: missing {sorted(missing)}, not accepted {sorted(extra)}")
    for name, value in params.items():
        if not isinstance(value, str | int):
            raise ValueError(f"template {key!r}: parameter {name!r} must be a string or an integer")


def render(key: str, locale: str | None, params: Mapping[str, Any], *, reader_zone: str | None = None) -> Rendered:
    """The texts of `key` in the person's language, with `params` filled in.

    A moment given as `starts_at` (ISO 8601) and `zone` is written out as `date` and `time` in that
    language here, at sending time, and links open their page in it: a reminder queued weeks ahead
    speaks the language the person has chosen since. The time is the clinic's (`zone`), followed by the
    zone's short name when `reader_zone` (the recipient's) would show another time.
    """
    check_params(key, params)
    lang = normalize_locale(locale)
    params = localized(params, lang, reader_zone)
    template = TEMPLATES[key]
    texts = template.texts
    if template.detailed and all(name in params for name in template.detail_params):
        texts = template.detailed
    text = texts[lang]
    values = {name: str(value) for name, value in params.items()}
    words = text.body
    if template.links and template.link_params and all(name in params for name in template.link_params):
        words = f"{text.body}\n{template.links[lang]}"
    return Rendered(
        subject=fill(text.subject, values),
        title=fill(text.title, values),
        body=fill(words, values),
        html=_html(words, values, fill(text.subject, values), lang,
                   (template.link_words or {}).get(lang) or fill(text.title, values)),
        locale=lang,
        short=fill(text.body, values),
    )


def localized(params: Mapping[str, Any], lang: str, reader_zone: str | None = None) -> dict[str, Any]:
    """`params` with `starts_at`/`zone` turned into `date` and `time` in `lang` (plain spaces, the zone named
    when the reader's differs), and links' `lang` set."""
    out = dict(params)
    starts_at, zone = out.pop("starts_at", None), out.pop("zone", None)
    if starts_at and zone:
        moment = datetime.fromisoformat(str(starts_at))
        local = moment.astimezone(ZoneInfo(str(zone)))
        out.setdefault("date", _plain(format_date(local.date(), "full", locale=lang)))
        out.setdefault("time", timefmt.when(moment, lang, zone=str(zone), viewer_zone=reader_zone, parts="time"))
    for name, value in out.items():
        if name.endswith("_url") and isinstance(value, str):
            out[name] = _LANG_QUERY.sub(rf"\g<1>{lang}", value)
    return out


_LANG_QUERY = re.compile(r"([?&]lang=)[A-Za-z-]{2,10}(?=$|&)")
_LINK_LINE = re.compile(r"^[^:{}\n]+: (\{\w+_url\})$", re.MULTILINE)  # "Confirm: {confirm_url}"
_END = "</div></body></html>"


def _plain(text: str) -> str:
    """Babel's narrow and no-break spaces as plain spaces (they make an SMS UCS-2 and some mail apps stumble)."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _html(body: str, values: Mapping[str, str], subject: str, lang: str, url_words: str) -> str:
    """The email's HTML part: the same words, escaped, with links in words (never a raw address), readable on
    a 375 px phone (viewport, wrapping, 16 px text, large tap targets)."""
    escaped = {k: html.escape(v) for k, v in values.items()}
    for name, value in values.items():
        if name == "url" or name.endswith("_url"):
            words = LINK_WORDS.get(name, {}).get(lang) or url_words
            escaped[name] = (f'<a href="{html.escape(value, quote=True)}" style="{_LINK_STYLE}">'
                             f"{html.escape(words)}</a>")

    # html.escape leaves the {placeholders} alone, so escape the words first and then fill them in.
    safe_body = fill(html.escape(_LINK_LINE.sub(r"\1", body)), escaped)
    paragraphs = "".join(f'<p style="margin: 0 0 16px">{line}</p>' for line in safe_body.split("\n") if line)
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(subject)}</title></head>"
        '<body style="margin: 0; padding: 16px; font-family: sans-serif; font-size: 16px; line-height: 1.5; '
        'color: #1b1b1b; overflow-wrap: break-word">'
        f'<div style="max-width: 560px; margin: 0 auto">{paragraphs}{_END}'
    )


_LINK_STYLE = "display: inline-block; padding: 10px 0; color: #005ea2; font-weight: bold"


def with_footer(page: str, unsubscribe_url: str, locale: str) -> str:
    """The HTML part with a worded "Stop these emails" link at its foot (notification mail)."""
    lang = normalize_locale(locale)
    foot = (f'<p style="margin: 24px 0 0; font-size: 14px; color: #565c65">{html.escape(SETTINGS_NOTE[lang])} '
            f'<a href="{html.escape(unsubscribe_url, quote=True)}" style="color: #005ea2">'
            f"{html.escape(STOP_EMAILS[lang])}</a></p>")
    head, end, tail = page.rpartition(_END)
    return f"{head}{foot}{end}{tail}" if end else page
