"""Everything dwscrape does on the network: one polite, resilient HTTP GET.

`Fetcher.fetch(url)` returns a `FetchResult` whose `outcome` says what happened (a
`FetchOutcome`); it never raises an httpx exception (or any other) to the caller, so a crawl
of thousands of URLs survives every way a server or network can misbehave.

What it does, and why each piece is here rather than left to library defaults:

* Redirects are followed by hand (``follow_redirects=False``) so the hop limit and the allowed
  hosts (start host, dw.com and its subdomains, configured extras) are enforced and loops are
  caught; every hop goes through robots.txt and the per-host politeness slot.
* Bodies are streamed with ``aiter_raw()`` and decompressed by a bounded decoder: the size cap
  applies to the decompressed bytes, so a gzip or brotli bomb costs at most ``max_bytes``.
* Retries use tenacity: connect/read errors, timeouts and the retry statuses (scrapy's list),
  exponential backoff with jitter, a cap on attempts and on total waiting, ``Retry-After``
  honoured. The sleep and clock are injected so tests never wait.
* Blocked pages (challenge, captcha, consent wall, "Access Denied") are recognised by their
  markup, not only by status, because such walls are often served with 200.
* Conditional GET: pass the last ETag/Last-Modified, a 304 is ``not_modified``.
"""

from __future__ import annotations

import asyncio
import codecs
import datetime as dt
import random
import re
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import brotli
import httpx
import structlog
from tenacity import AsyncRetrying, RetryCallState, retry_if_result

from scraper import __version__, dates
from scraper.errors import ConfigError
from scraper.outcomes import FetchOutcome
from scraper.politeness import Politeness, RobotsCache
from scraper.urls import is_dw_host

log = structlog.get_logger(__name__)

PROJECT_URL = "https://github.com/dwscrape/dwscrape"

Expect = Literal["html", "xml", "any"]
Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: Statuses worth another try (scrapy's RETRY_HTTP_CODES).
DEFAULT_RETRY_STATUSES = frozenset({500, 502, 503, 504, 522, 524, 408, 429})
#: Statuses that mean "you are not welcome", counted towards backing a host off.
BLOCK_STATUSES = frozenset({403, 429, 451})

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_XML_TYPES = frozenset(
    {
        "text/xml",
        "application/xml",
        "application/rss+xml",
        "application/rdf+xml",
        "application/atom+xml",
        "application/x-gzip",
        "application/gzip",
        "application/octet-stream",
        "text/plain",
    }
)


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
    #: Cap on the (decompressed) body; larger responses are ``too_large``.
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    #: Hosts redirects may lead to besides the starting URL's host (and dw.com, see below).
    allowed_hosts: tuple[str, ...] = ()
    allow_dw_hosts: bool = True
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
            "max_bytes": self.max_bytes,
            "per_host_concurrency": self.per_host_concurrency,
            "global_concurrency": self.global_concurrency,
            "max_attempts": self.max_attempts,
            "host_backoff_after": self.host_backoff_after,
            "robots_max_age": self.robots_max_age,
            "robots_failure_max_age": self.robots_failure_max_age,
        }
        for name, value in positive.items():
            if value <= 0:
                raise ConfigError(f"FetchSettings.{name} must be > 0, got {value!r}")
        non_negative = {
            "max_redirects": self.max_redirects,
            "per_host_delay": self.per_host_delay,
            "max_crawl_delay": self.max_crawl_delay,
            "backoff_base": self.backoff_base,
            "backoff_max": self.backoff_max,
            "jitter": self.jitter,
            "max_total_wait": self.max_total_wait,
            "retry_after_cap": self.retry_after_cap,
        }
        for name, value in non_negative.items():
            if value < 0:
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


# --------------------------------------------------------------------------- content checks

