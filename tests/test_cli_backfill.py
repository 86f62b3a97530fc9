"""`dwscrape backfill` on the fake site's archive (36 monthly sitemaps of French stories):
SIGKILLed during the walk and during the fetching, then runs until the frontier is empty, it
ends with every archived article stored exactly once, and a rerun queues nothing. Scheduled
runs fetch fresh news before the archive; the walk holds the run lock."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from db.repository import Repository
from scraper.cli import cli
from scraper.exitcodes import ExitCode
from tests.support.cli import ROOT
from tests.support.faultsite import FaultSite
from tests.test_cli_lock import lock_held_by_other_process


@pytest.fixture
def site() -> Iterator[FaultSite]:
    with FaultSite(dw_pages=None, archive={"fr": 36}) as fake:
        yield fake


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def archive_listing(site: FaultSite) -> set[str]:
    """Every URL the archive's sitemaps list: the archived stories and the recent child's."""
    recent = {f"https://www.dw.com{p}" for p in site.sample_paths() if p.startswith("/fr/")}
    return set(site.archives["fr"].urls()) | recent


def kill_when(proc: subprocess.Popen[str], ready: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60
    while not ready():
        assert proc.poll() is None, f"finished before {what}: {proc.communicate()}"
        assert time.monotonic() < deadline, what
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


def spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "scraper", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_a_killed_backfill_resumes_and_stores_every_archived_article_once(
    db_url: str, site: FaultSite, repo: Repository
) -> None:
    base = ["backfill", "--db", db_url, "--site", site.base_url, "--lang", "fr", "--quiet"]
    walking = spawn(*base, "--delay", "0.15")
    kill_when(walking, lambda: 3 <= len(repo.finished_sitemaps("fr")) < 30, "walking")
    finished = len(repo.finished_sitemaps("fr"))
    assert 3 <= finished < 37

    fetching = spawn(*base, "--delay", "0.03", "--now", "--lease-timeout", "1s")
    kill_when(fetching, lambda: 10 <= repo.stats()["articles"] < 100, "fetching")
    assert len(repo.finished_sitemaps("fr")) == 37  # the walk went on where it stopped
    time.sleep(1.2)  # the killed fetcher's leases run out

    drain = ["run", "--db", db_url, "--site", site.base_url, "--lang", "fr", "--source", "rss"]
    for _ in range(3):
        result = invoke(*drain, "--delay", "0", "--quiet")
        assert result.exit_code == 0, result.output
        if not repo.frontier_counts().get("pending") and not repo.frontier_counts().get("leased"):
            break
    assert set(repo.frontier_counts()) <= {"done"}

    articles = list(repo.iter_articles())
    urls = [s.article.canonical_url for s in articles]
    assert len(urls) == len(set(urls))
    assert set(urls) == archive_listing(site)
    assert all(len(repo.revisions(s.id)) == 1 for s in articles)

    again = invoke(*base, "--json")
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout.strip().splitlines()[-1])
    assert summary["queued"] == 0 and summary["sitemaps_finished"] == 0


def test_a_capped_backfill_goes_on_next_time_and_skips_stored_urls(
    db_url: str, site: FaultSite, repo: Repository
) -> None:
    base = ["backfill", "--db", db_url, "--site", site.base_url, "--lang", "fr", "--delay", "0"]
    first = json.loads(invoke(*base, "--max-sitemaps", "4", "--json").stdout.splitlines()[-1])
    assert first["sitemaps_finished"] == 4 and first["sitemaps_left"] > 0
    # a stored article is not queued again: store one archived story of a later month
    later = site.archives["fr"].urls()[0]  # January 2021: walked last
    invoke("crawl", "--db", db_url, "--site", site.base_url, "--delay", "0", later)
    rest = json.loads(invoke(*base, "--json").stdout.splitlines()[-1])
    assert rest["sitemaps_finished"] == 37 - 4 and rest["sitemaps_left"] == 0
    assert first["queued"] + rest["queued"] == len(archive_listing(site)) - 1
    windowed = ["--since", "2020-01-01", "--until", "2020-12-31", "--json"]
    none_left = json.loads(invoke(*base, *windowed).stdout.splitlines()[-1])
    assert none_left["queued"] == 0


def test_a_window_keeps_to_its_dates(db_url: str, site: FaultSite, repo: Repository) -> None:
    base = ["backfill", "--db", db_url, "--site", site.base_url, "--lang", "fr", "--delay", "0"]
    result = invoke(*base, "--since", "2021-01-01", "--until", "2021-12-31", "--json")
    summary = json.loads(result.stdout.splitlines()[-1])
    assert summary["sitemaps_finished"] == 12 and summary["queued"] == 36


def test_scheduled_runs_fetch_fresh_news_before_the_archive(
    db_url: str, site: FaultSite, repo: Repository
) -> None:
    backfill = ["backfill", "--db", db_url, "--site", site.base_url, "--lang", "fr"]
    assert invoke(*backfill, "--delay", "0", "--quiet").exit_code == 0
    run = ["run", "--db", db_url, "--site", site.base_url, "--delay", "0", "--quiet"]
    result = invoke(*run, "--lang", "en", "--source", "rss", "--max-articles", "5", "--json")
    assert result.exit_code == 0, result.output
    assert {s.article.language for s in repo.iter_articles()} == {"en"}
    invoke(*run, "--lang", "en", "--source", "rss")
    assert archive_listing(site) <= {s.article.canonical_url for s in repo.iter_articles()}


def test_the_walk_needs_the_run_lock(db_url: str, site: FaultSite) -> None:
    args = ["backfill", "--db", db_url, "--site", site.base_url, "--lang", "fr"]
    with lock_held_by_other_process(db_url):
        assert invoke(*args).exit_code == ExitCode.LOCKED


def test_an_unknown_language_is_a_usage_error(db_url: str) -> None:
    result = invoke("backfill", "--db", db_url, "--lang", "xx")
    assert result.exit_code == ExitCode.USAGE and "known:" in result.output


def test_the_readme_section_runs_as_shown(
    tmp_path: Any, site: FaultSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_readme import dwscrape_args, shell_blocks

    monkeypatch.chdir(tmp_path)  # the section's export writes a file where it is run

    (lines,) = shell_blocks("All of DW: languages, feeds, backfill")
    env = {
        "DWSCRAPE_SITE": site.base_url,
        "DWSCRAPE_DELAY": "0",
        "DWSCRAPE_DATABASE_URL": f"sqlite:///{tmp_path / 'all.sqlite3'}",
    }
    outputs = {}
    for line in lines:
        result = CliRunner().invoke(cli, dwscrape_args(line), env=env, catch_exceptions=False)
        assert result.exit_code == 0, f"{line} -> {result.exit_code}\n{result.output}"
        outputs[line] = result.output
    assert "rss-sp-all" in outputs["dwscrape languages"]
    assert (
        "12 sitemaps finished now"
        in outputs["dwscrape backfill --lang fr --since 2021-01-01 --until 2021-12-31"]
    )
