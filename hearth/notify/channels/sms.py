"""SMS through a Twilio-compatible HTTP API (requests): one POST per message."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from hearth.notify import gsm
from hearth.notify.channels import Result, parse_retry_after


@dataclass(frozen=True)
class SmsSettings:
    api_base: str
    account_sid: str
    auth_token: str
    sender: str
    timeout: float = 10.0


class SmsChannel:
    name = "sms"

    def __init__(self, settings: SmsSettings, session: requests.Session | None = None):
        self.settings = settings
        self.session = session or requests.Session()

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> SmsChannel | None:
        """The channel for SMS_API_BASE/ACCOUNT_SID/AUTH_TOKEN/FROM (settings, else the environment);
        None (off) unless all four are set."""
        values = {
            k: settings.get(k) or os.environ.get(k) or ""
            for k in ("SMS_API_BASE", "SMS_ACCOUNT_SID", "SMS_AUTH_TOKEN", "SMS_FROM")
        }
        if not all(values.values()):
            return None
        return cls(
            SmsSettings(
                api_base=values["SMS_API_BASE"].rstrip("/"),
                account_sid=values["SMS_ACCOUNT_SID"],
                auth_token=values["SMS_AUTH_TOKEN"],
                sender=values["SMS_FROM"],
                timeout=float(settings.get("SMS_TIMEOUT") or 10),
            )
        )

    @property
    def url(self) -> str:
        s = self.settings
        return f"{s.api_base}/2010-04-01/Accounts/{s.account_sid}/Messages.json"

    def send(self, to: str, body: str) -> Result:
        """Send one text (in GSM-7 where the words allow it, hearth.notify.gsm): 2xx sent, 429 and 5xx transient
        (Retry-After honoured), other 4xx permanent."""
        s = self.settings
        body = gsm.fit(body)
        try:
            resp = self.session.post(
                self.url,
                data={"To": to, "From": s.sender, "Body": body},
                auth=(s.account_sid, s.auth_token),
                timeout=s.timeout,
            )
        except requests.RequestException as exc:
            return Result.transient(f"sms request: {exc}")
        if 200 <= resp.status_code < 300:
            return Result.sent(_json(resp).get("sid"))
        detail = _json(resp)
        error = (
            f"sms {resp.status_code} {detail.get('code', '')} {detail.get('message', resp.reason)}".strip()
        )
        if resp.status_code == 429 or resp.status_code >= 500:
            return Result.transient(error, parse_retry_after(resp.headers.get("Retry-After")))
        return Result.permanent(error)

    def close(self) -> None:
        self.session.close()


def _json(resp: requests.Response) -> dict[str, Any]:
    try:
        data = resp.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
