"""What discovery finds, and the one place found links are normalised, filtered and merged.

Found URLs are normalised (tracking queries stripped, canonical form), filtered to content
pages (``a-``, ``video-``, ``av-``, ``g-``, ``live-``, …) of the wanted languages, de-duplicated
(keeping the newest date) and, with ``since``, limited to entries dated at or after it
(undated entries are kept: only a fetch can tell, and conditional GET makes that cheap).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
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


class Collector:
    """Normalises, filters and de-duplicates found URLs."""

    def __init__(self, site: Site, langs: Sequence[str] | None, since: dt.datetime | None):
        self.site = site
        self.langs = {lang.lower() for lang in langs} if langs else None
        self.since = since
        self.found: dict[str, DiscoveredUrl] = {}

    def wants(self, lastmod: dt.datetime | None, lang: str | None) -> bool:
        """Whether an entry of this date and language may be kept (unknown passes)."""
        if self.since is not None and lastmod is not None and lastmod < self.since:
            return False
        return self.langs is None or lang is None or lang in self.langs

    def add(self, link: str, lastmod: dt.datetime | None, source: str) -> None:
        url = canonicalize(self.site.unmap(link))
        parts = urlsplit(url)
        if not is_dw_host(parts.hostname) or not is_content_url(url):
            return
        if self.langs is not None and language_from_url(url) not in self.langs:
            return
        if self.since is not None and lastmod is not None and lastmod < self.since:
            return
        known = self.found.get(url)
        if known is None or (lastmod and (known.lastmod is None or lastmod > known.lastmod)):
            self.found[url] = DiscoveredUrl(url, lastmod, known.source if known else source)

    def result(self) -> list[DiscoveredUrl]:
        """Everything kept, newest first."""
        oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
        return sorted(self.found.values(), key=lambda d: (d.lastmod or oldest, d.url), reverse=True)
