"""The layout parser base class and the per-field error policy.

A layout parser reads one DW layout era from a `Page`. Its `LayoutParser.parse` fills a
`RawArticle` field by field, each through `LayoutParser.field`: a field that fails (a bug, or
markup nobody foresaw) is logged as ``parse.field_error`` with its name, left empty and
noted in the article's warnings, and the rest of the article still comes out — the
fill-rate statistics notice the gap. Only the essentials fail a page, with a `ParseError`
subclass: no recognisable layout (`scraper.parsers.dw`), a page that is no article, or
neither title nor body.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar, TypeVar

import structlog

from scraper.errors import ParseError
from scraper.normalize.build import RawArticle
from scraper.normalize.text import clean_text
from scraper.parsers import fastpaths as fp
from scraper.parsers.common import canonical_or_none
from scraper.parsers.page import Page
from scraper.parsers.soft404 import names_content

log = structlog.get_logger(__name__)

T = TypeVar("T")


class LayoutParser:
    """One DW layout era. Subclasses set `LAYOUT`, implement `matches` (markup only, never
    the date or host), `parse` (fill a `RawArticle`;
    `scraper.normalize.build.build_article` turns it into an `Article`) and `named_urls`."""

    LAYOUT: ClassVar[str]

    def __init__(self, page: Page) -> None:
        self.page = page
        self.root = page.root
        self.url = page.url
        self.fetched_at = page.fetched_at
        #: Notes on this parse that end up in `Article.warnings`.
        self.warnings: list[str] = []

    @classmethod
    def matches(cls, page: Page) -> bool:
        raise NotImplementedError

    def parse(self) -> RawArticle:
        raise NotImplementedError

    def named_urls(self) -> list[Any]:
        """The URLs the layout's markup gives for its own page besides the canonical link
        (``og:url``, embedded data), most trusted first: raw values, any of them possibly
        missing or not a URL. Never the URL the page was fetched from."""
        raise NotImplementedError

    def canonical_links(self) -> list[str | None]:
        """The page's ``link[rel=canonical]`` hrefs, as written."""
        return [clean_text(str(href)) for href in fp.canonical_hrefs(self.root)]

    def canonical_url(self) -> str | None:
        """The first canonical link as written; else the first dw.com URL among the
        `named_urls` and then the URL the page was fetched from, canonicalised, on https."""
        for link in self.canonical_links():
            if link:
                return link
        for candidate in (*self.named_urls(), self.url):
            canon = canonical_or_none(candidate)
            if canon:
                return canon.replace("http://", "https://", 1)
        return None

    def names_own_content(self, ids: Iterable[Any]) -> bool:
        """`soft404.names_content` on what the markup itself names, the canonical links and
        the `named_urls` (never the URL it was fetched from), and the embedded ``ids``."""
        return names_content([*self.canonical_links(), *self.named_urls()], ids)

    def field(self, name: str, extract: Callable[[], T], empty: T) -> T:
        """``extract()``, or ``empty`` when it fails: the per-field error policy.

        `ParseError` still ends the parse (a field may find that the page is no article),
        and so do `RecursionError` (a page nested too deeply, reported as such by
        `scraper.parsers.parse_page`) and `MemoryError`."""
        try:
            return extract()
        except (ParseError, RecursionError, MemoryError):
            raise
        except Exception as exc:
            log.warning(
                "parse.field_error", field=name, url=self.url, layout=self.LAYOUT, error=repr(exc)
            )
            self.warnings.append(f"field error: {name} ({type(exc).__name__})")
            return empty

    def meta(self, key: str) -> str | None:
        """The page's ``<meta name|property=key>`` content (see `Page.meta`)."""
        return self.page.meta(key)
