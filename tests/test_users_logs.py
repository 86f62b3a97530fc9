"""Logs fit cron: with JSON logs every line of a run's output is JSON (its summary too),
--quiet logs each per-page warning once per field, and warnings of Python and other libraries
are rendered by the same JSON formatter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

from conftest import ROOT

from scraper.demo import serve_site
from tests.support.cli import python

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def json_lines(text: str) -> list[dict]:
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines
    return [json.loads(line) for line in lines]  # fails on any plain-text line


def test_quiet_json_run_log_is_json_and_aggregated(tmp_path) -> None:
    db = tmp_path / "cron.sqlite3"
    with serve_site() as base:
        # what a crontab line does: `dwscrape run --quiet --log-format json >> run.log 2>&1`
        done = subprocess.run(
            [sys.executable, "-m", "scraper", "run", "--quiet", "--log-format", "json"]
            + ["--db", str(db), "--site", base, "--delay", "0", "--lang", "en"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=ENV,
            timeout=300,
        )
    assert done.returncode == 0, done.stdout
    events = json_lines(done.stdout)
    summary = events[-1]
    assert summary["event"] == "run.summary" and summary["counts"]["new"] >= 5
    assert summary["summary"].startswith("run 1 ok:")
    logged = events[:-1]
    assert all(e["level"] in ("warning", "error") for e in logged), logged
    missing = [e for e in logged if e["event"] == "parse.field_missing"]
    per_field = Counter(e["field"] for e in missing)
    assert missing and set(per_field.values()) == {1}, per_field  # one line per field
    assert max(e["pages"] for e in missing) >= 2 and all(e["first_url"] for e in missing)


def test_foreign_warnings_are_json_lines() -> None:
    script = (
        "import warnings\n"
        "from scraper.logging import configure_logging\n"
        "configure_logging(json_lines=True)\n"
        "warnings.warn('a plain Python warning')\n"
        "from bs4 import BeautifulSoup\n"
        "BeautifulSoup('https://example.com/page', 'html.parser')\n"
    )
    done = python("-W", "always", "-c", script, timeout=60)
    assert done.returncode == 0, done.stderr
    events = json_lines(done.stderr)
    assert all(e["level"] == "warning" and e["logger"] == "py.warnings" for e in events)
    text = " ".join(e["event"] for e in events)
    assert "a plain Python warning" in text and "MarkupResemblesLocatorWarning" in text
