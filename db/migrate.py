"""Schema migrations through alembic's programmatic API.

The alembic configuration is built in code with ``script_location`` pointing at the installed
`migrations` package, so migrating works from any working directory and from a wheel; the
``alembic.ini`` at the repository root is only for plain ``alembic`` use by developers.

`ensure_schema` (in `db.schema`, which needs no alembic) is what the CLI calls before touching a
database: a brand-new SQLite file is migrated automatically (zero set-up), anything else that
is behind is refused with `SchemaOutOfDateError` naming ``dwscrape db upgrade`` (a shared
PostgreSQL schema changes only when someone asks).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import structlog
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from db.engine import make_engine
from db.errors import map_db_errors
from db.models import HAND_MADE_INDEXES, SEARCH_OBJECTS, metadata

log = structlog.get_logger(__name__)


def _script_location() -> Path:
    import migrations

    return Path(migrations.__file__).resolve().parent


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Hide the dialect-specific search objects (FTS5 tables, the PostgreSQL `article_search`
    table, GIN/pg_trgm indexes) from autogenerate: they are created by hand in the migrations,
    not by the models."""
    if name is None:
        return True
    if name in SEARCH_OBJECTS or name in HAND_MADE_INDEXES:
        return False
    # FTS5 shadow tables: articles_fts_data, articles_fts_idx, ...
    return not (type_ == "table" and name.startswith("articles_fts"))


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_script_location()))
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The newest revision the code knows."""
    rev = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert rev is not None
    return rev


def _run(url: str, fn: Any, *args: Any) -> None:
    engine = make_engine(url)
    try:
        with map_db_errors("migration"), engine.connect() as conn:
            fn(alembic_config(url, conn), *args)
            conn.commit()
    finally:
        engine.dispose()


def upgrade(url: str, rev: str = "head") -> None:
    """Migrate the database at `url` up to `rev` (default: the newest)."""
    log.info("db.upgrade", rev=rev)
    _run(url, command.upgrade, rev)


def downgrade(url: str, rev: str) -> None:
    """Migrate the database at `url` down to `rev` (``base`` removes everything)."""
    log.info("db.downgrade", rev=rev)
    _run(url, command.downgrade, rev)


def current(url: str) -> str | None:
    """The revision the database is at (None: never migrated)."""
    engine = make_engine(url)
    try:
        with map_db_errors("reading the schema revision"), engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def check(url: str) -> list[Any]:
    """Differences between the models and the migrated database (empty: they agree).

    The equivalent of ``alembic check``: run it on a database migrated to head."""
    engine = make_engine(url)
    try:
        with map_db_errors("comparing the schema"), engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn,
                opts={
                    "include_object": include_object,
                    "compare_type": True,
                    "render_as_batch": True,
                },
            )
            return list(compare_metadata(ctx, metadata))
    finally:
        engine.dispose()
