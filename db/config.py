"""Which database to use: `--db URL`, else `DWSCRAPE_DATABASE_URL`, else the default SQLite file.

The default lives in the user's data directory (platformdirs) so that `dwscrape run` works with
no set-up at all; `dwscrape db current` prints where it is. A bare file path is accepted too and
turned into a `sqlite:///` URL, because that is what people type.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from db.engine import default_database_url
from scraper.errors import ConfigError

ENV_DATABASE_URL = "DWSCRAPE_DATABASE_URL"


def resolve_database_url(explicit: str | None = None) -> str:
    """`explicit` (from `--db`), else the environment, else the default; validated."""
    url = explicit or os.environ.get(ENV_DATABASE_URL) or default_database_url()
    if "://" not in url:
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"not a database URL: {url!r}") from exc
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
        )
    if parsed.get_backend_name() == "sqlite" and not parsed.database:
        # an in-memory database would be gone when the command ends: certainly not meant
        raise ConfigError(f"{url!r} names no SQLite file: use sqlite:///path/to/file.sqlite3")
    return url


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for PostgreSQL or an in-memory SQLite database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(database)


def describe_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)
