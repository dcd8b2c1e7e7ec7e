"""Messages, results and refills: each says only that something is waiting (no subject, test or drug)."""

from __future__ import annotations

from hearth.notify.template_base import OPEN, Template, Text

TEMPLATES: dict[str, Template] = {
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
}
