"""dwscrape: fetch, parse, normalise and store Deutsche Welle (dw.com) articles.

Public API:
    parse_page(html, url=None, fetched_at=None) -> Article
    Article (scraper.article), ParseError and friends (scraper.errors)
"""

from __future__ import annotations

import datetime as dt

from scraper.article import Article
from scraper.errors import DwscrapeError, ParseError
from scraper.logging import install_library_defaults
from scraper.version import __version__

install_library_defaults()


def parse_page(
    html: bytes | str, url: str | None = None, fetched_at: dt.datetime | None = None
) -> Article:
    """Parse a DW page (bytes or str) into an `Article`; raises a `ParseError` subclass."""
    from scraper.parsers import parse_page as _parse_page

    return _parse_page(html, url=url, fetched_at=fetched_at)


__all__ = ["Article", "DwscrapeError", "ParseError", "__version__", "parse_page"]
