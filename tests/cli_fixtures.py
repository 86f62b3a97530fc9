"""Fixtures of the CLI tests: a fresh database URL per test on SQLite or PostgreSQL, the fake
DW site on loopback, and a runner for real `python -m scraper` subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def pg_url(postgres_server_url: str) -> Iterator[str]:
    """A brand-new, empty PostgreSQL database for one test (dropped afterwards)."""
    name = f"dwscrape_cli_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database URL: a SQLite file, or a new PostgreSQL database."""
    from db.migrate import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'dw.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_url")
    upgrade(url)
    return url


def dwscrape(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess[str]:
    """Run `python -m scraper ARGS` as a real subprocess (stderr gets JSON log lines)."""
    return subprocess.run(
        [sys.executable, "-m", "scraper", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=timeout,
        **kwargs,
    )
