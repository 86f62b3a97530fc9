"""Raw pages as WARC, the web archives' exchange format, written and read with warcio.

warcio (Webrecorder) rather than fastwarc: it is pure Python (nothing to compile, so the
`warc` extra installs everywhere dwscrape does), it both writes and reads, and its
`content_stream()` undoes chunked transfer and gzip/brotli content encodings of captures made
by other tools. fastwarc reads faster but only matters for terabytes of Common Crawl, which are
filtered by URL before any body is decoded here anyway.

Writing: one ``response`` record per stored page, with the URL, date, status and the headers
dwscrape kept. Stored bodies are already decoded, so the records carry no
``Content-Encoding`` and a ``Content-Length`` of the stored bytes.

Reading is in two steps so that captures can be replayed in the order of their ``WARC-Date``
whatever the order of the files: `index_warc` walks a file and notes the offset and date of
every HTML response the caller wants (a few numbers per record, no bodies kept);
`read_capture` later reads one record at its offset.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from scraper import dates
from scraper.errors import ConfigError
from scraper.extras import require
from scraper.version import __version__

#: HTTP headers a capture keeps (the others describe the transfer, not the page).
KEPT_HEADERS = ("Content-Type", "ETag", "Last-Modified")
_KEPT_LOWER = frozenset(h.lower() for h in KEPT_HEADERS)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class PageCapture(Protocol):
    """What a WARC response record is written from (`db.captures.StoredCapture` is one)."""

    @property
    def url(self) -> str: ...
    @property
    def captured_at(self) -> dt.datetime: ...
    @property
    def status(self) -> int: ...
    @property
    def headers(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def body(self) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Capture:
    """A page as archived: its URL, when it was captured (UTC), the HTTP status, the headers
    kept, and the decoded body."""

    url: str
    captured_at: dt.datetime
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True, slots=True)
class CaptureRef:
    """Where a wanted capture sits: its file, the byte offset of its record, its date."""

    captured_at: dt.datetime
    path: Path
    offset: int
    url: str


@dataclass
class WarcIndex:
    """The wanted captures of one WARC file, and how many records were passed over."""

    refs: list[CaptureRef]
    records: int = 0
    skipped: int = 0


def write_warc(captures: Iterable[PageCapture], path: str | Path) -> int:
    """Write `captures` as gzipped WARC/1.1 response records after a ``warcinfo`` record;
    returns how many responses were written."""
    warcio = _warcio()
    count = 0
    with open(path, "wb") as fh:
        writer = warcio.warcwriter.WARCWriter(fh, gzip=True, warc_version="1.1")
        info = {"software": f"dwscrape {__version__}", "format": "WARC File Format 1.1"}
        writer.write_record(writer.create_warcinfo_record(Path(path).name, info))
        for capture in captures:
            writer.write_record(_response_record(warcio, writer, capture))
            count += 1
    return count


def _response_record(warcio: Any, writer: Any, capture: PageCapture) -> Any:
    headers = [(k, v) for k, v in capture.headers if k.lower() in _KEPT_LOWER]
    headers.append(("Content-Length", str(len(capture.body))))
    http_headers = warcio.statusandheaders.StatusAndHeaders(
        f"{capture.status} {_reason(capture.status)}", headers, protocol="HTTP/1.1"
    )
    when = dates.as_utc(capture.captured_at).isoformat(timespec="microseconds")
    return writer.create_warc_record(
        capture.url,
        "response",
        payload=io.BytesIO(capture.body),
        length=len(capture.body),
        http_headers=http_headers,
        warc_headers_dict={"WARC-Date": when.replace("+00:00", "Z")},
    )


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def index_warc(path: Path, wanted: Callable[[str], bool]) -> WarcIndex:
    """The successful HTML responses of the WARC file at `path` whose URL is `wanted`; every
    other record (requests, metadata, redirects, images, other sites) is counted as skipped.
    Raises `ConfigError` for a file that is not WARC."""
    warcio = _warcio()
    index = WarcIndex(refs=[])
    try:
        with open(path, "rb") as fh:
            records = warcio.archiveiterator.ArchiveIterator(fh)
            for record in records:
                index.records += 1
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                if not _is_html_response(record) or not wanted(url):
                    index.skipped += 1
                    continue
                when = _warc_date(record.rec_headers.get_header("WARC-Date"))
                if when is None:
                    index.skipped += 1
                    continue
                index.refs.append(CaptureRef(when, path, records.get_record_offset(), url))
    except warcio.exceptions.ArchiveLoadFailed as exc:
        raise ConfigError(f"{path}: not a WARC file ({exc})") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return index


def read_capture(ref: CaptureRef, fh: BinaryIO | None = None) -> Capture:
    """The capture `ref` points at, its body decoded (chunked transfer and content encoding
    undone); `fh`, when given, is `ref.path` already open."""
    if fh is None:
        with open(ref.path, "rb") as own:
            return read_capture(ref, own)
    fh.seek(ref.offset)
    record = next(iter(_warcio().archiveiterator.ArchiveIterator(fh)))
    http = record.http_headers
    return Capture(
        url=ref.url,
        captured_at=ref.captured_at,
        status=int(http.get_statuscode()),
        headers=tuple((k, v) for k, v in http.headers if k.lower() in _KEPT_LOWER),
        body=record.content_stream().read(),
    )


def read_captures(refs: Iterable[CaptureRef]) -> Iterator[Capture]:
    """`read_capture` of each ref in turn, each file opened once."""
    with ExitStack() as stack:
        files: dict[Path, BinaryIO] = {}
        for ref in refs:
            if ref.path not in files:
                files[ref.path] = stack.enter_context(open(ref.path, "rb"))
            yield read_capture(ref, files[ref.path])


def _is_html_response(record: Any) -> bool:
    if record.rec_type != "response" or record.http_headers is None:
        return False
    status = record.http_headers.get_statuscode() or ""
    if not status.startswith("2"):
        return False
    media = (record.http_headers.get_header("Content-Type") or "text/html").lower()
    return media.split(";")[0].strip() in _HTML_TYPES


def _warc_date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dates.parse_iso(value)
    except ValueError:
        return None


def _warcio() -> Any:
    warcio = require("warcio", "warc", "WARC support")
    for module in ("warcwriter", "statusandheaders", "archiveiterator", "exceptions"):
        require(f"warcio.{module}", "warc", "WARC support")
    return warcio
