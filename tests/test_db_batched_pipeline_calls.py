"""The batched repository calls the crawl pipeline makes once per batch instead of once per
URL: `record_fetches`, `validators_many`, `complete_many`; on both databases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from db import models as m
from db.repository import Repository
from tests.support.articles import make_article

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def test_record_fetches_returns_ids_in_order_and_keeps_bodies(repo: Repository) -> None:
    rows = [
        {"url": "https://a/1", "outcome": "ok", "status": 200, "etag": '"e1"', "fetched_at": T0},
        {
            "url": "https://a/2",
            "outcome": "parse_error",
            "status": 200,
            "body": b"<html>unparsable</html>",
            "error": "parse: no article",
            "attempts": 2,
        },
        {"url": "https://a/3", "outcome": "http_error", "status": 404, "error": "HTTP 404"},
    ]
    ids = repo.record_fetches(rows)
    assert len(ids) == 3 and ids == sorted(ids) and len(set(ids)) == 3
    assert repo.record_fetches([]) == []
    assert repo.validators("https://a/1") == ('"e1"', None)
    f = m.fetches
    with repo.engine.connect() as conn:
        got = {r.id: r for r in conn.execute(select(f))}
    assert [got[i].url for i in ids] == ["https://a/1", "https://a/2", "https://a/3"]
    assert got[ids[1]].attempts == 2 and got[ids[0]].attempts == 1
    assert got[ids[1]].raw_page_sha256 is not None and got[ids[0]].raw_page_sha256 is None
    assert repo.get_raw_page(got[ids[1]].raw_page_sha256) == b"<html>unparsable</html>"
    assert got[ids[2]].status == 404 and got[ids[2]].error == "HTTP 404"


def test_validators_many_matches_validators_per_url(repo: Repository) -> None:
    later = T0 + dt.timedelta(days=1)
    repo.record_fetches(
        [
            {"url": "https://a/1", "outcome": "ok", "etag": '"old"', "fetched_at": T0},
            {"url": "https://a/1", "outcome": "ok", "etag": '"new"', "fetched_at": later},
            {"url": "https://a/1", "outcome": "timeout", "etag": '"x"', "fetched_at": later},
            {
                "url": "https://a/2",
                "outcome": "not_modified",
                "last_modified": "Mon",
                "fetched_at": T0,
            },
            {"url": "https://a/3", "outcome": "ok", "fetched_at": T0},  # no validators
        ]
    )
    urls = ["https://a/1", "https://a/2", "https://a/3", "https://a/unknown"]
    many = repo.validators_many(urls)
    assert many == {"https://a/1": ('"new"', None), "https://a/2": (None, "Mon")}
    for url in urls:
        assert many.get(url, (None, None)) == repo.validators(url)


def test_complete_many_finishes_only_the_owners_leases(repo: Repository) -> None:
    repo.enqueue([f"https://a/{i}" for i in range(4)])
    mine = [x.url for x in repo.lease("me", n=3)]
    other = [x.url for x in repo.lease("other", n=1)]
    done = [(mine[0], "done", None), (mine[1], "failed", "HTTP 404"), (other[0], "done", None)]
    repo.complete_many(done, owner="me")  # type: ignore[arg-type]
    assert repo.frontier_counts() == {"done": 1, "failed": 1, "leased": 2}
    assert repo.complete_many([], owner="me") == 0
    # finished ones can be requeued; the other worker's lease was left alone
    assert repo.enqueue([mine[0], mine[1], other[0]], requeue=True) == 2


def test_known_urls_through_aliases(repo: Repository) -> None:
    art = make_article(7201)
    res = repo.store_article(art)
    found = repo.known_urls([art.url, "https://www.dw.com/en/unknown/a-1"])
    assert found == {art.url: (res.article_id, 7201, art.title)}
    assert repo.known_urls([]) == {}
