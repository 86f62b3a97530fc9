"""What the pipeline reports: one `UrlResult` per URL, one `RunReport` per run, and the
per-field fill rates that reveal markup changes at DW."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from scraper.article import Article
from scraper.outcomes import REPORTED_COUNTS

if TYPE_CHECKING:
    from scraper.discovery.report import DiscoveryReport

UrlStatus = Literal["new", "changed", "unchanged", "suspect", "error"]

#: Fields whose fill rate is tracked per run (share of parsed articles where it is non-empty).
#: A sharp drop of one of them between runs means DW changed its markup (`dwscrape stats`).
FILL_FIELDS: tuple[str, ...] = (
    "canonical_url",
    "short_url",
    "dw_id",
    "language",
    "title",
    "kicker",
    "topics",
    "teaser",
    "published_at",
    "modified_at",
    "authors",
    "text",
    "images",
    "credit_line",
    "agencies",
)


@dataclass(frozen=True, slots=True)
class UrlResult:
    """What happened to one URL: stored new/changed/unchanged, or an error with its reason."""

    url: str
    status: UrlStatus
    outcome: str | None = None
    http_status: int | None = None
    final_url: str | None = None
    dw_id: int | None = None
    title: str | None = None
    article_id: int | None = None
    error: str | None = None
    article: Article | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.status != "error"

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.status,
            "outcome": self.outcome,
            "http_status": self.http_status,
            "final_url": self.final_url,
            "dw_id": self.dw_id,
            "title": self.title,
            "article_id": self.article_id,
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class RunOptions:
    """What `dwscrape run` does; the CLI fills it from its options."""

    langs: tuple[str, ...] = ("en",)
    sources: tuple[str, ...] = ("rss", "sitemap")
    since: dt.datetime | None = None
    max_articles: int | None = None
    max_duration_s: float | None = None
    refresh_older_than: dt.timedelta | None = None
    site: str | None = None
    concurrency: int = 4
    max_failure_rate: float = 0.2
    lease_s: float = 300.0
    command: str = "run"
    parse_workers: int = 0  # parser processes (0: parse in-process)
    #: Fetched bodies one batch may hold at most (`scraper.pipeline.prepared.MAX_BATCH_BYTES`).
    max_batch_bytes: int = 256 * 2**20
    #: ``--feed`` values: ``URL`` (an extra feed) or ``LANG=URL`` (a language's feed replaced).
    feeds: tuple[str, ...] = ()
    #: Sitemaps read per run at most (archive children of an index included).
    max_sitemaps: int = 200
    #: Only discover and enqueue: the fetching is left to `dwscrape worker` processes.
    no_work: bool = False

    @property
    def parser_processes(self) -> int:
        """The parser processes the run starts: none when it does no work of its own."""
        return 0 if self.no_work else self.parse_workers


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """What `dwscrape worker` does: lease, fetch, parse, store until a limit."""

    max_articles: int | None = None
    max_duration_s: float | None = None
    #: Exit once the frontier has had nothing due for this long (None: wait for ever).
    idle_exit_s: float | None = None
    site: str | None = None
    concurrency: int = 4
    parse_workers: int = 0  # parser processes (0: parse in-process)
    lease_s: float = 300.0
    max_failure_rate: float = 0.2
    command: str = "worker"
    #: Fetched bodies one batch may hold at most (`scraper.pipeline.prepared.MAX_BATCH_BYTES`).
    max_batch_bytes: int = 256 * 2**20


@dataclass(slots=True)
class RunReport:
    """The outcome of a run: its id, status, counts and fill rates (also stored in the DB)."""

    run_id: int
    status: str = "running"
    counts: Counter[str] = field(default_factory=Counter)
    fill_rates: dict[str, float] = field(default_factory=dict)
    fill_by_type: dict[str, dict[str, Any]] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    duration_s: float = 0.0
    stopped_by: str | None = None
    #: The signal that stopped the run (SIGINT, SIGTERM), if one did.
    signum: int | None = None
    #: Runs closed as abandoned at the start, and what other processes still hold.
    abandoned_runs: int = 0
    still_leased: int = 0
    leased_until: dt.datetime | None = None
    #: What discovery found per language and source (runs that discover only).
    discovery: DiscoveryReport | None = None
    #: Why the run ended early on a database error (``stopped_by`` is ``"database_error"``).
    error: str | None = None

    @property
    def attempted(self) -> int:
        return (
            self.counts["new"]
            + self.counts["changed"]
            + self.counts["unchanged"]
            + self.counts["suspect"]
            + self.counts["failed"]
        )

    @property
    def failure_rate(self) -> float:
        return self.counts["failed"] / self.attempted if self.attempted else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "counts": {k: self.counts[k] for k in REPORTED_COUNTS},
            "failure_rate": round(self.failure_rate, 4),
            "fill_rates": self.fill_rates,
            "duration_s": round(self.duration_s, 3),
            "stopped_by": self.stopped_by,
            "abandoned_runs": self.abandoned_runs,
            "still_leased": self.still_leased,
            "leased_until": self.leased_until.isoformat() if self.leased_until else None,
            **({"discovery": self.discovery.to_dict()} if self.discovery else {}),
            "error": self.error,
        }


class FillRates:
    """Counts, per field of `FILL_FIELDS`, how many parsed articles had it filled: overall and
    per content type (a video has no authors: the drift alarm compares like with like)."""

    def __init__(self) -> None:
        self.total = 0
        self.filled: Counter[str] = Counter()
        self.per_type: dict[str, Counter[str]] = {}
        self.type_totals: Counter[str] = Counter()

    def add(self, article: Article) -> None:
        self.total += 1
        kind = str(article.content_type)
        self.type_totals[kind] += 1
        filled = self.per_type.setdefault(kind, Counter())
        for name in FILL_FIELDS:
            value = getattr(article, name)
            if value not in (None, "", (), []):
                self.filled[name] += 1
                filled[name] += 1

    def rates(self) -> dict[str, float]:
        if not self.total:
            return {}
        return {name: round(self.filled[name] / self.total, 4) for name in FILL_FIELDS}

    def by_type(self) -> dict[str, dict[str, Any]]:
        """{content type: {"articles": n, "rates": {field: rate}}}."""
        return {
            kind: {
                "articles": n,
                "rates": {name: round(self.per_type[kind][name] / n, 4) for name in FILL_FIELDS},
            }
            for kind, n in sorted(self.type_totals.items())
        }


ResultCallback = Callable[[UrlResult], None]


def count_result(report: RunReport, result: UrlResult) -> None:
    """Add one URL's result to the run's counts."""
    report.counts["fetched"] += 1
    if result.status == "error":
        report.counts["failed"] += 1
    else:
        report.counts[result.status] += 1
    if result.outcome == "not_modified":
        report.counts["not_modified"] += 1
