"""The repository: the only way dwscrape reads or writes its database.

Writes are idempotent and atomic. `store_articles` handles a batch in ONE transaction: it looks
the articles up (locking their rows on PostgreSQL), leaves unchanged ones alone apart from
``last_fetched_at``, updates changed ones and adds one revision each, and inserts new ones with
``INSERT … ON CONFLICT DO NOTHING``. If another process inserted the same article in between
(the conflict shows as fewer rows inserted than given, a unique violation, a serialization
failure or a deadlock), the whole transaction is rolled back and replayed, and the replay finds
the row: two processes storing the same article end with one article and one revision. On
SQLite the transaction starts with ``BEGIN IMMEDIATE``, so writers are serialised up front.

Bulk paths are used throughout (one statement per table per batch, `executemany`), so storing
one article and storing ten thousand are the same code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import structlog
from sqlalchemy import (
    Connection,
    Table,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from db import models as m
from db.base import Conflict, Pending, RepositoryBase, chunks, utcnow
from db.fetchlog import RUN_COUNTS, FetchLogMixin, RunInfo
from db.frontier import FrontierMixin, LeasedUrl
from db.rows import (
    CONTENT_COLUMNS,
    alias_kind,
    article_row,
    author_key,
    canonical_key,
    content_hash,
    decompress_page,
    encode_record,
)
from db.search import ArticleFilter, SearchHit, filter_clauses, needs_trigram, run_search
from scraper.article import Article
from scraper.errors import StorageError
from scraper.urls import canonicalize, dw_content_id, is_short_link, short_link

log = structlog.get_logger(__name__)

T = TypeVar("T")
Status = Literal["new", "changed", "unchanged"]
Cause = Literal["source", "parser"]


@dataclass(frozen=True, slots=True)
class StoreRequest:
    """One article to store, with where it came from."""

    article: Article
    raw_html: bytes | None = None
    fetch_id: int | None = None
    fetched_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class StoreResult:
    status: Status
    article_id: int
    revision_id: int | None  # the revision written now (None when unchanged)


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as stored: the current record plus bookkeeping."""

    id: int
    article: Article
    revision_count: int
    first_seen_at: dt.datetime
    last_fetched_at: dt.datetime
    last_changed_at: dt.datetime
    raw_page_sha256: str | None


@dataclass(frozen=True, slots=True)
class Revision:
    id: int
    article_id: int
    revision_no: int
    cause: str  # 'new' | 'source' | 'parser'
    content_hash: str
    parser_version: str
    created_at: dt.datetime
    raw_page_sha256: str | None
    article: Article


@dataclass(frozen=True, slots=True)
class RawPageRef:
    """The latest fetched bytes of a stored article, for re-parsing without the network."""

    article_id: int
    dw_id: int | None
    url: str
    sha256: str
    parser_version: str
    body: bytes


