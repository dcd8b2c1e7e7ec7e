"""Bills, payments and payment plans: amounts only, never what the care was."""

from __future__ import annotations

from hearth.notify.template_base import OPEN, Template, Text

TEMPLATES: dict[str, Template] = {
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
    # A payment was received (the receipt): the amount only, never what it was for.
    "payment_received": Template(
        required=("amount",),
        optional=("ref",),
        texts={
            "en": Text(
                "Payment received",
                "Payment received",
                "Payment received: {amount}. Thank you. Your receipt is in Hearth.",
            ),
            "es": Text(
                "Pago recibido",
                "Pago recibido",
                "Pago recibido: {amount}. Gracias. Su recibo está en Hearth.",
            ),
        },
    ),
    # A payment-plan charge is coming (the amount only), and a monthly charge that was declined.
    "plan_payment_soon": Template(
        required=("amount", "days"),
        optional=("ref",),
        texts={
            "en": Text(
                "Payment plan: next payment soon",
                "Next plan payment soon",
                "Your next payment plan payment of {amount} will be charged to your saved card in {days} days.",
            ),
            "es": Text(
                "Plan de pagos: próximo pago pronto",
                "Próximo pago del plan pronto",
                "El próximo pago de su plan, de {amount}, se cobrará a su tarjeta guardada en {days} días.",
            ),
        },
    ),
    "plan_payment_failed": Template(
        texts={
            "en": Text(
                "Payment plan: a payment did not go through",
                "Plan payment did not go through",
                "A payment plan payment did not go through. " + OPEN["en"],
            ),
            "es": Text(
                "Plan de pagos: un pago no se procesó",
                "Un pago del plan no se procesó",
                "Un pago de su plan de pagos no se procesó. " + OPEN["es"],
            ),
        },
    ),
}
