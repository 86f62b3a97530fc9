"""The fake DW site that `dwscrape demo` crawls: a loopback HTTP server with DW's shape.

It serves the package's ``www/`` folder (robots.txt, RSS/RDF/Atom feeds, sitemap index,
sitemaps, news sitemaps, short links in ``shortlinks.json``) and article pages under their
canonical DW paths: every ``*.html`` in ``www/pages/`` and ``dw-pages/`` is served at the path
of its ``link[rel=canonical]``. ``dw-pages/`` are the parser's golden pages, so the demo stores
real-looking articles; in the source tree they are links to ``fixtures/dw/`` (one copy), in a
wheel they are files. DW addresses map onto it with `scraper.discovery.Site`
(``https://www.dw.com/en/x/a-1`` -> ``{base}/en/x/a-1``, ``https://rss.dw.com/xml/rss-en-all``
-> ``{base}/xml/rss-en-all``, ``https://p.dw.com/p/CODE`` -> ``{base}/p/CODE``).

Every DW language service of `scraper.languages` is present: languages without pages of their
own get sample articles made from ``www/templates/`` (see `scraper.demo.samples`), and every
language has an article sitemap and a news sitemap; a language's feed is served under the
feed id of the language table (``/xml/rss-sp-all`` for Spanish; ``/xml/rss-es-all`` is a
404, as on dw.com), and languages without a known feed id have none. ``archive={"fr": 36}``
gives a language an archive of monthly sitemaps for backfill tests.

Pages carry ETag and Last-Modified and answer conditional requests with 304; bodies are
gzipped when the client asks, so a demo run exercises the same paths as a run against dw.com.
Feeds and sitemaps list every served page of their language (at their ``<!-- dwscrape:… -->``
markers) so a crawl of the site finds everything. `DemoSite.set_page` changes or adds a page
at run time (an edited article: new ETag).

The server binds 127.0.0.1 by default and runs in a daemon thread until `DemoSite.stop` (or the
end of the ``with`` block). The test suite's fault server extends `DemoSite` and its handler.
"""

from __future__ import annotations

import contextlib
import email.utils
import gzip
import hashlib
import html
import json
import re
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self, cast
from urllib.parse import quote, unquote, urlsplit

from scraper.demo import listings
from scraper.demo.samples import Archive, Templates, language_samples
from scraper.languages import BY_FEED_ID, BY_SEGMENT
from scraper.urls import language_from_url

PACKAGE = Path(__file__).resolve().parent
#: The site's files: robots.txt, feeds, sitemaps, short links and its own pages.
WWW = PACKAGE / "www"
#: The golden DW pages, served as the site's main articles.
DW_PAGES = PACKAGE / "dw-pages"

#: Last-Modified of the packaged files: fixed, so runs are reproducible.
FIXTURE_LAST_MODIFIED = 1706601600.0  # 2024-01-30T08:00:00Z
HTML_TYPE = "text/html; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
_FILE_TYPES = {".xml": XML_TYPE, ".txt": "text/plain; charset=utf-8", ".json": "application/json"}

_CANONICAL = re.compile(
    rb"<link\b(?=[^>]*\brel=[\"']?canonical)[^>]*\bhref=[\"']([^\"']+)[\"']", re.I
)
_DATE_PUBLISHED = re.compile(rb"\"datePublished\"\s*:\s*\"([^\"]+)\"")


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str
    last_modified: float
    etag: str


def make_page(body: bytes, content_type: str, last_modified: float) -> Page:
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


