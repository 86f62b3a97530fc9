"""A fake DW site on 127.0.0.1: real sockets, real HTTP, for tests, `dwscrape demo` and
benchmarks.

It serves ``fixtures/site/`` (robots.txt, RSS/RDF/Atom feeds, sitemap index, sitemaps, news
sitemaps, short links in ``shortlinks.json``) and article pages under their canonical DW paths:
every ``*.html`` in ``fixtures/site/pages/`` and ``fixtures/dw/`` is served at the path of its
``link[rel=canonical]``. DW addresses map onto it with `scraper.discover.Site`
(``https://www.dw.com/en/x/a-1`` -> ``{base}/en/x/a-1``, ``https://rss.dw.com/xml/rss-en-all``
-> ``{base}/xml/rss-en-all``, ``https://p.dw.com/p/CODE`` -> ``{base}/p/CODE``).

Pages carry ETag and Last-Modified and answer conditional requests with 304; bodies are
gzipped when the client asks. Feeds and sitemaps list every served page of their language
(at their ``<!-- dwscrape:… -->`` markers) so a crawl of the fake site finds everything.
`FakeDWSite.set_page` changes or adds a page at run time (an edited article: new ETag).
``extra_articles=N`` adds N synthetic articles (a template page with ids and titles varied)
listed in ``/en/synthetic-sitemap.xml``, for benchmarks.

Fault routes (``/_fault/…``, when ``faults=True``); ``?key=`` separates counters between tests:

=============================  ===============================================================
``500-then-200?n=1``           n times 500, then the article page
``429-retry-after?seconds=2``  429 with Retry-After (``&date=1``: HTTP-date; ``&always=1``)
``status?code=N``              always status N (404, 410, 403, 503, …)
``slow?delay=0.2``             waits, then answers (concurrency tests)
``slow-drip?delay=1&chunks=3`` headers, then a byte every ``delay`` s (read timeout)
``reset``                      closes the connection with a TCP RST, no response
``truncated``                  Content-Length 20000, 5000 bytes sent, connection closed
``oversized?mib=12``           a body over the cap (``&no_length=1``: close-delimited)
``gzip-bomb``, ``brotli-bomb`` 64 MiB of zeros, compressed to a few KiB
``bad-gzip``                   Content-Encoding gzip, body not gzip
``redirect-loop``              a -> b -> a
``redirect-chain?n=8``         n redirects, then the article
``offsite-redirect``           302 to https://evil.example.com/
``consent?kind=…``             200 with a consent/challenge/captcha/denied page
``wrong-charset?kind=…``       latin1-label (UTF-8 body labelled ISO-8859-1), cp1252-body
                               (windows-1252 body labelled UTF-8), bogus (unknown charset)
``not-html``, ``no-content-type``, ``xml-bomb``, ``xxe``, ``xxe-probe``, ``robots-disallowed``
=============================  ===============================================================

Run it alone: ``python -m scraper.testsite [--port N] [--extra N]``.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import email.utils
import gzip
import hashlib
import html
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import brotli

from scraper import dates
from scraper.urls import language_from_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SITE_ROOT = ROOT / "fixtures" / "site"
DEFAULT_DW_PAGES = ROOT / "fixtures" / "dw"

#: Last-Modified of the fixture files: fixed, so runs are reproducible.
FIXTURE_LAST_MODIFIED = 1706601600.0  # 2024-01-30T08:00:00Z
SYNTHETIC_BASE_ID = 95_000_000

_CANONICAL = re.compile(
    rb"<link\b(?=[^>]*\brel=[\"']?canonical)[^>]*\bhref=[\"']([^\"']+)[\"']", re.I
)
_DATE_PUBLISHED = re.compile(rb"\"datePublished\"\s*:\s*\"([^\"]+)\"")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)

_XML_TYPES = {
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
}

OK_PAGE = (
    b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Recovered page'
    b'</title></head><body><div id="root"><article><div class="rich-text"><p>The server '
    b"recovered.</p></div></article></div></body></html>"
)

BLOCK_PAGES = {
    "consent": (
        "<!DOCTYPE html><html><head><title>Before you continue to DW</title></head><body>"
        "<form action='/consent'><p>We use cookies. Accept all to continue.</p>"
        "<button>Accept all</button></form></body></html>"
    ),
    "challenge": (
        "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
        "<div id='cf-browser-verification'>Checking your browser before accessing dw.com."
        "</div><script src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script>"
        "</body></html>"
    ),
    "captcha": (
        "<!DOCTYPE html><html><head><title>Security check: CAPTCHA</title></head><body>"
        "<div class='g-recaptcha' data-sitekey='x'></div></body></html>"
    ),
    "denied": (
        "<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>"
        'You don\'t have permission to access "http://www.dw.com/" on this server.<P>'
        "Reference #18.1234</BODY></HTML>"
    ),
}

XML_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><link>https://www.dw.com/en/bomb/a-9000666</link><title>&lol9;</title></item>
</channel></rss>
"""


