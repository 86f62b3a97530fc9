"""A run stopped by SIGINT or SIGTERM, or killed, on both databases: the stopped run hands its
leases back and is recorded as interrupted (exit 130/143), a killed one is found abandoned by
the next run, and the next run goes on with exactly what was left."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from tests.support.faultsite import FaultSite
from tests.support.runs import article_hits, frontier_states, query, start, wait_until

ARTICLES = 40


@pytest.fixture
def slow_site() -> Iterator[FaultSite]:
    with FaultSite(extra_articles=ARTICLES, article_delay=0.25) as site:
        yield site


def run_args(db_url: str, site: FaultSite) -> list[str]:
    return [
        "run", "--db", db_url, "--site", site.base_url, "--delay", "0", "--source", "sitemap",
        "--concurrency", "2", "--lease-timeout", "2m",
    ]  # fmt: skip


def _runs(db_url: str) -> list[tuple]:
    return query(db_url, "SELECT id, status, command FROM crawl_runs ORDER BY id")


def _fetched_by(db_url: str, run_id: int) -> set[str]:
    rows = query(db_url, "SELECT url FROM fetches WHERE run_id = :r", r=run_id)
    return {r[0] for r in rows}


def _pending(db_url: str) -> set[str]:
    return {r[0] for r in query(db_url, "SELECT url FROM frontier WHERE state = 'pending'")}


def _finish_with_rerun(db_url: str, site: FaultSite) -> None:
    """The re-run right after: it fetches every URL left pending, and leaves all done."""
    left = _pending(db_url)
    assert left, "the stopped run should have left work behind"
    site.article_delay = 0
    proc = start(*run_args(db_url, site))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-2000:]
    rerun_id = _runs(db_url)[-1][0]
    assert left <= _fetched_by(db_url, rerun_id)
    assert set(frontier_states(db_url)) == {"done"}


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_stops_run_gracefully(
    db_url: str, slow_site: FaultSite, signum: int, code: int
) -> None:
    proc = start(*run_args(db_url, slow_site))
    wait_until(lambda: article_hits(slow_site) >= 10, what="the run to fetch")
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err[-2000:]
    assert "Traceback" not in err
    assert "interrupted" in out
    assert _runs(db_url)[-1][1] == "interrupted"
    assert "leased" not in frontier_states(db_url)  # handed back, due at once
    _finish_with_rerun(db_url, slow_site)


def test_killed_run_is_abandoned_and_its_leases_return(db_url: str, slow_site: FaultSite) -> None:
    proc = start(*run_args(db_url, slow_site))
    wait_until(lambda: article_hits(slow_site) >= 10, what="the run to fetch")
    proc.kill()
    proc.wait(timeout=10)  # reaped: its pid is gone
    assert frontier_states(db_url).get("leased"), "a killed run leaves its leases"
    killed_id = _runs(db_url)[-1][0]
    slow_site.article_delay = 0
    rerun = start(*run_args(db_url, slow_site))
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err[-2000:]
    assert "abandoned" in out
    statuses = {run_id: status for run_id, status, _ in _runs(db_url)}
    assert statuses[killed_id] == "abandoned"
    assert set(frontier_states(db_url)) == {"done"}


@pytest.mark.postgres
def test_lost_advisory_lock_stops_the_run(postgres_databases, slow_site: FaultSite) -> None:
    db_url = postgres_databases.migrated_copy()
    proc = start(*run_args(db_url, slow_site))
    wait_until(lambda: article_hits(slow_site) >= 4, what="the run to fetch")
    killed = query(
        postgres_databases.server_url,
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
        "AND granted AND database = (SELECT oid FROM pg_database WHERE datname = :d)",
        d=db_url.rsplit("/", 1)[-1],
    )
    assert killed == [(True,)]
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 4, err[-2000:]
    assert "run lock was lost" in err
    assert "Traceback" not in err, err[err.index("Traceback") - 500 :][:3000]
    assert "leased" not in frontier_states(db_url)
