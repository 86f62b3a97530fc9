"""What `ingest_bench.py --compare` measures dwscrape against: distinct DW pages on nginx, and
the floor, the least any ingester of those pages has to do.

The pages are real DW pages (the fixtures and ``../shared/dw-pages``) under new content ids, so
every one is a new article; nginx serves them from a temporary folder on a loopback port, with
a sitemap for `run`'s discovery and a robots.txt that allows everything. nginx is installed with
apt when missing (as the tests start PostgreSQL) and is fast enough not to be the bottleneck.

The floor fetches the same URLs with asyncio + httpx at the same concurrency, parses the title
and paragraphs with lxml, packs the page with the same codec as the store, and inserts rows and
a full-text index entry (FTS5 / tsvector) with one ``executemany`` transaction per 32 pages.
`floor_processes` runs it on every core at once, as the ceiling for the all-cores figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import lxml.html

from scraper import parse_page
from scraper.errors import ParseError
from scraper.rawpages import pack

ROOT = Path(__file__).resolve().parent.parent
FIRST_ID = 90_000_000
FLOOR_BATCH = 32

NGINX_CONF = """
daemon off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log error;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type text/html;
    types {{ application/xml xml; text/plain txt; }}
    client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp;
    fastcgi_temp_path {root}/tmp; uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {root}/www;
        location / {{ try_files $uri =404; }}
    }}
}}
"""


def templates() -> list[tuple[bytes, str, int]]:
    """(page, canonical URL, DW id) of every real DW article page at hand."""
    paths = sorted((ROOT / "fixtures" / "dw").glob("*.html"))
    paths += sorted((ROOT.parent / "shared" / "dw-pages").glob("*.html"))
    found = []
    for path in paths:
        body = path.read_bytes()
        try:
            article = parse_page(body)
        except ParseError:
            continue
        if article.dw_id and article.canonical_url and article.language:
            found.append((body, article.canonical_url, article.dw_id))
    return found


def site_pages(size: int) -> Iterator[tuple[str, bytes]]:
    """`size` distinct article pages, as (URL path, page): the real pages in turn, each under
    a new content id (and short link), so every one is a new article."""
    pages = templates()
    for i in range(size):
        body, canonical, dw_id = pages[i % len(pages)]
        new_id = str(FIRST_ID + i)
        page = body.replace(str(dw_id).encode(), new_id.encode())
        page = page.replace(b"p.dw.com/p/", f"p.dw.com/p/b{i}x".encode())
        yield urlsplit(canonical.replace(str(dw_id), new_id)).path, page


def write_site(www: Path, size: int) -> tuple[list[str], list[str]]:
    """`size` distinct article pages under `www` (with a sitemap per language and robots.txt);
    their paths and languages."""
    paths: list[str] = []
    by_lang: dict[str, list[str]] = {}
    for path, page in site_pages(size):
        target = www / unquote(path).lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page)
        paths.append(path)
        by_lang.setdefault(path.split("/")[1], []).append(path)
    for lang, lang_paths in by_lang.items():
        urls = "".join(f"<url><loc>https://www.dw.com{p}</loc></url>" for p in lang_paths)
        xml = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        (www / lang / "article-sitemap.xml").write_text(xml, encoding="utf-8")
    (www / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    return paths, sorted(by_lang)


def nginx_binary() -> str:
    """nginx, installed with apt-get if it is not there yet."""
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found is None:
        subprocess.run(["apt-get", "install", "-y", "-q", "nginx-light"], check=True,
                       capture_output=True)  # fmt: skip
        found = shutil.which("nginx") or "/usr/sbin/nginx"
    return found


@contextlib.contextmanager
def nginx_site(size: int) -> Iterator[tuple[str, list[str], list[str]]]:
    """nginx serving `size` distinct pages: (base URL, page paths, languages)."""
    with tempfile.TemporaryDirectory(prefix="dwscrape-nginx-") as tmp:
        root = Path(tmp)
        root.chmod(0o755)  # nginx's workers run as another user
        (root / "tmp").mkdir()
        paths, langs = write_site(root / "www", size)
        port = _free_port()
        (root / "nginx.conf").write_text(NGINX_CONF.format(root=root, port=port))
        proc = subprocess.Popen([nginx_binary(), "-c", str(root / "nginx.conf"), "-p", str(root)])
        try:
            _wait_for(port)
            yield f"http://127.0.0.1:{port}", paths, langs
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int) -> None:
    for _ in range(100):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError("nginx did not start")


def parse_row(url: str, body: bytes) -> tuple[str, str, str, bytes]:
    title, text = floor_parse(body)
    return url, title, text, pack(body).data


def floor_parse(body: bytes) -> tuple[str, str]:
    """The floor's extraction: the title and the text of every paragraph."""
    doc = lxml.html.fromstring(body)
    title = (doc.findtext(".//title") or "").strip()
    return title, "\n".join(p.text_content().strip() for p in doc.iter("p"))


