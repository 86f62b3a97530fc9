"""`dwscrape export`: stored articles as JSON lines or CSV, streamed."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import IO, Any

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
    with _opened(output) as out, open_repository(settings) as repo:
        stored = repo.iter_articles(ArticleFilter(**filters))
        records = (s.article.to_dict() for s in stored)
        count = write_records(records, fmt, out, columns=EXPORT_COLUMNS)
    log.info("export.done", count=count, output=output or "-")


@contextmanager
def _opened(path: str | None) -> Iterator[IO[str]]:
    """The output file, opened before any work so that a path that cannot be written is a
    usage error (exit 2); stdout without a path."""
    if path is None:
        yield sys.stdout
        return
    with ExitStack() as stack:
        try:
            fh = stack.enter_context(open(path, "w", encoding="utf-8", newline=""))
        except OSError as exc:
            raise click.BadParameter(
                f"cannot write {path}: {exc.strerror}", param_hint="'-o' / '--output'"
            ) from exc
        yield fh
