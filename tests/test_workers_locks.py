"""The SQLite run lock is one per database file, whatever path names it; commands started
together on a brand-new SQLite file wait for one migration and all succeed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from db.lock import LockHeldError, lock_file, run_lock
from tests.support.faultsite import FaultSite
from tests.support.runs import start


def test_lock_through_symlink_and_dotdot(tmp_path: Path) -> None:
    real = tmp_path / "data" / "dw.sqlite3"
    real.parent.mkdir()
    real.touch()
    (tmp_path / "link.sqlite3").symlink_to(real)
    (tmp_path / "other").mkdir()
    aliases = [tmp_path / "link.sqlite3", tmp_path / "other" / ".." / "data" / "dw.sqlite3"]
    for alias in aliases:
        assert lock_file(alias) == lock_file(real)
        with (
            run_lock(f"sqlite:///{real}"),
            pytest.raises(LockHeldError),
            run_lock(f"sqlite:///{alias}"),
        ):
            pass
    with run_lock(f"sqlite:///{aliases[0]}"):
        pass
    assert (real.parent / "dw.sqlite3.lock").exists()
    assert not (tmp_path / "link.sqlite3.lock").exists()


def test_concurrent_first_commands_on_a_new_sqlite_file(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite3"
    with FaultSite() as site:
        article = next(p for p in site.page_paths() if p.startswith("/en/") and "/a-" in p)
        procs = [
            start("crawl", "--db", str(db), "--delay", "0", site.base_url + article)
            for _ in range(4)
        ]
        results = [(p.communicate(timeout=120)[1], p) for p in procs]
    for err, proc in results:
        assert proc.returncode == 0, err[-2000:]
    assert os.path.exists(str(db) + ".migrate.lock")
