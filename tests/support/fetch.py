"""Fixtures for the fetcher and discovery tests: the fault site (`FaultSite`) on a real socket
and a fake clock whose sleep advances time instead of waiting (so retry and politeness tests are
instant and their waits can be asserted exactly)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from scraper.fetching import Fetcher, FetchResult, FetchSettings
from tests.support.faultsite import FaultSite


class FakeClock:
    """Monotonic clock + sleep for `Fetcher(clock=..., sleep=...)`; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


#: Settings for tests: no politeness delay, short timeouts, deterministic backoff.
FAST = FetchSettings(
    per_host_delay=0.0,
    connect_timeout=2.0,
    read_timeout=2.0,
    total_timeout=10.0,
    max_attempts=3,
    backoff_base=1.0,
    jitter=0.0,
)


def fetch_one(
    url: str, settings: FetchSettings = FAST, clock: FakeClock | None = None, **kw: Any
) -> FetchResult:
    """Fetch one URL with a fresh Fetcher on a fake clock."""
    clock = clock or FakeClock()

    async def run() -> FetchResult:
        async with Fetcher(settings, clock=clock, sleep=clock.sleep) as fetcher:
            return await fetcher.fetch(url, **kw)

    return asyncio.run(run())


@pytest.fixture(scope="session")
def shared_site() -> Iterator[FaultSite]:
    """One fake site for read-only tests (fault counters are separated by ``?key=``)."""
    with FaultSite() as site:
        yield site


@pytest.fixture
def site() -> Iterator[FaultSite]:
    """A fresh fake site per test: its request log and pages belong to the test."""
    with FaultSite() as fresh:
        yield fresh


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
