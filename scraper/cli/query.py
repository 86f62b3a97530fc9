"""`dwscrape query` (full-text search with filters) and `dwscrape show` (one stored article)."""

from __future__ import annotations

import shutil
import sys
from typing import Any

import click

from scraper.cli.common import CliError, common_options, filter_options, format_option, setup
from scraper.cli.database import open_repository
from scraper.cli.options import DW_REF, count
from scraper.exitcodes import ExitCode
from scraper.output import to_json, write_records
from scraper.render import article_to_text, hits_table
from scraper.views import (
    QUERY_COLUMNS,
    hit_record,
    revision_diff,
    revision_line,
    revision_record,
    suspect_line,
    suspect_record,
)


@click.command()
@click.argument("terms", nargs=-1)
@filter_options
@click.option("--limit", type=count(), default=20, show_default=True)
@format_option("table", "json", "jsonl", "csv", default="table")
@common_options
@click.pass_context
def query(
    ctx: click.Context,
    terms: tuple[str, ...],
    limit: int,
    fmt: str,
    **filters: Any,
) -> None:
    """Full-text search over stored articles, with filters; ranked, with a snippet.

    \b
    Search syntax (the same on SQLite and PostgreSQL):
      putin kim        every word must occur (any case; accents and ß/ss fold:
                       uber finds über, strassenbahn finds Straßenbahn)
      "north korea"    a phrase: these words, in this order
      Put*             a prefix: Putin, Putins, …
      -Kim  -"kim jong"  leave out articles containing the word or phrase

    Without TERMS, lists the newest articles matching the filters. Works for any script
    (a trigram index covers Chinese, Japanese, …). --agency, --author and --topic match any
    name containing the text, in any case. Nothing found: "no matches" on stderr, exit 5.

    \b
    Examples:
      dwscrape query "north korea"
      dwscrape query 'Put* -Kim' --lang en
      dwscrape query ukraine --lang en --since 2024-01-01 --agency Reuters --format jsonl
      dwscrape query --topic Germany --type video --limit 5 --format csv
      dwscrape query Klimawandel --lang de --format json | jq '.[].title'
    """
    settings = setup(ctx)
    with open_repository(settings) as repo:
        hits = repo.search(" ".join(terms), limit=limit, **filters)
    records = [hit_record(hit) for hit in hits]
    if fmt != "table":  # an empty result is still a valid document (``[]``, a CSV header)
        write_records(records, fmt, sys.stdout, columns=QUERY_COLUMNS)
    elif records:
        click.echo(hits_table(records, _width()))
    if not records:
        click.echo("no matches", err=True)
        ctx.exit(ExitCode.FAILED)


def _width() -> int:
    """The terminal's width, or 80 columns when the output is not a terminal."""
    if sys.stdout.isatty():
        return max(40, shutil.get_terminal_size().columns)
    return 80


@click.command()
@click.argument("ref", type=DW_REF, metavar="DW_ID|URL|SHORT_URL")
@click.option("--revisions", is_flag=True, help="List every stored revision with its cause.")
@click.option("--diff", is_flag=True, help="Diff the text of the last two revisions.")
@format_option("text", "json", default="text")
@common_options
@click.pass_context
def show(ctx: click.Context, ref: str, revisions: bool, diff: bool, fmt: str) -> None:
    """Show one stored article by DW content id, canonical URL, short link or any fetched URL.

    \b
    Examples:
      dwscrape show 65464327
      dwscrape show https://p.dw.com/p/4WGXq --format json
      dwscrape show https://www.dw.com/en/some-article/a-65464327 --revisions --format json
      dwscrape show 65464327 --diff
    """
    settings = setup(ctx)
    with open_repository(settings) as repo:
        stored = repo.find_article(ref)
        if stored is None:
            raise CliError(f"no stored article matches {ref!r}")
        revs = repo.revisions(stored.id) if (revisions or diff) else []
        removed = repo.removed_at(stored.id)
        suspects = repo.suspect_versions(stored.id) if revisions else []
    if diff:
        click.echo(revision_diff(revs), nl=False)
    elif revisions and fmt == "json":
        records = [revision_record(r) for r in revs] + [suspect_record(s) for s in suspects]
        click.echo(to_json(records, indent=2))
    elif revisions:
        for rev in revs:
            click.echo(revision_line(rev))
        for version in suspects:
            click.echo(suspect_line(version))
    elif fmt == "json":
        record = stored.article.to_dict()
        if removed is not None:  # only then: the record stays the article schema's otherwise
            record["removed_from_dw_at"] = removed
        click.echo(to_json(record, indent=2))
    else:
        if removed is not None:
            click.echo(f"REMOVED from dw.com (not found since {removed:%Y-%m-%d %H:%M} UTC)")
        click.echo(article_to_text(stored.article))
