"""When to try a request again, and how long to wait first (tenacity does the looping).

Connect/read errors, timeouts and the retry statuses (scrapy's list) are retried with
exponential backoff and jitter, under a cap on attempts and on total waiting; a
``Retry-After`` replaces the backoff. The sleep is injected so tests never wait.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Awaitable, Callable

import structlog
from tenacity import AsyncRetrying, RetryCallState, retry_if_result

from scraper import dates
from scraper.fetching.budget import UrlBudget
from scraper.fetching.result import Exchange
from scraper.fetching.settings import FetchSettings

log = structlog.get_logger(__name__)

Sleep = Callable[[float], Awaitable[None]]


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent
    or unparseable. Dates in the past mean 0."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = dates.parse_http_date(value)
    if when is None:
        return None
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


def _exchange(rs: RetryCallState) -> Exchange:
    """The exchange of the attempt just made (attempts return data, they never raise)."""
    assert rs.outcome is not None
    ex: Exchange = rs.outcome.result()
    return ex


class RetryPolicy:
    """The tenacity callbacks for one request to ``url`` under ``settings``."""

    def __init__(
        self, settings: FetchSettings, rng: random.Random, url: str, budget: UrlBudget
    ) -> None:
        self.settings = settings
        self.rng = rng
        self.url = url
        self.budget = budget

    def wait(self, rs: RetryCallState) -> float:
        s = self.settings
        ex = _exchange(rs)
        if ex.retry_after is not None:
            return min(ex.retry_after, s.retry_after_cap)
        backoff = min(s.backoff_max, s.backoff_base * 2 ** (rs.attempt_number - 1))
        return backoff + self.rng.uniform(0, s.jitter)

    def stop(self, rs: RetryCallState) -> bool:
        if rs.attempt_number >= self.settings.max_attempts:
            return True
        if rs.upcoming_sleep >= self.budget.left:  # no time left for another attempt
            return True
        return rs.idle_for + rs.upcoming_sleep > self.settings.max_total_wait

    def before_sleep(self, rs: RetryCallState) -> None:
        ex = _exchange(rs)
        log.warning(
            "fetch.retry",
            url=self.url,
            attempt=rs.attempt_number,
            status=ex.status,
            error=ex.error,
            wait_s=round(rs.upcoming_sleep, 3),
            retry_after=ex.retry_after,
        )


def retrying(
    settings: FetchSettings, rng: random.Random, sleep: Sleep, url: str, budget: UrlBudget
) -> AsyncRetrying:
    """A tenacity loop that retries while the last `Exchange` is ``retryable`` and the URL's
    ``budget`` allows and, when it gives up, returns that exchange instead of raising. The
    waits between attempts are spent from the budget."""
    policy = RetryPolicy(settings, rng, url, budget)

    async def spending_sleep(seconds: float) -> None:
        budget.spend(seconds)
        await sleep(seconds)

    return AsyncRetrying(
        sleep=spending_sleep,
        stop=policy.stop,
        wait=policy.wait,
        retry=retry_if_result(lambda ex: ex.retryable),
        before_sleep=policy.before_sleep,
        retry_error_callback=_exchange,
    )
