"""The repository: the only way dwscrape reads or writes its database.

`Repository` is composed of small parts, each one concept over the same engine and transaction
helpers (`db.base.RepositoryBase`):

- `db.store` — storing articles: one transaction per batch, a revision per change;
- `db.links` — authors, agencies, topics, credits, images and URL aliases of stored articles;
- `db.articles` — reading articles, revisions and raw pages, search, stale articles, counts;
- `db.fetchlog` — the fetch log (conditional-GET validators) and crawl runs;
- `db.frontier` — the queue of URLs leased by crawl workers;
- `db.hostgates` — per-host pacing shared by every process fetching (PostgreSQL).
- `db.backfill` — archive backfill progress, removed articles, runs' discovery reports.

Every read and write goes through `RepositoryBase._read` / `_write`, which map any database
error to a `StorageError` (`db.errors`). Timestamps come from the injectable clock `now`.
"""

from __future__ import annotations

from db.articles import (
    ArticlesMixin,
    FetchedMark,
    KnownArticle,
    RawPageRef,
    Revision,
    StoredArticle,
)
from db.backfill import BackfillMixin
from db.base import Clock, utcnow
from db.captures import CapturesMixin, StoredCapture
from db.fetchlog import FetchLogMixin, LiveRun, RunInfo, Validators
from db.filters import ArticleFilter
from db.frontier import FrontierMixin, LeasedUrl, LeaseSummary
from db.hostgates import HostGatesMixin
from db.search import SearchHit
from db.store import Cause, Status, StoreMixin, StoreRequest, StoreResult


class Repository(
    StoreMixin,
    ArticlesMixin,
    CapturesMixin,
    FetchLogMixin,
    FrontierMixin,
    HostGatesMixin,
    BackfillMixin,
):
    """All reads and writes of the dwscrape database, on SQLite or PostgreSQL.

    ``Repository(engine, now=clock)``: `now` (default: the system clock in UTC) gives every
    timestamp the repository writes, so tests can run it at a fixed or advancing time."""


__all__ = [
    "ArticleFilter",
    "Cause",
    "Clock",
    "FetchedMark",
    "KnownArticle",
    "LeaseSummary",
    "LeasedUrl",
    "LiveRun",
    "RawPageRef",
    "Repository",
    "Revision",
    "RunInfo",
    "SearchHit",
    "Status",
    "StoreRequest",
    "StoreResult",
    "StoredCapture",
    "StoredArticle",
    "Validators",
    "utcnow",
]
