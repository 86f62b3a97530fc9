"""Several `dwscrape worker` processes on one PostgreSQL frontier: one SIGKILLed and one
SIGTERMed part-way, and still every URL is done and every article stored once; with a delay,
the site sees the per-host delay kept across all of them."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator

import pytest

from tests.support.faultsite import FaultSite
from tests.support.runs import article_hits, frontier_states, query, start, wait_until

pytestmark = pytest.mark.postgres

#: How much closer than the delay two requests may reach the server. Each worker reserves its
#: slot on the database's clock (slots are exactly one delay apart), then sleeps on its own
#: until the slot: what separates two requests at the server is the delay plus the difference
#: of the two processes' latencies from the end of that sleep to the request reaching the
#: server's handler (waking the event loop, which may be busy a moment with a lease or a parse
#: hand-off, writing on the socket, the server thread picking it up). On an idle machine that
#: is a few milliseconds; with three workers, PostgreSQL and the site sharing two cores a
#: process may wait tens of milliseconds for a core, so single gaps are allowed this much less.
#: A late request never makes the next one early for long: the average gap is checked to hold
#: the delay to within `MEAN_TOLERANCE_S`.
TOLERANCE_S = 0.15
MEAN_TOLERANCE_S = 0.01


@pytest.fixture
def pg_url(postgres_databases) -> Iterator[str]:
    yield postgres_databases.migrated_copy()


def _enqueue(db_url: str, site: FaultSite) -> None:
    proc = start(
        "run", "--no-work", "--db", db_url, "--site", site.base_url, "--delay", "0",
        "--source", "sitemap",
    )  # fmt: skip
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-2000:]
    assert frontier_states(db_url) == {"pending": frontier_states(db_url)["pending"]}


def _worker(db_url: str, site: FaultSite, *extra: str) -> subprocess.Popen[str]:
    return start("worker", "--db", db_url, "--site", site.base_url, *extra)


@pytest.mark.parametrize("parse_workers", ["0", "1"])  # 1: a fetching parser process each
def test_workers_share_the_frontier_through_kills(pg_url: str, parse_workers: str) -> None:
    with FaultSite(extra_articles=60, article_delay=0.1) as site:
        _enqueue(pg_url, site)
        total = sum(frontier_states(pg_url).values())
        args = ("--delay", "0", "--concurrency", "2", "--lease-timeout", "2s", "--idle-exit", "8",
                "--parse-workers", parse_workers)  # fmt: skip
        workers = [_worker(pg_url, site, *args) for _ in range(3)]
        wait_until(lambda: article_hits(site) >= 12, what="the workers to fetch")
        workers[0].kill()
        wait_until(lambda: article_hits(site) >= 24, what="more fetching")
        workers[1].send_signal(signal.SIGTERM)
        outcomes = [w.communicate(timeout=180) for w in workers]
    codes = [w.returncode for w in workers]
    assert codes[0] == -signal.SIGKILL
    assert codes[1] == 143, outcomes[1][1][-2000:]
    assert codes[2] == 0, outcomes[2][1][-2000:]
    assert frontier_states(pg_url) == {"done": total}  # no lease left, nothing lost
    articles = query(pg_url, "SELECT count(*), count(DISTINCT dw_id) FROM articles")[0]
    revisions = query(pg_url, "SELECT count(*) FROM article_revisions")[0][0]
    assert articles[0] == articles[1] == revisions  # each article stored once, one revision
    assert articles[0] >= 60
    runs = dict(query(pg_url, "SELECT status, count(*) FROM crawl_runs GROUP BY status"))
    assert runs.get("interrupted") == 1
    assert runs.get("ok", 0) >= 2  # the enqueueing run and the surviving worker
    # the killed worker is still 'running' (nobody started since), its heartbeat stale soon


def test_workers_keep_the_delay_together(pg_url: str) -> None:
    delay = 0.5
    with FaultSite(extra_articles=12) as site:
        _enqueue(pg_url, site)
        started = len(site.requests)
        args = ("--delay", str(delay), "--concurrency", "2", "--idle-exit", "2")
        workers = [_worker(pg_url, site, *args) for _ in range(3)]
        outcomes = [w.communicate(timeout=180) for w in workers]
        times = sorted(r.at for r in list(site.requests)[started:])
    for worker, (_out, err) in zip(workers, outcomes, strict=True):
        assert worker.returncode == 0, err[-2000:]
    assert set(frontier_states(pg_url)) == {"done"}
    assert len(times) >= 12
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= delay - TOLERANCE_S, gaps
    assert (times[-1] - times[0]) / len(gaps) >= delay - MEAN_TOLERANCE_S, gaps


def test_a_worker_fetches_in_parallel_from_its_own_mirror(pg_url: str) -> None:
    """`--per-host-concurrency` (with parser processes) lets one worker keep several fetches
    to one host in flight, as `run` does; the default stays one."""
    with FaultSite(extra_articles=24, article_delay=0.1) as site:
        _enqueue(pg_url, site)
        total = sum(frontier_states(pg_url).values())
        site.max_in_flight = 0
        args = ("--delay", "0", "--concurrency", "4", "--per-host-concurrency", "4",
                "--parse-workers", "1", "--idle-exit", "2")  # fmt: skip
        worker = _worker(pg_url, site, *args)
        _out, err = worker.communicate(timeout=180)
        assert worker.returncode == 0 and "Traceback" not in err, err[-2000:]
        assert 2 <= site.max_in_flight <= 4
    assert frontier_states(pg_url) == {"done": total}
    articles = query(pg_url, "SELECT count(*), count(DISTINCT dw_id) FROM articles")[0]
    assert articles[0] == articles[1] >= 24
