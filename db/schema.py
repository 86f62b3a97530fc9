"""Is the database at the schema this code knows? Answered without importing alembic.

Every command checks the schema before touching the database, and importing alembic (with its
autogenerate machinery) costs more than the rest of a `dwscrape query`. So the stored revision
is read with one SELECT from alembic's own ``alembic_version`` table, and the newest revision
the code knows is read from the migration files' ``revision``/``down_revision`` lines. Alembic
is imported (through `db.migrate`) only when a brand-new SQLite file has to be migrated.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

from sqlalchemy import inspect, text

from db.config import sqlite_path
from db.engine import is_sqlite, make_engine
from db.errors import map_db_errors
from db.lock import LockHeldError, migration_lock
from scraper.errors import SchemaOutOfDateError, StorageError
from scraper.lazylog import LazyLogger

log = LazyLogger(__name__)

_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(?:['\"]([^'\"]+)['\"]|None)", re.MULTILINE)


def versions_dir() -> Path:
    """The installed `migrations/versions` folder (found without importing the package)."""
    spec = importlib.util.find_spec("migrations")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "versions"


@cache
def revisions() -> dict[str, str | None]:
    """Every revision of the migration files with the one it revises (None: the first)."""
    found: dict[str, str | None] = {}
    for path in sorted(versions_dir().glob("*.py")):
        source = path.read_text(encoding="utf-8")
        rev, down = _REVISION.search(source), _DOWN.search(source)
        if rev is not None and down is not None:
            found[rev.group(1)] = down.group(1)
    return found


def head_revision() -> str:
    """The newest revision: the one no other revision revises (there is exactly one)."""
    known = revisions()
    heads = set(known) - {down for down in known.values() if down is not None}
    if len(heads) != 1:
        raise StorageError(f"the migrations have {len(heads)} heads, expected one: {heads}")
    return heads.pop()


def stored_revision(url: str) -> str | None:
    """The revision the database at `url` is at (None: never migrated)."""
    engine = make_engine(url)
    try:
        with map_db_errors("reading the schema revision"), engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def ensure_schema(url: str) -> None:
    """Make sure the database at `url` is usable by this code.

    A brand-new SQLite database (no tables at all) is migrated to head. A database behind head
    raises `SchemaOutOfDateError`; one ahead of the code (newer dwscrape) raises
    `StorageError`. A SQLite file that is not at head is looked at again under the migration
    lock, so commands started together on a new file wait for one migration, then all go on."""
    if sqlite_path(url) is None:
        _ensure_schema(url)
        return
    try:
        if stored_revision(url) == head_revision():
            return
    except StorageError:  # e.g. locked by a migration in progress: ask again under the lock
        pass
    try:
        with migration_lock(url):
            _ensure_schema(url)
    except LockHeldError as exc:
        raise StorageError(f"another command is still migrating this new database: {exc}") from exc


def _ensure_schema(url: str) -> None:
    rev = stored_revision(url)
    target = head_revision()
    if rev == target:
        return
    if rev is None and is_sqlite(url) and _is_empty(url):
        from db.migrate import upgrade

        log.info("db.auto_migrate", target=target)
        upgrade(url)
        return
    if rev is not None and rev not in revisions():
        raise StorageError(
            f"the database is at schema revision {rev}, unknown to this dwscrape (newer?)"
        )
    raise SchemaOutOfDateError(
        f"database schema is at {rev or 'nothing'}, this dwscrape needs {target}: "
        "run `dwscrape db upgrade`"
    )


def _is_empty(url: str) -> bool:
    engine = make_engine(url)
    try:
        with map_db_errors("inspecting the database"), engine.connect() as conn:
            return not inspect(conn).get_table_names()
    finally:
        engine.dispose()
