"""Notification texts in English and Spanish, keyed by template.

Everything here can show on a lock screen or in a shared inbox, so no text carries a health detail:
it says that something is waiting and asks the person to open Hearth. Each template names the
parameters it accepts, and `render` refuses any other, so a caller cannot slip a diagnosis in.
Plain dictionaries keep rendering deterministic and free of any Flask or Babel context.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date

from hearth import timefmt
from hearth.placeholders import fill

LOCALES = ("en", "es")
DEFAULT_LOCALE = "en"


@dataclass(frozen=True)
class Text:
    subject: str  # email subject
    title: str  # push title
    body: str  # push body, SMS text and the email's text part


@dataclass(frozen=True)
class Template:
    texts: Mapping[str, Text]
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ("ref",)  # `ref` is an opaque id the app resolves after sign-in
    # Richer texts, used when every parameter in `detail_params` is given (an appointment's date and time).
    detailed: Mapping[str, Text] | None = None
    detail_params: tuple[str, ...] = ()
    # Lines with links added to the email and SMS text (not the push) when every `link_params` is given.
    links: Mapping[str, str] | None = None
    link_params: tuple[str, ...] = ()
    # The words of the `url` link in the HTML part (default: the push title), never the raw address.
    link_words: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Rendered:
    subject: str
    title: str
    body: str  # email text part and SMS: with the links, if any
    html: str
    locale: str
    short: str = ""  # push body: the same words without the links

    def __post_init__(self) -> None:
        if not self.short:
            object.__setattr__(self, "short", self.body)


OPEN = {"en": "Open Hearth to see the details.", "es": "Abra Hearth para ver los detalles."}
# The signed one-tap links a visit reminder ends with (email and SMS).
VISIT_LINKS = {
    "en": "Confirm: {confirm_url}\nCancel: {cancel_url}",
    "es": "Confirmar: {confirm_url}\nCancelar: {cancel_url}",
}

# The words of the reminder's links in the HTML part, where the text part has "Confirm: <address>".
LINK_WORDS = {
    "confirm_url": {"en": "Confirm the appointment", "es": "Confirmar la cita"},
    "cancel_url": {"en": "Cancel the appointment", "es": "Cancelar la cita"},
}
# The foot of notification emails (HTML), beside the List-Unsubscribe header.
STOP_EMAILS = {"en": "Stop these emails", "es": "Dejar de recibir estos correos"}
SETTINGS_NOTE = {"en": "You get this email because of your notification settings in Hearth.",
                 "es": "Recibe este correo por su configuración de notificaciones en Hearth."}

# The practice's phone number, on every cancellation (email and SMS), for booking again by phone.
CALL_US = {"en": "To book again, call us at {phone}.", "es": "Para reservar otra cita, llámenos al {phone}."}

TEMPLATES: dict[str, Template] = {
    "password_reset": Template(
        required=("url", "minutes"),
        optional=(),
        texts={
            "en": Text(
                "Reset your Hearth password",
                "Reset your password",
                "We received a request to reset your Hearth password. Use this link within {minutes} "
                "minutes: {url}\nIf you did not ask for this, you can ignore this message.",
            ),
            "es": Text(
                "Restablezca su contraseña de Hearth",
                "Restablezca su contraseña",
                "Recibimos una solicitud para restablecer su contraseña de Hearth. Use este enlace en "
                "los próximos {minutes} minutos: {url}\nSi usted no lo pidió, puede ignorar este mensaje.",
            ),
        },
    ),
    "password_reset_no_account": Template(
        required=("url",),
        optional=(),
        link_words={"en": "Ask for a reset link", "es": "Pedir un enlace"},
        texts={
            "en": Text(
                "Reset your Hearth password",
                "Reset your password",
                "Someone asked to reset the Hearth password for this email. No Hearth account uses this "
                "email. You may have signed up with a different one. You can ask for a link for it here: "
                "{url}\nIf you did not ask, you can ignore this email.",
            ),
            "es": Text(
                "Restablezca su contraseña de Hearth",
                "Restablezca su contraseña",
                "Recibimos una solicitud para restablecer la contraseña de Hearth de este correo, pero "
                "ninguna cuenta de Hearth lo usa. Si tiene una cuenta, quizás se registró con otro correo: "
                "pida un enlace para ese correo en {url}\nSi usted no lo pidió, puede ignorar este mensaje.",
            ),
        },
    ),
    "email_changed": Template(
        required=("new_email",),
        optional=(),
        texts={
            "en": Text(
                "Your Hearth sign-in email was changed",
                "Your sign-in email was changed",
                "The email address for signing in to Hearth was changed to {new_email}. If you did not do "
                "this, call your clinic right away.",
            ),
            "es": Text(
                "Se cambió su correo de acceso a Hearth",
                "Se cambió su correo de acceso",
                "El correo electrónico para iniciar sesión en Hearth se cambió a {new_email}. Si no fue "
                "usted, llame a su clínica de inmediato.",
            ),
        },
    ),
    "email_change_confirm": Template(
        required=("url", "hours"),
        optional=(),
        texts={
            "en": Text(
                "Confirm your new Hearth sign-in email",
                "Confirm your new sign-in email",
                "You asked to sign in to Hearth with this email address. To start using it, open this link "
                "within {hours} hours and press Confirm: {url}\nUntil then, keep signing in with your current "
                "address. If you did not ask for this, ignore this message: nothing will change.",
            ),
            "es": Text(
                "Confirme su nuevo correo de acceso a Hearth",
                "Confirme su nuevo correo de acceso",
                "Usted pidió iniciar sesión en Hearth con este correo electrónico. Para empezar a usarlo, abra "
                "este enlace en las próximas {hours} horas y presione Confirmar: {url}\nMientras tanto, siga "
                "iniciando sesión con su correo actual. Si usted no lo pidió, ignore este mensaje: nada "
                "cambiará.",
            ),
        },
    ),
    "email_in_use": Template(
        optional=(),
        texts={
            "en": Text(
                "Someone tried to use your email address in Hearth",
                "Your email address was entered in Hearth",
                "Someone asked to use this email address to sign in to another Hearth account. This address "
                "already has a Hearth account, so nothing was changed. If it was you, sign in with this "
                "address instead. If not, you do not need to do anything.",
            ),
            "es": Text(
                "Alguien intentó usar su correo electrónico en Hearth",
                "Se ingresó su correo electrónico en Hearth",
                "Alguien pidió usar este correo electrónico para iniciar sesión en otra cuenta de Hearth. "
                "Este correo ya tiene una cuenta de Hearth, así que no se cambió nada. Si fue usted, inicie "
                "sesión con este correo. Si no, no tiene que hacer nada.",
            ),
        },
    ),
    "password_changed": Template(
        optional=(),
        texts={
            "en": Text(
                "Your Hearth password was changed",
                "Your password was changed",
                "Your Hearth password was just changed. If you did not do this, reset your password from "
                "the sign-in page and call your clinic.",
            ),
            "es": Text(
                "Se cambió su contraseña de Hearth",
                "Se cambió su contraseña",
                "Su contraseña de Hearth se acaba de cambiar. Si no fue usted, restablezca su contraseña "
                "desde la página de inicio de sesión y llame a su clínica.",
            ),
        },
    ),
    "caregiver_invitation": Template(
        required=("inviter", "url", "days"),
        optional=(),
        link_words={"en": "Accept the invitation", "es": "Aceptar la invitación"},
        texts={
            "en": Text(
                "You are invited to Hearth",
                "You are invited to Hearth",
                "{inviter} invited you to help with their care in Hearth. Accept the invitation within "
                "{days} days: {url}",
            ),
            "es": Text(
                "Tiene una invitación a Hearth",
                "Tiene una invitación a Hearth",
                "{inviter} le invitó a ayudar con su atención en Hearth. Acepte la invitación en los "
                "próximos {days} días: {url}",
            ),
        },
    ),
    "appointment_reminder": Template(
        optional=("ref", "date", "time", "starts_at", "zone", "confirm_url", "cancel_url"),
        link_params=("confirm_url", "cancel_url"),
        links=VISIT_LINKS,
        texts={
            "en": Text(
                "Appointment reminder",
                "Appointment reminder",
                "You have an upcoming appointment. " + OPEN["en"],
            ),
            "es": Text(
                "Recordatorio de cita", "Recordatorio de cita", "Tiene una cita próximamente. " + OPEN["es"]
            ),
        },
        detail_params=("date", "time"),
        detailed={
            "en": Text(
                "Appointment reminder",
                "Appointment reminder",
                "You have an appointment on {date} at {time}. " + OPEN["en"],
            ),
            "es": Text(
                "Recordatorio de cita",
                "Recordatorio de cita",
                "Tiene una cita el {date} a las {time}. " + OPEN["es"],
            ),
        },
    ),
    # To a caregiver with the appointments scope: names the person (a first name), never the visit.
    "caregiver_reminder": Template(
        required=("name",),
        optional=("ref", "date", "time", "starts_at", "zone", "confirm_url", "cancel_url"),
        link_params=("confirm_url", "cancel_url"),
        links=VISIT_LINKS,
        texts={
            "en": Text("Appointment reminder", "Appointment reminder",
                       "{name} has an upcoming appointment. " + OPEN["en"]),
            "es": Text("Recordatorio de cita", "Recordatorio de cita",
                       "{name} tiene una cita próximamente. " + OPEN["es"]),
        },
        detail_params=("date", "time"),
        detailed={
            "en": Text("Appointment reminder", "Appointment reminder",
                       "{name} has an appointment on {date} at {time}. " + OPEN["en"]),
            "es": Text("Recordatorio de cita", "Recordatorio de cita",
                       "{name} tiene una cita el {date} a las {time}. " + OPEN["es"]),
        },
    ),
    "new_message": Template(
        texts={
            "en": Text(
                "New message from your care team",
                "New message from your care team",
                "You have a new message from your care team. Open Hearth to read it.",
            ),
            "es": Text(
                "Nuevo mensaje de su equipo de atención",
                "Nuevo mensaje de su equipo de atención",
                "Tiene un nuevo mensaje de su equipo de atención. Abra Hearth para leerlo.",
            ),
        },
    ),
    "result_available": Template(
        texts={
            "en": Text(
                "New information in Hearth",
                "New information in Hearth",
                "New information is available in your Hearth account. " + OPEN["en"],
            ),
            "es": Text(
                "Nueva información en Hearth",
                "Nueva información en Hearth",
                "Hay nueva información disponible en su cuenta de Hearth. " + OPEN["es"],
            ),
        },
    ),
    "bill_ready": Template(
        texts={
            "en": Text(
                "You have a new statement",
                "New statement",
                "A new statement is available in Hearth. " + OPEN["en"],
            ),
            "es": Text(
                "Tiene un nuevo estado de cuenta",
                "Nuevo estado de cuenta",
                "Hay un nuevo estado de cuenta disponible en Hearth. " + OPEN["es"],
            ),
        },
    ),
    "waitlist_offer": Template(
        texts={
            "en": Text(
                "An earlier appointment is available",
                "Earlier appointment available",
                "An earlier appointment time is available. Open Hearth soon to claim it.",
            ),
            "es": Text(
                "Hay una cita más pronto disponible",
                "Cita más pronto disponible",
                "Hay un horario de cita más pronto disponible. Abra Hearth pronto para reservarlo.",
            ),
        },
    ),
    # Refill requests (hearth.services.medications): never the medication, the note or the decision's reason.
    "refill_update": Template(
        texts={
            "en": Text(
                "Update on your refill request",
                "Refill request update",
                "There is an update on your refill request. " + OPEN["en"],
            ),
            "es": Text(
                "Novedades sobre su pedido de resurtido",
                "Novedades sobre su resurtido",
                "Hay novedades sobre su pedido de resurtido. " + OPEN["es"],
            ),
        },
    ),
    "refill_due": Template(
        optional=("ref", "url"),
        link_params=("url",),
        links={"en": "Ask for a refill: {url}", "es": "Pida un resurtido: {url}"},
        texts={
            "en": Text(
                "Time to ask for a refill",
                "Time to ask for a refill",
                "One of your medicines will run out in about a week. You can ask for a refill in Hearth.",
            ),
            "es": Text(
                "Es hora de pedir un resurtido",
                "Es hora de pedir un resurtido",
                "Uno de sus medicamentos se acabará en una semana más o menos. Puede pedir un resurtido en Hearth.",
            ),
        },
    ),
    # The practice cancelled a visit (the provider took the time off): date and time only, never why.
    "appointment_cancelled": Template(
        optional=("ref", "date", "time", "starts_at", "zone", "phone"),
        link_params=("phone",),
        links=CALL_US,
        texts={
            "en": Text(
                "Appointment cancelled",
                "Appointment cancelled",
                "Your upcoming appointment was cancelled by the practice. Open Hearth to book a new time, "
                "or call us.",
            ),
            "es": Text(
                "Cita cancelada",
                "Cita cancelada",
                "El consultorio canceló su próxima cita. Abra Hearth para reservar otro horario, o llámenos.",
            ),
        },
        detail_params=("date", "time"),
        detailed={
            "en": Text(
                "Appointment cancelled",
                "Appointment cancelled",
                "Your appointment on {date} at {time} was cancelled by the practice. Open Hearth to book a "
                "new time, or call us.",
            ),
            "es": Text(
                "Cita cancelada",
                "Cita cancelada",
                "El consultorio canceló su cita del {date} a las {time}. Abra Hearth para reservar otro "
                "horario, o llámenos.",
            ),
        },
    ),
    # Confirmations of what the patient (or her caregiver) just did: the date and time only, never the visit.
    "appointment_booked": Template(
        optional=("ref", "date", "time", "starts_at", "zone"),
        texts={
            "en": Text("Appointment booked", "Appointment booked", "Your appointment is booked. " + OPEN["en"]),
            "es": Text("Cita reservada", "Cita reservada", "Su cita está reservada. " + OPEN["es"]),
        },
        detail_params=("date", "time"),
        detailed={
            "en": Text("Appointment booked", "Appointment booked",
                       "Your appointment on {date} at {time} is booked. " + OPEN["en"]),
            "es": Text("Cita reservada", "Cita reservada",
                       "Su cita del {date} a las {time} está reservada. " + OPEN["es"]),
        },
    ),
    "appointment_moved": Template(
        optional=("ref", "date", "time", "starts_at", "zone"),
        texts={
            "en": Text("Appointment moved", "Appointment moved", "Your appointment was moved. " + OPEN["en"]),
            "es": Text("Cita cambiada", "Cita cambiada", "Su cita cambió de horario. " + OPEN["es"]),
        },
        detail_params=("date", "time"),
        detailed={
            "en": Text("Appointment moved", "Appointment moved",
                       "Your appointment is now on {date} at {time}. " + OPEN["en"]),
            "es": Text("Cita cambiada", "Cita cambiada",
                       "Su cita ahora es el {date} a las {time}. " + OPEN["es"]),
        },
    ),
    "appointment_cancel_done": Template(
        optional=("ref", "date", "time", "starts_at", "zone", "phone"),
        link_params=("phone",),
        links=CALL_US,
        texts={
            "en": Text("Appointment cancelled", "Appointment cancelled",
                       "Your appointment is cancelled. Open Hearth to book a new time."),
            "es": Text("Cita cancelada", "Cita cancelada",
                       "Su cita está cancelada. Abra Hearth para reservar otro horario."),
        },
        detail_params=("date", "time"),
        detailed={
            "en": Text("Appointment cancelled", "Appointment cancelled",
                       "Your appointment on {date} at {time} is cancelled. Open Hearth to book a new time."),
            "es": Text("Cita cancelada", "Cita cancelada",
                       "Su cita del {date} a las {time} está cancelada. Abra Hearth para reservar otro horario."),
        },
    ),
}


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
