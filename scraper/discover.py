"""Finding article URLs: DW's RSS/RDF/Atom feeds and (news) sitemaps, and short links.

Everything goes through a `Fetcher` (politeness, robots.txt, retries) and a `Site`, which maps
DW's addresses onto another base URL: the live site and the local fake site
(`scraper.testsite`) take the same code path, only ``Site(base)`` differs.

XML from the network is parsed with defusedxml: a document that declares entities (billion
laughs) or external references (XXE) is refused, never expanded or fetched. Gzipped sitemaps
are inflated under the fetcher's size cap.

Found URLs are normalised (tracking queries stripped, canonical form), filtered to content
pages (``a-``, ``video-``, ``av-``, ``g-``, ``live-``, …) of the wanted languages, de-duplicated
(keeping the newest date) and, with ``since``, limited to entries dated at or after it
(undated entries are kept: only a fetch can tell, and conditional GET makes that cheap).
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
import structlog
from defusedxml import DefusedXmlException

from scraper import dates
from scraper.urls import (
    DW_HOST,
    canonicalize,
    is_content_url,
    is_dw_host,
    language_from_url,
    short_link,
    short_link_code,
)

if TYPE_CHECKING:
    from scraper.fetching import Fetcher

log = structlog.get_logger(__name__)

RSS_HOST = "rss.dw.com"
#: Sitemaps followed per discovery run at most (an index can list thousands).
MAX_SITEMAPS = 200
_CODE = re.compile(r"^[A-Za-z0-9]{3,12}$")


@dataclass(frozen=True)
class DiscoveredUrl:
    """A content URL found in a feed or sitemap: canonical DW form, its date (UTC) if the
    source gave one, and the source kind (``rss``, ``rdf``, ``atom``, ``sitemap``)."""

    url: str
    lastmod: dt.datetime | None
    source: str


class Site:
    """Where DW lives: ``Site()`` is dw.com itself; ``Site("http://127.0.0.1:8765")`` maps
    ``www.dw.com``, ``rss.dw.com``, ``p.dw.com`` (and bare ``dw.com``) onto that base URL,
    keeping paths and queries (DW's hosts use disjoint paths: ``/{lang}/…``, ``/xml/…``,
    ``/rdf/…``, ``/p/…``). `unmap` turns fetched URLs back into DW's."""

    def __init__(self, base: str | None = None) -> None:
        self.base = base.rstrip("/") if base else None
        if self.base:
            parts = urlsplit(self.base)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
                from scraper.errors import ConfigError

                raise ConfigError(
                    f"--site must be an http(s) origin like http://127.0.0.1:8765, got {base!r}"
                )

    @property
    def is_live(self) -> bool:
        return self.base is None

    def map(self, url: str) -> str:
        """The address to fetch for a DW URL."""
        if not self.base:
            return url
        parts = urlsplit(url)
        if not is_dw_host(parts.hostname):
            return url
        base = urlsplit(self.base)
        return urlunsplit((base.scheme, base.netloc, parts.path or "/", parts.query, ""))

    def unmap(self, url: str) -> str:
        """The DW URL for a fetched address (inverse of `map` for pages)."""
        if not self.base or not url.startswith(self.base):
            return url
        parts = urlsplit(url)
        host = DW_HOST
        if parts.path.startswith("/p/"):
            host = "p.dw.com"
        elif parts.path.startswith(("/xml/", "/rdf/", "/atom/")):
            host = RSS_HOST
        return urlunsplit(("https", host, parts.path, parts.query, ""))

    def feed_url(self, lang: str, kind: str = "rss") -> str:
        """DW's all-news feed for a language: ``rss`` (RSS 2.0) or ``rdf`` (RSS 1.0)."""
        folder = "rdf" if kind == "rdf" else "xml"
        return self.map(f"https://{RSS_HOST}/{folder}/rss-{lang}-all")

    def sitemap_urls(self, lang: str) -> list[str]:
        return [
            self.map(f"https://{DW_HOST}/{lang}/article-sitemap.xml"),
            self.map(f"https://{DW_HOST}/{lang}/news-sitemap.xml"),
        ]

    def robots_root(self) -> str:
        return self.map(f"https://{DW_HOST}/")


