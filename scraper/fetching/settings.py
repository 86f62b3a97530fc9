"""Every knob of the network layer in one frozen record, with polite defaults."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from scraper.errors import ConfigError
from scraper.fetching.statuses import DEFAULT_RETRY_STATUSES
from scraper.version import __version__

PROJECT_URL = "https://github.com/dwscrape/dwscrape"


def default_user_agent() -> str:
    """An honest User-Agent: who we are and where to read about us."""
    return f"dwscrape/{__version__} (+{PROJECT_URL})"


@dataclass(frozen=True)
class FetchSettings:
    """Every knob of the network layer, with polite defaults (cf. scrapy's default settings).

    Components receive one of these; nothing reads globals or the environment.
    """

    user_agent: str = field(default_factory=default_user_agent)
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    #: Deadline for one whole request including its body: a slow drip that beats the read
    #: timeout byte by byte still cannot hold a slot forever.
    total_timeout: float = 120.0
    #: Hard budget of one URL: every attempt (connect, headers, body), every wait between
    #: retries and every redirect hop. Spent, the fetch ends as ``timeout``; the time a URL
    #: waits for its host's politeness slot does not count (so a queue of URLs behind a slow
    #: one is not failed by it), and the slot is never held longer than this.
    url_budget_s: float = 180.0
    #: A body arriving slower than this many bytes per second, measured over
    #: ``min_rate_window_s``, is abandoned as ``timeout`` (a drip that beats the read timeout
    #: byte by byte). 0 turns the check off.
    min_rate_bytes_s: int = 1024
    min_rate_window_s: float = 10.0
    #: Cap on the (decompressed) body; larger responses are ``too_large``.
    max_bytes: int = 10 * 1024 * 1024
    #: Only this much of a robots.txt is read and parsed (RFC 9309 allows a cap of at least
    #: 500 KiB): a huge robots.txt is cut, not a reason to treat the host as disallowed.
    robots_max_bytes: int = 500 * 1024
    max_redirects: int = 5
    #: Hosts redirects may lead to besides the starting URL's origin (and dw.com, see below).
    allowed_hosts: tuple[str, ...] = ()
    allow_dw_hosts: bool = True
    #: Origins (``scheme://host[:port]``) the operator named: the ``--site`` origin and the
    #: origins of the URLs given to crawl. A redirect may lead there even when the address
    #: is loopback or private; any other cross-origin redirect into loopback, link-local or
    #: private ranges is refused (checked on the resolved address, before connecting).
    allowed_origins: tuple[str, ...] = ()
    #: Minimum pause between the end of one request and the start of the next on a host.
    per_host_delay: float = 1.0
    per_host_concurrency: int = 1
    global_concurrency: int = 8
    obey_robots: bool = True
    #: robots.txt Crawl-delay is honoured up to this many seconds.
    max_crawl_delay: float = 60.0
    #: A fetched robots.txt is used for this long, then fetched again (RFC 9309: at most 24 h).
    robots_max_age: float = 24 * 3600.0
    #: After robots.txt could not be fetched (5xx, unreachable) the host counts as disallowed
    #: for this long, then robots.txt is tried again, so a long run recovers from an outage.
    robots_failure_max_age: float = 600.0
    retry_statuses: frozenset[int] = DEFAULT_RETRY_STATUSES
    #: Tries per request, the first included.
    max_attempts: int = 4
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    jitter: float = 1.0
    #: Total seconds one request may spend waiting between retries.
    max_total_wait: float = 300.0
    #: A Retry-After longer than this is not waited for: the request gives up instead
    #: (retrying sooner than the server asked would be rude).
    retry_after_cap: float = 300.0
    #: After this many 403/429/451 answers in a row a host is left alone for the run.
    host_backoff_after: int = 5
    #: Use proxy settings from the environment (HTTP(S)_PROXY, NO_PROXY), as httpx does.
    trust_env: bool = True

    def __post_init__(self) -> None:
        positive = {
            "connect_timeout": self.connect_timeout,
            "read_timeout": self.read_timeout,
            "total_timeout": self.total_timeout,
            "url_budget_s": self.url_budget_s,
            "min_rate_window_s": self.min_rate_window_s,
            "max_bytes": self.max_bytes,
            "robots_max_bytes": self.robots_max_bytes,
            "per_host_concurrency": self.per_host_concurrency,
            "global_concurrency": self.global_concurrency,
            "max_attempts": self.max_attempts,
            "host_backoff_after": self.host_backoff_after,
            "robots_max_age": self.robots_max_age,
            "robots_failure_max_age": self.robots_failure_max_age,
        }
        for name, value in positive.items():
            if not math.isfinite(value) or value <= 0:
                raise ConfigError(f"FetchSettings.{name} must be > 0, got {value!r}")
        non_negative = {
            "max_redirects": self.max_redirects,
            "min_rate_bytes_s": self.min_rate_bytes_s,
            "per_host_delay": self.per_host_delay,
            "max_crawl_delay": self.max_crawl_delay,
            "backoff_base": self.backoff_base,
            "backoff_max": self.backoff_max,
            "jitter": self.jitter,
            "max_total_wait": self.max_total_wait,
            "retry_after_cap": self.retry_after_cap,
        }
        for name, value in non_negative.items():
            if not math.isfinite(value) or value < 0:
                raise ConfigError(f"FetchSettings.{name} must be >= 0, got {value!r}")
        if not self.user_agent.strip():
            raise ConfigError("FetchSettings.user_agent must not be empty")

    @property
    def robots_agent(self) -> str:
        """The product token robots.txt rules are matched against (``dwscrape``)."""
        return self.user_agent.split("/", 1)[0].strip() or self.user_agent

    def unthrottled(self, concurrency: int = 32) -> FetchSettings:
        """These settings with politeness off (no delay, ``concurrency`` per host): only for
        the local fake site in tests and benchmarks, never for dw.com."""
        return replace(
            self,
            per_host_delay=0.0,
            per_host_concurrency=concurrency,
            global_concurrency=concurrency,
        )
