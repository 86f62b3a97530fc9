"""Where DW lives: one mapping that lets the live site and a local copy share every code path."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from scraper.errors import ConfigError
from scraper.languages import BY_SEGMENT, RSS_HOST
from scraper.urls import DW_HOST, is_dw_host

__all__ = ["RSS_HOST", "Site"]


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

    def feed_url(self, lang: str, kind: str = "rss") -> str | None:
        """DW's all-news feed for a language from the language table (``rss``: RSS 2.0,
        ``rdf``: RSS 1.0), mapped; None when the table knows no feed id for it."""
        entry = BY_SEGMENT.get(lang.strip().lower())
        if entry is None or entry.feed_id is None:
            return None
        feed_id = entry.feed_id
        folder = "rdf" if kind == "rdf" else "xml"
        return self.map(f"https://{RSS_HOST}/{folder}/{feed_id}")

    def sitemap_urls(self, lang: str) -> list[str]:
        return [
            self.map(f"https://{DW_HOST}/{lang}/article-sitemap.xml"),
            self.map(f"https://{DW_HOST}/{lang}/news-sitemap.xml"),
        ]

    def robots_root(self) -> str:
        return self.map(f"https://{DW_HOST}/")
