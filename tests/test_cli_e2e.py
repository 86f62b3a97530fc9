"""End to end: the real CLI against the fake DW site (real sockets), on SQLite and PostgreSQL.

Every test here runs the actual commands (click's runner in-process, or `python -m scraper` in a
subprocess where a second process matters: the lock, SIGKILL) over a real database, and checks
the database afterwards through the repository.
"""

from __future__ import annotations

import csv
import io
import json
import signal
import subprocess
import sys
import time
from typing import Any

import pytest
from click.testing import CliRunner

from db.lock import run_lock
from db.repository import Repository
from scraper import parse_page
from scraper.cli import cli
from scraper.errors import ParseError
from scraper.exitcodes import ExitCode
from scraper.urls import is_content_url, language_from_url
from tests.support.cli import ROOT, dwscrape
from tests.support.faultsite import BROKEN_FEED

LANGS = "en,de"


def expected_articles(site: Any) -> dict[int, str]:
    """dw_id -> path of every article page the fake site serves in LANGS and lists publicly."""
    out: dict[int, str] = {}
    for path in site.page_paths():
        if not is_content_url(path) or path.startswith("/private/"):
            continue
        if language_from_url(path) not in LANGS.split(","):
            continue
        page = site.page(path)
        try:
            article = parse_page(page.body, url=f"https://www.dw.com{path}")
        except ParseError:
            continue
        if article.dw_id is not None:
            out[article.dw_id] = path
    return out


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def run_args(db_url: str, base: str, *extra: str) -> list[str]:
    # The fake site serves every page its feeds and sitemaps list: a run has no failures
    # unless a test makes some (and then gives its own --max-failure-rate).
    return [
        "run", "--db", db_url, "--site", base, "--lang", LANGS, "--delay", "0", *extra,
    ]  # fmt: skip


def run_json(db_url: str, base: str, *extra: str) -> dict[str, Any]:
    result = invoke(*run_args(db_url, base, "--json", "--quiet", *extra))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def stored(repo: Repository) -> dict[int, Any]:
    return {s.article.dw_id: s for s in repo.iter_articles()}


def test_run_stores_every_article_then_304s_then_one_revision(
    db_url: str, site: Any, repo: Repository
) -> None:
    expected = expected_articles(site)
    assert len(expected) >= 5, expected  # the fake site has real content to find

    first = run_json(db_url, site.base_url)
    articles = stored(repo)
    assert set(articles) == set(expected)
    assert first["counts"]["new"] == len(expected)
    assert first["counts"]["fetched"] == first["counts"]["discovered"]
    assert first["counts"]["failed"] == 0
    assert first["counts"]["fetched"] == len(expected)
    assert all(s.revision_count == 1 for s in articles.values())
    rates = first["fill_rates"]
    assert rates["title"] == 1.0 and rates["dw_id"] == 1.0

    # Second run: every page answers 304 to the conditional GET; nothing new is stored.
    second = run_json(db_url, site.base_url)
    assert second["counts"]["new"] == 0 and second["counts"]["changed"] == 0
    assert second["counts"]["not_modified"] >= len(expected)
    assert second["counts"]["unchanged"] >= len(expected)
    assert all(s.revision_count == 1 for s in stored(repo).values())
    # ... but each 304 moved its article's last fetch (what --refresh-older-than counts from)
    refetched = stored(repo)
    for dw_id, before in articles.items():
        assert refetched[dw_id].last_fetched_at > before.last_fetched_at, dw_id
        assert refetched[dw_id].last_changed_at == before.last_changed_at, dw_id

    # An article edited at the source: exactly one new revision, cause "source".
    dw_id, path = sorted(expected.items())[0]
    page = site.page(path)
    original = stored(repo)[dw_id].article
    first_paragraph = original.text.split("\n\n")[0]
    assert first_paragraph.encode() in page.body
    site.set_page(path, page.body.replace(first_paragraph.encode(), b"Edited paragraph.", 1))
    third = run_json(db_url, site.base_url)
    assert third["counts"]["changed"] == 1 and third["counts"]["new"] == 0
    after = stored(repo)
    assert after[dw_id].revision_count == 2
    assert after[dw_id].article.text.startswith("Edited paragraph.")
    assert all(s.revision_count == 1 for k, s in after.items() if k != dw_id)
    revisions = repo.revisions(after[dw_id].id)
    assert [r.cause for r in revisions][-1] == "source"

    runs = repo.recent_runs(3)
    assert [r.counts["new"] for r in runs] == [0, 0, len(expected)]


