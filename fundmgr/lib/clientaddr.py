"""The client's address: the one function rate limits and login lock-outs key on.

Behind a TLS proxy every request arrives from the proxy. X-Forwarded-For names the
client, but anyone can send that header, so it is read only when the request came from
a proxy listed in settings.TRUSTED_PROXIES, and only as far back as the chain of trusted
proxies goes: the right-most address that is not a trusted proxy is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(entries: Iterable[str]) -> list[Network]:
    """'10.0.0.1', '10.0.0.0/8', '::1' -> networks; a bad entry raises ValueError."""
    return [ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip()]


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def from_forwarded(remote: str, forwarded_for: str, trusted: Sequence[Network]) -> str:
    """The client address of a request that came from `remote` with this X-Forwarded-For.

    `remote` itself unless it is a trusted proxy; then each hop from the right, skipping
    trusted proxies; a malformed hop stops the walk at the last proxy that vouched for it.
    """
    here = _address(remote)
    if here is None:
        return remote.strip()
    current = here
    hops = [h for h in forwarded_for.split(",") if h.strip()] if forwarded_for else []
    while any(current in net for net in trusted) and hops:
        hop = _address(hops.pop())
        if hop is None:
            break
        current = hop
    return str(current)


def client_address(request: Any, *args: Any, **kwargs: Any) -> str:
    """The request's client address (django-axes calls this too, AXES_CLIENT_IP_CALLABLE)."""
    from django.conf import settings

    meta = request.META
    return from_forwarded(
        str(meta.get("REMOTE_ADDR", "")),
        str(meta.get("HTTP_X_FORWARDED_FOR", "")),
        _trusted(tuple(settings.TRUSTED_PROXIES)),
    )


_cache: dict[tuple[str, ...], list[Network]] = {}


def _trusted(entries: tuple[str, ...]) -> list[Network]:
    if entries not in _cache:
        _cache[entries] = networks(entries)
    return _cache[entries]
