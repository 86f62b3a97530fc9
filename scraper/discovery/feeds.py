"""DW's news feeds: RSS 2.0, RSS 1.0 (RDF) and Atom, read into dated links."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple
from xml.etree.ElementTree import Element

import structlog

from scraper.dates import parse_any
from scraper.discovery.collect import Collector, DiscoveredUrl, UrlFilter
from scraper.discovery.safexml import child_text, local_name, parse_xml
from scraper.discovery.site import Site

if TYPE_CHECKING:
    from scraper.fetching import Fetcher

log = structlog.get_logger(__name__)

_FEED_KINDS = {"rss": "rss", "RDF": "rdf", "feed": "atom"}


class FeedItem(NamedTuple):
    """One item of a feed: its link, its date (the later of the dates given), the feed kind."""

    link: str
    date: dt.datetime | None
    kind: str


def _atom_link(entry: Element) -> str | None:
    for child in entry:
        if local_name(child.tag) == "link" and child.get("rel", "alternate") == "alternate":
            return child.get("href")
    return None


def _item(el: Element, kind: str) -> FeedItem | None:
    if kind == "atom":
        link = _atom_link(el)
        dates = [parse_any(child_text(el, "updated")), parse_any(child_text(el, "published"))]
    else:
        link = child_text(el, "link") or child_text(el, "guid")
        dates = [parse_any(child_text(el, "pubDate")), parse_any(child_text(el, "date"))]
    if not link:
        return None
    known = [d for d in dates if d is not None]
    return FeedItem(link.strip(), max(known) if known else None, kind)


def parse_feed(data: bytes, *, source: str = "") -> list[FeedItem]:
    """The items of an RSS 2.0, RSS 1.0 (RDF) or Atom feed; [] (logged) for anything else."""
    root = parse_xml(data, source=source)
    if root is None:
        return []
    kind = _FEED_KINDS.get(local_name(root.tag))
    if kind is None:
        log.warning("discover.not_a_feed", source=source, root=local_name(root.tag))
        return []
    return _items(root)


def _items(root: Element) -> list[FeedItem]:
    kind = _FEED_KINDS[local_name(root.tag)]
    items = (_item(el, kind) for el in root.iter() if local_name(el.tag) in ("item", "entry"))
    return [item for item in items if item is not None]


class FeedRead(NamedTuple):
    """One feed read: its kept URLs, or the reason it could not be read."""

    urls: list[DiscoveredUrl]
    error: str | None = None


async def read_feed(fetcher: Fetcher, url: str, keep: UrlFilter) -> FeedRead:
    """Fetch the feed at ``url`` (as given: map it first) and keep its content URLs; a feed that
    cannot be fetched or parsed is logged and reported as an error, never raised."""
    result = await fetcher.fetch(url, expect="xml")
    if not result.ok or result.body is None:
        log.warning(
            "discover.feed_failed", url=url, outcome=str(result.outcome), error=result.error
        )
        return FeedRead([], str(result.outcome))
    root = parse_xml(result.body, source=url)
    kind = _FEED_KINDS.get(local_name(root.tag)) if root is not None else None
    if root is None or kind is None:
        if root is not None:
            log.warning("discover.not_a_feed", source=url, root=local_name(root.tag))
        return FeedRead([], "bad_xml")
    items = _items(root)
    log.info("discover.feed", url=url, items=len(items))
    return FeedRead(keep.chunk(((i.link, i.date) for i in items), kind))


async def fetch_feed(
    fetcher: Fetcher,
    url: str,
    *,
    site: Site | None = None,
    langs: Sequence[str] | None = None,
    since: dt.datetime | None = None,
) -> list[DiscoveredUrl]:
    """Content URLs of one feed (``url`` is fetched as given: map it first)."""
    read = await read_feed(fetcher, url, UrlFilter(site or Site(), langs, since))
    collector = Collector()
    collector.add_all(read.urls)
    return collector.result()
