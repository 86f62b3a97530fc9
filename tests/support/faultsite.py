"""The one fault/attack HTTP server of the tests: the demo site plus hostile routes.

`FaultSite` is `scraper.demo.site.DemoSite` (same pages, feeds, sitemaps, short links,
conditional GET, gzip) extended with what only tests need: a request log (`hits`), an
in-flight counter (`max_in_flight`), synthetic articles for benchmarks (``extra_articles=N``:
the largest relaunch page with ids and titles varied, listed in ``/en/synthetic-sitemap.xml``),
the files in ``fault-files/`` (``/xml/rss-en-broken``: a feed listing a page that is not served),
a delay for every article page (``article_delay``: slow runs for the signal and worker tests)
and the fault routes below. New hostile behaviour goes here, as one more route.

Fault routes (``/_fault/…``); ``?key=`` separates counters between tests:

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
``stall?hold=5``               headers, then nothing for ``hold`` s (at most 60), then close
``length?kind=short``          Content-Length half the page, the whole page sent, kept alive;
                               ``kind=long``: Content-Length 5000 over the page, then close
``cut-html``                   a page cut before ``</html>`` with a correct Content-Length
``robots-huge?mib=50``         a robots.txt of ``mib`` MiB (rules first, ``Disallow: /`` last)
``robots-charset``             a robots.txt served with ``charset=undefined``
``bogus-charset?label=…``      the OK page with ``charset=<label>`` (header and ``<meta>``)
``deep-nesting?depth=100000``  a page of ``depth`` nested divs
``paragraphs?n=1000000``       an article with ``n`` more paragraphs (8 MB for a million)
``redirect-to?url=…``          302 to ``url`` (another port of 127.0.0.1, a private address…)
``nul-jsonld``                 a relaunch article whose JSON-LD strings hold ``\u0000``
=============================  ===============================================================

``site.robots_route = "robots-huge"`` serves ``/robots.txt`` through that fault route.
Routes that hold a connection open are bounded (a minute at most) and end as soon as the client
goes away.

The server listens on 127.0.0.1 only and stops with its ``with`` block. Run it alone (the
fetch benchmark does, so the server does not share the client's GIL):
``python -m tests.support.faultsite [--port N] [--extra N]`` prints its base URL, then serves
until interrupted or for ``--lifetime`` seconds (an hour), so a forgotten one goes away.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import email.utils
import re
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scraper.demo.site import (
    FIXTURE_LAST_MODIFIED,
    HTML_TYPE,
    XML_TYPE,
    DemoSite,
    Page,
    SiteHandler,
    SiteURL,
    canonical_path,
    make_page,
)
from tests.support.payloads import BLOCK_PAGES, OK_PAGE, XML_BOMB, Bombs, xxe_document

FAULT_FILES = Path(__file__).resolve().parent / "fault-files"
#: A feed whose one item is a page the site does not serve.
BROKEN_FEED = FAULT_FILES / "xml" / "rss-en-broken"
LOOPBACK = ("127.0.0.1", "localhost")
SYNTHETIC_BASE_ID = 95_000_000
_SYNTHETIC = re.compile(r"/en/synthetic-article-(\d+)/a-(\d+)")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    headers: dict[str, str]
    at: float


class FaultSite(DemoSite):
    """The demo site with fault routes: ``with FaultSite() as site: site.base_url``."""

    def __init__(
        self,
        *args: Any,
        extra_articles: int = 0,
        log_requests: int = 100_000,
        article_delay: float = 0.0,
        **kwargs: Any,
    ) -> None:
        if kwargs.get("host", "127.0.0.1") not in LOOPBACK:
            raise ValueError("the fault site serves attack payloads: loopback addresses only")
        self.extra_articles = extra_articles
        #: Seconds every article page (``…/a-N``) waits before answering; settable while
        #: serving (the signal tests slow a run down, then let the re-run go fast).
        self.article_delay = article_delay
        self._counters: collections.Counter[str] = collections.Counter()
        self._in_flight = 0
        self.max_in_flight = 0
        self.requests: collections.deque[RequestRecord] = collections.deque(maxlen=log_requests)
        self.gone: set[str] = set()
        #: a fault route that answers ``/robots.txt`` instead of the demo site's
        self.robots_route: str | None = None
        #: Seconds ``/robots.txt`` waits before answering, settable while serving (holds a
        #: run in its discovery, which asks for robots.txt first).
        self.robots_delay = 0.0
        super().__init__(*args, **kwargs)
        self._template = self._synthetic_template()

    def handler_base(self) -> type[SiteHandler]:
        return FaultHandler

    def remove_page(self, path: str) -> None:
        """Take a page down: it answers 410 from now on, and feeds no longer list it."""
        with self._lock:
            self.gone.add(path)
            self._pages.pop(path, None)

    def set_page(self, path: str, body: bytes | str, content_type: str = HTML_TYPE) -> None:
        with self._lock:
            self.gone.discard(path)
        super().set_page(path, body, content_type)

    # ------------------------------------------------------------------ bookkeeping

    def record(self, record: RequestRecord) -> None:
        self.requests.append(record)
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def done(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def hits(self, path: str) -> int:
        """How many requests reached ``path`` (query string ignored)."""
        return sum(1 for r in list(self.requests) if urlsplit(r.path).path == path)

    def count(self, key: str) -> int:
        with self._lock:
            self._counters[key] += 1
            return self._counters[key]

    # ------------------------------------------------------------------ synthetic articles

    def _synthetic_template(self) -> bytes:
        # a real relaunch article if there is one (realistic size and markup), else any page
        pages = [(path, page) for path in self.page_paths() if (page := self.page(path))]
        articles = [
            page.body
            for path, page in pages
            if path.startswith("/en/") and "/a-" in path and b'"NewsArticle"' in page.body
        ]
        if articles:
            return max(articles, key=len)
        for path, page in pages:
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
        return make_page(body, HTML_TYPE, FIXTURE_LAST_MODIFIED)

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

    def article_halves(self) -> tuple[bytes, bytes]:
        """The template article split where its body text begins (inside its rich-text
        div), for routes that pad an article's body."""
        at = self._template.find(b"rich-text")
        at = self._template.find(b">", at) + 1 if at >= 0 else self._template.find(b"</body>")
        return self._template[:at], self._template[at:]

    def nul_jsonld_page(self) -> bytes:
        """The template article with JSON ``\\u0000`` escapes in its JSON-LD strings, its
        ``<h1>`` made a ``<div>`` so that the title is read from the JSON-LD."""
        start = self._template.find(b"application/ld+json")
        end = self._template.find(b"</script>", start)
        if start < 0 or end < 0:
            return OK_PAGE
        ld = self._template[start:end]
        for key in (b'"headline":"', b'"description":"', b'"name":"'):
            ld = ld.replace(key, key + b"\\u0000")
        page = self._template[:start] + ld + self._template[end:]
        return page.replace(b"<h1", b"<div", 1).replace(b"</h1>", b"</div>", 1)

    def extra_sitemaps(self) -> str:
        if not self.extra_articles:
            return ""
        return (
            "<sitemap><loc>https://www.dw.com/en/synthetic-sitemap.xml</loc>"
            "<lastmod>2024-01-30T08:00:00Z</lastmod></sitemap>"
        )

    def resolve(self, path: str) -> Page | None:
        """The demo site's resources, then synthetic articles, then the fault files."""
        page = super().resolve(path)
        if page is not None:
            return page
        match = _SYNTHETIC.fullmatch(path)
        if match and int(match.group(1)) < self.extra_articles:
            return self._synthetic_page(int(match.group(1)))
        if path == "/en/synthetic-sitemap.xml" and self.extra_articles:
            return make_page(self.synthetic_sitemap(), XML_TYPE, FIXTURE_LAST_MODIFIED)
        file = FAULT_FILES / path.lstrip("/")
        if ".." not in path.split("/") and file.is_file():
            return make_page(file.read_bytes(), XML_TYPE, FIXTURE_LAST_MODIFIED)
        return None


