"""`dwscrape export`: stored articles as JSON lines, CSV or Parquet, or their raw pages as WARC;
streamed in batches, so memory stays constant."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import IO, Any

import click
import structlog

from db.repository import ArticleFilter, Repository
from scraper.article import RECORD_KEYS
from scraper.cli.common import (
    CliError,
    OutputFailure,
    common_options,
    filter_options,
    format_option,
    setup,
)
from scraper.cli.database import open_repository
from scraper.exitcodes import ExitCode
from scraper.output import record_json, write_json_lines, write_records

log = structlog.get_logger(__name__)

#: Formats written to a file given with -o (binary, or compressed).
FILE_FORMATS = ("parquet", "warc")


class _NeedsFile(CliError):
    exit_code = ExitCode.USAGE


@click.command()
@filter_options
@format_option("jsonl", "csv", *FILE_FORMATS, default="jsonl")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File (default stdout).")
@common_options
@click.pass_context
def export(ctx: click.Context, fmt: str, output: str | None, **filters: Any) -> None:
    """Export stored articles as JSON lines (the public record), CSV or Parquet, or their raw
    pages as WARC, streaming.

    Memory stays constant however many articles are exported: records are read in batches and
    written one at a time.

    \b
    CSV: the columns of the JSON record, in the same order; each cell is flat:
      lists of strings joined by "; " (topics, agencies), nested objects and
      lists of objects as JSON text (authors, blocks, images, videos, credit_line),
      dates as in JSON (UTC ISO 8601, or YYYY-MM-DD when only the day is known),
      an empty cell for null.
    Parquet (needs dwscrape[parquet], -o FILE): typed columns; published_at/modified_at
      are UTC timestamps beside published_date/modified_date and *_precision (second or
      day); lists are list columns, nested objects structs.
    WARC (needs dwscrape[warc], -o FILE.warc.gz): the stored raw pages as response
      records with their URL, fetch date, status and kept headers; see import-warc.

    \b
    Examples:
      dwscrape export -o articles.jsonl
      dwscrape export --lang de --since 2024-01-01 --format csv -o de-2024.csv
      dwscrape export --format parquet -o articles.parquet
      dwscrape export --format warc -o pages.warc.gz
      dwscrape export --agency AFP | jq -r .title
    """
    settings = setup(ctx)
    flt = ArticleFilter(**filters)
    if fmt in FILE_FORMATS and not output:
        raise _NeedsFile(f"--format {fmt} writes a file: give it with -o FILE")
    if output is not None:
        _check_writable(output)
    with _partial_removed_on_error(output):
        if fmt in FILE_FORMATS:
            assert output is not None
            with open_repository(settings) as repo:
                count = _export_file(repo, fmt, output, flt)
        else:
            with _opened(output) as out, open_repository(settings) as repo:
                if fmt == "jsonl":  # the stored JSON as it is, where it is already what we write
                    texts = repo.iter_record_texts(flt)
                    count = write_json_lines((record_json(t, f) for t, f in texts), out)
                else:
                    records = (s.article.to_dict() for s in repo.iter_articles(flt))
                    count = write_records(records, fmt, out, columns=RECORD_KEYS)
    log.info("export.done", count=count, output=output or "-", format=fmt)


def _check_writable(path: str) -> None:
    """Fail with a usage error (exit 2) before any work when `path` cannot be opened for
    writing; a file created only to find that out is removed again."""
    existed = os.path.lexists(path)
    try:
        with open(path, "ab"):
            pass
    except OSError as exc:
        raise click.BadParameter(
            f"cannot write {path}: {exc.strerror or exc}", param_hint="'-o' / '--output'"
        ) from exc
    if not existed:
        os.unlink(path)


@contextmanager
def _partial_removed_on_error(path: str | None) -> Iterator[None]:
    """A write error mid-way (disk full, quota, I/O error) ends the command with one line and
    exit 5, and removes the partial file so that no half export is mistaken for a whole one.
    Only a regular file is removed (``-o /dev/full`` stays)."""
    try:
        yield
    except OSError as exc:
        if path is not None and os.path.isfile(path):
            os.unlink(path)
        where = path or "standard output"
        raise OutputFailure(f"cannot write {where}: {exc.strerror or exc}") from exc


def _export_file(repo: Repository, fmt: str, output: str, flt: ArticleFilter) -> int:
    if fmt == "parquet":
        from scraper.exports.parquet import write_parquet

        return write_parquet((s.article for s in repo.iter_articles(flt)), output)
    from scraper.exports.warc import write_warc

    return write_warc(repo.iter_captures(flt), output)


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
