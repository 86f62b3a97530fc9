"""Retries with tenacity: what is retried, how long we wait, when we give up. The sleep is a
fake clock's, so waits are asserted exactly and the tests take no wall time."""

from __future__ import annotations

import dataclasses

import pytest
from structlog.testing import capture_logs

from scraper.errors import ConfigError
from scraper.fetching import FetchOutcome, FetchSettings, parse_retry_after
from tests.support.faultsite import FaultSite
from tests.support.fetch import FAST, FakeClock, fetch_one


def test_500_then_200_is_ok_on_the_second_attempt(shared_site: FaultSite) -> None:
    clock = FakeClock()
    with capture_logs() as logs:
        result = fetch_one(shared_site.base_url + "/_fault/500-then-200?key=a", clock=clock)
    assert result.outcome is FetchOutcome.OK and result.attempts == 2
    retries = [e for e in logs if e["event"] == "fetch.retry"]
    assert len(retries) == 1
    assert retries[0]["status"] == 500 and retries[0]["attempt"] == 1
    assert clock.sleeps == [1.0]  # backoff_base * 2**0, no jitter in FAST


def test_backoff_is_exponential_with_jitter_and_gives_up(shared_site: FaultSite) -> None:
    clock = FakeClock()
    settings = dataclasses.replace(FAST, max_attempts=4, jitter=0.5)
    result = fetch_one(shared_site.base_url + "/_fault/status?code=503", settings, clock)
    assert result.outcome is FetchOutcome.HTTP_ERROR and result.status == 503
    assert result.attempts == 4
    waits = clock.sleeps
    assert len(waits) == 3
    for wait, base in zip(waits, (1.0, 2.0, 4.0), strict=True):
        assert base <= wait <= base + 0.5


def test_total_wait_is_capped(shared_site: FaultSite) -> None:
    clock = FakeClock()
    settings = dataclasses.replace(FAST, max_attempts=10, max_total_wait=2.5)
    result = fetch_one(shared_site.base_url + "/_fault/status?code=502", settings, clock)
    # waits 1 then 2 would total 3 > 2.5: give up after the second try
    assert result.attempts == 2
    assert sum(clock.sleeps) <= 2.5


@pytest.mark.parametrize("code", [400, 401, 404, 418])
def test_other_4xx_are_not_retried(shared_site: FaultSite, code: int) -> None:
    clock = FakeClock()
    result = fetch_one(shared_site.base_url + f"/_fault/status?code={code}", clock=clock)
    assert result.attempts == 1 and clock.sleeps == []


def test_retry_after_seconds_is_honoured(site: FaultSite) -> None:
    clock = FakeClock()
    result = fetch_one(site.base_url + "/_fault/429-retry-after?seconds=7", clock=clock)
    assert result.outcome is FetchOutcome.OK and result.attempts == 2
    assert clock.sleeps == [7.0]  # exactly what the server asked, and the slot waits no longer


def test_retry_after_http_date_is_honoured(site: FaultSite) -> None:
    clock = FakeClock()
    result = fetch_one(site.base_url + "/_fault/429-retry-after?seconds=30&date=1", clock=clock)
    assert result.outcome is FetchOutcome.OK
    assert 28.0 <= clock.sleeps[0] <= 31.0


def test_retry_after_beyond_the_cap_gives_up_instead_of_retrying_early(
    site: FaultSite,
) -> None:
    clock = FakeClock()
    settings = dataclasses.replace(FAST, retry_after_cap=60.0)
    result = fetch_one(
        site.base_url + "/_fault/429-retry-after?seconds=3600&always=1", settings, clock
    )
    assert result.outcome is FetchOutcome.BLOCKED and result.status == 429
    assert result.attempts == 1
    assert "exceeds the cap" in (result.error or "")


def test_timeouts_and_connection_errors_are_retried(shared_site: FaultSite) -> None:
    clock = FakeClock()
    with capture_logs() as logs:
        result = fetch_one(shared_site.base_url + "/_fault/reset", clock=clock)
    assert result.outcome is FetchOutcome.CONNECTION_ERROR and result.attempts == 3
    assert [e["attempt"] for e in logs if e["event"] == "fetch.retry"] == [1, 2]


def test_parse_retry_after() -> None:
    import datetime as dt

    now = dt.datetime(2024, 1, 30, 8, 0, 0, tzinfo=dt.UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after("Tue, 30 Jan 2024 08:01:00 GMT", now) == 60.0
    assert parse_retry_after("Tue, 30 Jan 2024 07:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_settings_are_validated() -> None:
    with pytest.raises(ConfigError):
        FetchSettings(max_attempts=0)
    with pytest.raises(ConfigError):
        FetchSettings(per_host_delay=-1)
    with pytest.raises(ConfigError):
        FetchSettings(user_agent=" ")
    defaults = FetchSettings()
    assert defaults.per_host_delay == 1.0 and defaults.per_host_concurrency == 1
    assert defaults.obey_robots and defaults.max_bytes == 10 * 1024 * 1024
    assert {500, 502, 503, 504, 522, 524, 408, 429} == set(defaults.retry_statuses)
    fast = defaults.unthrottled(16)
    assert fast.per_host_delay == 0 and fast.per_host_concurrency == 16
