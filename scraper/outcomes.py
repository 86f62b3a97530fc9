"""The fetch outcomes and run counts: one list shared by the fetcher, the fetch log and `stats`.

A leaf module (it imports nothing of dwscrape), so that storage can name outcomes without
depending on the fetcher.
"""

from __future__ import annotations

from enum import StrEnum


class FetchOutcome(StrEnum):
    """What became of one fetch. Stored in the fetch log; the crawler decides by it."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"  # 304 to a conditional GET
    NOT_FOUND = "not_found"  # 404, 410
    HTTP_ERROR = "http_error"  # any other unusable status, redirect loop, bad encoding, bad URL
    BLOCKED = "blocked"  # 403/429/451, a challenge/consent/captcha page, or host backed off
    NOT_HTML = "not_html"  # content type other than the one expected
    TOO_LARGE = "too_large"  # body (decompressed) over max_bytes
    TIMEOUT = "timeout"  # a request deadline, the URL's budget, or a body below the min rate
    CONNECTION_ERROR = "connection_error"  # refused, reset, DNS
    TRUNCATED = "truncated"  # body shorter than its Content-Length, or HTML cut before </html>
    ROBOTS_DISALLOWED = "robots_disallowed"
    #: redirect to a host outside the allowed ones, or cross-origin into a loopback,
    #: link-local or private address
    REDIRECT_OFFSITE = "redirect_offsite"


#: Outcomes whose response carries usable conditional-GET validators (ETag, Last-Modified).
VALIDATOR_OUTCOMES: tuple[FetchOutcome, ...] = (FetchOutcome.OK, FetchOutcome.NOT_MODIFIED)

#: The counts a crawl run records in the database, one column each (`not_modified` is
#: reported with a run but not stored).
#: `suspect`: fetched versions kept aside instead of replacing a revision with text (`db.suspect`).
RUN_COUNTS: tuple[str, ...] = (
    "discovered",
    "fetched",
    "new",
    "changed",
    "unchanged",
    "failed",
    "suspect",
)

#: The counts a run reports: the stored ones plus the 304s.
REPORTED_COUNTS: tuple[str, ...] = (*RUN_COUNTS, "not_modified")
