"""The records of one URL on its way through the `Pipeline`: what the pipeline needs of a
fetcher, the validators of a conditional GET, and the `Prepared` URL before it is written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from scraper.article import Article
from scraper.fetching import FetchResult
from scraper.pipeline.report import UrlResult
from scraper.pipeline.storage import KnownArticle
from scraper.rawpages import PackedPage


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
