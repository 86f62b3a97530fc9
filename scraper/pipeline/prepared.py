"""The records of one URL on its way through the `Pipeline`: what the pipeline needs of a
fetcher, the validators of a conditional GET, and the `Prepared` URL before it is written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from scraper.article import Article
from scraper.discovery import Site
from scraper.fetching import FetchResult
from scraper.pipeline.report import UrlResult
from scraper.pipeline.storage import KnownArticle
from scraper.rawpages import PackedPage


def page_url(fetched: FetchResult, address: str, site: Site | None) -> str:
    """The URL a fetched page stands for: where its redirects led (else the address asked
    for), and a mirror's address mapped back onto the DW URL it stands for."""
    url = fetched.final_url or address
    return site.unmap(url) if site is not None else url


class PageFetcher(Protocol):
    """What the pipeline needs of a fetcher (`scraper.fetching.Fetcher`)."""

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult: ...


class Validators(NamedTuple):
    """The conditional-GET validators of a URL's last successful fetch."""

    etag: str | None = None
    last_modified: str | None = None


class Known(NamedTuple):
    """A stored article a URL leads to (found for a 304)."""

    article_id: int
    dw_id: int | None
    title: str | None


@dataclass(slots=True)
class Prepared:
    """One URL after fetch and parse, before anything is written: its fetch, and either the
    parsed article, an `error`, or (304) what is known of its stored article; `page` is the
    fetched page packed for storage. `result` is set once the URL's outcome is final."""

    url: str
    fetched: FetchResult | None = None
    article: Article | None = None
    page: PackedPage | None = None
    error: str | None = None
    known: KnownArticle | None = None
    result: UrlResult | None = None
    fetch_id: int | None = None

    def fields(self) -> dict[str, Any]:
        """The fetch's part of this URL's `UrlResult`."""
        fetched = self.fetched
        if fetched is None:
            return {}
        return {
            "outcome": str(fetched.outcome),
            "http_status": fetched.status,
            "final_url": fetched.final_url,
        }

    def failed(self, error: str, **extra: Any) -> UrlResult:
        return UrlResult(self.url, "error", error=error, **extra, **self.fields())

    def fetch_row(self, run_id: int | None) -> dict[str, Any]:
        """This URL's row of the fetch log (`Store.record_fetches`)."""
        fetched = self.fetched
        assert fetched is not None
        return {
            "url": self.url,
            "outcome": str(fetched.outcome),
            "final_url": fetched.final_url,
            "status": fetched.status,
            "content_type": fetched.content_type,
            "etag": fetched.etag,
            "last_modified": fetched.last_modified,
            "fetched_at": fetched.fetched_at,
            "duration_s": fetched.duration_s,
            "attempts": fetched.attempts,
            "error": self.error or fetched.error,
            # A parsed page's bytes are kept with its article; an unparsable one's with
            # the fetch, so it can be looked at and re-parsed later.
            "body": (self.page or fetched.body) if self.article is None else None,
            "run_id": run_id,
        }


#: What the fetched bodies of one batch may add up to at most (decompressed), whatever its
#: count: with `FetchSettings.max_bytes` per body this bounds the URLs a batch takes. Up to
#: three batches are held at once (one written while the next two are fetched).
MAX_BATCH_BYTES = 256 * 2**20


def batch_size(
    concurrency: int, max_body_bytes: int, max_batch_bytes: int = MAX_BATCH_BYTES
) -> int:
    """URLs per batch: four rounds of `concurrency` (at least 8), but never more bodies than
    `max_batch_bytes` holds at `max_body_bytes` each (at least one)."""
    by_count = max(8, concurrency * 4)
    by_bytes = max(1, max_batch_bytes // max(1, max_body_bytes))
    return min(by_count, by_bytes)
