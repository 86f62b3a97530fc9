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
from scraper.errors import MalformedPageError, PageLimitError, ParseError
from scraper.parsers.base import load_tree
from scraper.parsers.limits import PARSE_LIMITS, ParseLimits

log = structlog.get_logger(__name__)


def parse_page(
    html: bytes | str,
    url: str | None = None,
    fetched_at: dt.datetime | None = None,
    *,
    limits: ParseLimits = PARSE_LIMITS,
) -> Article:
    """Parse a DW page (bytes or str, plus the URL it came from) into an `Article`.

    ``fetched_at`` is the reference time for a relative visible date ("2 hours ago") when the
    page embeds no date; without it such a date is null plus a warning. A page over one of
    the ``limits`` raises `PageLimitError`.
    """
    from scraper.parsers.dw import parse_dw

    url = url.strip() if isinstance(url, str) and url.strip() else None
    try:
        if not isinstance(html, bytes | str):
            raise MalformedPageError(f"expected bytes or str, got {type(html).__name__}", url=url)
        _check_tags(html, limits, url)
        root = load_tree(html, url=url)
        article = parse_dw(root, url=url, fetched_at=fetched_at, ids_indexed=True)
        _check_article(article, limits, url)
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


def _check_tags(html: bytes | str, limits: ParseLimits, url: str | None) -> None:
    """Refuse a page with more tags than `ParseLimits.max_tags` before its tree is built. A page
    shorter than the cap cannot hold more tags than that, so the count (a pass over every byte,
    some 3 % of a parse) is only made for pages that could."""
    if len(html) <= limits.max_tags:
        return
    tags = html.count(b"<") if isinstance(html, bytes) else html.count("<")
    if tags > limits.max_tags:
        raise PageLimitError(f"page has {tags} tags, over the cap of {limits.max_tags}", url=url)


def _check_article(article: Article, limits: ParseLimits, url: str | None) -> None:
    if len(article.blocks) > limits.max_blocks:
        raise PageLimitError(
            f"article has {len(article.blocks)} blocks, over the cap of {limits.max_blocks}",
            url=url,
        )
    if len(article.text) > limits.max_text_chars:
        raise PageLimitError(
            f"article text has {len(article.text)} characters, over the cap of "
            f"{limits.max_text_chars}",
            url=url,
        )


__all__ = ["PARSE_LIMITS", "ParseLimits", "parse_page"]
