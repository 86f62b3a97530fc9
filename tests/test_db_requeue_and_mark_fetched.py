"""Bulk requeue of the frontier, on both databases."""

from __future__ import annotations

from db.repository import Repository


def test_bulk_requeue_puts_finished_urls_back_and_leaves_live_ones(repo: Repository) -> None:
    urls = [f"https://a/{i}" for i in range(5)]
    assert repo.enqueue(urls) == 5
    leased = {x.url for x in repo.lease("w1", n=5)}
    assert leased == set(urls)
    assert repo.complete("https://a/0", "done", owner="w1")
    assert repo.complete("https://a/1", "done", owner="w1")
    assert repo.complete("https://a/2", "failed", "HTTP 404", owner="w1")
    # a/3 stays leased (another worker is on it), a/4 pending again
    assert repo.complete("https://a/4", "pending", owner="w1")

    # Several rows in one statement: an executemany upsert (failed on SQLite with an IN list).
    fresh = ["https://a/new1", "https://a/new2"]
    added = repo.enqueue([*urls, *fresh], requeue=True, priority=10, source="rss")
    assert added == 3 + len(fresh)  # done, done, failed requeued; two new; leased/pending not
    assert repo.frontier_counts() == {"pending": 6, "leased": 1}
    got = {x.url: x for x in repo.lease("w2", n=10)}
    assert set(got) == {"https://a/0", "https://a/1", "https://a/2", "https://a/4", *fresh}
    assert got["https://a/0"].priority == 10
    assert got["https://a/4"].priority == 0  # pending rows were left alone


def test_requeue_without_finished_rows_adds_only_new(repo: Repository) -> None:
    repo.enqueue(["https://a/1", "https://a/2"])
    assert repo.enqueue(["https://a/1", "https://a/2", "https://a/3"], requeue=True) == 1
    assert repo.frontier_counts() == {"pending": 3}
