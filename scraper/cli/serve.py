"""`dwscrape serve`: the SQLite database in Datasette, read-only, with dwscrape's metadata."""

from __future__ import annotations

import click

from db.config import sqlite_path
from scraper.cli.common import CliError, common_options, setup
from scraper.cli.database import database_url, open_repository
from scraper.exitcodes import ExitCode
from scraper.serve import run

POSTGRES_HINT = (
    "dwscrape serve needs a SQLite database: Datasette reads SQLite files only. To browse a "
    "PostgreSQL database, copy its pages into a SQLite file first: "
    "`dwscrape export --db POSTGRES_URL --format warc -o pages.warc.gz && "
    "dwscrape import-warc --db dw.sqlite3 pages.warc.gz && dwscrape serve --db dw.sqlite3`"
)


class _NeedsSqlite(CliError):
    exit_code = ExitCode.USAGE


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "-p", "--port", default=8001, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
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
    settings = setup(ctx)
    path = sqlite_path(database_url(settings))
    if path is None:
        raise _NeedsSqlite(POSTGRES_HINT)
    if not path.is_file():
        raise CliError(f"no database at {path}: run `dwscrape demo --db {path}` or `dwscrape run`")
    with open_repository(settings):
        pass  # refuses (exit 4) a database whose schema is behind
    click.echo(f"serving {path} read-only at http://{host}:{port}/{path.stem}/articles")
    run(path, host, port)
