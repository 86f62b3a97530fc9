"""The fast write and search paths: bulk inserts write exactly what Core writes, the SQLite
FTS5 indexes stay consistent whichever side (repository or trigger) fills them, and the cap on
ranked candidates behaves as documented."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from article_factory import finish, make_article
from sqlalchemy import select, text

import db.search
from db import models as m
from db.repository import Repository
from db.rows import article_row


def _row(dw_id: int) -> dict[str, Any]:
    art = make_article(dw_id, lang="de", published_at=dt.date(2019, 5, 17))
    now = dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)
    return {
        **article_row(art),
        "current_revision": 1,
        "raw_page_sha256": None,
        "first_seen_at": now,
        "last_fetched_at": now,
        "last_changed_at": now,
    }


def test_bulk_insert_writes_what_core_writes(repo: Repository) -> None:
    """Same values through Core and through the driver-level bulk path: the stored columns
    (as the driver returns them, no SQLAlchemy result processing) are identical."""
    a = m.articles
    core, bulk = _row(501), _row(502)
    bulk = {**bulk, **{k: v for k, v in core.items() if k not in ("dw_id", "canonical_url")}}
    with repo.engine.begin() as conn:
        conn.execute(a.insert(), core)
        assert repo._insert_rows(conn, a, [bulk]) == 1
    columns = [c.name for c in a.columns if c.name not in ("id", "dw_id", "canonical_url")]
    quote = repo.engine.dialect.identifier_preparer.quote
    sql = f"SELECT {', '.join(quote(c) for c in columns)} FROM articles WHERE dw_id = %s"
    with repo.engine.connect() as conn:
        raw_core = conn.exec_driver_sql(sql.replace("%s", "501")).one()
        raw_bulk = conn.exec_driver_sql(sql.replace("%s", "502")).one()
    assert tuple(raw_core) == tuple(raw_bulk)
    with repo.engine.connect() as conn:
        back = conn.execute(select(a.c.published_date, a.c.first_seen_at).where(a.c.dw_id == 502))
        assert back.one() == (dt.date(2019, 5, 17), core["first_seen_at"])


def _fts_rows(repo: Repository, table: str) -> int:
    with repo.engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}_docsize").scalar_one())


def _integrity(repo: Repository) -> None:
    with repo.engine.begin() as conn:
        for table in ("articles_fts", "articles_fts_tri"):
            conn.exec_driver_sql(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")


def test_sqlite_fts_indexes_stay_consistent(sqlite_repo: Repository) -> None:
    repo = sqlite_repo
    zh = make_article(601, lang="zh")
    en = make_article(602, lang="en", text="Sandbags along the Elbe near Dresden.")
    assert [r.status for r in repo.store_articles([zh, en])] == ["new", "new"]
    # both in the word index, only the Chinese one in the trigram index
    assert _fts_rows(repo, "articles_fts") == 2
    assert _fts_rows(repo, "articles_fts_tri") == 1
    with repo.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT * FROM articles_fts_sync").scalar_one() == 0
    _integrity(repo)
    assert [h.dw_id for h in repo.search("Dresden")] == [602]
    word = zh.text[3:7]
    assert [h.dw_id for h in repo.search(word)] == [601]

    # a changed Chinese article: the update trigger replaces its entries in both indexes
    changed = finish(zh.with_changes(text=zh.text + " 德国之声独家报道。"))
    assert repo.store_article(changed).status == "changed"
    assert [h.dw_id for h in repo.search("德国之声独家报道")] == [601]
    _integrity(repo)

    # a row inserted by hand, outside the repository, is still indexed by the trigger
    hand = {**_row(603), "title": "Handmade row", "text": "Inserted with plain SQL 北京欢迎你"}
    with repo.engine.begin() as conn:
        conn.execute(m.articles.insert(), hand)
    assert [h.dw_id for h in repo.search("plain SQL")] == [603]
    assert [h.dw_id for h in repo.search("北京欢迎你")] == [603]
    _integrity(repo)
    with repo.engine.begin() as conn:
        conn.execute(text("DELETE FROM articles WHERE dw_id IN (601, 603)"))
    _integrity(repo)
    assert _fts_rows(repo, "articles_fts") == 1 and _fts_rows(repo, "articles_fts_tri") == 0
    assert repo.search("北京欢迎你") == []


def test_rank_candidates_cap(repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond RANK_CANDIDATES matches only the newest candidates (after filters) are ranked:
    a better-scoring old match is then missed, but filtered queries still find their rows."""
    arts = []
    for i in range(10):
        title = "Quokka special" if i == 0 else f"Report {i}"
        body = "quokka " * (5 if i == 0 else 1) + "in the news."
        arts.append(
            finish(make_article(700 + i, lang="en" if i < 5 else "de", title=title, text=body))
        )
    repo.store_articles(arts)
    full = repo.search("quokka", limit=3)
    assert full[0].dw_id == 700  # title match, five body matches: the best
    monkeypatch.setattr(db.search, "RANK_CANDIDATES", 4)
    capped = repo.search("quokka", limit=10)
    assert sorted(h.dw_id for h in capped) == [706, 707, 708, 709]  # the newest four only
    filtered = repo.search("quokka", lang="en", limit=10)
    assert sorted(h.dw_id for h in filtered) == [701, 702, 703, 704]  # filters come first
    assert len(repo.search("quokka", lang="en", limit=2)) == 2