def xxe_document(probe_url: str) -> bytes:
    """An RSS feed whose entities point at a local file and at ``probe_url``: a safe parser
    reads neither."""
    return f"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY passwd SYSTEM "file:///etc/passwd">
 <!ENTITY probe SYSTEM "{probe_url}">
]>
<rss version="2.0"><channel><title>xxe</title>
<item><link>https://www.dw.com/en/xxe/a-9000667</link><title>&passwd;&probe;</title></item>
</channel></rss>
""".encode()


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str
    last_modified: float
    etag: str


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    headers: dict[str, str]
    at: float


def _page(body: bytes, content_type: str, last_modified: float) -> Page:
    etag = 'W/"' + hashlib.sha1(body).hexdigest()[:20] + '"'
    return Page(body, content_type, last_modified, etag)


def canonical_path(html_bytes: bytes) -> str | None:
    """The path of a page's ``link[rel=canonical]`` (percent-encoded), or None."""
    match = _CANONICAL.search(html_bytes[:200_000])
    if not match:
        return None
    href = html.unescape(match.group(1).decode("utf-8", "replace"))
    path = urlsplit(href).path
    return quote(unquote(path), safe="/-._~!$&'()*+,;=:@") if path else None


class _Bombs:
    """Compressed bombs, built once per process (compressing 64 MiB takes a moment)."""

    _lock = threading.Lock()
    _cache: dict[str, bytes] = {}

    @classmethod
    def get(cls, kind: str) -> bytes:
        with cls._lock:
            if kind not in cls._cache:
                zeros = b"\0" * (64 * 1024 * 1024)
                if kind == "gzip":
                    cls._cache[kind] = gzip.compress(zeros, compresslevel=9, mtime=0)
                else:
                    cls._cache[kind] = brotli.compress(zeros, quality=5)
            return cls._cache[kind]


