"""`dwscrape parse`: one page from a file, stdin or a URL, printed as a record; stores nothing."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import click
import structlog

from scraper import parse_page
from scraper.article import Article
from scraper.cli.common import CliError, common_options, format_option, setup, site_option
from scraper.errors import ParseError
from scraper.output import to_json
from scraper.render import article_to_text

log = structlog.get_logger(__name__)

_URL = re.compile(r"^https?://", re.IGNORECASE)


@click.command()
@click.argument("source", metavar="PATH|URL")
@click.option("--url", help="The URL the page was fetched from (for a file).")
@site_option
@format_option("json", "text", default="json")
@common_options
@click.pass_context
def parse(ctx: click.Context, source: str, url: str | None, site: str | None, fmt: str) -> None:
    """Parse one DW page (a file, `-` for stdin, or a URL) and print the article; stores nothing.

    The layout (classic or relaunch) is recognised from the markup, so a saved page or a mirror
    parses like the live one. A page that is not a DW article exits 5 with a one-line error.

    \b
    Examples:
      dwscrape parse saved-page.html --url https://www.dw.com/en/x/a-65464327
      dwscrape parse https://www.dw.com/en/some-article/a-65464327 --format text
      curl -s https://www.dw.com/de/x/a-68117411 | dwscrape parse - --format json | jq .title
    """
    setup(ctx)
    fetched_at: dt.datetime | None = None
    if _URL.match(source):
        html, url, fetched_at = _fetch(source, url, site)
    else:
        html = _read(source)
    try:
        article = parse_page(html, url=url, fetched_at=fetched_at)
    except ParseError as exc:
        raise CliError(f"not a DW article: {exc}") from exc
    _report_warnings(article)
    click.echo(article_to_text(article) if fmt == "text" else to_json(article.to_dict(), indent=2))


def _fetch(
    source: str, url: str | None, site: str | None
) -> tuple[bytes, str | None, dt.datetime | None]:
    """The page at `source` (through the mirror at `site`), the URL to record, when fetched."""
    # The fetcher is imported only to parse a URL: parsing a file needs no network code.
    from scraper.discovery import Site
    from scraper.fetching import fetch_sync

    result = fetch_sync(Site(site).map(source) if site else source)
    outcome = str(getattr(result.outcome, "value", result.outcome))
    if outcome != "ok" or result.body is None:
        raise CliError(f"cannot fetch {source}: {result.error or outcome}")
    return result.body, url or (source if site else result.final_url or source), result.fetched_at


def _read(source: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {source}: {exc.strerror}") from exc


def _report_warnings(article: Article) -> None:
    for warning in article.warnings:
        log.warning("parse.warning", url=article.url, warning=warning)
