"""The time budget of one URL: every attempt, every wait between attempts, every redirect hop.

Timeouts per request (connect, read, total) bound one request; the budget bounds what one URL
may cost a run however many attempts and hops it takes, so a server that answers each request
just inside its timeouts still cannot keep a URL (and its host's politeness slot) for long.
The time a URL waits for its host's slot is not spent from its budget: URLs queued behind a
slow one are not failed by it.
"""

from __future__ import annotations


class UrlBudget:
    """Seconds left of one URL's budget; spent by the fetcher as time passes on the wire
    and in the waits between retries."""

    def __init__(self, seconds: float) -> None:
        self.total = seconds
        self.left = seconds

    def spend(self, seconds: float) -> None:
        self.left -= max(0.0, seconds)

    @property
    def spent(self) -> bool:
        return self.left <= 0

    def message(self) -> str:
        return f"URL budget of {self.total:g} s spent"
