"""The DW parser: picks the layout from the markup (never from the date or the host) and
returns the normalised `Article`.

Layouts are tried in `LAYOUTS` order; each class's `matches` looks only at the tree, so a DW
page saved to disk or served from a mirror parses the same as the live page.
"""

from __future__ import annotations

import datetime as dt

from scraper.article import Article
from scraper.errors import NotDWPageError
from scraper.normalize.build import build_article
from scraper.parsers.base import HtmlElement
from scraper.parsers.classic import ClassicParser
from scraper.parsers.layout import LayoutParser
from scraper.parsers.page import Page
from scraper.parsers.relaunch import RelaunchParser

#: Layout parsers, most recent first.
LAYOUTS: tuple[type[LayoutParser], ...] = (RelaunchParser, ClassicParser)


def detect_layout(page: Page) -> type[LayoutParser] | None:
    """The parser class whose markup markers the page carries, or None."""
    for layout in LAYOUTS:
        if layout.matches(page):
            return layout
    return None


def parse_dw(
    root: HtmlElement,
    url: str | None = None,
    fetched_at: dt.datetime | None = None,
    *,
    ids_indexed: bool = False,
) -> Article:
    """The `Article` of a parsed page. ``ids_indexed``: ``root`` comes straight from
    `scraper.parsers.base.load_tree`, unchanged, so libxml2's ID table indexes its ``id``
    attributes (see `scraper.parsers.page.Page`)."""
    page = Page(root, url, fetched_at, ids_indexed=ids_indexed)
    layout = detect_layout(page)
    if layout is None:
        raise NotDWPageError(
            "no DW layout recognised: looked for div#root with JSON-LD, Apollo state or "
            "data-tracking-name sections (relaunch) and for div#bodyContent with div.col3 or a "
            "dwInitialTrackingInfo/dwXT tracking object (classic)",
            url=url,
        )
    return build_article(layout(page).parse())
