"""Storing articles: one transaction per batch, a revision per change, replayed on conflicts.

`store_articles` looks a batch's articles up (locking their rows on PostgreSQL), leaves
unchanged ones alone apart from ``last_fetched_at``, updates changed ones and adds one revision
each, and inserts new ones with ``INSERT … ON CONFLICT DO NOTHING``. If another process inserted
the same article in between (fewer rows inserted than given, a unique violation, a serialization
failure or a deadlock), the whole transaction is rolled back and replayed (`RepositoryBase._write`)
and the replay finds the row: two processes storing the same article end with one article and
one revision. On SQLite the transaction starts with ``BEGIN IMMEDIATE``, so writers are
serialised up front.

Each article of a batch travels as one `_Item` through small steps; every step writes its
table with one bulk statement for the whole batch (`executemany`, values bound column-wise),
so storing one article and storing ten thousand are the same code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, Protocol

from sqlalchemy import Connection, bindparam, delete, func, or_, select, update

from db import models as m
from db.base import Conflict, Pending, chunks
from db.links import LinkedArticle, LinksMixin
from db.rows import (
    CONTENT_COLUMNS,
    JSONText,
    article_row,
    canonical_key,
    encode_record,
    stored_hash,
)
from db.suspect import StoredText, SuspectRow, keep_suspects, suspect_reason
from scraper.article import RECORD_FORMAT, Article
from scraper.lazylog import LazyLogger
from scraper.rawpages import PackedPage

log = LazyLogger("db.repository")

Status = Literal["new", "changed", "unchanged", "suspect"]
Cause = Literal["source", "parser"]

#: Tables holding an article's links, emptied before a changed article's are written again.
LINK_TABLES = (
    m.article_authors,
    m.article_topics,
    m.article_agencies,
    m.article_credits,
    m.images,
)


@dataclass(frozen=True, slots=True)
class StoreRequest:
    """One article to store, with where it came from."""

    article: Article
    raw_html: bytes | PackedPage | None = None
    fetch_id: int | None = None
    fetched_at: dt.datetime | None = None


class StoreRequestLike(Protocol):
    """Anything with a `StoreRequest`'s attributes can be stored (the crawl pipeline passes
    its own records, since it does not depend on `db`)."""

    @property
    def article(self) -> Article: ...
    @property
    def raw_html(self) -> bytes | PackedPage | None: ...
    @property
    def fetch_id(self) -> int | None: ...
    @property
    def fetched_at(self) -> dt.datetime | None: ...


@dataclass(frozen=True, slots=True)
class StoreResult:
    status: Status
    article_id: int
    revision_id: int | None  # the revision written now (None when unchanged)


class _Stored(NamedTuple):
    """What the store needs of an article already in the database."""

    id: int
    dw_id: int | None
    canonical_url: str
    content_hash: str
    current_revision: int
    raw_page_sha256: str | None
    word_count: int
    modified_at: dt.datetime | None
    modified_date: dt.date | None

    def text(self) -> StoredText:
        return StoredText(self.word_count, self.modified_at or self.modified_date)


@dataclass(slots=True)
class _Item:
    """One article of the batch being stored, filled in step by step. Only the keys and the
    hash are computed up front: an unchanged record (the common case when re-crawling) never
    has its row, JSON or links built."""

    request: StoreRequestLike
    url: str  # canonical key
    hash: str
    sha: str | None  # raw page key
    seen_at: dt.datetime  # when it was fetched (the transaction's time when not given)
    found: _Stored | None = None  # the stored article it is, if any
    row: dict[str, Any] | None = None  # the article's columns (new and changed only)
    blocks: JSONText | None = None
    record: JSONText | None = None
    article_id: int = 0
    revision_no: int = 0
    cause: str = "new"
    result: StoreResult | None = None

    @property
    def article(self) -> Article:
        return self.request.article

    def linked(self) -> LinkedArticle:
        return LinkedArticle(self.article_id, self.article, self.url)

    def encode(self) -> None:
        record = self.article.to_dict()
        self.row = article_row(self.article, record)
        # (blocks, record) as JSON text for the bulk inserts, the blocks encoded once
        self.blocks, self.record = encode_record(record)


class StoreMixin(LinksMixin):
    """`store_article(s)`: writing parsed articles with their links, revisions and aliases."""

    def store_article(
        self,
        article: Article,
        *,
        raw_html: bytes | PackedPage | None = None,
        fetch_id: int | None = None,
        run_id: int | None = None,
        cause: Cause = "source",
        fetched_at: dt.datetime | None = None,
    ) -> StoreResult:
        """Store one parsed article (see `store_articles`)."""
        request = StoreRequest(article, raw_html, fetch_id, fetched_at)
        return self.store_articles([request], run_id=run_id, cause=cause)[0]

    def store_articles(
        self,
        items: Sequence[Article | StoreRequestLike],
        *,
        run_id: int | None = None,
        cause: Cause = "source",
    ) -> list[StoreResult]:
        """Store a batch of articles in one transaction; one `StoreResult` per item, in order.

        Status 'new' (first seen), 'changed' (content hash differs: the article row is updated
        and one revision added) or 'unchanged' (only ``last_fetched_at`` moves). `cause` says
        why a changed record differs: 'source' (DW edited it) or 'parser' (re-extracted by a
        newer parser); a record re-extracted from the very bytes already stored is always
        'parser', since identical bytes cannot carry an editorial change."""
        requests = [StoreRequest(i) if isinstance(i, Article) else i for i in items]
        results: list[StoreResult] = []
        # Split where a key repeats so that every chunk holds each article at most once.
        chunk: list[StoreRequestLike] = []
        seen: set[Any] = set()
        for req in requests:
            keys: set[tuple[str, Any]] = {("u", canonical_key(req.article))}
            if req.article.dw_id is not None:
                keys.add(("d", req.article.dw_id))
            if keys & seen:
                results.extend(self._store_chunk(chunk, run_id, cause))
                chunk, seen = [], set()
            chunk.append(req)
            seen |= keys
        if chunk:
            results.extend(self._store_chunk(chunk, run_id, cause))
        return results

    def _store_chunk(
        self, requests: list[StoreRequestLike], run_id: int | None, cause: Cause
    ) -> list[StoreResult]:
        results = self._write(
            lambda conn, pending: self._store_tx(conn, pending, requests, run_id, cause),
            "store articles",
        )
        for req, res in zip(requests, results, strict=True):
            if res.status != "unchanged":
                log.debug(
                    "store.revision",
                    status=res.status,
                    article_id=res.article_id,
                    dw_id=req.article.dw_id,
                )
        return results

    def _store_tx(
        self,
        conn: Connection,
        pending: Pending,
        requests: list[StoreRequestLike],
        run_id: int | None,
        cause: Cause,
    ) -> list[StoreResult]:
        now = self.now()
        shas = self._store_raw_pages(conn, [r.raw_html for r in requests], now)
        items = [
            _Item(r, canonical_key(r.article), stored_hash(r.article), sha, r.fetched_at or now)
            for r, sha in zip(requests, shas, strict=True)
        ]
        self._find_stored(conn, items)
        unchanged = [
            it for it in items if it.found is not None and it.found.content_hash == it.hash
        ]
        self._touch_unchanged(conn, unchanged)
        kept_aside = {id(it) for it in self._keep_suspects(conn, items, run_id, cause, now)}
        written = [
            it
            for it in items
            if (it.found is None or it.found.content_hash != it.hash) and id(it) not in kept_aside
        ]
        for it in written:
            it.encode()
        self._insert_new(conn, [it for it in written if it.found is None])
        self._update_changed(conn, [it for it in written if it.found is not None], cause)
        if written:
            self._write_revisions(conn, written, run_id, now)
            self._write_links(conn, pending, [it.linked() for it in written])
        self._write_aliases(conn, [it.linked() for it in items], now)
        return [it.result for it in items if it.result is not None]

    def _find_stored(self, conn: Connection, items: list[_Item]) -> None:
        """Look the items up by DW id and canonical URL (locking the rows on PostgreSQL
        against concurrent changers). A URL match counts only if one side has no DW id."""
        a = m.articles
        dw_ids = sorted({it.article.dw_id for it in items if it.article.dw_id is not None})
        urls = sorted({it.url for it in items})
        query = select(
            a.c.id,
            a.c.dw_id,
            a.c.canonical_url,
            a.c.content_hash,
            a.c.current_revision,
            a.c.raw_page_sha256,
            a.c.word_count,
            a.c.modified_at,
            a.c.modified_date,
        ).where(or_(a.c.dw_id.in_(dw_ids), a.c.canonical_url.in_(urls)))
        if self.dialect == "postgresql":
            query = query.order_by(a.c.id).with_for_update()
        by_dw: dict[int, _Stored] = {}
        by_url: dict[str, _Stored] = {}
        for row in conn.execute(query):
            hit = _Stored(*row)
            if hit.dw_id is not None:
                by_dw[hit.dw_id] = hit
            by_url[hit.canonical_url] = hit
        for it in items:
            dw_id = it.article.dw_id
            found = by_dw.get(dw_id) if dw_id is not None else None
            if found is None:
                candidate = by_url.get(it.url)
                if candidate is not None and (candidate.dw_id is None or dw_id is None):
                    found = candidate
            it.found = found

    def _keep_suspects(
        self,
        conn: Connection,
        items: list[_Item],
        run_id: int | None,
        cause: Cause,
        now: dt.datetime,
    ) -> list[_Item]:
        """Changed items that must not become the current revision (`db.suspect`): recorded
        aside, their article only marked as fetched. The ones kept aside are returned."""
        if cause != "source":
            return []
        rows: list[SuspectRow] = []
        kept: list[_Item] = []
        for it in items:
            found = it.found
            if found is None or found.content_hash == it.hash:
                continue
            reason = suspect_reason(found.text(), it.article, self.max_text_shrink)
            if reason is None:
                continue
            it.article_id = found.id
            it.result = StoreResult("suspect", found.id, None)
            rows.append(SuspectRow(found.id, reason, found.word_count, it.article, it.sha))
            kept.append(it)
            log.warning("store.suspect", article_id=found.id, reason=reason)
        keep_suspects(conn, rows, run_id, now)
        a = m.articles
        for it in kept:
            conn.execute(
                update(a).where(a.c.id == it.article_id).values(last_fetched_at=it.seen_at)
            )
        return kept

    def _touch_unchanged(self, conn: Connection, items: list[_Item]) -> None:
        """Unchanged articles: only the bookkeeping moves."""
        for it in items:
            assert it.found is not None
            it.article_id = it.found.id
            it.result = StoreResult("unchanged", it.article_id, None)
        if not items:
            return
        a = m.articles
        conn.execute(
            update(a)
            .where(a.c.id == bindparam("b_id"))
            .values(
                last_fetched_at=bindparam("b_fetched", type_=m.UTCDateTime()),
                raw_page_sha256=func.coalesce(bindparam("b_sha"), a.c.raw_page_sha256),
                parser_version=bindparam("b_pv"),
                removed_at=None,  # served again: back on dw.com
            ),
            [
                {
                    "b_id": it.found.id,
                    "b_fetched": it.seen_at,
                    "b_sha": it.sha,
                    "b_pv": it.article.parser_version,
                }
                for it in items
                if it.found is not None
            ],
        )

    def _insert_new(self, conn: Connection, items: list[_Item]) -> None:
        """Insert the new articles; a conflict (someone else inserted one of them meanwhile)
        replays the transaction."""
        if not items:
            return
        values = [
            {
                **(it.row or {}),
                "blocks": it.blocks,
                "current_revision": 1,
                "raw_page_sha256": it.sha,
                "first_seen_at": it.seen_at,
                "last_fetched_at": it.seen_at,
                "last_changed_at": it.seen_at,
            }
            for it in items
        ]
        if self.dialect == "sqlite":
            # the insert trigger stands aside: `_index_new_articles` indexes in bulk
            conn.exec_driver_sql("UPDATE articles_fts_sync SET repository_indexes = 1")
        ids_by_url = self._insert_articles(conn, values)
        if len(ids_by_url) != len(items):
            raise Conflict()
        for it, value in zip(items, values, strict=True):
            it.article_id = ids_by_url[value["canonical_url"]]
            it.revision_no, it.cause = 1, "new"
            it.result = StoreResult("new", it.article_id, None)
        if self.dialect == "sqlite":
            self._index_new_articles(conn, [(it.article_id, it.row or {}) for it in items])
            conn.exec_driver_sql("UPDATE articles_fts_sync SET repository_indexes = 0")

    def _update_changed(self, conn: Connection, items: list[_Item], cause: Cause) -> None:
        """Changed articles: update the row, drop its links (written again afterwards)."""
        if not items:
            return
        a = m.articles
        params = []
        for it in items:
            found = it.found
            assert found is not None and it.row is not None
            it.article_id = found.id
            it.revision_no = found.current_revision + 1
            same_bytes = it.sha is not None and it.sha == found.raw_page_sha256
            it.cause = "parser" if same_bytes else cause
            params.append(
                {
                    **{f"b_{c}": it.row[c] for c in CONTENT_COLUMNS},
                    "b_id": found.id,
                    "b_rev": it.revision_no,
                    "b_sha": it.sha,
                    "b_seen": it.seen_at,
                }
            )
        conn.execute(
            update(a)
            .where(a.c.id == bindparam("b_id"))
            .values(
                {c: bindparam(f"b_{c}", type_=a.c[c].type) for c in CONTENT_COLUMNS}
                | {
                    "current_revision": bindparam("b_rev"),
                    "raw_page_sha256": func.coalesce(bindparam("b_sha"), a.c.raw_page_sha256),
                    "last_fetched_at": bindparam("b_seen", type_=m.UTCDateTime()),
                    "last_changed_at": bindparam("b_seen", type_=m.UTCDateTime()),
                    "removed_at": None,
                }
            ),
            params,
        )
        ids = [it.article_id for it in items]
        for table in LINK_TABLES:
            for part in chunks(ids):
                conn.execute(delete(table).where(table.c.article_id.in_(part)))

    def _write_revisions(
        self, conn: Connection, items: list[_Item], run_id: int | None, now: dt.datetime
    ) -> None:
        """One revision per new or changed article; their ids go into the results."""
        r = m.article_revisions
        self._insert_rows(
            conn,
            r,
            [
                {
                    "article_id": it.article_id,
                    "revision_no": it.revision_no,
                    "cause": it.cause,
                    "content_hash": (it.row or {})["content_hash"],
                    "parser_version": (it.row or {})["parser_version"],
                    "record": it.record,
                    "record_format": RECORD_FORMAT,  # `encode` wrote it: to_dict, dump_json
                    "created_at": now,
                    "raw_page_sha256": it.sha,
                    "fetch_id": it.request.fetch_id,
                    "run_id": run_id,
                }
                for it in items
            ],
        )
        wanted = {(it.article_id, it.revision_no) for it in items}
        revision_ids: dict[tuple[int, int], int] = {}
        for part in chunks(sorted({it.article_id for it in items})):
            query = select(r.c.id, r.c.article_id, r.c.revision_no).where(r.c.article_id.in_(part))
            for rev in conn.execute(query):
                if (rev.article_id, rev.revision_no) in wanted:
                    revision_ids[(rev.article_id, rev.revision_no)] = rev.id
        for it in items:
            status: Status = "new" if it.cause == "new" else "changed"
            rev_id = revision_ids[(it.article_id, it.revision_no)]
            it.result = StoreResult(status, it.article_id, rev_id)

    def _insert_articles(self, conn: Connection, values: list[dict[str, Any]]) -> dict[str, int]:
        """Insert new article rows with ``ON CONFLICT DO NOTHING``; the ids of the rows inserted
        here by canonical URL, or {} if another writer inserted one of them first (fewer rows
        inserted than given: the caller replays the transaction, which then finds that row).

        On SQLite this transaction holds the write lock since BEGIN IMMEDIATE, so nobody can
        insert between the lookup and here; the row count still guards the assumption. On
        PostgreSQL a concurrent insert of the same key waits for the other transaction and is
        skipped once that commits. The ids are then read back by canonical URL: reading them
        with RETURNING needs a Core statement (which would serialise the JSON again) and gains
        nothing on SQLite, which cannot return rows in parameter order from a bulk insert."""
        a = m.articles
        if self._insert_rows(conn, a, values, ignore_conflicts=True) != len(values):
            return {}
        ids: dict[str, int] = {}
        urls = [v["canonical_url"] for v in values]
        for part in chunks(urls):
            query = select(a.c.id, a.c.canonical_url).where(a.c.canonical_url.in_(part))
            ids.update({row.canonical_url: row.id for row in conn.execute(query)})
        return ids