# --------------------------------------------------------------------------- safe XML


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_xml(
    data: bytes, *, source: str = "", max_bytes: int = 50 * 1024 * 1024
) -> Element | None:
    """The document's root element, or None (logged) for unsafe, malformed or oversized XML.
    Gzipped input (sitemaps ``*.xml.gz``) is inflated to at most ``max_bytes``."""
    if data[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            data = inflater.decompress(data, max_bytes + 1)
        except zlib.error as exc:
            log.warning("discover.bad_xml", source=source, error=f"gzip: {exc}")
            return None
        if len(data) > max_bytes or inflater.unconsumed_tail:
            log.warning("discover.bad_xml", source=source, error="gzip body over the cap")
            return None
    try:
        root: Element = SafeET.fromstring(
            data, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        log.warning("discover.unsafe_xml", source=source, error=repr(exc))
        return None
    except (ParseError, ValueError) as exc:
        log.warning("discover.bad_xml", source=source, error=str(exc))
        return None
    return root


def parse_date(value: str | None) -> dt.datetime | None:
    """A feed or sitemap date as an aware UTC datetime: RFC 822 (RSS ``pubDate``) or ISO 8601
    (``dc:date``, Atom, sitemaps, also date-only). None when absent or unparseable."""
    return dates.parse_any(value)


def _text(el: Element, name: str) -> str | None:
    for child in el:
        if _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def parse_feed(data: bytes, *, source: str = "") -> list[tuple[str, dt.datetime | None, str]]:
    """(link, date, kind) for each item of an RSS 2.0, RSS 1.0 (RDF) or Atom feed."""
    root = parse_xml(data, source=source)
    if root is None:
        return []
    kind = {"rss": "rss", "RDF": "rdf", "feed": "atom"}.get(_local(root.tag))
    if kind is None:
        log.warning("discover.not_a_feed", source=source, root=_local(root.tag))
        return []
    found = []
    for el in root.iter():
        name = _local(el.tag)
        if name not in ("item", "entry"):
            continue
        if kind == "atom":
            link = None
            for child in el:
                if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate":
                    link = child.get("href")
                    break
            dates = [parse_date(_text(el, "updated")), parse_date(_text(el, "published"))]
        else:
            link = _text(el, "link") or _text(el, "guid")
            dates = [parse_date(_text(el, "pubDate")), parse_date(_text(el, "date"))]
        if not link:
            continue
        known = [d for d in dates if d is not None]
        found.append((link.strip(), max(known) if known else None, kind))
    return found


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: ``index`` (entries are sitemaps) or ``urlset`` (entries are pages)."""

    kind: str
    entries: list[tuple[str, dt.datetime | None]]


def parse_sitemap(data: bytes, *, source: str = "") -> Sitemap | None:
    """Sitemap index or urlset; a page's date is the later of ``lastmod`` and the news
    sitemap's ``news:publication_date``."""
    root = parse_xml(data, source=source)
    if root is None:
        return None
    kind = {"sitemapindex": "index", "urlset": "urlset"}.get(_local(root.tag))
    if kind is None:
        log.warning("discover.not_a_sitemap", source=source, root=_local(root.tag))
        return None
    entries = []
    for el in root:
        if _local(el.tag) not in ("sitemap", "url"):
            continue
        loc = _text(el, "loc")
        if not loc:
            continue
        dates = [parse_date(_text(el, "lastmod"))]
        for child in el.iter():
            if _local(child.tag) == "publication_date":
                dates.append(parse_date(child.text))
        known = [d for d in dates if d is not None]
        entries.append((loc, max(known) if known else None))
    return Sitemap(kind, entries)


# --------------------------------------------------------------------------- discovery


class _Collector:
    """Normalises, filters and de-duplicates found URLs."""

    def __init__(self, site: Site, langs: Sequence[str] | None, since: dt.datetime | None):
        self.site = site
        self.langs = {lang.lower() for lang in langs} if langs else None
        self.since = since
        self.found: dict[str, DiscoveredUrl] = {}

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
        oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
        return sorted(self.found.values(), key=lambda d: (d.lastmod or oldest, d.url), reverse=True)


async def fetch_feed(
    fetcher: Fetcher,
    url: str,
    *,
    site: Site | None = None,
    langs: Sequence[str] | None = None,
    since: dt.datetime | None = None,
) -> list[DiscoveredUrl]:
    """Content URLs of one feed (``url`` is fetched as given: map it first)."""
    collector = _Collector(site or Site(), langs, since)
    await _feed(fetcher, url, collector)
    return collector.result()


async def _feed(fetcher: Fetcher, url: str, collector: _Collector) -> None:
    result = await fetcher.fetch(url, expect="xml")
    if not result.ok or result.body is None:
        log.warning(
            "discover.feed_failed", url=url, outcome=str(result.outcome), error=result.error
        )
        return
    items = parse_feed(result.body, source=url)
    for link, date, kind in items:
        collector.add(link, date, kind)
    log.info("discover.feed", url=url, items=len(items))


async def fetch_sitemaps(
    fetcher: Fetcher,
    urls: Iterable[str],
    *,
    site: Site | None = None,
    langs: Sequence[str] | None = None,
    since: dt.datetime | None = None,
    max_sitemaps: int = MAX_SITEMAPS,
) -> list[DiscoveredUrl]:
    """Content URLs from sitemaps and sitemap indexes (followed breadth-first; children of an
    index older than ``since`` or in other languages are skipped)."""
    collector = _Collector(site or Site(), langs, since)
    await _sitemaps(fetcher, list(urls), collector, max_sitemaps)
    return collector.result()


async def _sitemaps(
    fetcher: Fetcher, queue: list[str], collector: _Collector, max_sitemaps: int
) -> None:
    seen: set[str] = set()
    while queue and len(seen) < max_sitemaps:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        result = await fetcher.fetch(url, expect="xml")
        if not result.ok or result.body is None:
            log.warning(
                "discover.sitemap_failed", url=url, outcome=str(result.outcome), error=result.error
            )
            continue
        sitemap = parse_sitemap(result.body, source=url)
        if sitemap is None:
            continue
        if sitemap.kind == "index":
            for loc, lastmod in sitemap.entries:
                if collector.since and lastmod and lastmod < collector.since:
                    continue
                lang = language_from_url(loc)
                if collector.langs is not None and lang is not None and lang not in collector.langs:
                    continue
                queue.append(collector.site.map(loc))
        else:
            for loc, lastmod in sitemap.entries:
                collector.add(loc, lastmod, "sitemap")
        log.info("discover.sitemap", url=url, kind=sitemap.kind, entries=len(sitemap.entries))
    if queue:
        log.warning("discover.sitemap_limit", skipped=len(queue), limit=max_sitemaps)


async def discover(
    fetcher: Fetcher,
    *,
    langs: Sequence[str],
    sources: Sequence[str] = ("rss", "sitemap"),
    since: dt.datetime | None = None,
    site: Site | None = None,
) -> list[DiscoveredUrl]:
    """Content URLs of the given languages from DW's feeds (``rss``, ``rdf``) and sitemaps
    (``sitemap``: robots.txt's Sitemap lines plus ``/{lang}/article-sitemap.xml`` and
    ``/{lang}/news-sitemap.xml``), newest first. Never raises on bad feeds: they are logged."""
    site = site or Site()
    unknown = set(sources) - {"rss", "rdf", "sitemap"}
    if unknown:
        from scraper.errors import ConfigError

        raise ConfigError(f"unknown discovery source(s): {', '.join(sorted(unknown))}")
    collector = _Collector(site, langs, since)
    for lang in langs:
        for kind in ("rss", "rdf"):
            if kind in sources:
                await _feed(fetcher, site.feed_url(lang, kind), collector)
    if "sitemap" in sources:
        roots = [site.map(u) for u in await fetcher.robots_sitemaps(site.robots_root())]
        for lang in langs:
            roots.extend(site.sitemap_urls(lang))
        await _sitemaps(fetcher, roots, collector, MAX_SITEMAPS)
    found = collector.result()
    log.info("discover.done", langs=list(langs), sources=list(sources), urls=len(found))
    return found


async def resolve_short_link(
    fetcher: Fetcher, link_or_code: str, *, site: Site | None = None
) -> str | None:
    """The canonical article URL a short link (``https://p.dw.com/p/4boRv`` or ``4boRv``)
    redirects to, or None when it does not lead to a page."""
    site = site or Site()
    code = short_link_code(site.unmap(link_or_code))
    if code is None and _CODE.match(link_or_code.strip()):
        code = link_or_code.strip()
    if code is None:
        return None
    result = await fetcher.fetch(site.map(short_link(code)))
    if not result.ok:
        log.info("discover.short_link_failed", code=code, outcome=str(result.outcome))
        return None
    return canonicalize(site.unmap(result.final_url))
