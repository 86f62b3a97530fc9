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

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import structlog

from scraper.errors import ParseError
from scraper.normalize.build import RawArticle
from scraper.normalize.text import clean_text
from scraper.parsers import fastpaths as fp
from scraper.parsers.base import HtmlElement
from scraper.parsers.common import canonical_or_none
from scraper.parsers.page import Page
from scraper.parsers.soft404 import check_soft_404, names_content, page_titles

log = structlog.get_logger(__name__)

T = TypeVar("T")


class LayoutParser:
    """One DW layout era. Subclasses set `LAYOUT`, implement `matches` (markup only, never
    the date or host), `parse` (fill a `RawArticle`;
    `scraper.normalize.build.build_article` turns it into an `Article`), and give what the
    page names of itself (`named_urls`, `named_ids`) and its `heading`."""

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

    def named_ids(self) -> list[Any]:
        """The content ids the layout's embedded data gives for its own page: raw values."""
        raise NotImplementedError

    def heading(self) -> HtmlElement | None:
        """The page's ``h1``, where the layout puts it."""
        raise NotImplementedError

    def check_soft_404(self, *, has_body: bool) -> None:
        """`soft404.check_soft_404` on what the markup itself names (the canonical links, the
        `named_urls` and `named_ids`, never the URL the page was fetched from) and the titles
        it words. A page with a body is never one: nothing is looked up."""
        if has_body:
            return
        names = [*self.canonical_links(), *self.named_urls()]
        check_soft_404(
            names_own_content=names_content(names, self.named_ids()),
            has_body=has_body,
            titles=page_titles(self.page, self.heading()),
            url=self.url,
        )

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
