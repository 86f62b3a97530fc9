"""Bulk requeue of the frontier and `mark_fetched` (a 304 moves `last_fetched_at`), on both
databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from db.repository import Repository, StoreRequest
from tests.support.articles import make_article


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


def test_mark_fetched_moves_last_fetched_at_forward_through_aliases(repo: Repository) -> None:
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    art = make_article(7001)
    fetched_from = art.url + "?maca=en-rss-en-all-1573-rdf"  # a tracking variant
    res = repo.store_articles([_request(art, fetched_from, t0)])[0]
    stored = repo.get_article(res.article_id)
    assert stored is not None and stored.last_fetched_at == t0

    t1 = t0 + dt.timedelta(hours=1)
    assert repo.mark_fetched(fetched_from, t1) == res.article_id
    after = repo.get_article(res.article_id)
    assert after is not None
    assert after.last_fetched_at == t1
    assert after.last_changed_at == t0 and after.first_seen_at == t0
    assert after.revision_count == 1

    # by canonical URL and by DW id too; an older time never moves it back
    t2 = t1 + dt.timedelta(hours=1)
    assert repo.mark_fetched(art.canonical_url or art.url, t2) == res.article_id
    assert repo.mark_fetched(7001, t0) == res.article_id
    again = repo.get_article(res.article_id)
    assert again is not None and again.last_fetched_at == t2


def test_mark_fetched_of_an_unknown_url_changes_nothing(repo: Repository) -> None:
    art = make_article(7002)
    res = repo.store_article(art)
    before = repo.get_article(res.article_id)
    assert repo.mark_fetched("https://www.dw.com/en/unknown/a-1234567") is None
    after = repo.get_article(res.article_id)
    assert before is not None and after is not None
    assert after.last_fetched_at == before.last_fetched_at


def _request(art: Any, url: str, fetched_at: dt.datetime) -> StoreRequest:
    return StoreRequest(art.with_changes(url=url), b"<html>page</html>", None, fetched_at)


def test_mark_fetched_many_by_article_id(repo: Repository) -> None:
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    ids = [
        r.article_id
        for r in repo.store_articles(
            [_request(make_article(n), make_article(n).url, t0) for n in (7101, 7102, 7103)]
        )
    ]
    t1 = t0 + dt.timedelta(days=1)
    repo.mark_fetched_many([(ids[0], t1), (ids[1], t0 - dt.timedelta(days=1))])
    repo.mark_fetched_many([])
    got = {i: repo.get_article(i) for i in ids}
    assert [got[i].last_fetched_at for i in ids] == [t1, t0, t0]  # type: ignore[union-attr]
