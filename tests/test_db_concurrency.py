"""Two real processes writing at once, on SQLite and PostgreSQL: one article per DW id, one
revision per change, and no URL leased twice."""

from __future__ import annotations

import multiprocessing as mp
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from db import models as m
from db.repository import Repository
from tests.support.db_workers import lease_worker, store_worker

CTX = mp.get_context("spawn")


def run_two(target: Any, args: list[tuple[Any, ...]]) -> list[Any]:
    barrier = CTX.Barrier(len(args))
    out = CTX.Queue()
    procs = [CTX.Process(target=target, args=(*a, barrier, out)) for a in args]
    for p in procs:
        p.start()
    results = [out.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    errors = [r for r in results if r[0] != "ok"]
    assert not errors, errors
    return [r[1] for r in results]


def test_two_processes_store_the_same_articles(repo: Repository, db_url: str) -> None:
    dw_ids = list(range(90_000, 90_025))
    results = run_two(store_worker, [(db_url, dw_ids), (db_url, dw_ids)])
    statuses = Counter((dw_id, phase, status) for r in results for dw_id, phase, status in r)
    for dw_id in dw_ids:
        # exactly one process created it and exactly one recorded the edit
        assert statuses[(dw_id, "first", "new")] == 1
        assert statuses[(dw_id, "first", "unchanged")] == 1
        assert statuses[(dw_id, "edit", "changed")] == 1
        assert statuses[(dw_id, "edit", "unchanged")] == 1
    with repo.engine.connect() as conn:
        n_articles = conn.execute(select(func.count()).select_from(m.articles)).scalar_one()
        per_article = conn.execute(
            select(m.article_revisions.c.article_id, func.count()).group_by(
                m.article_revisions.c.article_id
            )
        ).all()
        authors = conn.execute(select(m.authors.c.key)).scalars().all()
    assert n_articles == len(dw_ids)
    assert sorted(n for _, n in per_article) == [2] * len(dw_ids)
    assert len(authors) == len(set(authors))
    stored = repo.find_article(dw_ids[0])
    assert (
        stored is not None and stored.article.title and stored.article.title.endswith("(updated)")
    )


def test_two_workers_share_the_frontier(repo: Repository, db_url: str) -> None:
    urls = [f"https://www.dw.com/en/x/a-{i}" for i in range(150)]
    assert repo.enqueue(urls) == 150
    a, b = run_two(lease_worker, [(db_url, "worker-a"), (db_url, "worker-b")])
    assert not set(a) & set(b)  # never the same URL twice
    assert sorted(a + b) == sorted(urls)
    assert repo.frontier_counts() == {"done": 150}
