"""The shapes of notification texts and the phrases several of them share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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
