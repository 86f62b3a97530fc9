"""Redirects, followed by hand so that their limits hold.

httpx would follow them itself; we do not let it (``follow_redirects=False``) so that the hop
limit and the allowed hosts (start host, dw.com and its subdomains, configured extras) are
enforced, loops are caught on the first repeat, and every hop goes through robots.txt and
the per-host politeness slot like any other request.

Origins are compared by scheme, host and port. A redirect that leaves the origins the
operator named (the starting URL's, ``FetchSettings.allowed_origins``) may not lead into
loopback, link-local or private address ranges: a public page must not be able to steer the
crawler at a service on the crawling machine or its network (SSRF). The check reads the
resolved addresses before any connection is made.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

from scraper.fetching.result import Exchange
from scraper.fetching.settings import FetchSettings
from scraper.fetching.statuses import REDIRECT_STATUSES
from scraper.outcomes import FetchOutcome
from scraper.urls import is_dw_host, strip_userinfo

#: Resolves a host and port to its IP addresses (the event loop's getaddrinfo by default).
Resolver = Callable[[str, int], Awaitable[list[str]]]
_DEFAULT_PORTS = {"http": 80, "https": 443}


class Origin(NamedTuple):
    scheme: str
    host: str
    port: int


def is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) of an http(s) URL, the default port filled in; None if none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    return Origin(scheme, host, port or _DEFAULT_PORTS[scheme])


def is_internal_address(address: str) -> bool:
    """Whether ``address`` is loopback, link-local, private or otherwise not a public
    unicast address (IPv4-mapped IPv6 addresses are judged by their IPv4 address)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True  # not an address we can judge: not one we may go to
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


async def resolve_host(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (no connection is made)."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    return [str(info[4][0]) for info in infos]


class RedirectChain:
    """The hops of one fetch, starting at ``url``."""

    def __init__(self, url: str, settings: FetchSettings, resolve: Resolver = resolve_host) -> None:
        self.start_host = (urlsplit(url).hostname or "").lower()
        self.settings = settings
        self.seen = {url}
        self._resolve = resolve
        named = (origin_of(o) for o in (url, *settings.allowed_origins))
        self.named_origins = {origin for origin in named if origin is not None}

    def host_allowed(self, host: str) -> bool:
        host = host.lower()
        if host == self.start_host or host in (h.lower() for h in self.settings.allowed_hosts):
            return True
        return self.settings.allow_dw_hosts and is_dw_host(host)

    def follow(self, current: str, ex: Exchange) -> str | None:
        """The URL to go to next when ``ex`` (the answer for ``current``) is a redirect; None
        when it is not one. A redirect that may not be followed sets ``ex.outcome`` and
        ``ex.error`` (and returns None). `refuse_internal` must still pass the target."""
        location = ex.headers.get("location")
        if ex.status not in REDIRECT_STATUSES or not location:
            return None
        target = strip_userinfo(urljoin(current, location.strip()))
        if not is_http_url(target):
            ex.outcome, ex.error = FetchOutcome.HTTP_ERROR, f"bad redirect target {location!r}"
            return None
        if not self.host_allowed(urlsplit(target).hostname or ""):
            ex.url = target
            ex.outcome, ex.error = FetchOutcome.REDIRECT_OFFSITE, f"redirect to off-site {target}"
            return None
        if target in self.seen:
            ex.outcome, ex.error = FetchOutcome.HTTP_ERROR, f"redirect loop at {target}"
            return None
        self.seen.add(target)
        return target

    async def refuse_internal(self, target: str, ex: Exchange) -> bool:
        """Refuse (True, with ``ex.outcome`` and ``ex.error`` set) a redirect to ``target``
        outside the named origins whose host is or resolves to an internal address. A host
        that does not resolve is let through: connecting to it fails the same way."""
        origin = origin_of(target)
        if origin is None or origin in self.named_origins:
            return False
        try:
            addresses = [str(ipaddress.ip_address(origin.host.strip("[]")))]
        except ValueError:
            try:
                addresses = await self._resolve(origin.host, origin.port)
            except OSError:
                return False
        internal = next((a for a in addresses if is_internal_address(a)), None)
        if internal is None:
            return False
        ex.url = target
        ex.outcome = FetchOutcome.REDIRECT_OFFSITE
        ex.error = (
            f"redirect to {origin.scheme}://{origin.host}:{origin.port} refused: "
            f"{internal} is a loopback, link-local or private address"
        )
        return True
