"""Migration 0009 cleans what was stored before dwscrape stripped credentials from URLs and
control characters from text: the same rows now read the same on both databases."""

from __future__ import annotations

import json

from sqlalchemy import text

from db.engine import make_engine
from db.migrate import downgrade, upgrade
from db.repository import Repository
from tests.support.articles import make_article


def _one(url: str, sql: str) -> object:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def test_credentials_and_nul_stored_before_are_cleaned(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        Repository(engine).store_article(make_article(777))
        Repository(engine).enqueue(["https://www.dw.com/en/x/a-1"])
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE articles SET url = 'https://user:secret@www.dw.com/en/x/a-777'")
            )
            conn.execute(
                text("INSERT INTO url_aliases (url, article_id, kind, first_seen_at) SELECT "
                     "'https://u:p@www.dw.com/en/y/a-777', id, 'fetched', first_seen_at "
                     "FROM articles")
            )  # fmt: skip
            conn.execute(text("UPDATE frontier SET url = 'https://u:p@www.dw.com/en/x/a-1'"))
            if engine.dialect.name == "sqlite":
                conn.execute(text("UPDATE articles SET title = 'A' || char(0) || 'B'"))
                conn.execute(
                    text("UPDATE article_revisions SET record = :r"),
                    {"r": json.dumps({"title": "A\u0000B", "blocks": []})},
                )
    finally:
        engine.dispose()
    downgrade(db_url, "0008")
    upgrade(db_url)
    assert _one(db_url, "SELECT url FROM articles") == "https://www.dw.com/en/x/a-777"
    assert _one(db_url, "SELECT count(*) FROM url_aliases WHERE url LIKE '%@%'") == 0
    assert _one(db_url, "SELECT url FROM frontier") == "https://www.dw.com/en/x/a-1"
    if db_url.startswith("sqlite"):
        assert _one(db_url, "SELECT title FROM articles") == "AB"
        record = _one(db_url, "SELECT record FROM article_revisions")
        assert json.loads(str(record))["title"] == "AB"
