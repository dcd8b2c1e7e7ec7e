"""Sign-in, account and invitation emails (kind "account": always email, never held by quiet hours)."""

from __future__ import annotations

from hearth.notify.template_base import Template, Text

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
}