class _Sink:
    """The floor's storage: SQLite with FTS5, or PostgreSQL with a tsvector column; `table`
    names the table (one per process of `floor_processes`)."""

    def __init__(self, db: str, table: str = "pages") -> None:
        self.postgres = db.startswith("postgresql")
        self.table = table
        if self.postgres:
            import psycopg

            self.conn: Any = psycopg.connect(db.replace("postgresql+psycopg", "postgresql"))
            self.conn.execute(
                f"CREATE TABLE {table} (url text PRIMARY KEY, title text, body text, raw bytea, "
                "tsv tsvector)"
            )
            self.sql = (f"INSERT INTO {table} VALUES (%s, %s, %s, %s, "
                        "to_tsvector('simple', %s || ' ' || %s))")  # fmt: skip
        else:
            self.conn = sqlite3.connect(db, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute(f"CREATE TABLE {table} (url TEXT PRIMARY KEY, title, body, raw BLOB)")
            self.conn.execute(f"CREATE VIRTUAL TABLE {table}_fts USING fts5(title, body)")
        self.conn.commit()

    def write(self, rows: list[tuple[str, str, str, bytes]]) -> None:
        if self.postgres:
            with self.conn.cursor() as cur:
                cur.executemany(self.sql, [(*r, r[1], r[2]) for r in rows])
            self.conn.commit()
            return
        self.conn.execute("BEGIN")
        self.conn.executemany(f"INSERT INTO {self.table} VALUES (?, ?, ?, ?)", rows)
        self.conn.executemany(
            f"INSERT INTO {self.table}_fts VALUES (?, ?)", [(r[1], r[2]) for r in rows]
        )
        self.conn.execute("COMMIT")


async def _floor(urls: list[str], concurrency: int, sink: _Sink) -> int:
    sem = asyncio.Semaphore(concurrency)
    rows: list[tuple[str, str, str, bytes]] = []
    stored = 0
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def one(url: str) -> None:
            nonlocal rows, stored
            async with sem:
                response = await client.get(url)
            response.raise_for_status()
            rows.append(parse_row(url, response.content))
            if len(rows) >= FLOOR_BATCH:
                batch, rows = rows, []
                sink.write(batch)
                stored += len(batch)

        await asyncio.gather(*(one(u) for u in urls))
    if rows:
        sink.write(rows)
        stored += len(rows)
    return stored


def floor(urls: list[str], concurrency: int, db: str) -> dict[str, Any]:
    """The floor over `urls` into `db` (a SQLite path or a PostgreSQL URL): pages/s."""
    sink = _Sink(db)
    start = time.perf_counter()
    cpu = time.process_time()
    stored = asyncio.run(_floor(urls, concurrency, sink))
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu
    sink.conn.close()
    return {"pages": stored, "wall_s": round(wall, 2), "pages_per_s": round(stored / wall, 1),
            "cpu_ms_per_page": round(cpu / stored * 1000, 2)}  # fmt: skip


def floor_processes(urls: list[str], concurrency: int, db: str, processes: int) -> dict[str, Any]:
    """The floor on all cores: `processes` floors side by side, each on every n-th URL at its
    share of the concurrency, into a table (SQLite: a file) of its own.

    Nothing is shared but the machine: no single writer, no hand-over of results between
    processes. So its speed-up over the one-process floor is the most any ingester of these
    pages could make of this machine's cores, with nginx (and PostgreSQL) on the same cores:
    the ceiling for dwscrape's all-cores figures, measured in the same sitting."""
    context = multiprocessing.get_context("fork")  # started at once: the ceiling pays no start-up
    share = max(1, concurrency // processes)
    start = time.perf_counter()
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        shares = list(pool.map(_floor_share, [(urls[k::processes], share, db, k)
                                              for k in range(processes)]))  # fmt: skip
    wall = time.perf_counter() - start
    stored = sum(pages for pages, _ in shares)
    # CPU as each process counts its own (start-up included): this process waits for its
    # pool, so a measurement of the tree from outside would count the pool twice
    cpu = time.process_time() + sum(cpu for _, cpu in shares)
    return {"pages": stored, "wall_s": round(wall, 2), "pages_per_s": round(stored / wall, 1),
            "cpu_s": round(cpu, 3)}  # fmt: skip


def _floor_share(args: tuple[list[str], int, str, int]) -> tuple[int, float]:
    """One process's share: pages stored, and the CPU seconds of the whole process."""
    urls, concurrency, db, k = args
    sink = _Sink(db if db.startswith("postgresql") else f"{db}.{k}", table=f"pages_{k}")
    try:
        stored = asyncio.run(_floor(urls, concurrency, sink))
    finally:
        sink.conn.close()
    return stored, time.process_time()


if __name__ == "__main__":  # the floor as a process of its own, start-up included like dwscrape's
    import json
    import sys

    db, concurrency, url_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    urls = Path(url_file).read_text().split()
    processes = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    if processes > 1:  # `floor_processes`
        print(json.dumps(floor_processes(urls, concurrency, db, processes)))
    else:
        print(json.dumps(floor(urls, concurrency, db)))
