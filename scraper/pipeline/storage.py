"""What the pipeline needs of storage: the `Store` protocol and the records that cross it.

The pipeline is written against this protocol, not against `db`: `db.repository.Repository`
satisfies it structurally, and a test can hand the pipeline anything else that does. Records
going in are the pipeline's own small types; records coming back are described by the
attributes the pipeline reads, so storage may return its own (richer) types.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, Protocol

from scraper.article import Article
from scraper.rawpages import PackedPage

StoreStatus = Literal["new", "changed", "unchanged", "suspect"]
FinalState = Literal["done", "failed"]


@dataclass(frozen=True, slots=True)
class FetchedArticle:
    """A parsed article to store, with where it came from: the page's bytes (kept for
    re-parsing; already packed when the pipeline compressed them next to the parse), the
    fetch-log id and the time of the fetch."""

    article: Article
    raw_html: bytes | PackedPage | None = None
    fetch_id: int | None = None
    fetched_at: dt.datetime | None = None


class Completion(NamedTuple):
    """A leased URL's end: 'done' or 'failed' (given up), with the error if any."""

    url: str
    state: FinalState
    error: str | None


class Touch(NamedTuple):
    """A stored article found unchanged by a fetch (a 304) at `fetched_at`."""

    article_id: int
    fetched_at: dt.datetime


class KnownArticle(Protocol):
    """A stored article a URL leads to: what a 304's result reports."""

    @property
    def article_id(self) -> int: ...
    @property
    def dw_id(self) -> int | None: ...
    @property
    def title(self) -> str | None: ...


class StoredOutcome(Protocol):
    """What storing one article did."""

    @property
    def status(self) -> StoreStatus: ...
    @property
    def article_id(self) -> int: ...


class FoundArticle(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def article(self) -> Article: ...


class Leased(Protocol):
    @property
    def url(self) -> str: ...


class LiveRunInfo(Protocol):
    """A run still marked 'running', and who runs it."""

    @property
    def id(self) -> int: ...
    @property
    def host(self) -> str | None: ...
    @property
    def pid(self) -> int | None: ...
    @property
    def owner(self) -> str | None: ...
    @property
    def started_at(self) -> dt.datetime: ...
    @property
    def heartbeat_at(self) -> dt.datetime | None: ...


class LeaseSummaryInfo(Protocol):
    """URLs leased right now and when the last of those leases runs out."""

    @property
    def count(self) -> int: ...
    @property
    def until(self) -> dt.datetime | None: ...


class RawPage(Protocol):
    """A stored page's bytes and the URL they were fetched from."""

    @property
    def url(self) -> str: ...
    @property
    def body(self) -> bytes: ...


class Store(Protocol):
    """The storage operations the pipeline uses (see `db.repository.Repository`). Every one
    raises only `scraper.errors.StorageError` (a `DwscrapeError`) on a database failure."""

    def start_run(
        self,
        command: str,
        *,
        host: str | None = None,
        pid: int | None = None,
        owner: str | None = None,
    ) -> int: ...

    def heartbeat(self, run_id: int, owner: str, lease_s: float) -> int:
        """Refresh the run's heartbeat and renew `owner`'s leases."""
        ...

    def running_runs(self) -> Sequence[LiveRunInfo]: ...

    def abandon_runs(self, run_ids: Sequence[int], reason: str) -> int: ...

    def leased_summary(self) -> LeaseSummaryInfo: ...

    def release(self, owner: str, urls: Sequence[str] | None = None) -> int:
        """Give `owner`'s leases back to the queue, due at once."""
        ...

    def finish_run(
        self,
        run_id: int,
        status: str,
        counts: Mapping[str, int],
        fill_rates: Mapping[str, float] | None = None,
        error: str | None = None,
        fill_by_type: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None: ...

    def validators_many(self, urls: Sequence[str]) -> Mapping[str, tuple[str | None, str | None]]:
        """(ETag, Last-Modified) of each URL's last successful fetch that had any."""
        ...

    def known_urls(self, urls: Sequence[str]) -> Mapping[str, KnownArticle]: ...

    def find_article(self, ref: str | int) -> FoundArticle | None: ...

    def record_fetches(self, fetches: Sequence[Mapping[str, Any]]) -> list[int]: ...

    def mark_fetched_many(self, fetched: Sequence[tuple[int, dt.datetime]]) -> None: ...

    def store_articles(
        self,
        items: Sequence[FetchedArticle],
        *,
        run_id: int | None = None,
        cause: Literal["source", "parser"] = "source",
    ) -> Sequence[StoredOutcome]: ...

    def store_article(
        self, article: Article, *, cause: Literal["source", "parser"] = "source"
    ) -> StoredOutcome: ...

    def raw_pages(self, filters: Any = None) -> Iterator[RawPage]: ...

    def release_expired(self) -> int: ...

    def enqueue(
        self,
        urls: Iterable[str],
        *,
        priority: int = 0,
        not_before: dt.datetime | None = None,
        source: str | None = None,
        requeue: bool = False,
    ) -> int: ...

    def stale_urls(self, cutoff: dt.datetime) -> list[str]: ...

    def lease(self, owner: str, n: int = 10, lease_s: float = 300.0) -> Sequence[Leased]: ...

    def complete_many(self, done: Sequence[Completion], *, owner: str) -> int: ...

    def record_discovery(self, run_id: int, report: Mapping[str, Any]) -> None: ...

    def unstored_urls(self, urls: Sequence[str]) -> list[str]: ...

    def finished_sitemaps(self, lang: str) -> set[str]: ...

    def finish_sitemap(self, sitemap_url: str, lang: str, urls: int) -> None: ...
