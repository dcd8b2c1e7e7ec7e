"""Financing providers Hearth knows, with the hosts a practice's link may point to.

A practice pastes the link its provider gave it (CareCredit's provider centre, Sunbit, Cherry); the
link is opaque (no amount or merchant parameter is documented), so Hearth only checks that it is
https on one of the provider's own hosts, and never adds anything to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from hearth.i18n import _l


@dataclass(frozen=True)
class FinancingProvider:
    key: str
    name: str
    hosts: frozenset[str]


PROVIDERS = {
    p.key: p
    for p in (
        FinancingProvider("carecredit", "CareCredit", frozenset({"www.carecredit.com", "carecredit.com"})),
        FinancingProvider("sunbit", "Sunbit", frozenset({"apply.sunbit.com"})),
        FinancingProvider("cherry", "Cherry", frozenset({"pay.withcherry.com"})),
    )
}


def provider_name(key: str) -> str:
    provider = PROVIDERS.get(key)
    return provider.name if provider else key


def link_error(provider_key: str, link: str) -> str | None:
    """Why `link` may not be used for `provider_key` (a sentence for the admin), or None when it is fine."""
    provider = PROVIDERS.get(provider_key)
    if provider is None:
        return str(_l("Choose a provider from the list."))
    try:
        parts = urlsplit(link.strip())
        port = parts.port
    except ValueError:
        parts, port = None, None
    hosts = ", ".join(sorted(provider.hosts))
    if parts is None or parts.scheme != "https" or not parts.hostname:
        return str(_l("Enter the full link, starting with https://."))
    if parts.username or parts.password or port not in (None, 443) or parts.hostname not in provider.hosts:
        return str(_l("This link is not on %(provider)s's website (%(hosts)s). Paste the link %(provider)s "
                      "gave your practice.", provider=provider.name, hosts=hosts))
    return None