class DemoSite:
    """The demo site: ``with DemoSite() as site: site.base_url``."""

    def __init__(
        self,
        root: Path | str = WWW,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        dw_pages: Path | str | None = DW_PAGES,
        archive: Mapping[str, int] | None = None,
        archive_per_month: int = 3,
    ) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._pages: dict[str, Page] = {}
        self.shortlinks: dict[str, str] = {}
        self._load(dw_pages)
        self._templates = Templates(self.root / "templates")
        self._samples: dict[str, Page] = {}
        self.archives: dict[str, Archive] = {}
        if self._templates.folder.is_dir():
            self._make_samples(archive or {}, archive_per_month)
        self._server = _Server((host, port), _bind_handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    def handler_base(self) -> type[SiteHandler]:
        """The request handler; a subclass of the site extends it with more routes."""
        return SiteHandler

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
                self._pages[path] = make_page(body, HTML_TYPE, FIXTURE_LAST_MODIFIED)
        links = self.root / "shortlinks.json"
        if links.is_file():
            data = json.loads(links.read_text("utf-8"))
            self.shortlinks = {k: v for k, v in data.items() if not k.startswith("_")}

    def _make_samples(self, archive: Mapping[str, int], per_month: int) -> None:
        have = {language_from_url(path) for path in self._pages}
        have_pages = {lang for lang in have if lang}
        for path, body in language_samples(self._templates, have_pages).items():
            self._samples[path] = make_page(body, HTML_TYPE, FIXTURE_LAST_MODIFIED)
        for code, months in archive.items():
            lang = BY_SEGMENT[code.lower()]
            self.archives[lang.segment] = Archive(self._templates, lang, months, per_month)
            for path, body in self.archives[lang.segment].pages.items():
                self._samples[path] = make_page(body, HTML_TYPE, FIXTURE_LAST_MODIFIED)

    def sample_paths(self) -> list[str]:
        """The pages made from templates (language samples and archived articles)."""
        return sorted(self._samples)

    def set_page(self, path: str, body: bytes | str, content_type: str = HTML_TYPE) -> None:
        """Replace or add the resource at ``path`` (new ETag, Last-Modified now)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            self._pages[path] = make_page(data, content_type, time.time())

    def page(self, path: str) -> Page | None:
        with self._lock:
            return self._pages.get(path)

    def page_paths(self) -> list[str]:
        with self._lock:
            return sorted(self._pages)

    def _listed_pages(self) -> list[tuple[str, Page | None]]:
        """Pages feeds and sitemaps list: loaded, set and sample pages (archived articles
        are listed by the archive only)."""
        archived = {path for archive in self.archives.values() for path in archive.pages}
        samples = [(p, page) for p, page in sorted(self._samples.items()) if p not in archived]
        return [(path, self.page(path)) for path in self.page_paths()] + samples

    def _dated_pages(self, lang: str) -> list[tuple[str, str | None]]:
        out = []
        for path, page in self._listed_pages():
            if language_from_url(path) != lang:
                continue
            match = _DATE_PUBLISHED.search(page.body) if page else None
            out.append((path, match.group(1).decode() if match else None))
        return out

    def extra_sitemaps(self) -> str:
        """``<sitemap>`` entries added to the sitemap index (none here; a subclass adds some)."""
        return ""

    def dynamic_file(self, rel: str, body: bytes) -> bytes:
        """Fill a feed's or sitemap's marker with every served page of its language."""
        text = body.decode("utf-8")
        lang: str | None = rel.split("/", 1)[0] if "/" in rel else None
        feed = listings.FEED_PATH.match(rel)
        if feed:
            known = BY_FEED_ID.get(feed.group("id"))
            lang = known.segment if known else None
        if "<!-- dwscrape:items -->" in text and lang:
            text = text.replace(
                "<!-- dwscrape:items -->", listings.feed_items(self._dated_pages(lang), text, lang)
            )
        if "<!-- dwscrape:urls -->" in text and lang:
            text = text.replace(
                "<!-- dwscrape:urls -->", listings.sitemap_urls(self._dated_pages(lang), text)
            )
        if "<!-- dwscrape:news -->" in text and lang:
            text = text.replace(
                "<!-- dwscrape:news -->", listings.news_urls(self._dated_pages(lang), lang)
            )
        if "<!-- dwscrape:sitemaps -->" in text:
            text = text.replace("<!-- dwscrape:sitemaps -->", self.extra_sitemaps())
        return text.encode("utf-8")

    def resolve(self, path: str) -> Page | None:
        """The resource at a request path: set or loaded pages, then files under ``root``."""
        page = self.page(path) or self._samples.get(path)
        if page is not None:
            return page
        rel = unquote(path).lstrip("/")
        if (
            not rel
            or ".." in rel.split("/")
            or rel.startswith(("pages/", "shortlinks", "templates/"))
        ):
            return None
        generated = listings.generated_xml(path, self.root, self._templates, self.archives)
        if generated is not None:
            return make_page(self.dynamic_file(rel, generated), XML_TYPE, FIXTURE_LAST_MODIFIED)
        file = self.root / rel
        if not file.is_file():
            return None
        body = self.dynamic_file(rel, file.read_bytes())
        content_type = _FILE_TYPES.get(file.suffix, XML_TYPE)
        if rel == "robots.txt":
            content_type = "text/plain; charset=utf-8"
        return make_page(body, content_type, FIXTURE_LAST_MODIFIED)

    # ------------------------------------------------------------------ lifecycle

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        host = self._server.server_address[0]
        host = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{host}:{self.port}"

    def start(self) -> Self:
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

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    """socketserver's default listen backlog is 5: a burst of new connections (a crawler
    opening its pool) then loses SYNs, and each lost one costs a 1 s retransmission."""

    request_queue_size = 128


class SiteURL(str):
    """The base URL yielded by `serve_site`; ``.site`` is the running `DemoSite`."""

    site: DemoSite


@contextlib.contextmanager
def serve_site(**options: Any) -> Iterator[SiteURL]:
    """Run the demo site in a background thread; yields its base URL
    (``http://127.0.0.1:PORT``). ``options`` go to `DemoSite` (``root``, ``port``, …)."""
    with DemoSite(**options) as site:
        base = SiteURL(site.base_url)
        base.site = site
        yield base


# --------------------------------------------------------------------------- HTTP handler


def _bind_handler(site: DemoSite) -> type[SiteHandler]:
    """A handler class bound to one site (the stdlib server instantiates it per request)."""
    base = site.handler_base()
    return cast("type[SiteHandler]", type(base.__name__, (base,), {"site": site}))


class SiteHandler(BaseHTTPRequestHandler):
    site: DemoSite
    protocol_version = "HTTP/1.1"
    server_version = "FakeDW/1.0"
    timeout = 30

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log."""

    def send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str | None = HTML_TYPE,
        headers: dict[str, str] | None = None,
    ) -> None:
        """One complete response in a single write: separate writes for the head and the body
        meet delayed ACKs (40 ms stalls per response)."""
        reason = self.responses.get(status, ("",))[0]
        lines = [
            f"{self.protocol_version} {status} {reason}",
            f"Server: {self.version_string()}",
            f"Date: {self.date_time_string()}",
        ]
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + (body if self.command != "HEAD" else b""))

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        try:
            self.route(urlsplit(self.path).path)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True

    def route(self, path: str) -> None:
        """Answer one request for ``path``; a subclass adds routes before delegating here."""
        if path.startswith("/p/"):
            self._short_link(path.removeprefix("/p/").strip("/"))
        else:
            self._static(path)

    def _short_link(self, code: str) -> None:
        target = self.site.shortlinks.get(code)
        if target is None:
            self.send(404, b"<html><body>unknown short link</body></html>")
        else:
            self.send(301, b"", headers={"Location": target})

    def _static(self, path: str) -> None:
        page = self.site.resolve(path)
        if page is None:
            self.send(404, b"<!DOCTYPE html><html><body><h1>Not found</h1></body></html>")
        else:
            self.serve_page(page)

    def serve_page(self, page: Page) -> None:
        last_modified = email.utils.formatdate(page.last_modified, usegmt=True)
        validators = {"ETag": page.etag, "Last-Modified": last_modified}
        if self._not_modified(page):
            self.send(304, b"", content_type=None, headers=validators)
            return
        body = page.body
        headers = dict(validators, Vary="Accept-Encoding")
        if "gzip" in self.headers.get("Accept-Encoding", "") and len(body) > 512:
            # level 1: the server, not the client, is the bottleneck of a local crawl
            body = gzip.compress(body, compresslevel=1, mtime=0)
            headers["Content-Encoding"] = "gzip"
        self.send(200, body, page.content_type, headers)

    def _not_modified(self, page: Page) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return page.etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        ims = self.headers.get("If-Modified-Since")
        if ims is not None:
            with contextlib.suppress(TypeError, ValueError, IndexError):
                since = email.utils.parsedate_to_datetime(ims).timestamp()
                return int(page.last_modified) <= since
        return False
