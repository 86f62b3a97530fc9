"""Everything dwscrape does on the network: one polite, resilient HTTP GET.

``async with Fetcher(settings) as f: result = await f.fetch(url)``; `fetch_sync` for one-off
use. The package reads in the order a request travels:

* `settings`: `FetchSettings`, every knob with polite defaults;
* `client`: the `Fetcher` loop, one hop after another;
* `redirects`: followed by hand, within the hop limit and the allowed hosts, never into an
  internal address the operator did not name;
* `budget`: the time one URL may cost, all its attempts, waits and hops together;
* `robots` and `politeness`: robots.txt, per-host pacing, Retry-After, backing off;
* `gates`: the `HostGate` that shares a host's pacing with other processes;
* `retry`: when to try again and how long to wait (tenacity);
* `body`: a body read under the size cap, above the minimum rate, to its declared end;
* `decoders`: one bounded decoder per Content-Encoding (the size cap counts decoded bytes);
* `content` and `result`: what the answer is (media type, encoding, block page) and the
  `FetchResult` the caller gets, whose `FetchOutcome` says what happened.
"""

from __future__ import annotations

from scraper.fetching.client import Fetcher, fetch_sync
from scraper.fetching.content import block_reason, body_encoding
from scraper.fetching.gates import BlockingHostGate, HostGate, ThreadedHostGate
from scraper.fetching.result import Expect, FetchResult
from scraper.fetching.retry import parse_retry_after
from scraper.fetching.settings import PROJECT_URL, FetchSettings, default_user_agent
from scraper.fetching.statuses import BLOCK_STATUSES, DEFAULT_RETRY_STATUSES, REDIRECT_STATUSES
from scraper.outcomes import FetchOutcome

__all__ = [
    "BLOCK_STATUSES",
    "BlockingHostGate",
    "DEFAULT_RETRY_STATUSES",
    "PROJECT_URL",
    "REDIRECT_STATUSES",
    "Expect",
    "FetchOutcome",
    "FetchResult",
    "FetchSettings",
    "Fetcher",
    "HostGate",
    "ThreadedHostGate",
    "block_reason",
    "body_encoding",
    "default_user_agent",
    "fetch_sync",
    "parse_retry_after",
]