class FakeDWSite:
    """The fake site: ``with FakeDWSite() as site: site.base_url``."""

    def __init__(
        self,
        root: Path | str = DEFAULT_SITE_ROOT,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: bool = True,
        dw_pages: Path | str | None = DEFAULT_DW_PAGES,
        extra_articles: int = 0,
        log_requests: int = 100_000,
    ) -> None:
        self.root = Path(root)
        self.faults = faults
        self.extra_articles = extra_articles
        self._lock = threading.Lock()
        self._pages: dict[str, Page] = {}
        self._counters: collections.Counter[str] = collections.Counter()
        self._in_flight = 0
        self.max_in_flight = 0
        self.requests: collections.deque[RequestRecord] = collections.deque(maxlen=log_requests)
        self.shortlinks: dict[str, str] = {}
        self._load(dw_pages)
        self._template = self._synthetic_template()
        self._server = _Server((host, port), _make_handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ content

    def _load(self, dw_pages: Path | str | None) -> None:
        sources = [self.root / "pages"]
        if dw_pages is not None:
            sources.append(Path(dw_pages))
        for folder in sources:
            if not folder.is_dir():
                continue
            for file in sorted(folder.rglob("*.html")):
                body = file.read_bytes()
                path = (
                    canonical_path(body)
                    or "/" + file.relative_to(folder).with_suffix("").as_posix()
                )
                self._pages[path] = _page(body, "text/html; charset=utf-8", FIXTURE_LAST_MODIFIED)
        links = self.root / "shortlinks.json"
        if links.is_file():
            data = json.loads(links.read_text("utf-8"))
            self.shortlinks = {k: v for k, v in data.items() if not k.startswith("_")}

    def _synthetic_template(self) -> bytes:
        # a real relaunch article if there is one (realistic size and markup), else any page
        articles = [
            page.body
            for path, page in sorted(self._pages.items())
            if path.startswith("/en/") and "/a-" in path and b'"NewsArticle"' in page.body
        ]
        if articles:
            return max(articles, key=len)
        for path, page in sorted(self._pages.items()):
            if path.startswith("/en/") and b"rich-text" in page.body:
                return page.body
        return OK_PAGE

    def synthetic_path(self, i: int) -> str:
        return f"/en/synthetic-article-{i}/a-{SYNTHETIC_BASE_ID + i}"

    def synthetic_paths(self) -> list[str]:
        return [self.synthetic_path(i) for i in range(self.extra_articles)]

    def _synthetic_page(self, i: int) -> Page:
        body = self._template
        old = canonical_path(body)
        if old:
            body = body.replace(old.encode(), self.synthetic_path(i).encode())
            old_id = old.rsplit("-", 1)[-1].encode()
            body = body.replace(old_id, str(SYNTHETIC_BASE_ID + i).encode())
        title = _TITLE.search(body)
        if title:
            body = body.replace(title.group(1), b"Synthetic article %d" % i)
        body = body.replace(b"</body>", b"<!-- synthetic %d --></body>" % i, 1)
        return _page(body, "text/html; charset=utf-8", FIXTURE_LAST_MODIFIED)

    def set_page(
        self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8"
    ) -> None:
        """Replace or add the resource at ``path`` (new ETag, Last-Modified now)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            self._pages[path] = _page(data, content_type, time.time())

    def remove_page(self, path: str) -> None:
        """Take a page down (it answers 410 from now on)."""
        with self._lock:
            self._pages[path] = _page(b"", "gone", time.time())

    def page(self, path: str) -> Page | None:
        with self._lock:
            return self._pages.get(path)

    def page_paths(self) -> list[str]:
        with self._lock:
            return sorted(p for p, page in self._pages.items() if page.content_type != "gone")

    def hits(self, path: str) -> int:
        """How many requests reached ``path`` (query string ignored)."""
        return sum(1 for r in list(self.requests) if urlsplit(r.path).path == path)

    def count(self, key: str) -> int:
        with self._lock:
            self._counters[key] += 1
            return self._counters[key]

    def enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _dated_pages(self, lang: str) -> list[tuple[str, str | None]]:
        out = []
        for path in self.page_paths():
            if language_from_url(path) != lang:
                continue
            page = self.page(path)
            match = _DATE_PUBLISHED.search(page.body) if page else None
            out.append((path, match.group(1).decode() if match else None))
        return out

    def dynamic_file(self, rel: str, body: bytes) -> bytes:
        """Fill a feed's or sitemap's marker with every served page of its language."""
        text = body.decode("utf-8")
        lang = rel.split("/", 1)[0] if "/" in rel else None
        feed = re.match(r"(?:xml|rdf)/rss-([a-z-]+)-all$", rel)
        if feed:
            lang = feed.group(1)
        if "<!-- dwscrape:items -->" in text and lang:
            items = []
            for path, date in self._dated_pages(lang):
                url = f"https://www.dw.com{path}"
                if url in text:
                    continue
                pub = ""
                if date:
                    with contextlib.suppress(ValueError):
                        when = dates.parse_iso(date)
                        pub = f"<pubDate>{email.utils.format_datetime(when)}</pubDate>"
                items.append(
                    f"<item><title>{html.escape(path)}</title>"
                    f"<link>{url}?maca={lang}-rss-{lang}-all-1573-rdf</link>{pub}</item>"
                )
            text = text.replace("<!-- dwscrape:items -->", "\n".join(items))
        if "<!-- dwscrape:urls -->" in text and lang:
            urls = []
            for path, date in self._dated_pages(lang):
                if path.startswith("/en/synthetic-article-"):
                    continue
                url = f"https://www.dw.com{path}"
                if url in text:
                    continue
                lastmod = f"<lastmod>{date}</lastmod>" if date else ""
                urls.append(f"<url><loc>{url}</loc>{lastmod}</url>")
            text = text.replace("<!-- dwscrape:urls -->", "\n".join(urls))
        if "<!-- dwscrape:sitemaps -->" in text:
            extra = ""
            if self.extra_articles:
                extra = (
                    "<sitemap><loc>https://www.dw.com/en/synthetic-sitemap.xml</loc>"
                    "<lastmod>2024-01-30T08:00:00Z</lastmod></sitemap>"
                )
            text = text.replace("<!-- dwscrape:sitemaps -->", extra)
        return text.encode("utf-8")

    def synthetic_sitemap(self) -> bytes:
        rows = [
            f"<url><loc>https://www.dw.com{path}</loc><lastmod>2024-01-30T08:00:00Z</lastmod></url>"
            for path in self.synthetic_paths()
        ]
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "\n".join(rows)
            + "\n</urlset>\n"
        ).encode()

    def resolve(self, path: str) -> Page | None:
        """The resource at a request path: set/loaded pages, synthetic pages, files."""
        page = self.page(path)
        if page is not None:
            return page
        match = re.fullmatch(r"/en/synthetic-article-(\d+)/a-(\d+)", path)
        if match and int(match.group(1)) < self.extra_articles:
            return self._synthetic_page(int(match.group(1)))
        if path == "/en/synthetic-sitemap.xml" and self.extra_articles:
            return _page(self.synthetic_sitemap(), _XML_TYPES[".xml"], FIXTURE_LAST_MODIFIED)
        rel = unquote(path).lstrip("/")
        if not rel or ".." in rel.split("/") or rel.startswith(("pages/", "shortlinks")):
            return None
        file = self.root / rel
        if not file.is_file():
            return None
        body = self.dynamic_file(rel, file.read_bytes())
        content_type = _XML_TYPES.get(file.suffix, "application/xml; charset=utf-8")
        if rel == "robots.txt":
            content_type = "text/plain; charset=utf-8"
        return _page(body, content_type, FIXTURE_LAST_MODIFIED)

    # ------------------------------------------------------------------ lifecycle

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        host = self._server.server_address[0]
        host = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{host}:{self.port}"

    def start(self) -> FakeDWSite:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeDWSite:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    """socketserver's default listen backlog is 5: a burst of new connections (a crawler
    opening its pool) then loses SYNs, and each lost one costs a 1 s retransmission."""

    request_queue_size = 128


class SiteURL(str):
    """The base URL yielded by `serve_site`; ``.site`` is the running `FakeDWSite`."""

    site: FakeDWSite


@contextlib.contextmanager
def serve_site(
    root: Path | str = DEFAULT_SITE_ROOT,
    host: str = "127.0.0.1",
    port: int = 0,
    faults: bool = True,
    **options: Any,
) -> Iterator[SiteURL]:
    """Run the fake DW site in a background thread; yields its base URL (``http://127.0.0.1:PORT``).
    ``options`` go to `FakeDWSite` (``extra_articles``, ``dw_pages``)."""
    with FakeDWSite(root, host=host, port=port, faults=faults, **options) as site:
        base = SiteURL(site.base_url)
        base.site = site
        yield base


# --------------------------------------------------------------------------- HTTP handler


def _make_handler(site: FakeDWSite) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        pass

    Handler.site = site
    return Handler


class _Handler(BaseHTTPRequestHandler):
    site: FakeDWSite
    protocol_version = "HTTP/1.1"
    server_version = "FakeDW/1.0"
    timeout = 30

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log; requests are kept in ``site.requests``."""

    # ------------------------------------------------------------------ plumbing

    def _send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str | None = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        # headers and body in one write: two small writes meet delayed ACKs (40 ms stalls)
        self._headers_buffer.append(b"\r\n" + (body if self.command != "HEAD" else b""))  # type: ignore[attr-defined]
        self.flush_headers()

    def _query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        site = self.site
        site.requests.append(
            RequestRecord(self.command, self.path, dict(self.headers.items()), time.monotonic())
        )
        site.enter()
        try:
            path = urlsplit(self.path).path
            if path.startswith("/_fault/") and site.faults:
                self._fault(path.removeprefix("/_fault/"), self._query())
            elif path.startswith("/p/"):
                self._short_link(path.removeprefix("/p/").strip("/"))
            else:
                self._static(path)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True
        finally:
            site.leave()

    def _short_link(self, code: str) -> None:
        target = self.site.shortlinks.get(code)
        if target is None:
            self._send(404, b"<html><body>unknown short link</body></html>")
        else:
            self._send(301, b"", headers={"Location": target})

    def _static(self, path: str) -> None:
        page = self.site.resolve(path)
        if page is None:
            self._send(404, b"<!DOCTYPE html><html><body><h1>Not found</h1></body></html>")
            return
        if page.content_type == "gone":
            self._send(410, b"<!DOCTYPE html><html><body><h1>Gone</h1></body></html>")
            return
        self._serve_page(page)

    def _serve_page(self, page: Page) -> None:
        last_modified = email.utils.formatdate(page.last_modified, usegmt=True)
        validators = {"ETag": page.etag, "Last-Modified": last_modified}
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if inm is not None:
            if page.etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*":
                self._send(304, b"", content_type=None, headers=validators)
                return
        elif ims is not None:
            with contextlib.suppress(TypeError, ValueError, IndexError):
                since = email.utils.parsedate_to_datetime(ims).timestamp()
                if int(page.last_modified) <= since:
                    self._send(304, b"", content_type=None, headers=validators)
                    return
        body = page.body
        headers = dict(validators, Vary="Accept-Encoding")
        if "gzip" in self.headers.get("Accept-Encoding", "") and len(body) > 512:
            body = gzip.compress(
                body, compresslevel=1, mtime=0
            )  # cheap: the server is the bottleneck
            headers["Content-Encoding"] = "gzip"
        self._send(200, body, page.content_type, headers)

    # ------------------------------------------------------------------ faults

    def _fault(self, name: str, q: dict[str, str]) -> None:
        site = self.site
        key = f"{name}?{q.get('key', '')}"
        if name == "500-then-200":
            if site.count(key) <= int(q.get("n", "1")):
                self._send(500, b"<html><body>Internal Server Error</body></html>")
            else:
                self._send(200, OK_PAGE)
        elif name == "429-retry-after":
            seconds = int(q.get("seconds", "2"))
            if q.get("always") or site.count(key) == 1:
                value = str(seconds)
                if q.get("date"):
                    value = email.utils.formatdate(time.time() + seconds, usegmt=True)
                self._send(
                    429,
                    b"<html><body>Too Many Requests</body></html>",
                    headers={"Retry-After": value},
                )
            else:
                self._send(200, OK_PAGE)
        elif name == "status":
            code = int(q.get("code", "500"))
            self._send(code, f"<html><body>HTTP {code}</body></html>".encode())
        elif name == "slow":
            time.sleep(float(q.get("delay", "0.2")))
            self._send(200, OK_PAGE)
        elif name == "slow-drip":
            self._slow_drip(float(q.get("delay", "1.0")), int(q.get("chunks", "3")))
        elif name == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif name == "truncated":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", "20000")
            self.end_headers()
            self.wfile.write(b"<html><body>" + b"x" * 4988)
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
        elif name == "oversized":
            self._oversized(float(q.get("mib", "12")), bool(q.get("no_length")))
        elif name in ("gzip-bomb", "brotli-bomb"):
            kind = "gzip" if name == "gzip-bomb" else "br"
            self._send(
                200,
                _Bombs.get("gzip" if kind == "gzip" else "brotli"),
                headers={"Content-Encoding": kind},
            )
        elif name == "bad-gzip":
            self._send(200, b"this is not gzip at all" * 10, headers={"Content-Encoding": "gzip"})
        elif name in ("redirect-loop", "redirect-loop-b"):
            other = "redirect-loop-b" if name == "redirect-loop" else "redirect-loop"
            self._send(302, b"", headers={"Location": f"/_fault/{other}"})
        elif name == "redirect-chain":
            n = int(q.get("n", "3"))
            if n <= 0:
                self._send(200, OK_PAGE)
            else:
                self._send(302, b"", headers={"Location": f"/_fault/redirect-chain?n={n - 1}"})
        elif name == "offsite-redirect":
            self._send(302, b"", headers={"Location": "https://evil.example.com/phish"})
        elif name == "consent":
            page = BLOCK_PAGES.get(q.get("kind", "consent"), BLOCK_PAGES["consent"])
            self._send(200, page.encode())
        elif name == "wrong-charset":
            self._wrong_charset(q.get("kind", "latin1-label"))
        elif name == "not-html":
            self._send(200, b"%PDF-1.4 not a web page", "application/pdf")
        elif name == "no-content-type":
            self._send(200, OK_PAGE, content_type=None)
        elif name == "xml-bomb":
            self._send(200, XML_BOMB, "application/rss+xml")
        elif name == "xxe":
            probe = f"http://{self.headers.get('Host')}/_fault/xxe-probe"
            self._send(200, xxe_document(probe), "application/rss+xml")
        elif name == "xxe-probe":
            self._send(200, b"PROBE-SECRET", "text/plain")
        elif name == "robots-disallowed":
            self._send(200, OK_PAGE)
        else:
            self._send(404, b"<html><body>unknown fault</body></html>")

    def _slow_drip(self, delay: float, chunks: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(chunks))
        self.end_headers()
        for _ in range(chunks):
            time.sleep(delay)
            self.wfile.write(b"x")
            self.wfile.flush()

    def _oversized(self, mib: float, no_length: bool) -> None:
        size = int(mib * 1024 * 1024)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if no_length:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(size))
        self.end_headers()
        chunk = b"<p>" + b"a" * 65530 + b"</p>"
        sent = 0
        while sent < size:
            part = chunk[: size - sent]
            self.wfile.write(part)
            sent += len(part)

    def _wrong_charset(self, kind: str) -> None:
        text = (
            "<!DOCTYPE html><html><head>{meta}<title>Grüße aus Köln</title></head><body>"
            '<div class="rich-text"><p>Äpfel, Öl und Übermut – „Anführungszeichen“.</p>'
            "</div></body></html>"
        )
        if kind == "cp1252-body":
            body = text.format(meta='<meta charset="windows-1252">').encode("cp1252")
            self._send(200, body, "text/html; charset=utf-8")
        elif kind == "bogus":
            body = text.format(meta="").encode("utf-8")
            self._send(200, body, "text/html; charset=x-no-such-charset")
        else:  # latin1-label: UTF-8 bytes, header says ISO-8859-1
            body = text.format(meta='<meta charset="utf-8">').encode("utf-8")
            self._send(200, body, "text/html; charset=iso-8859-1")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the fake DW site on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8765, help="port (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--root", default=str(DEFAULT_SITE_ROOT))
    parser.add_argument("--extra", type=int, default=0, help="synthetic extra articles")
    parser.add_argument("--no-faults", action="store_true", help="disable /_fault/ routes")
    args = parser.parse_args(argv)
    site = FakeDWSite(
        args.root,
        host=args.host,
        port=args.port,
        faults=not args.no_faults,
        extra_articles=args.extra,
    )
    site.start()
    # the one line a parent process reads to learn the port (benchmarks start us this way)
    print(site.base_url, flush=True)  # noqa: T201 - standalone server entry point
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()


if __name__ == "__main__":
    main()
