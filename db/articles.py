"""Reading stored articles: by id or any URL that led to one, in batches for export, their
revisions and raw pages, full-text search, the articles due for a refresh, table counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection, Text, and_, bindparam, cast, func, select, text, update

from db import models as m
from db.base import IN_CHUNK, RepositoryBase, chunks
from db.filters import ArticleFilter, filter_clauses
from db.rows import decompress_page
from db.search import SearchHit, run_search
from scraper.article import Article
from scraper.urls import canonicalize, dw_content_id, is_short_link, short_link

#: Raw pages per read batch (each row holds a whole page's bytes).
RAW_PAGE_BATCH = 100


class KnownArticle(NamedTuple):
    """What the crawler needs of a stored article a URL leads to (for a 304's result)."""

    article_id: int
    dw_id: int | None
    title: str | None


class FetchedMark(NamedTuple):
    """An article found unchanged by a fetch at `fetched_at` (a 304)."""

    article_id: int
    fetched_at: dt.datetime


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
class SuspectVersion:
    """A fetched version kept aside instead of becoming the current revision (`db.suspect`)."""

    reason: str  # 'empty_text' | 'text_shrank'
    words_before: int
    words_after: int
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


class ArticlesMixin(RepositoryBase):
    """Reads of stored articles (and the one bookkeeping write a 304 makes)."""

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
        self.mark_fetched_many([FetchedMark(article_id, fetched_at or self.now())])
        return article_id

    def known_urls(self, urls: Sequence[str]) -> dict[str, KnownArticle]:
        """For each of `urls` recorded as leading to a stored article (an exact URL alias):
        (article id, DW id, title), in one query. The crawler's 304 path reads a batch's
        this way; a URL missing here may still resolve through `find_article`."""
        a = m.articles
        al = m.url_aliases
        out: dict[str, KnownArticle] = {}
        wanted = sorted(set(urls))
        for part in chunks(wanted):
            query = (
                select(al.c.url, a.c.id, a.c.dw_id, a.c.title)
                .join(a, a.c.id == al.c.article_id)
                .where(al.c.url.in_(part))
            )
            with self._read() as conn:
                for row in conn.execute(query):
                    out[row.url] = KnownArticle(row.id, row.dw_id, row.title)
        return out

    def mark_fetched_many(self, fetched: Sequence[FetchedMark | tuple[int, dt.datetime]]) -> None:
        """`mark_fetched` by article id for many articles, as (article_id, fetched_at), in one
        transaction (a crawl batch's 304s)."""
        if not fetched:
            return
        a = m.articles
        when = bindparam("b_when", type_=m.UTCDateTime())
        stmt = (
            update(a)
            .where(a.c.id == bindparam("b_id"), a.c.last_fetched_at < when)
            .values(last_fetched_at=when, removed_at=None)  # a 304: still on dw.com
        )
        rows = [{"b_id": article_id, "b_when": at} for article_id, at in fetched]
        self._write(lambda conn, _: conn.execute(stmt, rows), "mark fetched")

    def iter_articles(
        self, filters: ArticleFilter | None = None, *, batch_size: int = IN_CHUNK, **kw: Any
    ) -> Iterator[StoredArticle]:
        """Every stored article matching the filters (keyword arguments as in `search`), in id
        order, read in batches so any number of articles can be exported."""
        for row in self._paged(self._stored_query(), filters or ArticleFilter(**kw), batch_size):
            yield self._stored(row)

    def iter_record_texts(
        self, filters: ArticleFilter | None = None, *, batch_size: int = IN_CHUNK, **kw: Any
    ) -> Iterator[tuple[str, int | None]]:
        """The current record of every article `iter_articles` yields, as the JSON text the
        database holds, not decoded, with the format it was written in (`RECORD_FORMAT`, None
        when unknown): what an export can stream. SQLite gives back the text the store wrote;
        PostgreSQL's JSONB its own normal form (keys reordered), so its format is None."""
        a = m.articles
        r = m.article_revisions
        as_written = self.dialect == "sqlite"
        query = select(a.c.id, cast(r.c.record, Text).label("text"), r.c.record_format).join(
            r, and_(r.c.article_id == a.c.id, r.c.revision_no == a.c.current_revision)
        )
        for row in self._paged(query, filters or ArticleFilter(**kw), batch_size):
            yield row.text, row.record_format if as_written else None

    def _paged(self, query: Any, flt: ArticleFilter, batch_size: int) -> Iterator[Any]:
        """The rows of `query` (which selects ``articles.id``) matching the filters, in id
        order, one short read per batch."""
        a = m.articles
        last = 0
        emitted = 0
        while True:
            page = query.where(a.c.id > last, *filter_clauses(flt)).order_by(a.c.id)
            with self._read() as conn:
                rows = conn.execute(page.limit(batch_size)).all()
            if not rows:
                return
            for row in rows:
                if flt.limit is not None and emitted >= flt.limit:
                    return
                emitted += 1
                yield row
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

    def suspect_versions(self, article_id: int) -> list[SuspectVersion]:
        """The fetched versions of an article kept aside, oldest first."""
        s = m.suspect_versions
        query = select(s).where(s.c.article_id == article_id).order_by(s.c.id)
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [
            SuspectVersion(
                reason=row.reason,
                words_before=row.words_before,
                words_after=int(row.record.get("word_count") or 0),
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
        removed: bool | None = None,
    ) -> list[SearchHit]:
        """Full-text search, best match first, each hit with a snippet (matches in «…»).

        Words are matched by the word index (all must occur; ``"quoted phrases"`` kept
        together); terms in scripts written without spaces (Chinese, Japanese, Thai) are
        matched as substrings through the trigram index. Filters: language, publication date
        range (`since`/`until` inclusive), agency, author and topic (case-insensitive exact
        names), content type, removed from dw.com or not (`removed`; None: both)."""
        flt = ArticleFilter(
            lang=lang,
            since=since,
            until=until,
            agency=agency,
            author=author,
            topic=topic,
            content_type=content_type,
            limit=limit,
            removed=removed,
        )
        with self._read("search") as conn:
            return run_search(conn, terms, flt)

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
                .limit(RAW_PAGE_BATCH)
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

    def stale_urls(self, cutoff: dt.datetime) -> list[str]:
        """The canonical URLs of stored articles last fetched before `cutoff`, in id order:
        the ones a run refreshes (`--refresh-older-than`)."""
        a = m.articles
        query = select(a.c.canonical_url).where(a.c.last_fetched_at < cutoff).order_by(a.c.id)
        with self._read("reading stale articles") as conn:
            return list(conn.execute(query).scalars())

    def stats(self) -> dict[str, Any]:
        """Row counts per table, articles per language and content type, and the size of
        the database on disk (`database_bytes`)."""
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
            out["database_bytes"] = _database_bytes(conn)
        return out


def _database_bytes(conn: Connection) -> int | None:
    """The database's size: SQLite's pages in use, PostgreSQL's `pg_database_size`."""
    if conn.dialect.name == "postgresql":
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
    if conn.dialect.name == "sqlite":
        pages = conn.execute(text("PRAGMA page_count")).scalar_one()
        size = conn.execute(text("PRAGMA page_size")).scalar_one()
        return int(pages) * int(size)
    return None
