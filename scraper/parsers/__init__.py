"""Page parsers. `parse_page` decodes the page, builds the lxml tree once and hands it to the
DW parser, which picks the layout from the markup.

Contract: the result is an `Article` or a `ParseError` subclass is raised — nothing else. Any
unexpected exception inside a parser (a bug, or input lxml/json choke on) is wrapped as
`MalformedPageError` with ``raise … from exc`` so callers never see lxml/bs4/json internals.
"""

from __future__ import annotations

import datetime as dt

import structlog

from scraper.article import Article
from scraper.errors import MalformedPageError, ParseError
from scraper.parsers.base import load_tree

log = structlog.get_logger(__name__)


def parse_page(
    html: bytes | str, url: str | None = None, fetched_at: dt.datetime | None = None
) -> Article:
    """Parse a DW page (bytes or str, plus the URL it came from) into an `Article`.

    ``fetched_at`` is the reference time for a relative visible date ("2 hours ago") when the
    page embeds no date; without it such a date is null plus a warning.
    """
    from scraper.parsers.dw import parse_dw

    url = url.strip() if isinstance(url, str) and url.strip() else None
    try:
        if not isinstance(html, bytes | str):
            raise MalformedPageError(f"expected bytes or str, got {type(html).__name__}", url=url)
        root = load_tree(html, url=url)
        article = parse_dw(root, url=url, fetched_at=fetched_at, ids_indexed=True)
    except ParseError:
        raise
    except RecursionError as exc:
        raise MalformedPageError("page nested too deeply to parse", url=url) from exc
    except Exception as exc:  # the contract: nothing but ParseError escapes
        log.error("parse.crash", url=url, error=repr(exc))
        raise MalformedPageError(
            f"page could not be parsed: {type(exc).__name__}: {exc}", url=url
        ) from exc
    return article


__all__ = ["parse_page"]