@contextlib.contextmanager
def serve_fault_site(**options: Any) -> Iterator[SiteURL]:
    """Run a `FaultSite` in a background thread; yields its base URL (``.site``: the site)."""
    with FaultSite(**options) as site:
        base = SiteURL(site.base_url)
        base.site = site
        yield base


# --------------------------------------------------------------------------- fault routes


class FaultHandler(SiteHandler):
    site: FaultSite

    def do_GET(self) -> None:
        self.site.record(
            RequestRecord(self.command, self.path, dict(self.headers.items()), time.monotonic())
        )
        try:
            super().do_GET()
        finally:
            self.site.done()

    def route(self, path: str) -> None:
        if path in self.site.gone:
            self.send(410, b"<!DOCTYPE html><html><body><h1>Gone</h1></body></html>")
            return
        if path == "/robots.txt" and self.site.robots_delay:
            time.sleep(self.site.robots_delay)
        if path == "/robots.txt" and self.site.robots_route:
            name = self.site.robots_route
        elif path.startswith("/_fault/"):
            name = path.removeprefix("/_fault/")
        else:
            if self.site.article_delay and "/a-" in path:
                time.sleep(self.site.article_delay)
            super().route(path)
            return
        query = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
        route = _ROUTES.get(name)
        if route is None:
            self.send(404, b"<html><body>unknown fault</body></html>")
        else:
            route(self, name, query)

    def counted(self, name: str, query: dict[str, str]) -> int:
        """How often this fault (with this ``?key=``) has been requested, this one included."""
        return self.site.count(f"{name}?{query.get('key', '')}")

    def ok(self) -> None:
        self.send(200, OK_PAGE)

    def fail_then_succeed(self, name: str, q: dict[str, str]) -> None:
        if self.counted(name, q) <= int(q.get("n", "1")):
            self.send(500, b"<html><body>Internal Server Error</body></html>")
        else:
            self.ok()

    def retry_after(self, name: str, q: dict[str, str]) -> None:
        seconds = int(q.get("seconds", "2"))
        if not (q.get("always") or self.counted(name, q) == 1):
            self.ok()
            return
        value = str(seconds)
        if q.get("date"):
            value = email.utils.formatdate(time.time() + seconds, usegmt=True)
        body = b"<html><body>Too Many Requests</body></html>"
        self.send(429, body, headers={"Retry-After": value})

    def status(self, name: str, q: dict[str, str]) -> None:
        code = int(q.get("code", "500"))
        self.send(code, f"<html><body>HTTP {code}</body></html>".encode())

    def slow(self, name: str, q: dict[str, str]) -> None:
        time.sleep(float(q.get("delay", "0.2")))
        self.ok()

    def slow_drip(self, name: str, q: dict[str, str]) -> None:
        delay, chunks = float(q.get("delay", "1.0")), int(q.get("chunks", "3"))
        self.send_response(200)
        self.send_header("Content-Type", HTML_TYPE)
        self.send_header("Content-Length", str(chunks))
        self.end_headers()
        for _ in range(chunks):
            time.sleep(delay)
            self.wfile.write(b"x")
            self.wfile.flush()

    def reset(self, name: str, q: dict[str, str]) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def truncated(self, name: str, q: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", HTML_TYPE)
        self.send_header("Content-Length", "20000")
        self.end_headers()
        self.wfile.write(b"<html><body>" + b"x" * 4988)
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)
        self.close_connection = True

    def oversized(self, name: str, q: dict[str, str]) -> None:
        size = int(float(q.get("mib", "12")) * 1024 * 1024)
        self.send_response(200)
        self.send_header("Content-Type", HTML_TYPE)
        if q.get("no_length"):
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

    def bomb(self, name: str, q: dict[str, str]) -> None:
        if name == "gzip-bomb":
            self.send(200, Bombs.get("gzip"), headers={"Content-Encoding": "gzip"})
        else:
            self.send(200, Bombs.get("brotli"), headers={"Content-Encoding": "br"})

    def bad_gzip(self, name: str, q: dict[str, str]) -> None:
        self.send(200, b"this is not gzip at all" * 10, headers={"Content-Encoding": "gzip"})

    def redirect_loop(self, name: str, q: dict[str, str]) -> None:
        other = "redirect-loop-b" if name == "redirect-loop" else "redirect-loop"
        self.send(302, b"", headers={"Location": f"/_fault/{other}"})

    def redirect_chain(self, name: str, q: dict[str, str]) -> None:
        n = int(q.get("n", "3"))
        if n <= 0:
            self.ok()
        else:
            self.send(302, b"", headers={"Location": f"/_fault/redirect-chain?n={n - 1}"})

    def offsite_redirect(self, name: str, q: dict[str, str]) -> None:
        self.send(302, b"", headers={"Location": "https://evil.example.com/phish"})

    def block_page(self, name: str, q: dict[str, str]) -> None:
        page = BLOCK_PAGES.get(q.get("kind", "consent"), BLOCK_PAGES["consent"])
        self.send(200, page.encode())

    def wrong_charset(self, name: str, q: dict[str, str]) -> None:
        text = (
            "<!DOCTYPE html><html><head>{meta}<title>Grüße aus Köln</title></head><body>"
            '<div class="rich-text"><p>Äpfel, Öl und Übermut – „Anführungszeichen“.</p>'
            "</div></body></html>"
        )
        kind = q.get("kind", "latin1-label")
        if kind == "cp1252-body":
            body = text.format(meta='<meta charset="windows-1252">').encode("cp1252")
            self.send(200, body, HTML_TYPE)
        elif kind == "bogus":
            body = text.format(meta="").encode("utf-8")
            self.send(200, body, "text/html; charset=x-no-such-charset")
        else:  # latin1-label: UTF-8 bytes, header says ISO-8859-1
            body = text.format(meta='<meta charset="utf-8">').encode("utf-8")
            self.send(200, body, "text/html; charset=iso-8859-1")

    def not_html(self, name: str, q: dict[str, str]) -> None:
        self.send(200, b"%PDF-1.4 not a web page", "application/pdf")

    def no_content_type(self, name: str, q: dict[str, str]) -> None:
        self.send(200, OK_PAGE, content_type=None)

    def xml_bomb(self, name: str, q: dict[str, str]) -> None:
        self.send(200, XML_BOMB, "application/rss+xml")

    def xxe(self, name: str, q: dict[str, str]) -> None:
        probe = f"http://{self.headers.get('Host')}/_fault/xxe-probe"
        self.send(200, xxe_document(probe), "application/rss+xml")

    def xxe_probe(self, name: str, q: dict[str, str]) -> None:
        self.send(200, b"PROBE-SECRET", "text/plain")

    def robots_disallowed(self, name: str, q: dict[str, str]) -> None:
        self.ok()  # robots.txt disallows this path: a polite client never gets here

    def head_only(self, length: int | None, content_type: str = HTML_TYPE) -> None:
        """Status line and headers of a 200 (``length`` as Content-Length), no body yet."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.flush()

    def stall(self, name: str, q: dict[str, str]) -> None:
        self.head_only(10_000)
        _wait_for_close(self.connection, min(float(q.get("hold", "5")), 60.0))
        self.close_connection = True

    def length_mismatch(self, name: str, q: dict[str, str]) -> None:
        if q.get("kind", "short") == "short":
            # the rest of the page stays on the connection, where the next response belongs
            self.head_only(len(OK_PAGE) // 2)
            self.wfile.write(OK_PAGE)
            return
        self.head_only(len(OK_PAGE) + 5000)
        self.wfile.write(OK_PAGE)
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)
        self.close_connection = True

    def cut_html(self, name: str, q: dict[str, str]) -> None:
        self.send(200, OK_PAGE[: OK_PAGE.index(b"</div>")])

    def robots_huge(self, name: str, q: dict[str, str]) -> None:
        size = int(float(q.get("mib", "50")) * 1024 * 1024)
        head = b"User-agent: *\nDisallow: /private/\n"
        tail = b"User-agent: *\nDisallow: /\n"
        self.head_only(size, "text/plain")
        self.wfile.write(head)
        filler = b"# " + b"padding " * 127 + b"\n"
        sent = len(head)
        while sent < size - len(tail):
            part = filler[: size - len(tail) - sent]
            self.wfile.write(part)
            sent += len(part)
        self.wfile.write(tail)

    def robots_charset(self, name: str, q: dict[str, str]) -> None:
        body = b"User-agent: *\nDisallow: /private/\n# \xe4\xf6\xfc \xff\xfe\n"
        self.send(200, body, "text/plain; charset=undefined")

    def bogus_charset(self, name: str, q: dict[str, str]) -> None:
        label = q.get("label", "undefined")
        meta = f'<meta charset="{label}">'.encode()
        body = OK_PAGE.replace(b'<meta charset="utf-8">', meta).replace(b"server", b"s\xe9rver")
        self.send(200, body, f"text/html; charset={label}")

    def deep_nesting(self, name: str, q: dict[str, str]) -> None:
        depth = min(int(q.get("depth", "100000")), 1_000_000)
        body = b"<!DOCTYPE html><html><head><title>Deep</title></head><body>"
        body += b"<div>" * depth + b"<p>bottom</p>" + b"</div>" * depth + b"</body></html>"
        self.send(200, body)

    def paragraphs(self, name: str, q: dict[str, str]) -> None:
        n = min(int(q.get("n", "1000000")), 2_000_000)
        head, tail = self.site.article_halves()
        self.head_only(len(head) + 8 * n + len(tail))
        self.wfile.write(head)
        row = b"<p>w</p>" * 8192
        left = n
        while left > 0:
            take = min(left, 8192)
            self.wfile.write(row[: 8 * take])
            left -= take
        self.wfile.write(tail)

    def redirect_to(self, name: str, q: dict[str, str]) -> None:
        self.send(302, b"", headers={"Location": q.get("url", "/")})

    def nul_jsonld(self, name: str, q: dict[str, str]) -> None:
        body = self.site.nul_jsonld_page()
        self.send(200, body)


_Route = Callable[[FaultHandler, str, dict[str, str]], None]
_ROUTES: dict[str, _Route] = {
    "500-then-200": FaultHandler.fail_then_succeed,
    "429-retry-after": FaultHandler.retry_after,
    "status": FaultHandler.status,
    "slow": FaultHandler.slow,
    "slow-drip": FaultHandler.slow_drip,
    "reset": FaultHandler.reset,
    "truncated": FaultHandler.truncated,
    "oversized": FaultHandler.oversized,
    "gzip-bomb": FaultHandler.bomb,
    "brotli-bomb": FaultHandler.bomb,
    "bad-gzip": FaultHandler.bad_gzip,
    "redirect-loop": FaultHandler.redirect_loop,
    "redirect-loop-b": FaultHandler.redirect_loop,
    "redirect-chain": FaultHandler.redirect_chain,
    "offsite-redirect": FaultHandler.offsite_redirect,
    "consent": FaultHandler.block_page,
    "wrong-charset": FaultHandler.wrong_charset,
    "not-html": FaultHandler.not_html,
    "no-content-type": FaultHandler.no_content_type,
    "xml-bomb": FaultHandler.xml_bomb,
    "xxe": FaultHandler.xxe,
    "xxe-probe": FaultHandler.xxe_probe,
    "robots-disallowed": FaultHandler.robots_disallowed,
    "stall": FaultHandler.stall,
    "length": FaultHandler.length_mismatch,
    "cut-html": FaultHandler.cut_html,
    "robots-huge": FaultHandler.robots_huge,
    "robots-charset": FaultHandler.robots_charset,
    "bogus-charset": FaultHandler.bogus_charset,
    "deep-nesting": FaultHandler.deep_nesting,
    "paragraphs": FaultHandler.paragraphs,
    "redirect-to": FaultHandler.redirect_to,
    "nul-jsonld": FaultHandler.nul_jsonld,
}


def _wait_for_close(conn: socket.socket, seconds: float) -> None:
    """Hold ``conn`` open up to ``seconds``, returning early when the client closes it."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        conn.settimeout(min(left, 0.2))
        try:
            if not conn.recv(1024):
                return
        except TimeoutError:
            continue
        except OSError:
            return


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the fault site on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8765, help="port (0: any free port)")
    parser.add_argument("--extra", type=int, default=0, help="synthetic extra articles")
    parser.add_argument(
        "--lifetime", type=float, default=3600, help="seconds until it stops by itself"
    )
    args = parser.parse_args(argv)
    with FaultSite(port=args.port, extra_articles=args.extra) as site:
        # the one line a parent process reads to learn the port (the fetch benchmark)
        sys.stdout.write(site.base_url + "\n")
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait(args.lifetime)


if __name__ == "__main__":
    main()
