"""Helpers of the run, worker and signal tests: `dwscrape` subprocesses started in the
background against the fault site, and what the database says about their runs and leases."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.support.faultsite import FaultSite

ROOT = Path(__file__).resolve().parents[2]


def start(*args: str, new_session: bool = False) -> subprocess.Popen[str]:
    """`python -m scraper ARGS` in the background (stdout/stderr piped, text); with
    `new_session`, in a process group of its own (to signal it whole, as systemd does)."""
    return subprocess.Popen(
        [sys.executable, "-m", "scraper", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=new_session,
    )


def wait_until(check: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.05)


def query(url: str, sql: str, **params: object) -> list[tuple[Any, ...]]:
    """Rows of one SQL query on the database at `url` (a fresh connection, closed after)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def frontier_states(url: str) -> dict[str, int]:
    rows = query(url, "SELECT state, count(*) FROM frontier GROUP BY state")
    return {str(state): int(count) for state, count in rows}


def article_hits(site: FaultSite) -> int:
    """Requests the fault site got for article pages."""
    return sum(1 for r in list(site.requests) if "/a-" in r.path)