#: Markers of pages that stand between us and the content. Real DW pages mention reCAPTCHA
#: and consent in scripts, so a marker only counts on a page without DW content markup.
BLOCK_MARKERS: dict[str, re.Pattern[bytes]] = {
    "challenge": re.compile(
        rb"cf-browser-verification|cf_chl_opt|/cdn-cgi/challenge-platform|"
        rb"<title>\s*just a moment\.\.\.\s*</title>|attention required! \| cloudflare|"
        rb"checking your browser before accessing"
    ),
    "captcha": re.compile(
        rb"g-recaptcha|h-captcha|captcha-delivery\.com|px-captcha|<title>[^<]{0,80}captcha"
    ),
    "access-denied": re.compile(
        rb"<title>\s*access denied\s*</title>|you don't have permission to access|"
        rb"request unsuccessful\. incapsula"
    ),
    "consent": re.compile(
        rb"<title>[^<]{0,80}(?:before you continue|cookie consent|consent required|"
        rb"privacy settings|bevor sie fortfahren|zustimmung erforderlich)[^<]{0,80}</title>"
    ),
}
_DW_CONTENT = re.compile(
    rb"class=\"longtext|rich-text|\"@type\"\s*:\s*\"newsarticle\"|id=\"bodycontent\"|"
    rb"__apollo_state__"
)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)


def block_reason(body: bytes) -> str | None:
    """Why an HTML body is a block/consent/challenge page, or None for a normal page."""
    head = body[:262144].lower()
    if _DW_CONTENT.search(head):
        return None
    for name, pattern in BLOCK_MARKERS.items():
        if pattern.search(head):
            return name
    return None


def _codec(name: str | None) -> str | None:
    """Python's name for a charset label, with WHATWG's latin-1 -> windows-1252 mapping."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    return "cp1252" if codec in {"latin-1", "iso8859-1", "ascii"} else codec


def _decodes(body: bytes, codec: str) -> bool:
    try:
        body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_encoding(body: bytes, declared: str | None) -> str:
    """The body's encoding: BOM, else valid UTF-8 (servers often mislabel UTF-8 pages, and
    non-ASCII text that decodes as UTF-8 almost never is anything else), else the header's
    charset, else the ``<meta charset>``, else windows-1252 (decodes any byte)."""
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    header = _codec(declared)
    if body.isascii():
        return header or "utf-8"
    if _decodes(body, "utf-8"):
        return "utf-8"
    if header and header != "utf-8" and _decodes(body, header):
        return header
    match = _META_CHARSET.search(body[:4096])
    meta = _codec(match.group(1).decode("ascii", "replace")) if match else None
    if meta and meta != "utf-8" and _decodes(body, meta):
        return meta
    return "cp1252"


def _media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def _looks_like_html(body: bytes) -> bool:
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent
    or unparseable. Dates in the past mean 0."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = dates.parse_http_date(value)
    if when is None:
        return None
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


# --------------------------------------------------------------------------- bounded decoding


class _TooLarge(Exception):
    pass


class _UnsupportedEncoding(Exception):
    pass


class _BoundedDecoder:
    """Content-Encoding decoder that never produces more than ``limit`` bytes in total: it
    asks zlib/brotli for at most the remaining room plus one byte, so a bomb is caught after
    ``limit`` bytes of output, not after it has filled memory."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        encodings = [e.strip().lower() for e in (content_encoding or "").split(",") if e.strip()]
        encodings = [e for e in encodings if e != "identity"]
        if len(encodings) > 1 or (encodings and encodings[0] not in _DECODERS):
            raise _UnsupportedEncoding(content_encoding or "")
        self.kind = encodings[0] if encodings else "identity"
        self.limit = limit
        self.total = 0
        self._zlib: Any = None
        self._brotli: Any = None
        self._first = True
        if self.kind in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif self.kind == "deflate":
            self._zlib = zlib.decompressobj()
        elif self.kind == "br":
            self._brotli = brotli.Decompressor()

    def feed(self, data: bytes) -> bytes:
        room = self.limit - self.total
        if self.kind == "identity":
            out = data
        elif self._brotli is not None:
            try:
                out = self._brotli.process(data, output_buffer_limit=room + 1)
            except brotli.error as exc:
                raise httpx.DecodingError(f"brotli: {exc}") from exc
        else:
            out = self._inflate(data, room + 1)
        self.total += len(out)
        if self.total > self.limit:
            raise _TooLarge
        return out

    def _inflate(self, data: bytes, max_length: int) -> bytes:
        try:
            out: bytes = self._zlib.decompress(data, max_length)
        except zlib.error as exc:
            if self.kind == "deflate" and self._first:  # raw deflate without zlib header
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                self._first = False
                return self._inflate(data, max_length)
            raise httpx.DecodingError(f"{self.kind}: {exc}") from exc
        self._first = False
        if self._zlib.unconsumed_tail:  # output hit max_length: over the limit
            raise _TooLarge
        return out


