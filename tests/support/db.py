"""Database fixtures: every storage test runs on SQLite and on a real PostgreSQL.

`db_url` is parametrised ``sqlite`` / ``postgres`` and gives a freshly migrated, empty,
isolated database per test; `repo` is a `Repository` on it; `empty_db_url` is an unmigrated
database (for migration tests). Schemas are always built by migrating, never `create_all`.

Speed: each session migrates one template per backend; tests get a copy (a file copy on SQLite,
``CREATE DATABASE … TEMPLATE`` on PostgreSQL). PostgreSQL databases are named
``dwscrape_test_<random>…`` and all dropped at the end of the session. The postgres variants
skip only when DWSCRAPE_TEST_POSTGRES_URL is unset (`.ci/run` sets it).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db.engine import make_engine
from db.migrate import upgrade
from db.repository import Repository

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


class PostgresDatabases:
    """Creates and drops the session's PostgreSQL databases through the server URL."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.prefix = f"dwscrape_test_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []
        self.template: str | None = None

    def url(self, name: str) -> str:
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def create(self, *, template: str | None = None) -> str:
        name = f"{self.prefix}_{len(self.created)}"
        clause = f" TEMPLATE {template}" if template else ""
        with self.admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}{clause}"))
        self.created.append(name)
        return name

    def migrated_copy(self) -> str:
        if self.template is None:
            self.template = self.create()
            upgrade(self.url(self.template))
        return self.url(self.create(template=self.template))

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))

    def close(self) -> None:
        for name in reversed(self.created):
            self.drop(name)
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_databases(postgres_server_url: str) -> Iterator[PostgresDatabases]:
    dbs = PostgresDatabases(postgres_server_url)
    try:
        yield dbs
    finally:
        dbs.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dbtemplate") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated, empty database of each backend."""
    if request.param == "sqlite":
        path = tmp_path / "dwscrape.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    dbs: PostgresDatabases = request.getfixturevalue("postgres_databases")
    url = dbs.migrated_copy()
    yield url
    dbs.drop(make_url(url).database or "")


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, never-migrated database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    dbs: PostgresDatabases = request.getfixturevalue("postgres_databases")
    name = dbs.create()
    yield dbs.url(name)
    dbs.drop(name)


@pytest.fixture
def sqlite_repo(tmp_path: Path, sqlite_template: Path) -> Iterator[Repository]:
    """A migrated SQLite repository, for the tests of SQLite-only machinery (FTS5)."""
    path = tmp_path / "dwscrape.sqlite3"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    try:
        yield Repository(engine)
    finally:
        engine.dispose()


@pytest.fixture
def postgres_repo(postgres_databases: PostgresDatabases) -> Iterator[Repository]:
    """A migrated PostgreSQL repository, for the tests of PostgreSQL-only machinery (the
    `article_search` table and its triggers)."""
    url = postgres_databases.migrated_copy()
    engine = make_engine(url)
    try:
        yield Repository(engine)
    finally:
        engine.dispose()
        postgres_databases.drop(make_url(url).database or "")


@pytest.fixture
def repo(db_url: str) -> Iterator[Repository]:
    engine = make_engine(db_url)
    try:
        yield Repository(engine)
    finally:
        engine.dispose()
