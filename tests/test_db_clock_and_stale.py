"""The repository's injectable clock, and `stale_urls` (the articles a run refreshes)."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Iterator

import pytest

from db.engine import make_engine
from db.repository import Repository
from scraper.pipeline import Store
from tests.support.articles import make_article
from tests.support.cli import python

T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def timed_repo(db_url: str, clock: Clock) -> Iterator[Repository]:
    engine = make_engine(db_url)
    try:
        yield Repository(engine, now=clock)
    finally:
        engine.dispose()


def test_clock_gives_every_timestamp(timed_repo: Repository, clock: Clock) -> None:
    repo = timed_repo
    stored = repo.store_article(make_article(1))
    article = repo.get_article(stored.article_id)
    assert article is not None
    assert article.first_seen_at == article.last_fetched_at == article.last_changed_at == T0
    assert repo.revisions(stored.article_id)[0].created_at == T0
    run_id = repo.start_run("run")
    clock.at = T0 + dt.timedelta(minutes=5)
    repo.finish_run(run_id, "ok", {"fetched": 1})
    (run,) = repo.recent_runs(1)
    assert (run.started_at, run.finished_at) == (T0, clock.at)
    repo.enqueue(["https://www.dw.com/en/x/a-2"])
    (leased,) = repo.lease("w1", lease_s=60)
    assert leased.lease_expires_at == clock.at + dt.timedelta(seconds=60)


def test_stale_urls(timed_repo: Repository, clock: Clock) -> None:
    repo = timed_repo
    old = repo.store_article(make_article(10))
    clock.at = T0 + dt.timedelta(days=2)
    repo.store_article(make_article(11))
    fetched_later = make_article(12)
    repo.store_article(fetched_later, fetched_at=T0 + dt.timedelta(days=3))
    cutoff = T0 + dt.timedelta(days=1)
    old_article = repo.get_article(old.article_id)
    assert old_article is not None
    assert repo.stale_urls(cutoff) == [old_article.article.canonical_url]
    assert repo.stale_urls(T0) == []
    everything = repo.stale_urls(T0 + dt.timedelta(days=4))
    assert len(everything) == 3
    # the same URLs the run used to find by reading every article
    assert everything == [
        s.article.canonical_url or s.article.url
        for s in repo.iter_articles()
        if s.last_fetched_at < T0 + dt.timedelta(days=4)
    ]
    # a 304 moves an article out of the stale set
    repo.mark_fetched_many([(old.article_id, T0 + dt.timedelta(days=2))])
    assert repo.stale_urls(cutoff) == []


def test_repository_satisfies_the_store_protocol() -> None:
    """Checked statically by mypy where the CLI hands a Repository to the pipeline; here, at
    run time: every member of `Store` exists on `Repository` and takes its parameters."""
    members = [
        name for name, value in vars(Store).items() if callable(value) and not name.startswith("_")
    ]
    assert "stale_urls" in members and "store_articles" in members
    for name in members:
        implemented = getattr(Repository, name, None)
        assert implemented is not None, name
        wanted = inspect.signature(getattr(Store, name)).parameters
        offered = inspect.signature(implemented).parameters
        assert set(wanted) <= set(offered), name


def test_pipeline_does_not_import_db() -> None:
    code = (
        "import sys, scraper.pipeline; "
        "bad = sorted(m for m in sys.modules if m == 'db' or m.startswith('db.')); "
        "assert not bad, bad"
    )
    done = python("-c", code)
    assert done.returncode == 0, done.stderr
