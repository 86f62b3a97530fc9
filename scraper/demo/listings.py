"""The demo site's feeds and sitemaps: items for their ``<!-- dwscrape:… -->`` markers, and
the feeds and sitemaps made from templates where the site ships no file.

A "dated page" is ``(path, datePublished or None)`` of a served page of one language.
"""

from __future__ import annotations

import contextlib
import email.utils
import html
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from scraper import dates
from scraper.demo.samples import Archive, Templates
from scraper.languages import BY_FEED_ID, BY_SEGMENT

DatedPage = tuple[str, str | None]

FEED_PATH = re.compile(r"^/?(?:xml|rdf)/(?P<id>[a-z0-9-]+)$")
_LANG_SITEMAP = re.compile(
    r"^/(?P<lang>[a-z]{2,3}(?:-[a-z0-9]{2,4})?)/"
    r"(?P<name>article-sitemap(?:-recent|-(?P<y>\d{4})-(?P<m>\d\d))?|news-sitemap)\.xml$"
)


def feed_items(pages: Sequence[DatedPage], text: str, lang: str) -> str:
    """RSS items for the pages the feed ``text`` does not list yet."""
    feed_id = BY_SEGMENT[lang].feed_id if lang in BY_SEGMENT else None
    tag = f"{lang}-{feed_id or 'rss'}-1573-rdf"
    items = []
    for path, date in pages:
        url = f"https://www.dw.com{path}"
        if url in text:
            continue
        pub = ""
        if date:
            with contextlib.suppress(ValueError):
                when = dates.parse_iso(date)
                pub = f"<pubDate>{email.utils.format_datetime(when)}</pubDate>"
        items.append(
            f"<item><title>{html.escape(path)}</title><link>{url}?maca={tag}</link>{pub}</item>"
        )
    return "\n".join(items)


def sitemap_urls(pages: Sequence[DatedPage], text: str) -> str:
    """Sitemap ``<url>`` entries for the pages the sitemap ``text`` does not list yet."""
    urls = []
    for path, date in pages:
        url = f"https://www.dw.com{path}"
        if url in text:
            continue
        lastmod = f"<lastmod>{date}</lastmod>" if date else ""
        urls.append(f"<url><loc>{url}</loc>{lastmod}</url>")
    return "\n".join(urls)


def news_urls(pages: Sequence[DatedPage], lang: str) -> str:
    """Google News sitemap entries for the dated pages."""
    urls = []
    for path, date in pages:
        if not date:
            continue
        urls.append(
            f"<url><loc>https://www.dw.com{path}</loc><news:news><news:publication>"
            f"<news:name>DW</news:name><news:language>{lang}</news:language>"
            f"</news:publication><news:publication_date>{date}</news:publication_date>"
            "</news:news></url>"
        )
    return "\n".join(urls)


def generated_xml(
    path: str, root: Path, templates: Templates, archives: Mapping[str, Archive]
) -> bytes | None:
    """A feed or sitemap made from a template: a table language's feed under its feed id, its
    sitemaps where ``root`` has no file, an archive's index and monthly sitemaps."""
    if not templates.folder.is_dir():
        return None
    feed = FEED_PATH.match(path)
    if feed and path.startswith("/xml/") and feed.group("id") in BY_FEED_ID:
        lang = BY_FEED_ID[feed.group("id")]
        if (root / path.lstrip("/")).is_file():
            return None
        return templates.fill("feed.xml", lang=lang.segment, name=lang.name).encode()
    match = _LANG_SITEMAP.match(path)
    if not match or match.group("lang") not in BY_SEGMENT:
        return None
    seg, name = match.group("lang"), match.group("name")
    archive = archives.get(seg)
    if match.group("y"):
        month = archive.month(int(match.group("y")), int(match.group("m"))) if archive else None
        return month.encode() if month is not None else None
    if name == "article-sitemap-recent":
        if archive is None:
            return None
        file = root / seg / "article-sitemap.xml"
        if file.is_file():
            return file.read_bytes()
        return templates.fill("article-sitemap.xml").encode()
    if name == "article-sitemap" and archive is not None:
        return archive.index().encode()
    if (root / seg / f"{name}.xml").is_file():
        return None
    return templates.fill(f"{name}.xml").encode()
