"""The run lock, with a real second process holding it: file lock on SQLite, advisory lock on
PostgreSQL; a SIGKILLed holder never leaves a stale lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from conftest import ROOT

from db.lock import LockHeldError, run_lock

HOLDER = """
import sys, time
from db.lock import run_lock
with run_lock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(60)
"""


@contextmanager
def lock_held_by_other_process(url: str) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        lines = iter(proc.stdout.readline, "")
        assert any(line.strip() == "locked" for line in lines)
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)


def _lock_cycle(url: str) -> None:
    with lock_held_by_other_process(url) as proc:
        with pytest.raises(LockHeldError) as info, run_lock(url):
            pass
        assert "another run" in str(info.value)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    # The holder died without cleaning up: the kernel / server released the lock.
    with run_lock(url), pytest.raises(LockHeldError), run_lock(url):
        pass  # the lock is per holder, not re-entrant across acquisitions
    with run_lock(url):
        pass


def test_sqlite_file_lock(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    _lock_cycle(url)
    assert (tmp_path / "db.sqlite3.lock").exists()


def test_sqlite_lock_is_per_database(tmp_path) -> None:
    with (
        run_lock(f"sqlite:///{tmp_path / 'a.sqlite3'}"),
        run_lock(f"sqlite:///{tmp_path / 'b.sqlite3'}"),
    ):
        pass


@pytest.mark.postgres
def test_postgres_advisory_lock(postgres_server_url: str) -> None:
    _lock_cycle(postgres_server_url)
