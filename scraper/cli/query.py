"""`dwscrape query` (full-text search with filters) and `dwscrape show` (one stored article)."""

from __future__ import annotations

import sys
from typing import Any

import click

from scraper.cli.common import CliError, common_options, filter_options, format_option, setup
from scraper.cli.database import open_repository
from scraper.cli.options import DW_REF, count
from scraper.output import to_json, write_records
from scraper.render import article_to_text
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

    Without TERMS, lists the newest articles matching the filters. Works for any script
    (a trigram index covers Chinese, Japanese, …).

    \b
    Examples:
      dwscrape query "north korea"
      dwscrape query ukraine --lang en --since 2024-01-01 --agency Reuters --format jsonl
      dwscrape query --topic Germany --type video --limit 5 --format csv
      dwscrape query Klimawandel --lang de --format json | jq '.[].title'
    """
    settings = setup(ctx)
    with open_repository(settings) as repo:
        hits = repo.search(" ".join(terms), limit=limit, **filters)
    write_records(map(hit_record, hits), fmt, sys.stdout, columns=QUERY_COLUMNS)


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
        click.echo(to_json(stored.article.to_dict(), indent=2))
    else:
        click.echo(article_to_text(stored.article))