class Repository(FetchLogMixin, FrontierMixin, RepositoryBase):
    """All reads and writes of the dwscrape database, on SQLite or PostgreSQL."""

    # ------------------------------------------------------------------ articles

    def store_article(
        self,
        article: Article,
        *,
        raw_html: bytes | None = None,
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
        items: Sequence[Article | StoreRequest],
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
        requests = [i if isinstance(i, StoreRequest) else StoreRequest(i) for i in items]
        results: list[StoreResult] = []
        # Split where a key repeats so that every chunk holds each article at most once.
        chunk: list[StoreRequest] = []
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
        self, requests: list[StoreRequest], run_id: int | None, cause: Cause
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
        requests: list[StoreRequest],
        run_id: int | None,
        cause: Cause,
    ) -> list[StoreResult]:
        now = utcnow()
        a = m.articles
        # Only the keys and the content hash first: an unchanged record (the common case when
        # re-crawling) never has its row, JSON or links built.
        urls_of = [canonical_key(r.article) for r in requests]
        hashes = [content_hash(r.article) for r in requests]
        shas = self._store_raw_pages(conn, [r.raw_html for r in requests], now)

        # 1. find what exists (locking the rows on PostgreSQL against concurrent changers)
        dw_ids = sorted({r.article.dw_id for r in requests if r.article.dw_id is not None})
        urls = sorted(set(urls_of))
        query = select(
            a.c.id,
            a.c.dw_id,
            a.c.canonical_url,
            a.c.content_hash,
            a.c.current_revision,
            a.c.raw_page_sha256,
        ).where(or_(a.c.dw_id.in_(dw_ids), a.c.canonical_url.in_(urls)))
        if self.dialect == "postgresql":
            query = query.order_by(a.c.id).with_for_update()
        by_dw: dict[int, Any] = {}
        by_url: dict[str, Any] = {}
        for hit in conn.execute(query):
            if hit.dw_id is not None:
                by_dw[hit.dw_id] = hit
            by_url[hit.canonical_url] = hit

        existing: list[Any] = []
        for req, url in zip(requests, urls_of, strict=True):
            dw_id = req.article.dw_id
            found = by_dw.get(dw_id) if dw_id is not None else None
            if found is None:
                candidate = by_url.get(url)
                if candidate is not None and (candidate.dw_id is None or dw_id is None):
                    found = candidate
            existing.append(found)

        results: list[StoreResult | None] = [None] * len(requests)
        unchanged: list[dict[str, Any]] = []
        changed: list[int] = []
        new: list[int] = []
        for i, found in enumerate(existing):
            if found is None:
                new.append(i)
            elif found.content_hash == hashes[i]:
                unchanged.append(
                    {
                        "b_id": found.id,
                        "b_fetched": requests[i].fetched_at or now,
                        "b_sha": shas[i],
                        "b_pv": requests[i].article.parser_version,
                    }
                )
                results[i] = StoreResult("unchanged", found.id, None)
            else:
                changed.append(i)

        # 2. unchanged: only bookkeeping moves
        if unchanged:
            conn.execute(
                update(a)
                .where(a.c.id == bindparam("b_id"))
                .values(
                    last_fetched_at=bindparam("b_fetched", type_=m.UTCDateTime()),
                    raw_page_sha256=func.coalesce(bindparam("b_sha"), a.c.raw_page_sha256),
                    parser_version=bindparam("b_pv"),
                ),
                unchanged,
            )

        written = sorted(new + changed)
        records = {i: requests[i].article.to_dict() for i in written}
        rows = {i: article_row(requests[i].article, records[i]) for i in written}
        # (blocks, record) as JSON text for the bulk inserts, the blocks encoded once
        encoded = {i: encode_record(records[i]) for i in written}

        # 3. new: insert, and replay if someone else inserted one of them meanwhile
        article_ids: dict[int, int] = {}
        revision_nos: dict[int, int] = {}
        causes: dict[int, str] = {}
        if new:
            values = []
            for i in new:
                seen_at = requests[i].fetched_at or now
                values.append(
                    {
                        **rows[i],
                        "blocks": encoded[i][0],
                        "current_revision": 1,
                        "raw_page_sha256": shas[i],
                        "first_seen_at": seen_at,
                        "last_fetched_at": seen_at,
                        "last_changed_at": seen_at,
                    }
                )
            if self.dialect == "sqlite":
                # the insert trigger stands aside: `_index_new_articles` indexes in bulk
                conn.exec_driver_sql("UPDATE articles_fts_sync SET repository_indexes = 1")
            ids_by_url = self._insert_articles(conn, values)
            if len(ids_by_url) != len(new):
                raise Conflict()
            for i in new:
                article_ids[i] = ids_by_url[rows[i]["canonical_url"]]
                revision_nos[i] = 1
                causes[i] = "new"
                results[i] = StoreResult("new", article_ids[i], None)
            if self.dialect == "sqlite":
                self._index_new_articles(conn, [(article_ids[i], rows[i]) for i in new])
                conn.exec_driver_sql("UPDATE articles_fts_sync SET repository_indexes = 0")

        # 4. changed: update the row, drop its links (rewritten below)
        if changed:
            params = []
            for i in changed:
                found = existing[i]
                article_ids[i] = found.id
                revision_nos[i] = found.current_revision + 1
                same_bytes = shas[i] is not None and shas[i] == found.raw_page_sha256
                causes[i] = "parser" if same_bytes else cause
                seen_at = requests[i].fetched_at or now
                params.append(
                    {
                        **{f"b_{c}": rows[i][c] for c in CONTENT_COLUMNS},
                        "b_id": found.id,
                        "b_rev": revision_nos[i],
                        "b_sha": shas[i],
                        "b_seen": seen_at,
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
                    }
                ),
                params,
            )
            ids = [article_ids[i] for i in changed]
            for table in (
                m.article_authors,
                m.article_topics,
                m.article_agencies,
                m.article_credits,
                m.images,
            ):
                for part in chunks(ids):
                    conn.execute(delete(table).where(table.c.article_id.in_(part)))

        # 5. revisions and links of everything new or changed
        if written:
            r = m.article_revisions
            self._insert_rows(
                conn,
                r,
                [
                    {
                        "article_id": article_ids[i],
                        "revision_no": revision_nos[i],
                        "cause": causes[i],
                        "content_hash": rows[i]["content_hash"],
                        "parser_version": rows[i]["parser_version"],
                        "record": encoded[i][1],
                        "created_at": now,
                        "raw_page_sha256": shas[i],
                        "fetch_id": requests[i].fetch_id,
                        "run_id": run_id,
                    }
                    for i in written
                ],
            )
            wanted = {(article_ids[i], revision_nos[i]) for i in written}
            revision_ids: dict[tuple[int, int], int] = {}
            for part in chunks(sorted({article_ids[i] for i in written})):
                query = select(r.c.id, r.c.article_id, r.c.revision_no).where(
                    r.c.article_id.in_(part)
                )
                for rev in conn.execute(query):
                    if (rev.article_id, rev.revision_no) in wanted:
                        revision_ids[(rev.article_id, rev.revision_no)] = rev.id
            for i in written:
                status: Status = "new" if causes[i] == "new" else "changed"
                rev_id = revision_ids[(article_ids[i], revision_nos[i])]
                results[i] = StoreResult(status, article_ids[i], rev_id)
            self._write_links(
                conn, pending, [(article_ids[i], requests[i].article) for i in written]
            )

        # 6. every URL that led to an article
        self._write_aliases(conn, requests, urls_of, results, now)
        return [r for r in results if r is not None]

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

    def _index_new_articles(self, conn: Connection, rows: list[tuple[int, dict[str, Any]]]) -> None:
        """Add new SQLite articles to the FTS5 indexes, one ``executemany`` each.

        Done here rather than by the insert trigger, which the caller switches off for its own
        rows with ``articles_fts_sync`` (migration 0002): a per-row trigger made the word index
        twice as costly, and its "no-space script?" GLOB over the whole text cost more than
        everything else in an insert, while the same test in Python takes microseconds. The
        triggers use the same test in SQL, so the trigram index stays consistent whichever side
        wrote a row."""
        values = [(aid, r["title"], r["teaser"], r["text"]) for aid, r in rows]
        columns = "(rowid, title, teaser, text) VALUES (?, ?, ?, ?)"
        conn.exec_driver_sql(f"INSERT INTO articles_fts {columns}", values)
        tri = [
            v
            for v, (_, r) in zip(values, rows, strict=True)
            if not _latin1(r["title"], r["teaser"], r["text"]) and needs_trigram(r)
        ]
        if tri:
            conn.exec_driver_sql(f"INSERT INTO articles_fts_tri {columns}", tri)

    def _entity_ids(
        self,
        conn: Connection,
        pending: Pending,
        table: Table,
        key_column: str,
        values: dict[str, dict[str, Any]],
    ) -> dict[str, int]:
        """Ids for entity keys (authors, agencies, topics), inserting the missing ones."""
        name = table.name
        ids: dict[str, int] = {}
        missing: list[str] = []
        for key in values:
            cached = self._entity_cache.get((name, key)) or pending.entities.get((name, key))
            if cached is None:
                missing.append(key)
            else:
                ids[key] = cached
        if missing:
            missing.sort()
            self._insert_rows(conn, table, [values[k] for k in missing], ignore_conflicts=True)
            column = table.c[key_column]
            for part in chunks(missing):
                for row in conn.execute(select(table.c.id, column).where(column.in_(part))):
                    key = row[1]
                    ids[key] = row.id
                    pending.entities[(name, key)] = row.id
        return ids

    def _write_links(
        self, conn: Connection, pending: Pending, articles: list[tuple[int, Article]]
    ) -> None:
        authors: dict[str, dict[str, Any]] = {}
        agencies: dict[str, dict[str, Any]] = {}
        topics: dict[str, dict[str, Any]] = {}
        for _, art in articles:
            for au in art.authors:
                key = author_key(au.name, au.url)
                authors.setdefault(key, {"key": key, "name": au.name, "url": au.url})
            for name in _text_agencies(art):
                agencies.setdefault(name, {"name": name})
            for image in art.images:
                for name in image.agencies:
                    agencies.setdefault(name, {"name": name})
            for name in art.topics:
                topics.setdefault(name, {"name": name})
        author_ids = self._entity_ids(conn, pending, m.authors, "key", authors)
        agency_ids = self._entity_ids(conn, pending, m.agencies, "name", agencies)
        topic_ids = self._entity_ids(conn, pending, m.topics, "name", topics)

        author_rows, topic_rows, agency_rows, credit_rows, image_rows = [], [], [], [], []
        image_meta: list[tuple[int, int, Any]] = []  # article id, position, image
        for article_id, art in articles:
            author_rows += [
                {
                    "article_id": article_id,
                    "position": p,
                    "author_id": author_ids[author_key(au.name, au.url)],
                }
                for p, au in enumerate(art.authors)
            ]
            topic_rows += [
                {"article_id": article_id, "position": p, "topic_id": topic_ids[t]}
                for p, t in enumerate(art.topics)
            ]
            links = {(agency_ids[n], "text") for n in _text_agencies(art)}
            links |= {(agency_ids[n], "image") for im in art.images for n in im.agencies}
            agency_rows += [
                {"article_id": article_id, "agency_id": ag, "role": role}
                for ag, role in sorted(links)
            ]
            if art.credit_line:
                for role, names in (
                    ("writer", art.credit_line.writers),
                    ("editor", art.credit_line.editors),
                ):
                    credit_rows += [
                        {"article_id": article_id, "role": role, "position": p, "initials": n}
                        for p, n in enumerate(names)
                    ]
            for p, im in enumerate(art.images):
                image_rows.append(
                    {
                        "article_id": article_id,
                        "position": p,
                        "url": im.url,
                        "caption": im.caption,
                        "credit": im.credit,
                        "alt": im.alt,
                    }
                )
                image_meta.append((article_id, p, im))
        for table, link_rows in (
            (m.article_authors, author_rows),
            (m.article_topics, topic_rows),
            (m.article_agencies, agency_rows),
            (m.article_credits, credit_rows),
        ):
            self._insert_rows(conn, table, link_rows)
        if image_rows:
            images = m.images
            self._insert_rows(conn, images, image_rows)
            by_position: dict[tuple[int, int], int] = {}
            for part in chunks(sorted({article_id for article_id, _, _ in image_meta})):
                query = select(images.c.id, images.c.article_id, images.c.position).where(
                    images.c.article_id.in_(part)
                )
                for row in conn.execute(query):
                    by_position[(row.article_id, row.position)] = row.id
            image_ids = [by_position[(aid, p)] for aid, p, _ in image_meta]
            image_agency_rows = []
            photographer_rows = []
            for image_id, (_, _, im) in zip(image_ids, image_meta, strict=True):
                image_agency_rows += [
                    {"image_id": image_id, "agency_id": ag}
                    for ag in sorted({agency_ids[n] for n in im.agencies})
                ]
                photographer_rows += [
                    {"image_id": image_id, "position": p, "name": n}
                    for p, n in enumerate(im.photographers)
                ]
            self._insert_rows(conn, m.image_agencies, image_agency_rows)
            self._insert_rows(conn, m.image_photographers, photographer_rows)

    def _write_aliases(
        self,
        conn: Connection,
        requests: list[StoreRequest],
        canonical_urls: list[str],
        results: list[StoreResult | None],
        now: dt.datetime,
    ) -> None:
        aliases: dict[str, dict[str, Any]] = {}
        for req, canonical, res in zip(requests, canonical_urls, results, strict=True):
            assert res is not None
            candidates = [(canonical, "canonical"), (req.article.url, None)]
            if req.article.short_url:
                candidates.append((req.article.short_url, "short"))
            for url, kind in candidates:
                if url and url not in aliases:
                    aliases[url] = {
                        "url": url,
                        "article_id": res.article_id,
                        "kind": kind
                        or ("canonical" if url == canonical else alias_kind(url, canonical)),
                        "first_seen_at": now,
                    }
        self._insert_rows(
            conn, m.url_aliases, [aliases[k] for k in sorted(aliases)], ignore_conflicts=True
        )

    def add_alias(self, url: str, article_id: int, kind: str = "fetched") -> None:
        """Record that `url` (a redirect source, an old slug, a short link) leads to an article."""
        row = {"url": url, "article_id": article_id, "kind": kind, "first_seen_at": utcnow()}
        self._write(
            lambda conn, _: conn.execute(
                self._insert(m.url_aliases).on_conflict_do_nothing(), [row]
            ),
            "add alias",
        )

    # ------------------------------------------------------------------ reading articles

    def _stored_query(self) -> Any:
        a = m.articles
        r = m.article_revisions
        return select(
            a.c.id,
            a.c.current_revision,
            a.c.first_seen_at,
            a.c.last_fetched_at,
            a.c.last_changed_at,
            a.c.raw_page_sha256,
            r.c.record,
        ).join(r, and_(r.c.article_id == a.c.id, r.c.revision_no == a.c.current_revision))

    @staticmethod
    def _stored(row: Any) -> StoredArticle:
        return StoredArticle(
            id=row.id,
            article=Article.from_dict(row.record),
            revision_count=row.current_revision,
            first_seen_at=row.first_seen_at,
            last_fetched_at=row.last_fetched_at,
            last_changed_at=row.last_changed_at,
            raw_page_sha256=row.raw_page_sha256,
        )

    def get_article(self, article_id: int) -> StoredArticle | None:
        a = m.articles
        with self._read() as conn:
            row = conn.execute(self._stored_query().where(a.c.id == article_id)).first()
        return self._stored(row) if row else None

    def find_article(self, ref: str | int) -> StoredArticle | None:
        """An article by DW content id (``68117411``), canonical URL, short link or short-link
        code (``4WGXq``), or any URL that was fetched for it (tracking variants included)."""
        article_id = self._resolve(ref)
        return self.get_article(article_id) if article_id is not None else None

    def _resolve(self, ref: str | int) -> int | None:
        a = m.articles
        al = m.url_aliases
        with self._read() as conn:
            text = str(ref).strip()
            if isinstance(ref, int) or text.isdigit():
                return conn.execute(select(a.c.id).where(a.c.dw_id == int(text))).scalar()
            if "/" not in text and text.isalnum():
                text = short_link(text)
            candidates = [text]
            if "://" in text:
                candidates.append(canonicalize(text))
                if is_short_link(text):
                    candidates.append(text.replace("http://", "https://", 1))
            for url in candidates:
                found = conn.execute(select(al.c.article_id).where(al.c.url == url)).scalar()
                if found is not None:
                    return int(found)
            dw_id = dw_content_id(text) if "://" in text else None
            if dw_id is not None:
                return conn.execute(select(a.c.id).where(a.c.dw_id == dw_id)).scalar()
        return None

    def mark_fetched(self, ref: str | int, fetched_at: dt.datetime | None = None) -> int | None:
        """Record that the article `ref` (anything `find_article` takes) was fetched at
        `fetched_at` without a change, e.g. answered 304 Not Modified: ``last_fetched_at`` moves
        forward (never back), nothing else. Returns the article's id, None when unknown."""
        article_id = self._resolve(ref)
        if article_id is None:
            return None
        self.mark_fetched_many([(article_id, fetched_at or utcnow())])
        return article_id

    def known_urls(self, urls: Sequence[str]) -> dict[str, tuple[int, int | None, str | None]]:
        """For each of `urls` recorded as leading to a stored article (an exact URL alias):
        (article id, DW id, title), in one query. The crawler's 304 path reads a batch's
        this way; a URL missing here may still resolve through `find_article`."""
        a = m.articles
        al = m.url_aliases
        out: dict[str, tuple[int, int | None, str | None]] = {}
        wanted = sorted(set(urls))
        for start in range(0, len(wanted), 500):
            query = (
                select(al.c.url, a.c.id, a.c.dw_id, a.c.title)
                .join(a, a.c.id == al.c.article_id)
                .where(al.c.url.in_(wanted[start : start + 500]))
            )
            with self._read() as conn:
                for row in conn.execute(query):
                    out[row.url] = (row.id, row.dw_id, row.title)
        return out

    def mark_fetched_many(self, fetched: Sequence[tuple[int, dt.datetime]]) -> None:
        """`mark_fetched` by article id for many articles, as (article_id, fetched_at), in one
        transaction (a crawl batch's 304s)."""
        if not fetched:
            return
        a = m.articles
        when = bindparam("b_when", type_=m.UTCDateTime())
        stmt = (
            update(a)
            .where(a.c.id == bindparam("b_id"), a.c.last_fetched_at < when)
            .values(last_fetched_at=when)
        )
        rows = [{"b_id": article_id, "b_when": at} for article_id, at in fetched]
        self._write(lambda conn, _: conn.execute(stmt, rows), "mark fetched")

    def iter_articles(
        self, filters: ArticleFilter | None = None, *, batch_size: int = 500, **kw: Any
    ) -> Iterator[StoredArticle]:
        """Every stored article matching the filters (keyword arguments as in `search`), in id
        order, read in batches so any number of articles can be exported."""
        flt = filters or ArticleFilter(**kw)
        a = m.articles
        last = 0
        emitted = 0
        while True:
            query = (
                self._stored_query()
                .where(a.c.id > last, *filter_clauses(flt))
                .order_by(a.c.id)
                .limit(batch_size)
            )
            with self._read() as conn:
                rows = conn.execute(query).all()
            if not rows:
                return
            for row in rows:
                if flt.limit is not None and emitted >= flt.limit:
                    return
                emitted += 1
                yield self._stored(row)
            last = rows[-1].id

    def revisions(self, article_id: int) -> list[Revision]:
        """Every version of an article, oldest first."""
        r = m.article_revisions
        with self._read() as conn:
            rows = conn.execute(
                select(r).where(r.c.article_id == article_id).order_by(r.c.revision_no)
            ).all()
        return [
            Revision(
                id=row.id,
                article_id=row.article_id,
                revision_no=row.revision_no,
                cause=row.cause,
                content_hash=row.content_hash,
                parser_version=row.parser_version,
                created_at=row.created_at,
                raw_page_sha256=row.raw_page_sha256,
                article=Article.from_dict(row.record),
            )
            for row in rows
        ]

    def search(
        self,
        terms: str,
        *,
        lang: str | None = None,
        since: dt.date | dt.datetime | None = None,
        until: dt.date | dt.datetime | None = None,
        agency: str | None = None,
        author: str | None = None,
        topic: str | None = None,
        content_type: str | None = None,
        limit: int = 20,
    ) -> list[SearchHit]:
        """Full-text search, best match first, each hit with a snippet (matches in «…»).

        Words are matched by the word index (all must occur; ``"quoted phrases"`` kept
        together); terms in scripts written without spaces (Chinese, Japanese, Thai) are
        matched as substrings through the trigram index. Filters: language, publication date
        range (`since`/`until` inclusive), agency, author and topic (case-insensitive exact
        names), content type."""
        flt = ArticleFilter(
            lang=lang,
            since=since,
            until=until,
            agency=agency,
            author=author,
            topic=topic,
            content_type=content_type,
            limit=limit,
        )
        try:
            with self._read() as conn:
                return run_search(conn, terms, flt)
        except SQLAlchemyError as exc:
            raise StorageError(f"search failed: {exc}") from exc

    # ------------------------------------------------------------------ raw pages and fetches

    def get_raw_page(self, sha256: str) -> bytes | None:
        t = m.raw_pages
        with self._read() as conn:
            row = conn.execute(
                select(t.c.compression, t.c.body).where(t.c.sha256 == sha256)
            ).first()
        return decompress_page(row.compression, row.body) if row else None

    def raw_pages(
        self,
        filters: ArticleFilter | None = None,
        *,
        parser_version_not: str | None = None,
        **kw: Any,
    ) -> Iterator[RawPageRef]:
        """The latest fetched bytes of every stored article matching the filters (optionally
        only those last parsed by a parser version other than `parser_version_not`)."""
        flt = filters or ArticleFilter(**kw)
        a = m.articles
        p = m.raw_pages
        last = 0
        while True:
            query = (
                select(
                    a.c.id,
                    a.c.dw_id,
                    a.c.url,
                    a.c.parser_version,
                    p.c.sha256,
                    p.c.compression,
                    p.c.body,
                )
                .join(p, p.c.sha256 == a.c.raw_page_sha256)
                .where(a.c.id > last, *filter_clauses(flt))
                .order_by(a.c.id)
                .limit(100)
            )
            if parser_version_not is not None:
                query = query.where(a.c.parser_version != parser_version_not)
            with self._read() as conn:
                rows = conn.execute(query).all()
            if not rows:
                return
            for row in rows:
                yield RawPageRef(
                    row.id,
                    row.dw_id,
                    row.url,
                    row.sha256,
                    row.parser_version,
                    decompress_page(row.compression, row.body),
                )
            last = rows[-1].id

    # ------------------------------------------------------------------ statistics

    def stats(self) -> dict[str, Any]:
        """Row counts per table and articles per language and content type."""
        a = m.articles
        out: dict[str, Any] = {}
        with self._read() as conn:
            for table in (
                m.articles,
                m.article_revisions,
                m.authors,
                m.agencies,
                m.topics,
                m.images,
                m.url_aliases,
                m.raw_pages,
                m.fetches,
                m.crawl_runs,
                m.frontier,
            ):
                out[table.name] = int(
                    conn.execute(select(func.count()).select_from(table)).scalar_one()
                )
            for column in ("language", "content_type"):
                rows = conn.execute(select(a.c[column], func.count()).group_by(a.c[column])).all()
                out[f"articles_by_{column}"] = {str(r[0]): int(r[1]) for r in rows}
        return out


def _latin1(*texts: str | None) -> bool:
    """Whether the texts hold only Latin-1 characters, found by encoding them (for a str stored
    one byte per character, a copy). Such a row cannot need the trigram index, whose scripts all
    lie above U+0E00 (tested), and skips `needs_trigram`'s character-class scan: 6 % of the
    instructions of storing the benchmark's new articles, half of whose texts are Latin-1."""
    try:
        for text in texts:
            if text:
                text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _text_agencies(article: Article) -> list[str]:
    """Agencies credited for the text: the record's list plus the credit line's."""
    names = list(article.agencies)
    if article.credit_line:
        names += [n for n in article.credit_line.agencies if n not in names]
    return names


__all__ = [
    "RUN_COUNTS",
    "ArticleFilter",
    "LeasedUrl",
    "RawPageRef",
    "Repository",
    "Revision",
    "RunInfo",
    "SearchHit",
    "StoreRequest",
    "StoreResult",
    "StoredArticle",
]
