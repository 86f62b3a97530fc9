"""Redirects, followed by hand so that their limits hold.

httpx would follow them itself; we do not let it (``follow_redirects=False``) so that the hop
limit and the allowed hosts (start host, dw.com and its subdomains, configured extras) are
enforced, loops are caught on the first repeat, and every hop goes through robots.txt and
the per-host politeness slot like any other request.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from scraper.fetching.result import Exchange
from scraper.fetching.settings import FetchSettings
from scraper.fetching.statuses import REDIRECT_STATUSES
from scraper.outcomes import FetchOutcome
from scraper.urls import is_dw_host


def is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


class RedirectChain:
    """The hops of one fetch, starting at ``url``."""

    def __init__(self, url: str, settings: FetchSettings) -> None:
        self.start_host = (urlsplit(url).hostname or "").lower()
        self.settings = settings
        self.seen = {url}

    def host_allowed(self, host: str) -> bool:
        host = host.lower()
        if host == self.start_host or host in (h.lower() for h in self.settings.allowed_hosts):
            return True
        return self.settings.allow_dw_hosts and is_dw_host(host)

    def follow(self, current: str, ex: Exchange) -> str | None:
        """The URL to go to next when ``ex`` (the answer for ``current``) is a redirect; None
        when it is not one. A redirect that may not be followed sets ``ex.outcome`` and
        ``ex.error`` (and returns None)."""
        location = ex.headers.get("location")
        if ex.status not in REDIRECT_STATUSES or not location:
            return None
        target = urljoin(current, location.strip())
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
