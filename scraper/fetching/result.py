"""The records a fetch passes around (what was asked, each exchange, the final result), and
how the last exchange of a fetch becomes its `FetchResult`."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Literal

from scraper.fetching.content import (
    HTML_TYPES,
    block_reason,
    body_encoding,
    is_xml_type,
    looks_like_html,
    media_type,
)
from scraper.fetching.statuses import BLOCK_STATUSES, NOT_FOUND_STATUSES
from scraper.outcomes import FetchOutcome

#: The content a caller wants: pages, feeds/sitemaps, or anything (robots.txt).
Expect = Literal["html", "xml", "any"]


@dataclass(frozen=True)
class FetchResult:
    """One fetch, as data. ``body`` is only set for ``ok`` (and for blocked pages, to keep
    evidence); ``final_url`` is where redirects led (for ``redirect_offsite``: the refused
    target); ``attempts`` counts every request sent, retries and redirect hops included."""

    outcome: FetchOutcome
    requested_url: str
    final_url: str
    status: int | None
    headers: dict[str, str]
    body: bytes | None
    content_type: str | None
    encoding: str | None
    etag: str | None
    last_modified: str | None
    fetched_at: dt.datetime
    duration_s: float
    attempts: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is FetchOutcome.OK

    def text(self) -> str:
        """The body decoded with the detected encoding (undecodable bytes replaced)."""
        if self.body is None:
            return ""
        return self.body.decode(self.encoding or "utf-8", errors="replace")


@dataclass(frozen=True)
class FetchRequest:
    """What the caller asked for, carried from the first hop to the result."""

    url: str
    expect: Expect = "html"
    etag: str | None = None
    last_modified: str | None = None
    #: read only the body's first bytes (robots.txt: RFC 9309's cap), never ``too_large``
    body_cap: int | None = None
    #: hand the fetch back at the first hop to a paced host (`Fetcher.fetch_unpaced`)
    unpaced: bool = False
    fetched_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    #: `time.perf_counter` when the fetch began, for ``duration_s``
    started: float = field(default_factory=time.perf_counter)

    def conditional_headers(self) -> dict[str, str]:
        """The validators of the last fetch, as a conditional GET's headers."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass
class Exchange:
    """One HTTP request/response (or failure) inside the retry loop."""

    url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    #: set when this exchange ends the fetch whatever its status: a failure below HTTP, a
    #: redirect that may not be followed, a host we may not ask
    outcome: FetchOutcome | None = None
    error: str | None = None
    retryable: bool = False
    retry_after: float | None = None
    attempt: int = 0


def build_result(outcome: FetchOutcome, request: FetchRequest, ex: Exchange) -> FetchResult:
    """The `FetchResult` of ``request`` whose last exchange was ``ex``."""
    content_type = ex.headers.get("content-type")
    keep_body = outcome in (FetchOutcome.OK, FetchOutcome.BLOCKED)
    body = ex.body if keep_body else None
    etag = ex.headers.get("etag")
    last_modified = ex.headers.get("last-modified")
    if outcome is FetchOutcome.NOT_MODIFIED:
        # a 304 may omit validators: the ones we sent still hold
        etag = etag or request.etag
        last_modified = last_modified or request.last_modified
    return FetchResult(
        outcome=outcome,
        requested_url=request.url,
        final_url=ex.url,
        status=ex.status,
        headers=dict(ex.headers),
        body=body,
        content_type=content_type,
        encoding=body_encoding(body, content_type) if body is not None else None,
        etag=etag,
        last_modified=last_modified,
        fetched_at=request.fetched_at,
        duration_s=time.perf_counter() - request.started,
        attempts=ex.attempt,
        error=ex.error,
    )


def classify(request: FetchRequest, ex: Exchange) -> FetchResult:
    """The result of a fetch whose last exchange is a final (non-redirect) HTTP response."""
    outcome, reason = _verdict(ex, request.expect)
    if reason:
        ex.error = f"{reason}: {ex.error}" if ex.error else reason
    return build_result(outcome, request, ex)


def _verdict(ex: Exchange, expect: Expect) -> tuple[FetchOutcome, str | None]:
    status = ex.status or 0
    if status == 304:
        return FetchOutcome.NOT_MODIFIED, None
    if status in NOT_FOUND_STATUSES:
        return FetchOutcome.NOT_FOUND, f"HTTP {status}"
    if status in BLOCK_STATUSES:
        return FetchOutcome.BLOCKED, f"HTTP {status}"
    if not 200 <= status < 300:
        return FetchOutcome.HTTP_ERROR, f"HTTP {status}"
    body = ex.body or b""
    media = media_type(ex.headers.get("content-type"))
    if expect == "html":
        if media not in HTML_TYPES and not (media is None and looks_like_html(body)):
            return FetchOutcome.NOT_HTML, f"content type {media or 'missing'}"
        reason = block_reason(body)
        if reason:
            return FetchOutcome.BLOCKED, f"{reason} page (HTTP {status})"
    elif expect == "xml" and media is not None and not is_xml_type(media):
        return FetchOutcome.NOT_HTML, f"content type {media}, expected XML"
    return FetchOutcome.OK, None
