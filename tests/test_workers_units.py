"""The pieces under `worker` and `run`: lease renewal by the heartbeat, a process never taking
over its own leases, handing leases back, abandoned runs, the shared host gate, and the
fetcher asking an injected gate (without any database)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import os

import pytest

from db.repository import Repository
from scraper.fetching import Fetcher
from scraper.pipeline.recovery import Owner, recover
from tests.support.faultsite import FaultSite
from tests.support.fetch import FAST, FakeClock


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def timed(repo: Repository) -> tuple[Repository, Clock]:
    clock = Clock()
    return Repository(repo.engine, now=clock), clock


def test_heartbeat_renews_leases_and_owner_never_takes_its_own(timed) -> None:
    repo, clock = timed
    repo.enqueue(["https://www.dw.com/en/x/a-1", "https://www.dw.com/en/x/a-2"])
    run_id = repo.start_run("worker", host="h", pid=1, owner="me")
    assert len(repo.lease("me", 10, lease_s=10)) == 2
    clock.advance(8)
    assert repo.heartbeat(run_id, "me", 10) == 2
    clock.advance(8)  # past the first expiry, within the renewed one
    assert repo.lease("other", 10, lease_s=10) == []
    clock.advance(5)  # the renewed leases ran out: others may take them, the owner not
    assert repo.lease("me", 10, lease_s=10) == []
    assert len(repo.lease("other", 10, lease_s=10)) == 2


def test_release_hands_leases_back_without_an_attempt(timed) -> None:
    repo, _clock = timed
    repo.enqueue([f"https://www.dw.com/en/x/a-{i}" for i in range(5)])
    leased = repo.lease("me", 5, lease_s=60)
    assert repo.release("me", [leased[0].url]) == 1
    assert repo.release("me") == 4
    again = repo.lease("other", 5, lease_s=60)
    assert len(again) == 5 and all(item.attempts == 1 for item in again)
    assert repo.leased_summary().count == 5


def test_dead_owner_is_abandoned_and_its_leases_return(timed) -> None:
    repo, clock = timed
    repo.enqueue(["https://www.dw.com/en/x/a-1"])
    me = Owner.current()
    dead_pid = 2**22 + 12345  # above the usual pid_max: no such process
    gone = repo.start_run("run", host=me.host, pid=dead_pid, owner="dead-owner")
    live = repo.start_run("worker", host=me.host, pid=os.getppid(), owner="live-owner")
    stale = repo.start_run("worker", host="elsewhere", pid=1, owner="stale-owner")
    repo.lease("dead-owner", 1, lease_s=300)
    clock.advance(3 * 300 + 1)
    repo.heartbeat(live, "live-owner", 300)
    recovery = recover(repo, me, lease_s=300, now=clock.now)
    assert recovery.abandoned == 2
    statuses = {r.id: r.status for r in repo.recent_runs(5)}
    assert statuses[gone] == statuses[stale] == "abandoned"
    assert statuses[live] == "running"
    assert repo.lease("someone", 1, lease_s=60)  # back in the queue at once


@pytest.mark.postgres
def test_host_gate_hands_out_slots_one_delay_apart(postgres_repo: Repository) -> None:
    waits = [postgres_repo.reserve_host("www.dw.com", 0.5) for _ in range(3)]
    assert waits[0] == 0.0
    assert waits[1] == pytest.approx(0.5, abs=0.05)
    assert waits[2] == pytest.approx(1.0, abs=0.05)
    postgres_repo.defer_host("www.dw.com", 30)
    assert postgres_repo.reserve_host("www.dw.com", 0.5) == pytest.approx(30, abs=0.1)
    assert postgres_repo.reserve_host("other.example", 0.5) == 0.0


class RecordingGate:
    def __init__(self, wait: float = 0.0) -> None:
        self.wait = wait
        self.reserved: list[tuple[str, float]] = []
        self.deferred: list[tuple[str, float]] = []

    async def reserve(self, host: str, interval: float) -> float:
        self.reserved.append((host, interval))
        return self.wait

    async def defer(self, host: str, seconds: float) -> None:
        self.deferred.append((host, seconds))


def _fetch_with_gate(url: str, gate: RecordingGate, delay: float, clock: FakeClock) -> None:
    settings = dataclasses.replace(FAST, per_host_delay=delay, max_attempts=1)

    async def run() -> None:
        async with Fetcher(settings, clock=clock, sleep=clock.sleep, gate=gate) as fetcher:
            await fetcher.fetch(url)

    asyncio.run(run())


def test_fetcher_waits_for_the_shared_slot_and_shares_retry_after(site: FaultSite) -> None:
    clock = FakeClock()
    gate = RecordingGate(wait=0.7)
    _fetch_with_gate(site.base_url + "/_fault/429-retry-after?seconds=5", gate, 1.0, clock)
    assert gate.reserved and all(interval == 1.0 for _, interval in gate.reserved)
    assert 0.7 in clock.sleeps
    assert gate.deferred == [("127.0.0.1", 5.0)]


def test_fetcher_skips_the_gate_at_delay_zero(site: FaultSite) -> None:
    gate = RecordingGate()
    _fetch_with_gate(site.base_url + "/robots.txt", gate, 0.0, FakeClock())
    assert gate.reserved == []


def test_worker_refuses_sqlite(tmp_path) -> None:
    from click.testing import CliRunner

    from scraper.cli import cli

    result = CliRunner().invoke(cli, ["worker", "--db", str(tmp_path / "x.sqlite3")])
    assert result.exit_code == 2
    assert "needs a PostgreSQL database" in result.output


def test_a_batch_never_holds_more_bodies_than_its_byte_cap() -> None:
    from scraper.pipeline.prepared import MAX_BATCH_BYTES, batch_size

    assert batch_size(8, 10 * 2**20) == 25  # 256 MiB of 10 MiB bodies, not 32 URLs
    assert batch_size(8, 64 * 2**10) == 32  # small bodies: four rounds of the concurrency
    assert batch_size(1, 2**20, max_batch_bytes=3 * 2**20) == 3
    assert batch_size(4, MAX_BATCH_BYTES * 2) == 1  # one body over the cap: one URL a batch
