"""Backfill from web archives: the DW article pages found in WARC files, parsed and stored.

Everything else in the files (requests, metadata, redirects, other sites, images, DW pages
that are not articles) is skipped. Captures are replayed in the order of their ``WARC-Date``
across all the files given, so the revisions of an article follow the time they were
captured, and a capture older than the last time the stored article was observed never
replaces it: re-importing a file, or importing an old archive into a database kept current by
`run`, changes nothing. Storing goes through the same path as a crawl, so an unchanged page is
"unchanged" and a second import of the same file is a no-op.

No SQL here: the caller passes a `CaptureStore` (the CLI adapts the repository).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import structlog

from scraper import parse_page
from scraper.article import Article
from scraper.errors import ParseError
from scraper.exports.warc import Capture, CaptureRef, index_warc, read_captures
from scraper.urls import is_content_url, is_dw_host, language_from_url

log = structlog.get_logger(__name__)

#: Captures parsed and stored per transaction.
BATCH = 50


@dataclass(frozen=True, slots=True)
class ParsedCapture:
    article: Article
    capture: Capture


class CaptureStore(Protocol):
    def last_observed(self, articles: Sequence[Article]) -> list[dt.datetime | None]:
        """When each article, as stored, was last fetched (None: not stored)."""
        ...

    def store(self, items: Sequence[ParsedCapture]) -> list[str]:
        """Store the parsed captures in order; their statuses (new, changed, unchanged)."""
        ...


@dataclass
class ImportReport:
    files: int = 0
    records: int = 0  # WARC records read
    skipped: int = 0  # not a successful HTML response of a DW article URL
    not_article: int = 0  # the page did not parse as an article
    older: int = 0  # older than the stored article: not stored
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    suspect: int = 0  # kept aside, not the current revision (`db.suspect`)

    @property
    def stored(self) -> int:
        return self.new + self.changed + self.unchanged

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def wanted_url(url: str, *, any_host: bool = False) -> bool:
    """A DW article-like URL (``…/a-123``, ``av-``, ``g-``, …) on dw.com; with `any_host`, on
    any host whose path looks like DW's (a mirror, a local copy)."""
    if not is_content_url(url):
        return False
    if is_dw_host(urlsplit(url).hostname):
        return True
    return any_host and language_from_url(url) is not None


def import_warcs(
    paths: Iterable[Path], store: CaptureStore, *, any_host: bool = False
) -> ImportReport:
    """Parse and store the DW article pages of the WARC files at `paths`."""
    report = ImportReport()
    refs: list[CaptureRef] = []
    for path in paths:
        index = index_warc(path, lambda url: wanted_url(url, any_host=any_host))
        report.files += 1
        report.records += index.records
        report.skipped += index.skipped
        refs.extend(index.refs)
        log.info(
            "import_warc.indexed", file=str(path), records=index.records, wanted=len(index.refs)
        )
    refs.sort(key=lambda r: (r.captured_at, str(r.path), r.offset))
    for start in range(0, len(refs), BATCH):
        _import_batch(refs[start : start + BATCH], store, report)
        log.info("import_warc.progress", done=min(start + BATCH, len(refs)), total=len(refs))
    return report


def _import_batch(refs: Sequence[CaptureRef], store: CaptureStore, report: ImportReport) -> None:
    parsed: list[ParsedCapture] = []
    for capture in read_captures(refs):
        try:
            article = parse_page(capture.body, url=capture.url, fetched_at=capture.captured_at)
        except ParseError as exc:
            report.not_article += 1
            log.info("import_warc.not_article", url=capture.url, reason=str(exc))
            continue
        parsed.append(ParsedCapture(article, capture))
    observed = store.last_observed([p.article for p in parsed])
    fresh = []
    for item, last in zip(parsed, observed, strict=True):
        if last is not None and item.capture.captured_at < last:
            report.older += 1
            log.info(
                "import_warc.older", url=item.capture.url, captured_at=item.capture.captured_at
            )
        else:
            fresh.append(item)
    for status in store.store(fresh):
        setattr(report, status, getattr(report, status) + 1)
