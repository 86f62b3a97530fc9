"""What discovery finds, and the one place found links are normalised, filtered and merged.

Found URLs are normalised (tracking queries stripped, canonical form), filtered to content
pages (``a-``, ``video-``, ``av-``, ``g-``, ``live-``, …) of the wanted languages (any segment
of DW's language table: ``pt-002``, ``zh-hant``, ``fa-ir``, …) and, with ``since``/``until``,
to entries dated in that range (undated entries are kept: only a fetch can tell, and
conditional GET makes that cheap). `UrlFilter` decides per link, so sources can hand their
links on in chunks; `Collector` merges chunks into one de-duplicated list (newest date kept)
for callers that want the whole result at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from scraper.discovery.site import Site
from scraper.urls import canonicalize, is_content_url, is_dw_host, language_from_url


@dataclass(frozen=True)
class DiscoveredUrl:
    """A content URL found in a feed or sitemap: canonical DW form, its date (UTC) if the
    source gave one, and the source kind (``rss``, ``rdf``, ``atom``, ``sitemap``)."""

    url: str
    lastmod: dt.datetime | None
    source: str


class UrlFilter:
    """Which found links are kept: content pages on DW's hosts, of the wanted languages, dated
    within ``since``/``until`` (or undated)."""

    def __init__(
        self,
        site: Site,
        langs: Sequence[str] | None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> None:
        self.site = site
        self.langs = {lang.lower() for lang in langs} if langs else None
        self.since = since
        self.until = until

    def in_range(self, lastmod: dt.datetime | None) -> bool:
        if lastmod is None:
            return True
        if self.since is not None and lastmod < self.since:
            return False
        return self.until is None or lastmod <= self.until

    def wants(self, lastmod: dt.datetime | None, lang: str | None) -> bool:
        """Whether an entry of this date and language may be kept (unknown passes)."""
        if not self.in_range(lastmod):
            return False
        return self.langs is None or lang is None or lang in self.langs

    def keep(self, link: str, lastmod: dt.datetime | None, source: str) -> DiscoveredUrl | None:
        """The link as a `DiscoveredUrl` when it is kept, else None."""
        url = canonicalize(self.site.unmap(link))
        if not is_dw_host(urlsplit(url).hostname) or not is_content_url(url):
            return None
        if self.langs is not None and language_from_url(url) not in self.langs:
            return None
        if not self.in_range(lastmod):
            return None
        return DiscoveredUrl(url, lastmod, source)

    def chunk(
        self, links: Iterable[tuple[str, dt.datetime | None]], source: str
    ) -> list[DiscoveredUrl]:
        """The kept links of one source, de-duplicated (newest date kept), in source order."""
        found: dict[str, DiscoveredUrl] = {}
        for link, lastmod in links:
            item = self.keep(link, lastmod, source)
            if item is not None:
                _merge(found, item)
        return list(found.values())


def _merge(found: dict[str, DiscoveredUrl], item: DiscoveredUrl) -> None:
    known = found.get(item.url)
    if known is None:
        found[item.url] = item
    elif item.lastmod and (known.lastmod is None or item.lastmod > known.lastmod):
        found[item.url] = DiscoveredUrl(item.url, item.lastmod, known.source)


class Collector:
    """Merges chunks of found URLs into one de-duplicated result: the first source to name a
    URL names it, the newest date wins."""

    def __init__(self) -> None:
        self.found: dict[str, DiscoveredUrl] = {}

    def add_all(self, items: Iterable[DiscoveredUrl]) -> None:
        for item in items:
            _merge(self.found, item)

    def result(self) -> list[DiscoveredUrl]:
        """Everything kept, newest first."""
        oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
        return sorted(self.found.values(), key=lambda d: (d.lastmod or oldest, d.url), reverse=True)
