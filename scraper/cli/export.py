"""`dwscrape export`: stored articles as JSON lines or CSV, streamed."""

from __future__ import annotations

import sys
from typing import Any

import click
import structlog

from db.search import ArticleFilter
from scraper.article import RECORD_KEYS
from scraper.cli.common import common_options, filter_options, format_option, setup
from scraper.cli.database import open_repository
from scraper.output import write_records

log = structlog.get_logger(__name__)

#: CSV columns: the record's keys with the schema version first.
EXPORT_COLUMNS = ("schema_version", *[k for k in RECORD_KEYS if k != "schema_version"])


@click.command()
@filter_options
@format_option("jsonl", "csv", default="jsonl")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), help="File (default stdout)."
)
@common_options
@click.pass_context
def export(ctx: click.Context, fmt: str, output: str | None, **filters: Any) -> None:
    """Export stored articles as JSON lines (the public record) or CSV, streaming.

    Memory stays constant however many articles are exported: records are read in batches and
    written one at a time.

    \b
    Examples:
      dwscrape export -o articles.jsonl
      dwscrape export --lang de --since 2024-01-01 --format csv -o de-2024.csv
      dwscrape export --agency AFP | jq -r .title
    """
    settings = setup(ctx)
    with open_repository(settings) as repo:
        stored = repo.iter_articles(ArticleFilter(**filters))
        records = (s.article.to_dict() for s in stored)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as fh:
                count = write_records(records, fmt, fh, columns=EXPORT_COLUMNS)
        else:
            count = write_records(records, fmt, sys.stdout, columns=EXPORT_COLUMNS)
    log.info("export.done", count=count, output=output or "-")
