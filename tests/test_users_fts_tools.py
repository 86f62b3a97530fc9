"""Datasette and sqlite-utils, run on a dwscrape database as users run them, find the word
index (`articles_fts`) and never the trigram index; dwscrape's own search is unaffected, and
revision 0005 re-declares the index on a database that already holds articles."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils
from datasette.app import Datasette
from datasette.utils import detect_fts

from db import migrate
from db.engine import make_engine
from db.repository import Repository
from tests.support.articles import make_article
from tests.support.users_corpus import build_corpus_db

PUTIN_ID = 66797777


def _sqlite_utils(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sqlite_utils", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _dwscrape_search(url: str, query: str) -> list[int | None]:
    engine = make_engine(url)
    try:
        return [hit.dw_id for hit in Repository(engine).search(query)]
    finally:
        engine.dispose()


async def _datasette_get(path: Path, route: str) -> tuple[int, str]:
    response = await Datasette([str(path)]).client.get(route)
    return response.status_code, response.text


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fts") / "corpus.sqlite3"
    build_corpus_db(path)
    return path


def test_sqlite_utils_search_uses_the_word_index(corpus_db: Path) -> None:
    assert sqlite_utils.Database(corpus_db)["articles"].detect_fts() == "articles_fts"

    found = _sqlite_utils("search", str(corpus_db), "articles", "Putin", "-c", "dw_id")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout) == [{"dw_id": PUTIN_ID}]

    sql = _sqlite_utils("search", str(corpus_db), "articles", "Putin", "--sql")
    assert sql.returncode == 0, sql.stderr
    assert '"articles_fts" match' in sql.stdout and "articles_fts_tri" not in sql.stdout


def test_datasette_search_uses_the_word_index(corpus_db: Path) -> None:
    with sqlite3.connect(corpus_db) as conn:
        assert detect_fts(conn, "articles") == "articles_fts"

    status, body = asyncio.run(
        _datasette_get(corpus_db, "/corpus/articles.json?_search=Putin&_shape=objects")
    )
    assert status == 200, body
    data = json.loads(body)
    assert [row["dw_id"] for row in data["rows"]] == [PUTIN_ID]
    assert "articles_fts" in data["query"]["sql"]
    assert "articles_fts_tri" not in data["query"]["sql"]

    status, page = asyncio.run(_datasette_get(corpus_db, "/corpus/articles"))
    assert status == 200
    assert 'name="_search"' in page  # the table page offers the search box


def test_dwscrape_search_still_uses_both_indexes(corpus_db: Path) -> None:
    url = f"sqlite:///{corpus_db}"
    assert _dwscrape_search(url, "Putin") == [PUTIN_ID]
    chinese = make_article(900, lang="zh").title or ""
    assert _dwscrape_search(url, chinese[:4]) == [900]  # the trigram index answers Chinese


def test_migration_rebuilds_the_index_of_stored_articles_and_downgrades(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    url = build_corpus_db(path, revision="0004")
    db = sqlite_utils.Database(path)
    assert db["articles"].detect_fts() is None  # the declaration tools could not see
    before = _dwscrape_search(url, "Putin")
    assert before == [PUTIN_ID]

    migrate.upgrade(url)
    assert db["articles"].detect_fts() == "articles_fts"
    assert _dwscrape_search(url, "Putin") == before
    assert _sqlite_utils("search", str(path), "articles", "Putin").returncode == 0
    integrity = "INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')"
    db.execute(integrity)  # raises if the index and the articles disagree

    migrate.downgrade(url, "0004")
    assert db["articles"].detect_fts() is None
    assert _dwscrape_search(url, "Putin") == before
    db.execute(integrity)
    migrate.upgrade(url)
    assert _dwscrape_search(url, "Putin") == before
