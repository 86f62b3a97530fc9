"""A soft 404 (a 200 page in DW's chrome that names no content of its own) is recorded as a
`not_found` fetch and never stored as an article, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from db import models as m
from db.repository import Repository
from scraper import parse_page
from scraper.exitcodes import ExitCode
from tests.support.cli import dwscrape

ROOT = Path(__file__).resolve().parent.parent


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


def test_reparse_lists_a_stored_soft_404_without_failing(
    db_url: str, site: Any, repo: Repository
) -> None:
    """An article stored before its page was recognised as a soft 404: `reparse` lists it and
    leaves it, and that is not a failure (exit 0)."""
    good = sorted((ROOT / "fixtures" / "dw").glob("*.html"))[0].read_bytes()
    soft = httpx.get(f"{site.base_url}/en/error-404").content
    repo.store_article(parse_page(good), raw_html=soft)
    result = dwscrape("reparse", "--db", db_url, "--workers", "1", "--json")
    assert result.returncode == ExitCode.OK, result.stderr
    summary = json.loads(result.stdout)
    assert summary["counts"] == {
        "pages": 1, "changed": 0, "unchanged": 0, "soft_404": 1, "failed": 0
    }  # fmt: skip
    assert len(summary["soft_404"]) == 1
    text = dwscrape("reparse", "--db", db_url, "--workers", "1")
    assert "soft 404 1, failed 0" in text.stdout and "soft 404  http" in text.stdout
