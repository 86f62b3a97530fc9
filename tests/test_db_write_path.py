"""The fast write and search paths: bulk inserts write exactly what Core writes, the SQLite
FTS5 indexes stay consistent whichever side (repository or trigger) fills them, and the cap on
ranked candidates behaves as documented."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

import db.search
from db import models as m
from db.engine import dump_json
from db.links import _latin1
from db.repository import Repository
from db.rows import JSONText, article_row, encode_record
from db.search import needs_trigram
from tests.support.articles import finish, make_article


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


def test_bulk_insert_takes_encoded_json_and_memoised_times(repo: Repository) -> None:
    """JSON already serialised (`JSONText`) and bookkeeping times converted once per distinct
    value store what Core stores for the Python values; equal instants in other zones are one
    value, naive datetimes are still refused."""
    a = m.articles
    core = _row(511)
    later = core["first_seen_at"] + dt.timedelta(hours=1)
    core["last_fetched_at"] = core["last_changed_at"] = later
    bulk = {
        **core,
        "dw_id": 512,
        "canonical_url": "https://www.dw.com/de/other/a-512",
        "blocks": JSONText(dump_json(core["blocks"])),
        "last_fetched_at": later.astimezone(dt.timezone(dt.timedelta(hours=2))),
    }
    with repo.engine.begin() as conn:
        conn.execute(a.insert(), core)
        assert repo._insert_rows(conn, a, [bulk]) == 1
    columns = [c.name for c in a.columns if c.name not in ("id", "dw_id", "canonical_url")]
    quote = repo.engine.dialect.identifier_preparer.quote
    sql = f"SELECT {', '.join(quote(c) for c in columns)} FROM articles WHERE dw_id = "
    with repo.engine.connect() as conn:
        assert tuple(conn.exec_driver_sql(sql + "511").one()) == tuple(
            conn.exec_driver_sql(sql + "512").one()
        )
    naive = {**bulk, "dw_id": 513, "canonical_url": "https://www.dw.com/de/x/a-513"}
    naive["first_seen_at"] = dt.datetime(2026, 1, 2, 3, 4, 5)
    with pytest.raises(ValueError, match="naive"), repo.engine.begin() as conn:
        repo._insert_rows(conn, a, [bulk | {"dw_id": 514, "canonical_url": "u514"}, naive])


def test_encoded_json_is_refused_by_core(repo: Repository) -> None:
    """`JSONText` is no str: a Core statement cannot silently store it as a JSON string (the
    JSON serialiser refuses it: in SQLAlchemy's bind processing on SQLite, in psycopg's)."""
    row = {**_row(521), "blocks": JSONText("[]")}
    with pytest.raises((StatementError, TypeError)), repo.engine.begin() as conn:
        conn.execute(m.articles.insert(), row)


def test_encode_record_is_json_dumps() -> None:
    """The spliced record is byte for byte `dump_json` of it (``json.dumps`` keeping non-ASCII
    characters), whatever the keys around ``blocks`` and whatever the text (escapes, non-ASCII,
    quotes)."""
    for dw_id, lang in ((531, "de"), (532, "zh"), (533, "ru"), (534, "ar")):
        record = make_article(dw_id, lang=lang).to_dict()
        blocks, whole = encode_record(record)
        assert blocks.text == dump_json(record["blocks"])
        assert whole.text == dump_json(record)
        assert "\\u" not in whole.text and json.loads(whole.text) == record
    for record in (
        {"blocks": []},
        {"blocks": [{"text": 'a "quoted"\n line\u2028'}], "text": "ü"},
        {"title": "x", "blocks": None},
    ):
        assert encode_record(record)[1].text == dump_json(record)


def test_stored_json_is_the_record(repo: Repository) -> None:
    """What `store_articles` writes for the record and the blocks: on SQLite exactly the text
    ``json.dumps`` gives (as before the blocks were encoded once), on both the same values."""
    art = finish(make_article(541, lang="de"))
    stored = repo.store_article(art)
    record = art.to_dict()
    with repo.engine.connect() as conn:
        raw_record = conn.exec_driver_sql(
            f"SELECT record FROM article_revisions WHERE id = {stored.revision_id}"
        ).scalar_one()
        raw_blocks = conn.exec_driver_sql(
            f"SELECT blocks FROM articles WHERE id = {stored.article_id}"
        ).scalar_one()
    if repo.dialect == "sqlite":
        assert raw_record == dump_json(record)
        assert raw_blocks == dump_json(record["blocks"])
    else:
        assert raw_record == record and raw_blocks == record["blocks"]
    got = repo.get_article(stored.article_id)
    assert got is not None and got.article == art


def test_latin1_rows_need_no_trigram_index() -> None:
    """The repository skips the trigram test for Latin-1 rows (`_latin1`): true only while no
    Latin-1 character counts as a no-space script."""
    every = "".join(map(chr, range(256)))
    assert _latin1(every, None, "Grüße") and not _latin1("x", "德国之声")
    assert not needs_trigram({"title": every, "teaser": every, "text": every})
    assert needs_trigram({"title": None, "teaser": None, "text": every + "德"})


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
