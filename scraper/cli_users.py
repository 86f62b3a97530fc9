"""The commands that hand dwscrape's data to the tools analysts already use: `serve`
(Datasette), `import-warc`, and the file formats of `export` (Parquet, WARC).

Like the rest of the CLI, the bodies only parse options, call the library (`scraper.exports`,
`scraper.serve`, `db.captures`) and report; the optional packages behind them are named in one
line when missing (`scraper.extras`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click
import structlog

from scraper.article import Article
from scraper.cli import (
    CliError,
    Settings,
    _configure,
    common_options,
    database_url,
    open_repository,
)
from scraper.errors import ConfigError, StorageError
from scraper.exitcodes import ExitCode

if TYPE_CHECKING:
    from db.repository import Repository
    from db.search import ArticleFilter
    from scraper.warc_import import ParsedCapture

log = structlog.get_logger(__name__)


def export_file(settings: Settings, fmt: str, output: str | None, filters: ArticleFilter) -> None:
    """`export --format parquet|warc`: binary formats, written to the file given with -o."""
    if not output:
        raise CliError(f"--format {fmt} writes a file: give it with -o FILE", ExitCode.USAGE)
    try:
        with open_repository(settings) as repo:
            if fmt == "parquet":
                from scraper.exports.parquet import write_parquet

                articles = (s.article for s in repo.iter_articles(filters))
                count = write_parquet(articles, output)
            else:
                from db.captures import iter_captures
                from scraper.exports.warc import write_warc

                count = write_warc(iter_captures(repo.engine, filters), output)
    except ConfigError as exc:
        raise CliError(str(exc), ExitCode.USAGE) from exc
    except StorageError as exc:
        raise CliError(str(exc), ExitCode.DATABASE) from exc
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc}", ExitCode.FAILED) from exc
    log.info("export.done", count=count, output=output, format=fmt)


class _RepositoryCaptureStore:
    """`scraper.warc_import.CaptureStore` over the repository."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    def last_observed(self, articles: Sequence[Article]) -> list[dt.datetime | None]:
        from db.captures import last_observed

        return last_observed(self.repo.engine, articles)

    def store(self, items: Sequence[ParsedCapture]) -> list[str]:
        from db.repository import StoreRequest

        requests = [
            StoreRequest(i.article, raw_html=i.capture.body, fetched_at=i.capture.captured_at)
            for i in items
        ]
        return [r.status for r in self.repo.store_articles(requests)]


@click.command("import-warc")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--any-host",
    is_flag=True,
    help="Also take pages of other hosts whose path is a DW article path (a mirror, a copy).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@common_options
@click.pass_context
def import_warc(ctx: click.Context, files: tuple[Path, ...], any_host: bool, as_json: bool) -> None:
    """Parse and store the DW article pages found in WARC files (needs dwscrape[warc]).

    Reads WARC files from any source (Common Crawl, CC-NEWS, the Wayback Machine, `wget
    --warc-file`, `dwscrape export --format warc`), gzipped or not. Only successful HTML
    responses for dw.com article URLs are parsed; everything else is skipped. Captures are
    stored in the order of their WARC-Date, as a crawl stores pages (new, changed, unchanged),
    so importing the same file twice changes nothing; a capture older than the last fetch of
    the stored article is not stored ("older"). Progress is logged on stderr, the summary
    printed on stdout. Exit 5 when the files hold no DW article page at all.

    \b
    Examples:
      dwscrape import-warc pages.warc.gz
      dwscrape import-warc CC-NEWS-20240301*.warc.gz --json
      wget --warc-file=dw https://www.dw.com/en/x/a-66797777 && dwscrape import-warc dw.warc.gz
    """
    from scraper.output import to_json
    from scraper.warc_import import import_warcs

    settings = _configure(ctx)
    try:
        with open_repository(settings) as repo:
            report = import_warcs(files, _RepositoryCaptureStore(repo), any_host=any_host)
    except ConfigError as exc:
        raise CliError(str(exc), ExitCode.USAGE) from exc
    except StorageError as exc:
        raise CliError(str(exc), ExitCode.DATABASE) from exc
    if as_json:
        click.echo(to_json(report.to_dict()))
    else:
        click.echo(
            f"import-warc: {report.files} files, {report.records} records: new {report.new}, "
            f"changed {report.changed}, unchanged {report.unchanged}, older {report.older}, "
            f"not articles {report.not_article}, skipped {report.skipped}"
        )
    if report.stored + report.older == 0:
        ctx.exit(ExitCode.FAILED)


POSTGRES_HINT = (
    "dwscrape serve needs a SQLite database: Datasette reads SQLite files only. To browse a "
    "PostgreSQL database, copy its pages into a SQLite file first: "
    "`dwscrape export --db POSTGRES_URL --format warc -o pages.warc.gz && "
    "dwscrape import-warc --db dw.sqlite3 pages.warc.gz && dwscrape serve --db dw.sqlite3`"
)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("-p", "--port", default=8001, show_default=True, type=int, help="Port.")
@common_options
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Browse the SQLite database in Datasette, read-only (needs dwscrape[serve]).

    The articles table is searchable (the full-text index) and faceted by language, content
    type, agency and topic; each title opens a readable article page (body, images with
    captions and credits, the credit line spelled out). Canned queries: articles by agency
    per month, the latest articles per language, the revisions of an article. Tables and
    columns carry descriptions. The file is opened read-only, so a running crawl may keep
    writing to it.

    PostgreSQL is not supported (exit 2): Datasette reads SQLite only; the message shows how
    to copy the pages into a SQLite file with export --format warc and import-warc.

    \b
    Examples:
      dwscrape serve
      dwscrape serve --db dw.sqlite3 --port 8080
      dwscrape serve --db dw.sqlite3 --host 0.0.0.0   # reachable from other machines
    """
    from scraper.config import sqlite_path
    from scraper.serve import run

    settings = _configure(ctx)
    path = sqlite_path(database_url(settings))
    if path is None:
        raise CliError(POSTGRES_HINT, ExitCode.USAGE)
    if not path.is_file():
        raise CliError(f"no database at {path}: run `dwscrape demo --db {path}` or `dwscrape run`")
    with open_repository(settings):
        pass  # refuses (exit 4) a database whose schema is behind
    click.echo(f"serving {path} read-only at http://{host}:{port}/{path.stem}/articles")
    try:
        run(path, host, port)
    except ConfigError as exc:
        raise CliError(str(exc), ExitCode.USAGE) from exc
