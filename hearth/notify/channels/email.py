"""Email over SMTP (smtplib): multipart text + HTML in the recipient's language.

Settings come in as a mapping (the MAIL_* keys of hearth.config), so no Flask import is needed.
One SMTP connection serves a whole batch.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from hearth.clock import utcnow
from hearth.notify import unsubscribe
from hearth.notify.channels import Result
from hearth.notify.templates import Rendered, with_footer


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int = 25
    username: str = ""
    password: str = ""
    use_tls: bool = False
    sender: str = "Hearth <no-reply@hearth.localhost>"
    timeout: float = 30.0
    base_url: str = ""  # BASE_URL and SECRET_KEY sign the one-click unsubscribe links (hearth.notify.unsubscribe)
    secret: str = field(default="", repr=False)


@dataclass(frozen=True)
class Email:
    to: str
    rendered: Rendered
    unsubscribe_url: str | None = None  # notification mail only; never account or security mail


class EmailChannel:
    name = "email"

    def __init__(self, settings: MailSettings):
        self.settings = settings

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> EmailChannel | None:
        """The channel for MAIL_HOST/PORT/USERNAME/PASSWORD/USE_TLS/FROM; None (off) without a host."""
        host = settings.get("MAIL_HOST") or ""
        if not host:
            return None
        return cls(
            MailSettings(
                host=host,
                port=int(settings.get("MAIL_PORT") or 25),
                username=settings.get("MAIL_USERNAME") or "",
                password=settings.get("MAIL_PASSWORD") or "",
                use_tls=bool(settings.get("MAIL_USE_TLS")),
                sender=settings.get("MAIL_FROM") or MailSettings.sender,
                timeout=float(settings.get("MAIL_TIMEOUT") or 30),
                base_url=settings.get("BASE_URL") or "",
                secret=settings.get("SECRET_KEY") or "",
            )
        )

    def unsubscribe_url(self, row) -> str | None:
        return unsubscribe.url_for_row(row, self.settings.secret, self.settings.base_url)

    def build(self, email: Email) -> EmailMessage:
        """The MIME message: a text part and an HTML alternative; notification mail adds RFC 8058 one-click
        unsubscribe headers and a worded link at the foot of the HTML part."""
        msg = EmailMessage()
        domain = parseaddr(self.settings.sender)[1].rpartition("@")[2] or "hearth.localhost"
        msg["Subject"] = email.rendered.subject
        msg["From"] = self.settings.sender
        msg["To"] = email.to
        msg["Date"] = format_datetime(utcnow())
        msg["Message-ID"] = make_msgid(domain=domain)
        msg["Auto-Submitted"] = "auto-generated"
        html = email.rendered.html
        if email.unsubscribe_url:
            msg["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            html = with_footer(html, email.unsubscribe_url, email.rendered.locale)
        msg.set_content(email.rendered.body)
        msg.add_alternative(html, subtype="html")
        msg["Content-Language"] = email.rendered.locale  # after the body: set_content drops Content-* headers
        return msg

    def send_many(self, emails: Sequence[Email], *, before: Callable[[int], bool] | None = None,
                  after: Callable[[int, Result], None] | None = None) -> list[Result | None]:
        """Send each email over one connection; one Result per email, in order.

        `before(i)` is asked right before email i goes out (False: it is skipped and its Result is
        None); `after(i, result)` hears each result as soon as it is known.
        """
        if not emails:
            return []
        results: list[Result | None] = []

        def record(result: Result | None) -> None:
            if result is not None and after is not None:
                after(len(results), result)
            results.append(result)

        try:
            smtp = self._connect()
        except (smtplib.SMTPException, OSError) as exc:
            for _ in emails:
                record(Result.transient(f"smtp connect: {exc}"))
            return results
        try:
            for i, email in enumerate(emails):
                if before is not None and not before(i):
                    record(None)
                    continue
                try:
                    record(self._send_one(smtp, email))
                except (smtplib.SMTPServerDisconnected, OSError) as exc:
                    # The connection is gone: this and the rest go round again later.
                    for _ in emails[i:]:
                        record(Result.transient(f"smtp: {exc}"))
                    return results
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
        return results

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            if s.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _send_one(self, smtp: smtplib.SMTP, email: Email) -> Result:
        msg = self.build(email)
        try:
            refused = smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reason = next(iter(exc.recipients.values()))
            return _by_code(code, f"recipient refused: {code} {_text(reason)}")
        except smtplib.SMTPResponseException as exc:
            _reset(smtp)
            return _by_code(exc.smtp_code, f"smtp {exc.smtp_code} {_text(exc.smtp_error)}")
        if refused:
            code, reason = next(iter(refused.values()))
            return _by_code(code, f"recipient refused: {code} {_text(reason)}")
        return Result.sent(msg["Message-ID"])

    def close(self) -> None:
        """Nothing held between batches."""


def _by_code(code: int, error: str) -> Result:
    """SMTP 5xx is final for this address; 4xx (and anything odd) is worth another try."""
    return Result.permanent(error) if 500 <= code < 600 else Result.transient(error)


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _reset(smtp: smtplib.SMTP) -> None:
    with contextlib.suppress(smtplib.SMTPException):
        smtp.rset()
