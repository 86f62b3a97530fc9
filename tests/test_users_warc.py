"""WARC: `export --format warc` writes valid response records of the stored raw pages, and
`import-warc` stores the DW article pages of WARC files (ours, or built here the way crawlers
write them) in WARC-Date order, idempotently, skipping everything else."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from db.engine import make_engine
from db.repository import Repository
from scraper.exitcodes import ExitCode
from tests.support.cli import dwscrape
from tests.support.users_corpus import FIXTURES, store_corpus

PUTIN_URL = "https://www.dw.com/en/putin-and-kim-jong-un-meet-in-russian-far-east/a-66797777"
PUTIN_TITLE = "Putin and Kim Jong Un meet in Russian Far East"
PUTIN_HTML = (FIXTURES / "en_relaunch_2023-09-13_putin-kim.html").read_bytes()


def _export_jsonl(db: str) -> dict[int, dict]:
    result = dwscrape("export", "--db", db)
    assert result.returncode == 0, result.stderr
    return {r["dw_id"]: r for r in map(json.loads, result.stdout.splitlines())}


def _import(db: str, *files: Path) -> dict[str, int]:
    result = dwscrape("import-warc", "--db", db, "--json", *map(str, files))
    assert result.returncode == 0, result.stderr
    assert "import_warc.progress" in result.stderr  # progress on stderr, summary on stdout
    return json.loads(result.stdout)


def _when(day: int) -> str:
    return f"2024-03-{day:02d}T10:00:00Z"


class WarcBuilder:
    """Writes a WARC file the way crawlers do (warcio, as used by pywb and many archivers)."""

    def __init__(self, path: Path) -> None:
        self.fh = path.open("wb")
        self.writer = WARCWriter(self.fh, gzip=True)

    def response(
        self,
        url: str,
        body: bytes,
        date: str,
        *,
        status: str = "200 OK",
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        http = StatusAndHeaders(
            status, headers or [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        record = self.writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )
        self.writer.write_record(record)

    def request(self, url: str, date: str) -> None:
        http = StatusAndHeaders(
            "GET / HTTP/1.1", [("Host", "www.dw.com")], protocol="HTTP/1.1", is_http_request=True
        )
        record = self.writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )
        self.writer.write_record(record)

    def close(self) -> None:
        self.fh.close()


def _chunked(data: bytes) -> bytes:
    half = len(data) // 2
    parts = [data[:half], data[half:]]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def test_export_import_round_trip(db_url: str, repo: Repository, tmp_path: Path) -> None:
    store_corpus(repo)
    source = db_url
    warc = tmp_path / "pages.warc.gz"
    result = dwscrape("export", "--db", source, "--format", "warc", "-o", str(warc))
    assert result.returncode == 0, result.stderr

    check = subprocess.run(
        [sys.executable, "-c", "from warcio.cli import main; main()", "check", str(warc)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr  # digests and lengths valid
    with warc.open("rb") as fh:
        records = [
            (r.rec_type, r.http_headers, r.content_stream().read()) for r in ArchiveIterator(fh)
        ]
    assert records[0][0] == "warcinfo"
    responses = [(h, body) for kind, h, body in records if kind == "response"]
    assert responses
    for http, body in responses:
        assert http.get_statuscode() == "200"
        assert http.get_header("Content-Length") == str(len(body))
        assert http.get_header("Content-Encoding") is None
    bodies = {body for _, body in responses}
    assert PUTIN_HTML in bodies

    target = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    first = _import(target, warc)
    assert first["new"] == len(responses) and first["changed"] == first["older"] == 0
    expected = _export_jsonl(source)
    with_raw_pages = {k: v for k, v in expected.items() if k != 900}  # 900 was stored bare
    assert _export_jsonl(target) == with_raw_pages

    again = _import(target, warc)  # idempotent, like crawl
    assert again["unchanged"] == len(responses) and again["new"] == again["changed"] == 0
    assert _export_jsonl(target) == with_raw_pages


def test_import_skips_everything_but_dw_articles_and_decodes_bodies(tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    builder = WarcBuilder(warc)
    builder.request(PUTIN_URL, _when(1))
    builder.response(
        PUTIN_URL,
        _chunked(gzip.compress(PUTIN_HTML)),
        _when(1),
        headers=[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Encoding", "gzip"),
            ("Transfer-Encoding", "chunked"),
        ],
    )
    builder.response("https://example.com/en/not-dw/a-123", PUTIN_HTML, _when(1))
    builder.response("https://www.dw.com/en/gone/a-1", b"not found", _when(1), status="404 Not")
    builder.response(
        "https://www.dw.com/en/moved/a-2", b"", _when(1), status="301 Moved Permanently"
    )
    builder.response(
        "https://www.dw.com/en/x/a-3", b"\x89PNG", _when(1), headers=[("Content-Type", "image/png")]
    )
    builder.response("https://www.dw.com/en/top-stories/s-9097", b"<html></html>", _when(1))
    builder.response("https://www.dw.com/en/broken/a-4", b"<html><body>hi</body></html>", _when(1))
    builder.close()

    db = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    report = _import(db, warc)
    assert report["new"] == 1
    assert report["not_article"] == 1  # a DW article URL whose page is no article
    assert report["skipped"] == 6
    stored = _export_jsonl(db)
    assert stored[66797777]["title"] == PUTIN_TITLE


def test_captures_replay_in_warc_date_order_and_older_ones_never_become_current(
    db_url: str, tmp_path: Path
) -> None:
    edited = PUTIN_HTML.replace(PUTIN_TITLE.encode(), b"Putin and Kim Jong Un met in Vostochny")
    later = tmp_path / "later.warc.gz"
    builder = WarcBuilder(later)  # the newer capture first in the file
    builder.response(PUTIN_URL, edited, _when(20))
    builder.response(PUTIN_URL, PUTIN_HTML, _when(10))
    builder.close()

    db = db_url
    report = _import(db, later)
    assert (report["new"], report["changed"]) == (1, 1)
    engine = make_engine(db)
    try:
        repo = Repository(engine)
        stored = repo.find_article(66797777)
        assert stored is not None
        assert stored.article.title == "Putin and Kim Jong Un met in Vostochny"
        assert stored.last_fetched_at == dt.datetime(2024, 3, 20, 10, tzinfo=dt.UTC)
        titles = [r.article.title for r in repo.revisions(stored.id)]
        assert titles == [PUTIN_TITLE, "Putin and Kim Jong Un met in Vostochny"]

        earlier = tmp_path / "earlier.warc.gz"
        builder = WarcBuilder(earlier)
        builder.response(PUTIN_URL, PUTIN_HTML, _when(15))  # older than what is stored
        builder.close()
        report = _import(db, earlier)
        assert report["older"] == 1 and report["new"] == report["changed"] == 0
        current = repo.find_article(66797777)
        assert current is not None and current.article.title == stored.article.title
        assert current.last_fetched_at == stored.last_fetched_at
        assert len(repo.revisions(stored.id)) == 2
    finally:
        engine.dispose()


def test_import_refuses_a_file_that_is_not_warc(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello\n")
    result = dwscrape("import-warc", "--db", str(tmp_path / "db.sqlite3"), str(bogus))
    assert result.returncode == ExitCode.USAGE
    assert "not a WARC file" in result.stderr


def test_empty_database_exports_an_empty_warc(tmp_path: Path) -> None:
    out = tmp_path / "empty.warc.gz"
    db = str(tmp_path / "db.sqlite3")
    result = dwscrape("export", "--db", db, "--format", "warc", "-o", str(out))
    assert result.returncode == 0, result.stderr
    with out.open("rb") as fh:
        assert [r.rec_type for r in ArchiveIterator(fh)] == ["warcinfo"]
    empty = dwscrape("import-warc", "--db", str(tmp_path / "db.sqlite3"), str(out))
    assert empty.returncode == ExitCode.FAILED  # no DW article page in the file


def test_crawled_pages_keep_their_fetch_in_the_warc(tmp_path: Path, site: Any) -> None:
    """Pages stored by a run carry the fetch's URL, time, status and headers into the WARC,
    and come back as the same articles (a copy of a site: --any-host)."""
    source = f"sqlite:///{tmp_path / 'crawled.sqlite3'}"
    run = dwscrape(
        "run", "--db", source, "--site", site.base_url, "--lang", "en,de", "--delay", "0", "-q"
    )
    assert run.returncode == 0, run.stderr
    warc = tmp_path / "crawled.warc.gz"
    assert dwscrape("export", "--db", source, "--format", "warc", "-o", str(warc)).returncode == 0

    engine = make_engine(source)
    try:
        with engine.connect() as conn:
            fetches = {
                row.final_url or row.url: row
                for row in conn.exec_driver_sql(
                    "SELECT url, final_url, status, content_type, fetched_at FROM fetches"
                )
            }
    finally:
        engine.dispose()
    with warc.open("rb") as fh:
        responses = [r for r in ArchiveIterator(fh) if r.rec_type == "response"]
        assert responses
        for record in responses:
            url = record.rec_headers.get_header("WARC-Target-URI")
            assert url.startswith(site.base_url) and url in fetches
            fetch = fetches[url]
            assert record.http_headers.get_statuscode() == str(fetch.status)
            assert record.http_headers.get_header("Content-Type") == fetch.content_type
            when = dt.datetime.fromisoformat(record.rec_headers.get_header("WARC-Date"))
            assert when.replace(tzinfo=None) == dt.datetime.fromisoformat(str(fetch.fetched_at))

    target = f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    without = dwscrape("import-warc", "--db", target, str(warc))
    assert without.returncode == ExitCode.FAILED  # not dw.com: nothing taken by default
    report = _import_args(target, "--any-host", str(warc))
    assert report["new"] == len(responses)
    # A run against the fake site stores the dw.com URL it stands for; the WARC holds the URL
    # actually fetched (loopback), which the copy keeps as the record's `url`.
    copied, crawled = _export_jsonl(target), _export_jsonl(source)
    assert {k: {**r, "url": None} for k, r in copied.items()} == {
        k: {**r, "url": None} for k, r in crawled.items()
    }
    assert all(r["url"].startswith(site.base_url) for r in copied.values())


def _import_args(db: str, *args: str) -> dict[str, int]:
    result = dwscrape("import-warc", "--db", db, "--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
