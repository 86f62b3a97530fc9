"""Fixtures of the CLI tests: the fake DW site on loopback and a runner for real
`python -m scraper` subprocesses. Databases come from `db_fixtures` (`db_url`, `empty_db_url`,
`repo`: SQLite and PostgreSQL, migrated by alembic)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def site() -> Iterator[Any]:
    """The fake DW site on 127.0.0.1 without fault routes; ``site.site`` is the server."""
    from scraper.testsite import serve_site

    with serve_site(faults=False) as base:
        yield base


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
