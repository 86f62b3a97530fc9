"""Frontier queue semantics, fetch log and conditional-GET validators, crawl runs, stats."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from db.repository import Repository
from tests.support.articles import make_article


def test_enqueue_is_idempotent_and_lease_orders_by_priority(repo: Repository) -> None:
    assert repo.enqueue(["https://a/1", "https://a/2"]) == 2
    assert repo.enqueue(["https://a/2", "https://a/3"], priority=5) == 1
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    repo.enqueue(["https://a/later"], priority=9, not_before=later)
    leased = repo.lease("w1", n=2)
    assert [x.url for x in leased] == ["https://a/3", "https://a/1"]
    assert all(x.attempts == 1 for x in leased)
    assert [x.url for x in repo.lease("w2", n=10)] == ["https://a/2"]  # 'later' is not due
    assert repo.lease("w3") == []
    assert repo.frontier_counts() == {"leased": 3, "pending": 1}


def test_complete_retry_and_owner_check(repo: Repository) -> None:
    repo.enqueue(["https://a/1"])
    (item,) = repo.lease("w1")
    assert not repo.complete(item.url, "done", owner="intruder")
    assert repo.complete(
        item.url, "pending", "HTTP 503", owner="w1", next_fetch_at=dt.datetime.now(dt.UTC)
    )
    (again,) = repo.lease("w1")
    assert again.attempts == 2
    assert repo.complete(again.url, "failed", "gave up", owner="w1")
    assert repo.lease("w1") == []
    assert repo.enqueue(["https://a/1"]) == 0
    assert repo.enqueue(["https://a/1"], requeue=True) == 1
    assert [x.url for x in repo.lease("w1")] == ["https://a/1"]


def test_expired_leases_are_taken_over(repo: Repository) -> None:
    repo.enqueue(["https://a/1", "https://a/2"])
    assert len(repo.lease("crashed", n=2, lease_s=0.05)) == 2
    time.sleep(0.1)
    assert [x.url for x in repo.lease("w2", n=1)] == ["https://a/1"]
    assert repo.release_expired() == 1
    assert repo.frontier_counts() == {"leased": 1, "pending": 1}
    assert not repo.complete("https://a/1", "done", owner="crashed")


def test_fetch_log_and_validators(repo: Repository) -> None:
    url = "https://www.dw.com/en/x/a-1"
    assert repo.validators(url) == (None, None)
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    repo.record_fetch(
        url=url,
        outcome="ok",
        status=200,
        etag='"v1"',
        last_modified="Mon, 01 Jan 2024 00:00:00 GMT",
        fetched_at=t0,
        duration_s=0.2,
        body=b"<html/>",
    )
    assert repo.validators(url) == ('"v1"', "Mon, 01 Jan 2024 00:00:00 GMT")
    repo.record_fetch(
        url=url, outcome="ok", status=200, etag='"v2"', fetched_at=t0 + dt.timedelta(days=1)
    )
    repo.record_fetch(
        url=url,
        outcome="http_error",
        status=500,
        etag='"broken"',
        fetched_at=t0 + dt.timedelta(days=2),
        error="HTTP 500",
    )
    repo.record_fetch(
        url=url, outcome="timeout", fetched_at=t0 + dt.timedelta(days=3), error="read timeout"
    )
    assert repo.validators(url) == ('"v2"', None)
    assert repo.validators("https://www.dw.com/en/other/a-2") == (None, None)


def test_runs_with_counts_and_fill_rates(repo: Repository) -> None:
    run = repo.start_run("crawl --lang en")
    fid = repo.record_fetch(url="https://www.dw.com/en/x/a-1", outcome="ok", status=200, run_id=run)
    res = repo.store_article(make_article(1), fetch_id=fid, run_id=run)
    assert res.status == "new"
    counts = {"discovered": 3, "fetched": 2, "new": 1, "changed": 0, "unchanged": 0, "failed": 1}
    repo.finish_run(run, "ok", counts, {"title": 1.0, "authors": 0.5})
    (info,) = repo.recent_runs(5)
    assert info.id == run and info.status == "ok" and info.command == "crawl --lang en"
    assert info.counts == {**counts, "suspect": 0}  # a run counts suspect versions too
    assert info.fill_rates == {"title": 1.0, "authors": 0.5}
    assert info.finished_at is not None and info.finished_at.tzinfo is not None
    with pytest.raises(ValueError):
        repo.finish_run(run, "ok", {"bogus": 1})
    stats = repo.stats()
    assert stats["articles"] == 1 and stats["fetches"] == 1 and stats["crawl_runs"] == 1
    assert stats["articles_by_language"] == {"en": 1}


def test_iter_articles_with_filters(repo: Repository) -> None:
    repo.store_articles([make_article(i, lang="de" if i % 2 else "en") for i in range(1, 12)])
    assert [s.article.dw_id for s in repo.iter_articles(lang="de", batch_size=2)] == [
        1,
        3,
        5,
        7,
        9,
        11,
    ]
    assert len(list(repo.iter_articles(limit=4))) == 4
    assert len(list(repo.iter_articles())) == 11
