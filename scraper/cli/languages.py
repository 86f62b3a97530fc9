"""`dwscrape languages` (DW's language services and their feeds) and the language option
types every command that takes a language shares: codes are case-insensitive and checked
against the table, so a typo is a usage error (exit 2) naming the known codes, never a run
that silently finds nothing."""

from __future__ import annotations

import sys
from typing import Any

import click

from scraper import languages
from scraper.cli.common import common_options, format_option, setup
from scraper.discovery.plan import FeedPlan
from scraper.errors import ConfigError
from scraper.output import to_json, write_records


class _Languages(click.ParamType):
    """``en,DE, pt-002`` → ``("en", "de", "pt-002")``: validated, lower-cased, de-duplicated."""

    name = "langs"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        codes = [p.strip() for p in str(value).split(",") if p.strip()]
        if not codes:
            self.fail("give at least one language code", param, ctx)
        try:
            return tuple(languages.resolve(codes))
        except languages.UnknownLanguageError as exc:
            self.fail(str(exc), param, ctx)


class _Language(click.ParamType):
    """One language code, validated and lower-cased."""

    name = "lang"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return languages.get(str(value)).segment
        except languages.UnknownLanguageError as exc:
            self.fail(str(exc), param, ctx)


LANGS = _Languages()
"""A comma-separated list of DW language codes."""
LANG = _Language()
"""One DW language code."""


def feed_specs(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    """Callback of ``--feed``: each value is ``URL`` (adds a feed) or ``LANG=URL`` (replaces a
    language's feed), checked now so that a typo fails before anything is fetched."""
    try:
        FeedPlan.from_specs(values)
    except (ConfigError, languages.UnknownLanguageError) as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from exc
    return values


def feed_option(func: Any) -> Any:
    return click.option(
        "--feed",
        "feeds",
        multiple=True,
        callback=feed_specs,
        metavar="URL|LANG=URL",
        help="Read this feed too (a section feed), or LANG=URL: read it instead of the "
        "language's feed. Repeatable.",
    )(func)


@click.command("languages")
@format_option("table", "json", default="table")
@common_options
@click.pass_context
def languages_command(ctx: click.Context, fmt: str) -> None:
    """DW's language services: URL segment, name, feed URL, and whether that feed is verified.

    A language without a known feed is discovered through its sitemaps; `--feed LANG=URL`
    names one yourself. "verified" means the feed id was seen in public sources, not that
    dw.com serves it today.

    \b
    Examples:
      dwscrape languages
      dwscrape languages --format json
    """
    setup(ctx)
    rows = [lang.to_dict() for lang in languages.LANGUAGES]
    if fmt == "json":
        click.echo(to_json(rows, indent=2))
        return
    table = [
        {
            "segment": row["segment"],
            "name": row["name"],
            "feed": row["feed_url"] or "unknown: sitemaps only",
            "verified": "yes" if row["verified"] else "no",
            "evidence": row["evidence"] or "",
        }
        for row in rows
    ]
    write_records(table, "table", sys.stdout, title="DW language services")