_DECODERS = frozenset({"gzip", "x-gzip", "deflate", "br"})


# --------------------------------------------------------------------------- one exchange


@dataclass
class _Exchange:
    """One HTTP request/response (or failure) inside the retry loop."""

    url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    outcome: FetchOutcome | None = None  # set when the exchange failed below HTTP
    error: str | None = None
    retryable: bool = False
    retry_after: float | None = None
    attempt: int = 0


class Fetcher:
    """Async HTTP fetcher: ``async with Fetcher(settings) as f: result = await f.fetch(url)``.

    One Fetcher is one run: robots.txt is fetched once per host (again after
    ``robots_max_age``, or ``robots_failure_max_age`` after a failure), politeness state (delays,
    backed-off hosts) lives as long as the Fetcher. ``transport`` (e.g. ``httpx.MockTransport``),
    ``sleep``, ``clock`` and ``rng`` are injectable for tests.
    """

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings or FetchSettings()
        self._transport = transport
        self._sleep: Sleep = sleep or asyncio.sleep
        self._clock: Clock = clock or time.monotonic
        self._rng = rng or random.Random()
        self._client: httpx.AsyncClient | None = None
        self.politeness = Politeness(self.settings, clock=self._clock, sleep=self._sleep)
        self.robots = RobotsCache(
            self._fetch_robots,
            agent=self.settings.robots_agent,
            clock=self._clock,
            max_age=self.settings.robots_max_age,
            failure_max_age=self.settings.robots_failure_max_age,
        )

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        self._client = httpx.AsyncClient(
            transport=self._transport,
            follow_redirects=False,
            timeout=httpx.Timeout(
                connect=s.connect_timeout,
                read=s.read_timeout,
                write=s.read_timeout,
                pool=s.total_timeout,
            ),
            limits=httpx.Limits(
                max_connections=s.global_concurrency,
                max_keepalive_connections=s.global_concurrency,
            ),
            headers={
                "User-Agent": s.user_agent,
                "Accept-Encoding": "gzip, deflate, br",
            },
            trust_env=s.trust_env,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # ------------------------------------------------------------------ public

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        expect: Expect = "html",
    ) -> FetchResult:
        """GET ``url`` politely; ``etag``/``last_modified`` from the last fetch make it a
        conditional GET. ``expect`` is the content wanted: ``html`` (pages), ``xml`` (feeds,
        sitemaps) or ``any``. Never raises (except cancellation, and misuse outside
        ``async with``)."""
        if self._client is None:
            raise RuntimeError("use the Fetcher as `async with Fetcher(settings) as fetcher:`")
        started = time.perf_counter()
        fetched_at = dt.datetime.now(dt.UTC)
        try:
            result = await self._fetch(url, etag, last_modified, expect, fetched_at, started)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the contract: nothing escapes to the crawler
            log.exception("fetch.unexpected_error", url=url)
            result = self._result(
                FetchOutcome.HTTP_ERROR,
                url,
                _Exchange(url=url, error=f"unexpected {type(exc).__name__}: {exc}"),
                fetched_at,
                started,
            )
        log.debug(
            "fetch.done",
            url=url,
            outcome=str(result.outcome),
            status=result.status,
            attempts=result.attempts,
            duration_s=round(result.duration_s, 3),
        )
        return result

    # ------------------------------------------------------------------ internals

    def _host_allowed(self, start_host: str, host: str) -> bool:
        host = host.lower()
        if host == start_host or host in (h.lower() for h in self.settings.allowed_hosts):
            return True
        return self.settings.allow_dw_hosts and is_dw_host(host)

    async def _fetch(
        self,
        url: str,
        etag: str | None,
        last_modified: str | None,
        expect: Expect,
        fetched_at: dt.datetime,
        started: float,
        *,
        check_robots: bool = True,
    ) -> FetchResult:
        def done(outcome: FetchOutcome, ex: _Exchange, error: str | None = None) -> FetchResult:
            if error:
                ex.error = error
            return self._result(outcome, url, ex, fetched_at, started, etag, last_modified)

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return done(FetchOutcome.HTTP_ERROR, _Exchange(url=url), f"not an http(s) URL: {url}")
        start_host = parts.hostname.lower()
        current = url
        seen = {url}
        last = _Exchange(url=url)
        conditional: dict[str, str] = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        sent = 0  # requests sent on earlier hops of the redirect chain
        for _hop in range(self.settings.max_redirects + 1):
            host = urlsplit(current).hostname or ""
            if self.politeness.is_backed_off(host):
                return done(
                    FetchOutcome.BLOCKED,
                    _Exchange(url=current),
                    f"host {host} backed off for this run after repeated 403/429",
                )
            if check_robots and self.settings.obey_robots:
                allowed, why, failure = await self.robots.check(current)
                if not allowed:
                    # an unreachable host is reported as such, not as a robots verdict
                    outcome = FetchOutcome(failure) if failure else FetchOutcome.ROBOTS_DISALLOWED
                    return done(outcome, _Exchange(url=current), why)
                delay = self.robots.crawl_delay(current)
                if delay:
                    self.politeness.set_crawl_delay(host, delay)
            ex = last = await self._get_with_retries(current, conditional)
            ex.attempt += sent
            sent = ex.attempt
            if ex.outcome is not None:
                return done(ex.outcome, ex)
            assert ex.status is not None
            location = ex.headers.get("location")
            if ex.status in REDIRECT_STATUSES and location:
                target = urljoin(current, location.strip())
                target_parts = urlsplit(target)
                if target_parts.scheme not in ("http", "https") or not target_parts.hostname:
                    return done(FetchOutcome.HTTP_ERROR, ex, f"bad redirect target {location!r}")
                if not self._host_allowed(start_host, target_parts.hostname):
                    ex.url = target
                    return done(FetchOutcome.REDIRECT_OFFSITE, ex, f"redirect to off-site {target}")
                if target in seen:
                    return done(FetchOutcome.HTTP_ERROR, ex, f"redirect loop at {target}")
                seen.add(target)
                current = target
                continue
            return self._classify(url, ex, expect, fetched_at, started, etag, last_modified)
        return done(
            FetchOutcome.HTTP_ERROR, last, f"more than {self.settings.max_redirects} redirects"
        )

    def _classify(
        self,
        url: str,
        ex: _Exchange,
        expect: Expect,
        fetched_at: dt.datetime,
        started: float,
        etag: str | None,
        last_modified: str | None,
    ) -> FetchResult:
        status = ex.status or 0

        def done(outcome: FetchOutcome, error: str | None = None) -> FetchResult:
            if error:
                ex.error = f"{error}: {ex.error}" if ex.error else error
            return self._result(outcome, url, ex, fetched_at, started, etag, last_modified)

        if status == 304:
            return done(FetchOutcome.NOT_MODIFIED)
        if status in (404, 410):
            return done(FetchOutcome.NOT_FOUND, f"HTTP {status}")
        if status in BLOCK_STATUSES:
            return done(FetchOutcome.BLOCKED, f"HTTP {status}")
        if not 200 <= status < 300:
            return done(FetchOutcome.HTTP_ERROR, f"HTTP {status}")
        body = ex.body or b""
        media = _media_type(ex.headers.get("content-type"))
        if expect == "html":
            if media not in _HTML_TYPES and not (media is None and _looks_like_html(body)):
                return done(FetchOutcome.NOT_HTML, f"content type {media or 'missing'}")
            reason = block_reason(body)
            if reason:
                return done(FetchOutcome.BLOCKED, f"{reason} page (HTTP {status})")
        elif (
            expect == "xml"
            and media is not None
            and media not in _XML_TYPES
            and not media.endswith("+xml")
        ):
            return done(FetchOutcome.NOT_HTML, f"content type {media}, expected XML")
        return done(FetchOutcome.OK)

    def _result(
        self,
        outcome: FetchOutcome,
        requested_url: str,
        ex: _Exchange,
        fetched_at: dt.datetime,
        started: float,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        content_type = ex.headers.get("content-type")
        keep_body = outcome in (FetchOutcome.OK, FetchOutcome.BLOCKED)
        body = ex.body if keep_body else None
        encoding = None
        if body is not None:
            match = _CT_CHARSET.search(content_type or "")
            encoding = detect_encoding(body, match.group(1) if match else None)
        if outcome is FetchOutcome.NOT_MODIFIED:
            # a 304 may omit validators: the ones we sent still hold
            etag = ex.headers.get("etag") or etag
            last_modified = ex.headers.get("last-modified") or last_modified
        else:
            etag = ex.headers.get("etag")
            last_modified = ex.headers.get("last-modified")
        return FetchResult(
            outcome=outcome,
            requested_url=requested_url,
            final_url=ex.url,
            status=ex.status,
            headers=dict(ex.headers),
            body=body,
            content_type=content_type,
            encoding=encoding,
            etag=etag,
            last_modified=last_modified,
            fetched_at=fetched_at,
            duration_s=time.perf_counter() - started,
            attempts=ex.attempt,
            error=ex.error,
        )

    # ------------------------------------------------------------------ retries

    async def _get_with_retries(self, url: str, headers: dict[str, str]) -> _Exchange:
        s = self.settings
        counter = [0]

        async def attempt() -> _Exchange:
            counter[0] += 1
            ex = await self._attempt(url, headers)
            ex.attempt = counter[0]
            return ex

        def wait(rs: RetryCallState) -> float:
            ex: _Exchange = rs.outcome.result()  # type: ignore[union-attr]
            if ex.retry_after is not None:
                return min(ex.retry_after, s.retry_after_cap)
            backoff = min(s.backoff_max, s.backoff_base * 2 ** (rs.attempt_number - 1))
            return backoff + self._rng.uniform(0, s.jitter)

        def stop(rs: RetryCallState) -> bool:
            if rs.attempt_number >= s.max_attempts:
                return True
            return rs.idle_for + rs.upcoming_sleep > s.max_total_wait

        def before_sleep(rs: RetryCallState) -> None:
            ex: _Exchange = rs.outcome.result()  # type: ignore[union-attr]
            log.warning(
                "fetch.retry",
                url=url,
                attempt=rs.attempt_number,
                status=ex.status,
                error=ex.error,
                wait_s=round(rs.upcoming_sleep, 3),
                retry_after=ex.retry_after,
            )

        retrying = AsyncRetrying(
            sleep=self._sleep,
            stop=stop,
            wait=wait,
            retry=retry_if_result(lambda ex: ex.retryable),
            before_sleep=before_sleep,
            retry_error_callback=lambda rs: rs.outcome.result(),  # type: ignore[union-attr]
        )
        result: _Exchange = await retrying(attempt)
        return result

    async def _attempt(self, url: str, headers: dict[str, str]) -> _Exchange:
        host = urlsplit(url).hostname or ""
        async with self.politeness.slot(host):
            ex = await self._exchange(url, headers)
        self.politeness.record(host, ex.status)
        if ex.status is not None:
            ex.retryable = ex.status in self.settings.retry_statuses
            retry_after = parse_retry_after(ex.headers.get("retry-after"))
            if retry_after is not None and ex.status in (429, 503):
                ex.retry_after = retry_after
                # every request to the host waits, not just this one (at most the cap, so a
                # server asking for hours cannot stall the whole run; it gets backed off)
                self.politeness.defer(host, min(retry_after, self.settings.retry_after_cap))
                if retry_after > self.settings.retry_after_cap:
                    ex.retryable = False
                    ex.error = f"Retry-After {retry_after:.0f}s exceeds the cap"
        return ex

    async def _exchange(self, url: str, headers: dict[str, str]) -> _Exchange:
        """One GET with the body streamed under the size cap; failures become data."""
        assert self._client is not None, "use Fetcher as an async context manager"
        ex = _Exchange(url=url)
        try:
            async with asyncio.timeout(self.settings.total_timeout):
                async with self._client.stream("GET", url, headers=headers) as response:
                    ex.status = response.status_code
                    ex.headers = {k.lower(): v for k, v in response.headers.items()}
                    if response.status_code in REDIRECT_STATUSES or response.status_code == 304:
                        return ex
                    ex.body = await self._read_body(response)
        except _TooLarge:
            ex.outcome, ex.error = (
                FetchOutcome.TOO_LARGE,
                f"body over {self.settings.max_bytes} bytes",
            )
        except _UnsupportedEncoding as exc:
            ex.outcome, ex.error = FetchOutcome.HTTP_ERROR, f"unsupported Content-Encoding {exc}"
        except httpx.DecodingError as exc:
            ex.outcome, ex.error = FetchOutcome.HTTP_ERROR, f"undecodable body: {exc}"
        except (httpx.TimeoutException, TimeoutError) as exc:
            ex.outcome, ex.error = FetchOutcome.TIMEOUT, f"{type(exc).__name__}: {exc}".rstrip(": ")
            ex.retryable = True
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            ex.outcome, ex.error = FetchOutcome.HTTP_ERROR, f"{type(exc).__name__}: {exc}"
        except (httpx.TransportError, OSError) as exc:
            ex.outcome = FetchOutcome.CONNECTION_ERROR
            ex.error = f"{type(exc).__name__}: {exc}".rstrip(": ")
            ex.retryable = True
        except httpx.HTTPError as exc:
            ex.outcome, ex.error = FetchOutcome.HTTP_ERROR, f"{type(exc).__name__}: {exc}"
        if ex.outcome is not None:
            ex.status = None if ex.outcome is not FetchOutcome.TOO_LARGE else ex.status
            ex.body = None
        return ex

    async def _read_body(self, response: httpx.Response) -> bytes:
        limit = self.settings.max_bytes
        declared = response.headers.get("content-length")
        encoding = response.headers.get("content-encoding")
        if declared and declared.isdigit() and not encoding and int(declared) > limit:
            raise _TooLarge
        if response.is_stream_consumed:  # a pre-read response (httpx.MockTransport)
            if len(response.content) > limit:
                raise _TooLarge
            return response.content
        decoder = _BoundedDecoder(encoding, limit)
        chunks: list[bytes] = []
        async for raw in response.aiter_raw():
            chunks.append(decoder.feed(raw))
        return b"".join(chunks)

    # ------------------------------------------------------------------ robots

    async def _fetch_robots(self, robots_url: str) -> FetchResult:
        """robots.txt through the same machinery (politeness, retries, caps), minus robots."""
        return await self._fetch(
            robots_url,
            None,
            None,
            "any",
            dt.datetime.now(dt.UTC),
            time.perf_counter(),
            check_robots=False,
        )


def fetch_sync(url: str, settings: FetchSettings | None = None, **kw: Any) -> FetchResult:
    """Fetch one URL from synchronous code (the CLI's one-off commands). ``kw`` go to
    `Fetcher.fetch` (``etag``, ``last_modified``, ``expect``)."""

    async def run() -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url, **kw)

    return asyncio.run(run())
