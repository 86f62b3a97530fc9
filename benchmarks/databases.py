"""Fresh databases for the benchmarks that measure whole commands: one per measurement, dropped
after it (shared by `ingest_bench`, `ingest_scale`, `frontier_bench` and `store_bench`)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool


def fresh_postgres(server_url: str) -> tuple[str, Any]:
    """A new, empty database on the PostgreSQL server: its URL and the function that drops it."""
    name = f"dwscrape_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    return url, drop


class Databases:
    """Fresh databases of one backend, one per measurement."""

    def __init__(self, backend: str, tmp: str, pg: str | None) -> None:
        self.backend, self.tmp, self.pg, self.n = backend, tmp, pg, 0

    def fresh(self, *, migrated: bool = True) -> tuple[str, Any]:
        from db.migrate import upgrade

        self.n += 1
        if self.backend == "sqlite":
            url, drop = f"sqlite:///{self.tmp}/db{self.n}.sqlite3", (lambda: None)
        else:
            assert self.pg is not None
            url, drop = fresh_postgres(self.pg)
        if migrated:
            upgrade(url)
        return url, drop
