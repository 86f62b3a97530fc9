"""A small stored corpus for the tests of the tools people use on dwscrape's data (Datasette,
sqlite-utils, Parquet, WARC): the golden fixture pages parsed and stored with their raw bytes,
plus one factory article in Chinese so the trigram index holds a row too."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from db.engine import make_engine
from db.migrate import downgrade, upgrade
from db.repository import Repository
from scraper import parse_page
from tests.support.articles import make_article

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dw"
FETCHED_AT = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


def fixture_pages() -> list[tuple[str, bytes]]:
    """(url, html) of every golden fixture page that has an expected record."""
    pages = []
    for expected in sorted(FIXTURES.glob("*.json")):
        url = json.loads(expected.read_text(encoding="utf-8"))["url"]
        pages.append((url, expected.with_suffix(".html").read_bytes()))
    return pages


def corpus_size() -> int:
    """How many articles the corpus stores: the golden pages and the hand-made one."""
    return len(fixture_pages()) + 1


def corpus_languages() -> set[str]:
    """The languages the corpus holds: every golden record's, and the hand-made Chinese one."""
    records = (json.loads(p.read_text(encoding="utf-8")) for p in FIXTURES.glob("*.json"))
    return {r["language"] for r in records if r.get("language")} | {"zh"}


def store_corpus(repo: Repository) -> None:
    for url, html in fixture_pages():
        article = parse_page(html, url=url, fetched_at=FETCHED_AT)
        repo.store_article(article, raw_html=html, fetched_at=FETCHED_AT)
    repo.store_article(make_article(900, lang="zh"), fetched_at=FETCHED_AT)


def build_corpus_db(path: Path, revision: str = "head") -> str:
    """A SQLite file at `revision` holding the corpus; returns its URL.

    The corpus is stored by today's code, so at head; an older `revision` is then reached by
    migrating down, with the data (today's store writes columns an old schema lacks)."""
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    try:
        store_corpus(Repository(engine))
    finally:
        engine.dispose()
    if revision != "head":
        downgrade(url, revision)
    return url