def test_bad_pages_are_counted_and_the_run_goes_on(
    db_url: str, site: Any, repo: Repository
) -> None:
    expected = expected_articles(site)
    assert run_json(db_url, site.base_url)["counts"]["failed"] == 0
    site.set_page("/en/not-a-dw-page/a-99000001", b"<html><body>Hello</body></html>")
    site.set_page("/en/broken-bytes/a-99000002", b"\xff\xfe\x00<html<<<<div")
    summary = run_json(db_url, site.base_url, "--max-failure-rate", "1")
    assert summary["counts"]["failed"] == 2
    assert set(stored(repo)) == set(expected)
    # The same run with a strict threshold is a partial failure (exit 1), harming nothing.
    result = invoke(*run_args(db_url, site.base_url, "--json", "--max-failure-rate", "0"))
    assert result.exit_code == ExitCode.PARTIAL
    assert json.loads(result.stdout.strip().splitlines()[-1])["status"] == "failed"
    assert set(stored(repo)) == set(expected)
    assert all(s.revision_count == 1 for s in stored(repo).values())


def test_a_listed_page_that_is_not_served_is_one_failure(
    db_url: str, site: Any, repo: Repository
) -> None:
    """The fault feed lists one page the site does not serve: a 404, counted and logged, and
    every other article still found (through the sitemaps) and stored."""
    expected = expected_articles(site)
    broken = BROKEN_FEED.read_bytes()
    site.set_page("/xml/rss-en-all", broken, "application/rss+xml; charset=utf-8")
    summary = run_json(db_url, site.base_url, "--max-failure-rate", "1")
    assert summary["counts"]["failed"] == 1
    assert summary["counts"]["new"] == len(expected)
    assert set(stored(repo)) == set(expected)
    assert site.hits("/en/a-live-blog-for-tests/live-9000006") == 1
    # the default threshold (20 %) lets one failure among many pass
    assert invoke(*run_args(db_url, site.base_url, "--quiet")).exit_code == 0


def test_second_run_while_locked_exits_3_and_harms_nothing(
    db_url: str, site: Any, repo: Repository
) -> None:
    with run_lock(db_url):
        proc = dwscrape(*run_args(db_url, site.base_url))
    assert proc.returncode == ExitCode.LOCKED, proc.stderr
    assert "another run holds the" in proc.stderr and "lock" in proc.stderr
    # stderr is not a terminal: log events are JSON lines (the error message is click's).
    events = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    assert all({"event", "level", "timestamp"} <= set(e) for e in events)
    assert repo.recent_runs(5) == []  # it did not even start a run
    assert stored(repo) == {}
    # Once the lock is free, the same command works.
    proc = dwscrape(*run_args(db_url, site.base_url))
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stderr.splitlines()]
    assert "run.finished" in {e["event"] for e in events}
    assert set(stored(repo)) == set(expected_articles(site))


