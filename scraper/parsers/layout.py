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
from typing import ClassVar, TypeVar

import structlog

from scraper.errors import ParseError
from scraper.normalize.build import RawArticle
from scraper.parsers.page import Page

log = structlog.get_logger(__name__)

T = TypeVar("T")


class LayoutParser:
    """One DW layout era. Subclasses set `LAYOUT`, implement `matches` (markup only, never
    the date or host) and `parse` (fill a `RawArticle`;
    `scraper.normalize.build.build_article` turns it into an `Article`)."""

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
