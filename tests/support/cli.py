"""Helpers of the CLI tests: a runner for real `python -m scraper` subprocesses. Databases come
from `tests.support.db` (`db_url`, `empty_db_url`, `repo`: SQLite and PostgreSQL, migrated by
alembic), the fault site from `tests.support.fetch` (`site`: a fresh `FaultSite` per test)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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