def test_sigkill_mid_run_then_rerun_stores_every_article_once(
    db_url: str, site: Any, repo: Repository
) -> None:
    expected = expected_articles(site)
    args = run_args(db_url, site.base_url, "--lease-timeout", "1s", "--concurrency", "1")
    args[args.index("--delay") + 1] = "0.4"  # slow enough to be caught mid-way
    proc = subprocess.Popen(
        [sys.executable, "-m", "scraper", *args],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while len(stored(repo)) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, "the run finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    partial = stored(repo)
    assert 2 <= len(partial) < len(expected)
    time.sleep(1.2)  # the killed run's leases run out

    result = invoke(*run_args(db_url, site.base_url, "--json", "--quiet"))
    assert result.exit_code == 0, result.output
    articles = stored(repo)
    assert set(articles) == set(expected)
    assert all(s.revision_count == 1 for s in articles.values())
    assert len(list(repo.iter_articles())) == len(expected)  # no duplicates
    assert repo.frontier_counts().get("leased", 0) == 0


def test_query_show_export_in_every_format(db_url: str, site: Any, repo: Repository) -> None:
    run_json(db_url, site.base_url)
    articles = stored(repo)
    seed = next(s for s in articles.values() if s.article.dw_id == 66797777)
    record = seed.article.to_dict()

    # query
    for fmt in ("table", "json", "jsonl", "csv"):
        result = invoke("query", "Putin Kim", "--db", db_url, "--format", fmt)
        assert result.exit_code == 0, result.output
        if fmt == "json":
            rows = json.loads(result.stdout)
        elif fmt == "jsonl":
            rows = [json.loads(line) for line in result.stdout.splitlines()]
        elif fmt == "csv":
            rows = list(csv.DictReader(io.StringIO(result.stdout)))
        else:
            assert "66797777" in result.stdout
            continue
        assert str(rows[0]["dw_id"]) == "66797777"
        assert rows[0]["title"] == record["title"]
    result = invoke("query", "Putin", "--db", db_url, "--lang", "de", "--format", "json")
    assert all(r["language"] == "de" for r in json.loads(result.stdout))
    result = invoke("query", "--db", db_url, "--format", "jsonl", "--limit", "3")
    assert len(result.stdout.splitlines()) == 3

    # filters: agency, topic, dates (inclusive days), type
    def ids(*args: str) -> set[int]:
        out = invoke("query", "--db", db_url, "--format", "jsonl", "--limit", "100", *args)
        assert out.exit_code in (0, ExitCode.FAILED), out.output  # 5: no matches
        return {json.loads(line)["dw_id"] for line in out.stdout.splitlines()}

    assert 66797777 in ids("Putin", "--agency", "Reuters", "--topic", "North Korea")
    assert 66797777 not in ids("Putin", "--agency", "dpa")
    assert 66797777 in ids("--since", "2023-09-13", "--until", "2023-09-13")
    assert 66797777 not in ids("--since", "2023-09-14")
    assert 66797777 not in ids("--type", "video")
    assert invoke("query", "--db", db_url, "--since", "someday").exit_code == ExitCode.USAGE

    # show, by every kind of reference
    for ref in ("66797777", record["canonical_url"], record["short_url"]):
        result = invoke("show", ref, "--db", db_url, "--format", "json")
        assert result.exit_code == 0, (ref, result.output)
        assert json.loads(result.stdout) == record
    text = invoke("show", "66797777", "--db", db_url).stdout
    assert record["title"] in text and record["text"][:40] in text
    revs = json.loads(
        invoke("show", "66797777", "--revisions", "--format", "json", "--db", db_url).stdout
    )
    assert [r["cause"] for r in revs] == ["new"] and revs[0]["record"] == record
    missing = invoke("show", "12345", "--db", db_url)
    assert missing.exit_code == ExitCode.FAILED

    # export: every stored record, in both formats
    result = invoke("export", "--db", db_url)
    exported = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["dw_id"]: r for r in exported} == {
        k: s.article.to_dict() for k, s in articles.items()
    }
    result = invoke("export", "--db", db_url, "--format", "csv", "--lang", "de")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and all(r["language"] == "de" for r in rows)
    assert {int(r["dw_id"]) for r in rows} == {
        k for k, s in articles.items() if s.article.language == "de"
    }


def test_export_to_file_and_stats(db_url: str, site: Any, repo: Repository, tmp_path) -> None:
    run_json(db_url, site.base_url)
    out = tmp_path / "all.jsonl"
    assert invoke("export", "--db", db_url, "-o", str(out)).exit_code == 0
    assert len(out.read_text().splitlines()) == len(stored(repo))
    result = invoke("stats", "--db", db_url, "--format", "json")
    data = json.loads(result.stdout)
    assert data["runs"][0]["new"] == len(stored(repo)) and data["fill_rate_drops"] == []
    assert "crawl runs" in invoke("stats", "--db", db_url).stdout


def test_crawl_one_off(db_url: str, site: Any, repo: Repository) -> None:
    url = f"{site.base_url}/en/putin-and-kim-jong-un-meet-in-russian-far-east/a-66797777"
    result = invoke("crawl", url, "--db", db_url, "--delay", "0")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("new ") and "66797777" in result.stdout
    result = invoke("crawl", url, "--db", db_url, "--delay", "0", "--json")
    line = json.loads(result.stdout)
    assert line["status"] == "unchanged" and line["outcome"] == "not_modified"
    # One good, one 404: partial (1); only bad ones: 5.
    result = invoke("crawl", url, f"{site.base_url}/en/gone/a-1", "--db", db_url, "--delay", "0")
    assert result.exit_code == ExitCode.PARTIAL
    assert "error" in result.stdout and "not_found" in result.stdout
    result = invoke("crawl", f"{site.base_url}/robots.txt", "--db", db_url, "--delay", "0")
    assert result.exit_code == ExitCode.FAILED
    assert len(stored(repo)) == 1


def test_parse_a_url_stores_nothing(db_url: str, site: Any, repo: Repository) -> None:
    url = f"{site.base_url}/en/putin-and-kim-jong-un-meet-in-russian-far-east/a-66797777"
    result = invoke("parse", url, "--db", db_url)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["dw_id"] == 66797777
    result = invoke("parse", url, "--format", "text")
    assert "Putin and Kim Jong Un meet in Russian Far East" in result.stdout
    assert invoke("parse", f"{site.base_url}/robots.txt").exit_code == ExitCode.FAILED
    assert stored(repo) == {}


