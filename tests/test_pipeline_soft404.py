"""A soft 404 (a 200 page in DW's chrome that names no content of its own) is recorded as a
`not_found` fetch and never stored as an article, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from db import models as m
from db.repository import Repository
from scraper.exitcodes import ExitCode
from tests.support.cli import dwscrape


def test_a_soft_404_is_a_not_found_fetch(db_url: str, site: Any, repo: Repository) -> None:
    url = f"{site.base_url}/en/error-404"
    result = dwscrape("crawl", url, "--db", db_url, "--delay", "0", "--json")
    assert result.returncode == ExitCode.FAILED, result.stderr
    line = json.loads(result.stdout)
    assert line["status"] == "error" and "soft 404" in line["error"], line
    with repo.engine.connect() as conn:
        outcomes = conn.execute(select(m.fetches.c.outcome)).scalars().all()
        articles = conn.execute(select(m.articles.c.id)).all()
    assert outcomes == ["not_found"]
    assert articles == []
