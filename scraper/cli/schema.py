"""`dwscrape db upgrade|current|check`: the database schema, migrated only when asked."""

from __future__ import annotations

import click

from db.config import sqlite_path
from db.migrate import check as schema_differences
from db.migrate import current as current_revision
from db.migrate import head
from db.migrate import upgrade as upgrade_schema
from scraper.cli.common import EPILOG_EXIT_CODES, DatabaseFailure, common_options, setup
from scraper.cli.database import database_url


@click.group(epilog=EPILOG_EXIT_CODES)
def db() -> None:
    """Database schema: upgrade, show where and at which revision, check.

    \b
    Examples:
      dwscrape db current
      dwscrape db upgrade --db postgresql+psycopg://dw@localhost/dw
      dwscrape db check && dwscrape run
    """


@db.command()
@common_options
@click.pass_context
def upgrade(ctx: click.Context) -> None:
    """Migrate the database to the current schema (creates it if new).

    \b
    Examples:
      dwscrape db upgrade
      DWSCRAPE_DATABASE_URL=postgresql+psycopg://dw@localhost/dw dwscrape db upgrade
    """
    settings = setup(ctx)
    url = database_url(settings)
    upgrade_schema(url)
    click.echo(f"{settings.db_label} at revision {current_revision(url)}")


@db.command()
@common_options
@click.pass_context
def current(ctx: click.Context) -> None:
    """Print the database URL (the SQLite file) and its schema revision.

    \b
    Examples:
      dwscrape db current
      dwscrape db current --db /srv/dw/articles.sqlite3
    """
    settings = setup(ctx)
    url = database_url(settings)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        click.echo(f"{settings.db_label}\nfile: {path} (does not exist yet)\nrevision: none")
        return
    rev = current_revision(url)
    click.echo(settings.db_label)
    if path is not None:
        click.echo(f"file: {path}")
    click.echo(f"revision: {rev or 'none (empty database)'}")


@db.command()
@common_options
@click.pass_context
def check(ctx: click.Context) -> None:
    """Exit 0 when the schema is current, 4 when it needs `dwscrape db upgrade`.

    \b
    Examples:
      dwscrape db check || dwscrape db upgrade
    """
    settings = setup(ctx)
    url = database_url(settings)
    rev = current_revision(url)
    if rev != head():
        raise DatabaseFailure(
            f"{settings.db_label} is at schema revision {rev or 'none'}, this dwscrape needs "
            f"{head()}: run `dwscrape db upgrade`"
        )
    if diffs := schema_differences(url):
        raise DatabaseFailure(
            f"{settings.db_label}: schema differs from the models ({len(diffs)} differences)"
        )
    click.echo(f"{settings.db_label}: schema is up to date")
