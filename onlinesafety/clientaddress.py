"""The client's address, the one place it is read (audit events, signatures).

Behind a proxy every request comes from the proxy, which passes the address it saw in ``X-Forwarded-For``
(appending to whatever the client sent). That header is believed only when the request comes from one of
``TRUSTED_PROXIES``, and then only its right-most address that is not itself a trusted proxy: anything to the
left of it was written by the client and could be anything."""

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _parse(value: str) -> Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_trusted(address: Address) -> bool:
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request: HttpRequest | None) -> str | None:
    """The address of the person's device: REMOTE_ADDR, or behind a trusted proxy what the proxies passed on."""
    if request is None:
        return None
    peer = _parse(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    if not _is_trusted(peer):
        return str(peer)
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            return str(peer)  # a proxy passed on something that is not an address: we know only the proxy
        if not _is_trusted(address):
            return str(address)
    return str(_parse(hops[0]) if hops else peer)  # every hop is one of our proxies: the first one is the client
