"""Worker functions run in separate processes by the concurrency tests (module-level, so the
``spawn`` start method can import them)."""

from __future__ import annotations

from typing import Any

from db.engine import make_engine
from db.repository import Repository
from tests.support.articles import finish, make_article


def store_worker(url: str, dw_ids: list[int], barrier: Any, out: Any) -> None:
    """Store the same articles as the other worker, at the same moment, twice: first as new
    records, then as edited ones. Reports the statuses it got."""
    engine = make_engine(url)
    repo = Repository(engine)
    statuses: list[tuple[int, str, str]] = []
    try:
        barrier.wait(timeout=60)
        for dw_id in dw_ids:
            statuses.append((dw_id, "first", repo.store_article(make_article(dw_id)).status))
        barrier.wait(timeout=60)
        for dw_id in dw_ids:
            art = make_article(dw_id)
            edited = finish(art.with_changes(title=(art.title or "") + " (updated)"))
            statuses.append((dw_id, "edit", repo.store_article(edited).status))
        out.put(("ok", statuses))
    except Exception as exc:  # reported to the test, which fails on it
        out.put(("error", repr(exc)))
    finally:
        engine.dispose()


def lease_worker(url: str, owner: str, barrier: Any, out: Any) -> None:
    """Lease small batches until the queue is empty, completing each URL."""
    engine = make_engine(url)
    repo = Repository(engine)
    got: list[str] = []
    try:
        barrier.wait(timeout=60)
        while True:
            batch = repo.lease(owner, n=7, lease_s=120)
            if not batch:
                break
            for item in batch:
                got.append(item.url)
                assert repo.complete(item.url, "done", owner=owner)
        out.put(("ok", got))
    except Exception as exc:
        out.put(("error", repr(exc)))
    finally:
        engine.dispose()
