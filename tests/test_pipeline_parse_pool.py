"""The parser processes: the same articles as parsing in-process, and Ctrl-C is the parent's."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from conftest import FIXTURES
from sqlalchemy import select

from db import models as m
from db.engine import make_engine
from db.repository import Repository
from scraper.cli import cli
from scraper.pipeline.parsing import ParseJob, parse_job, start_pool

PAGES = sorted((FIXTURES / "dw").glob("*.html"))


def _sigint_disposition() -> tuple[int, bool]:
    return os.getpid(), signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def test_pool_parses_exactly_as_in_process_and_ignores_sigint() -> None:
    jobs = [ParseJob(p.read_bytes(), f"https://www.dw.com/en/x/{p.stem}") for p in PAGES]
    here = [parse_job(job) for job in jobs]
    pool = start_pool(2)
    try:
        there = list(pool.map(parse_job, jobs))
        children = [pool.submit(_sigint_disposition).result() for _ in range(4)]
    finally:
        pool.shutdown()
    assert there == here
    assert any(p.article is not None for p in here)
    assert all(ignored and pid != os.getpid() for pid, ignored in children)


def _stored(url: str) -> tuple[list[Any], list[Any]]:
    engine = make_engine(url)
    try:
        records = [
            {k: v for k, v in s.article.to_dict().items() if k != "fetched_at"}
            for s in Repository(engine).iter_articles()
        ]
        with engine.connect() as conn:
            query = select(m.raw_pages.c.sha256, m.raw_pages.c.compression, m.raw_pages.c.body)
            pages = sorted(tuple(row) for row in conn.execute(query))
    finally:
        engine.dispose()
    return records, pages


#: Dates a page may give relative to its fetch ("vor 1 Stunde"): two runs a few seconds apart
#: can land on either side of a minute, so these may differ by the time between the runs.
FETCH_RELATIVE = ("published_at", "modified_at")


def _undated(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in FETCH_RELATIVE}


def _close(a: str | None, b: str | None, seconds: float = 120) -> bool:
    if a is None or b is None:
        return a == b
    apart = dt.datetime.fromisoformat(a) - dt.datetime.fromisoformat(b)
    return abs(apart.total_seconds()) <= seconds


def test_crawl_and_run_store_the_same_with_and_without_parser_processes(
    site: Any, tmp_path: Path
) -> None:
    urls = [f"{site.base_url}{path}" for path in site.page_paths() if "/a-" in path][:12]
    assert len(urls) > 4
    outputs, stored = [], []
    for workers in ("0", "2"):
        url = f"sqlite:///{tmp_path}/w{workers}.sqlite3"
        crawl = ["crawl", *urls, "--db", url, "--delay", "0", "--json"]
        result = CliRunner().invoke(cli, [*crawl, "--parse-workers", workers])
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        outputs.append([{k: v for k, v in line.items() if k != "article_id"} for line in lines])
        run = ["run", "--db", url, "--site", site.base_url, "--lang", "en,de", "--delay", "0"]
        result = CliRunner().invoke(cli, [*run, "--quiet", "--parse-workers", workers])
        assert result.exit_code == 0, result.output
        stored.append(_stored(url))
    assert outputs[0] == outputs[1] and len(outputs[0]) == len(urls)
    (records_0, pages_0), (records_1, pages_1) = stored
    assert pages_0 == pages_1 and records_0
    assert [_undated(r) for r in records_0] == [_undated(r) for r in records_1]
    for a, b in zip(records_0, records_1, strict=True):
        for key in FETCH_RELATIVE:
            assert _close(a[key], b[key]), (a["url"], key, a[key], b[key])


def test_no_parser_process_outlives_a_killed_run(tmp_path: Path) -> None:
    """A run killed outright cannot shut its pool down: the parser processes notice and leave
    (else they would wait for work for ever, holding the run's output pipes open)."""
    import subprocess
    import sys
    import time

    from tests.support.faultsite import serve_fault_site

    with serve_fault_site(extra_articles=300) as base:
        args = ["run", "--db", str(tmp_path / "k.sqlite3"), "--site", base, "--delay", "0"]
        proc = subprocess.Popen(
            [sys.executable, "-m", "scraper", *args, "--parse-workers", "2", "--quiet"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        group: list[str] = []
        for _ in range(100):  # until the pool's processes are there
            time.sleep(0.2)
            found = subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True)
            group = found.stdout.split()
            if len(group) >= 4:  # the run, the forkserver, two parser processes
                break
        os.kill(proc.pid, signal.SIGKILL)
        _, err = proc.communicate(timeout=60)  # returns once no process holds the pipes
    assert b"Traceback" not in err and len(group) >= 4
    alive = group
    for _ in range(50):  # each parser process looks for its parent once a second
        found = subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True)
        alive = found.stdout.split()
        if not alive:
            break
        time.sleep(0.2)
    assert alive == []