def test_reparse_only_changed_extractions(
    db_url: str, site: Any, repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_json(db_url, site.base_url)
    result = invoke("reparse", "--db", db_url, "--json")
    summary = json.loads(result.stdout)
    n = len(stored(repo))
    assert summary["counts"] == {
        "pages": n,
        "changed": 0,
        "unchanged": n,
        "soft_404": 0,
        "failed": 0,
    }

    # A "newer parser" that extracts the seed article's title differently (patched in this
    # process, so the re-parse runs here: --workers 1).
    import scraper.pipeline.parsing as reparse_module

    real = reparse_module.parse_page

    def newer_parser(html: bytes, url: str | None = None, fetched_at: Any = None) -> Any:
        article = real(html, url=url, fetched_at=fetched_at)
        if article.dw_id == 66797777:
            from scraper.article import content_hash_of

            article = article.with_changes(title="Putin and Kim meet")
            article = article.with_changes(content_hash=content_hash_of(article))
        return article

    monkeypatch.setattr(reparse_module, "parse_page", newer_parser)
    summary = json.loads(invoke("reparse", "--db", db_url, "--json", "--workers", "1").stdout)
    assert summary["counts"]["changed"] == 1 and summary["changed"][0]["dw_id"] == 66797777
    seed = repo.find_article("66797777")
    assert seed is not None and seed.article.title == "Putin and Kim meet"
    assert [r.cause for r in repo.revisions(seed.id)] == ["new", "parser"]
    diff = invoke("show", "66797777", "--diff", "--db", db_url).stdout
    assert "-title: Putin and Kim Jong Un meet in Russian Far East" in diff
    assert "+title: Putin and Kim meet" in diff


def test_demo(tmp_path) -> None:
    db = tmp_path / "demo.sqlite3"
    proc = dwscrape("demo", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert "fake DW site at http://127.0.0.1:" in proc.stdout
    assert "new " in proc.stdout and "66797777" in proc.stdout
    assert "failed 0" in proc.stdout  # the fake site serves every page it lists
    assert db.exists()


def test_refresh_older_than_requeues_stale_articles(
    db_url: str, site: Any, repo: Repository
) -> None:
    expected = expected_articles(site)
    run_json(db_url, site.base_url)
    # Discovery finds nothing (feeds only, of a language whose feed is unknown: nothing is
    # read, nothing fails), so only the refresh schedules work.
    nothing = ("--lang", "bg", "--source", "rss")
    result = invoke(*run_args(db_url, site.base_url, *nothing, "--json"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[-1])["counts"]["fetched"] == 0
    time.sleep(1.1)
    result = invoke(
        *run_args(db_url, site.base_url, *nothing, "--refresh-older-than", "1s", "--json")
    )
    summary = json.loads(result.stdout.splitlines()[-1])
    assert summary["counts"]["fetched"] == len(expected)
    assert summary["counts"]["not_modified"] == len(expected)


@pytest.mark.parametrize("parse_workers", ["0", "2"])  # fetched here; in the parser processes
def test_a_database_write_error_costs_only_its_article(
    db_url: str, site: Any, repo: Repository, monkeypatch: pytest.MonkeyPatch, parse_workers: str
) -> None:
    """The article a write error lost is fetched whole by the next run: the validators of its
    fetch must not bring a 304 for a page whose article was never stored."""
    from scraper.errors import StorageError

    expected = expected_articles(site)
    victim = 66797777
    real = Repository.store_articles

    def failing(self: Repository, items: Any, **kw: Any) -> Any:
        if any(getattr(i, "article", i).dw_id == victim for i in items):
            raise StorageError("disk full (simulated)")
        return real(self, items, **kw)

    monkeypatch.setattr(Repository, "store_articles", failing)
    summary = run_json(db_url, site.base_url, "--parse-workers", parse_workers)
    assert set(stored(repo)) == set(expected) - {victim}
    assert summary["counts"]["new"] == len(expected) - 1
    monkeypatch.setattr(Repository, "store_articles", real)
    run_json(db_url, site.base_url, "--parse-workers", parse_workers)
    assert set(stored(repo)) == set(expected)


def test_stats_warns_when_a_fill_rate_drops(db_url: str, repo: Repository) -> None:
    for authors in (0.9, 0.8, 0.1):  # oldest first: the newest run lost its authors
        run_id = repo.start_run("run")
        repo.finish_run(run_id, "ok", {"new": 20}, {"authors": authors, "title": 1.0})
    result = invoke("stats", "--db", db_url)
    assert result.exit_code == 0
    assert "warning: fill rate of authors fell to 10% (earlier runs: 85%)" in result.stdout
    assert "title" not in result.stdout.split("warning:", 1)[1]
    data = json.loads(invoke("stats", "--db", db_url, "--format", "json").stdout)
    assert [d["field"] for d in data["fill_rate_drops"]] == ["authors"]
    assert [r["new"] for r in data["runs"]] == [20, 20, 20]
