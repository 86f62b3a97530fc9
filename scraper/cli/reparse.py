"""`dwscrape reparse`: the current parser over the stored raw pages, without the network."""

from __future__ import annotations

from typing import Any

import click

from db.search import ArticleFilter
from scraper.cli.common import common_options, filter_options, setup
from scraper.cli.database import open_repository
from scraper.exitcodes import ExitCode
from scraper.output import to_json
from scraper.pipeline.parsing import default_workers
from scraper.pipeline.reparsing import reparse as reparse_pages
from scraper.render import reparse_summary


@click.command()
@filter_options
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Parser processes (default: one per core; 1: parse in this process).",
)
@common_options
@click.pass_context
def reparse(ctx: click.Context, as_json: bool, workers: int | None, **filters: Any) -> None:
    """Re-run the current parser over stored raw pages; store what the new parser extracts.

    No network: the raw pages kept in the database are parsed again. Only where the extraction
    really changed (the content hash differs) a new revision is stored, with cause `parser`.
    A stored page the parser now recognises as a soft 404 is listed, not changed, and is not a
    failure; exit 1 only when a page failed to parse or store.

    \b
    Examples:
      dwscrape reparse
      dwscrape reparse --lang de --since 2023-01-01 --json
      dwscrape reparse --workers 4
    """
    settings = setup(ctx)
    with open_repository(settings) as repo:
        summary = reparse_pages(
            repo, ArticleFilter(**filters), workers=workers or default_workers()
        )
    if as_json:
        click.echo(to_json(summary.to_dict()))
    else:
        for line in reparse_summary(summary):
            click.echo(line)
    if summary.counts["failed"]:
        ctx.exit(ExitCode.PARTIAL)
