"""Fetching parser processes (`scraper.pipeline.fetchparse`): with ``--delay 0`` and parser
processes, the parser processes fetch too. A `run` against the fault site, as a subprocess:
each fetching process reads robots.txt for itself (the sign, seen from the server, that the
fetches left the main process); a re-run gets 304s through them; a stop sent to the whole
process group, as systemd sends it, drops their slow fetches at once instead of waiting for
them; and a parser process killed under a batch fails only the batches in the pool."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.faultsite import FaultSite
from tests.support.runs import article_hits, frontier_states, query, start, wait_until

ARTICLES = 40


def _run(db_url: str, site: FaultSite, *extra: str) -> subprocess.Popen[str]:
    args = [
        "run", "--db", db_url, "--site", site.base_url, "--delay", "0", "--source", "sitemap",
        "--concurrency", "4", "--per-host-concurrency", "4", "--parse-workers", "2",
        "--lease-timeout", "2m", "--json", *extra,
    ]  # fmt: skip
    return start(*args, new_session=True)  # its own process group, as under systemd


def _summary(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def _children(of: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{of}/task").glob("*"):
        with open(task / "children") as f:
            found += [int(p) for p in f.read().split()]
    return found


def _pool_processes(pid: int) -> list[int]:
    """The run's grandchildren: the pool's processes (children of its forkserver)."""
    return [grandchild for child in _children(pid) for grandchild in _children(child)]


def _deaf_to_sigterm(pid: int) -> bool:
    """SIGTERM is ignored or blocked in `pid` (/proc/PID/status: SigIgn, SigBlk)."""
    fields = dict(
        line.split(":\t", 1)
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if ":\t" in line
    )
    bit = 1 << (signal.SIGTERM - 1)
    return bool((int(fields["SigIgn"], 16) | int(fields["SigBlk"], 16)) & bit)


def test_the_parser_processes_fetch_and_a_rerun_gets_304s(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/f.sqlite3"
    with FaultSite(extra_articles=ARTICLES) as site:
        first = _run(db, site)
        out, err = first.communicate(timeout=180)
        assert first.returncode == 0 and "Traceback" not in err, err[-2000:]
        new = _summary(out)["counts"]["new"]
        # one robots.txt for discovery in the main process, one per fetching parser process
        assert site.hits("/robots.txt") == 3
        second = _run(db, site, "--refresh-older-than", "0s")
        out, err = second.communicate(timeout=180)
        assert second.returncode == 0 and "Traceback" not in err, err[-2000:]
    counts = _summary(out)["counts"]
    assert new >= ARTICLES and counts["not_modified"] >= new and counts["new"] == 0
    articles = query(db, "SELECT count(*), count(DISTINCT dw_id) FROM articles")[0]
    assert articles[0] == articles[1] == new


def test_the_parser_processes_start_while_the_run_discovers(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/w.sqlite3"
    with FaultSite(extra_articles=4) as site:
        site.robots_delay = 3  # discovery asks for robots.txt first, and waits
        proc = _run(db, site)
        try:
            wait_until(lambda: len(_pool_processes(proc.pid)) == 2, what="the parser processes")
            # started before the first batch: discovery has not read a sitemap yet
            assert not [r for r in list(site.requests) if "sitemap" in r.path]
            assert article_hits(site) == 0
            site.robots_delay = 0
            out, err = proc.communicate(timeout=180)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0 and "Traceback" not in err, err[-2000:]
    assert _summary(out)["counts"]["new"] >= 4


def test_a_host_with_a_crawl_delay_is_paced_once_for_all_processes(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/p.sqlite3"
    delay = 0.3
    with FaultSite() as site:
        site.set_page("/robots.txt", f"User-agent: *\nCrawl-delay: {delay}\n", "text/plain")
        proc = _run(db, site)  # 4 per host: the Crawl-delay makes it one at a time
        out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0 and "Traceback" not in err, err[-2000:]
    assert _summary(out)["counts"]["new"] >= 8
    assert "crawl.host_paced_here" in err
    # every request but each process's one robots.txt waited for the one before it, whichever
    # process asked: the fetching processes handed the host back to the main process
    asked = sorted(r.at for r in list(site.requests) if r.path != "/robots.txt")
    gaps = [b - a for a, b in zip(asked, asked[1:], strict=False)]
    assert len(gaps) >= 8 and min(gaps) >= delay * 0.9, sorted(gaps)[:3]


def test_a_stop_to_the_process_group_drops_the_slow_fetches_at_once(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/s.sqlite3"
    with FaultSite(extra_articles=ARTICLES, article_delay=30) as site:
        proc = _run(db, site)
        try:
            wait_until(lambda: article_hits(site) >= 4, what="the parser processes to fetch")
            assert len(_pool_processes(proc.pid)) == 2
            # the forkserver, the resource tracker and the pool leave SIGTERM to the run
            below = _children(proc.pid) + _pool_processes(proc.pid)
            assert len(below) == 4 and all(_deaf_to_sigterm(p) for p in below)
            stopped = time.monotonic()
            os.killpg(proc.pid, signal.SIGTERM)  # every process of the group, as systemd does
            out, err = proc.communicate(timeout=60)
            took = time.monotonic() - stopped
        finally:
            site.article_delay = 0
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 143 and "Traceback" not in err, err[-2000:]
    assert took < 15, f"the stop waited {took:.1f} s for fetches of 30 s"
    assert _summary(out)["status"] == "interrupted"
    states = frontier_states(db)
    assert "leased" not in states and "failed" not in states, states  # all handed back


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_a_parser_process_killed_under_a_batch_fails_only_the_batches_it_held(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path}/k.sqlite3"
    with FaultSite(extra_articles=ARTICLES, article_delay=0.3) as site:
        proc = _run(db, site, "--max-failure-rate", "1")
        try:
            wait_until(lambda: article_hits(site) >= 4, what="the parser processes to fetch")
            os.kill(_pool_processes(proc.pid)[0], signal.SIGKILL)
            out, err = proc.communicate(timeout=180)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0 and "Traceback" not in err, err[-2000:]
    assert "crawl.parser_process_died" in err
    counts = _summary(out)["counts"]
    states = frontier_states(db)
    # the batches in the pool failed (to be retried): the one in hand and the one queued
    # behind it, 16 URLs each at --concurrency 4; everything else was stored, once
    assert 0 < states.get("failed", 0) == counts["failed"] <= 2 * 16 and "leased" not in states
    assert states.get("done", 0) == counts["new"] > 0
    assert counts["new"] + counts["failed"] == sum(states.values())
    articles = query(db, "SELECT count(*), count(DISTINCT dw_id) FROM articles")[0]
    assert articles[0] == articles[1] == counts["new"]
