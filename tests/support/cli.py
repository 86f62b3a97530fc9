"""Helpers of the CLI tests: runners for real subprocesses on this checkout (`python ARGS`,
`python -m scraper ARGS`). Databases come from `tests.support.db` (`db_url`, `empty_db_url`,
`repo`: SQLite and PostgreSQL, migrated by alembic), the fault site from `tests.support.fetch`
(`site`: a fresh `FaultSite` per test)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def python(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess[str]:
    """Run `python ARGS` as a fresh interpreter on this checkout, output captured as text.

    What a test cannot get in-process: a clean `sys.modules`, a real exit, a benchmark script.
    The interpreter is this one (`sys.executable`), started in the checkout with the checkout on
    `PYTHONPATH`, so the code under test is the checkout's whatever the cwd of pytest is and
    whether or not the package is installed. `kwargs` go to `subprocess.run` (e.g. `check`)."""
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=timeout,
        **kwargs,
    )


def dwscrape(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess[str]:
    """Run `python -m scraper ARGS` as a real subprocess (stderr gets JSON log lines)."""
    return python("-m", "scraper", *args, timeout=timeout, **kwargs)
