"""Stored raw pages as captures (URL, date, status, headers, bytes), and the time each stored
article was last observed: what WARC export and import need from the database.

A raw page is stored once per distinct content (`raw_pages`); where it came from is spread
over the fetch log and the article revisions, so a capture takes the earliest fetch that
produced it (URL, status, kept headers, fetch time) and, for an article page stored without a
logged fetch, the article's URL and the time that revision was observed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from db import models as m
from db.base import RepositoryBase
from db.rows import canonical_key, decompress_page
from db.search import ArticleFilter, filter_clauses
from scraper.article import Article

#: Raw pages read per query (bodies are up to a few hundred KB each).
BATCH = 100


@dataclass(frozen=True, slots=True)
class StoredCapture:
    """A stored page with where and when it was fetched (a `scraper.exports.warc.PageCapture`)."""

    sha256: str
    url: str
    captured_at: dt.datetime
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True, slots=True)
class _Origin:
    url: str
    captured_at: dt.datetime
    status: int
    headers: tuple[tuple[str, str], ...]


class CapturesMixin(RepositoryBase):
    """Reads for WARC export and import (through the repository's error-mapped reads)."""

    def iter_captures(self, filters: ArticleFilter | None = None) -> Iterator[StoredCapture]:
        """Every stored raw page (only those of articles matching `filters`, when given) as a
        capture, in batches; pages of unknown origin are passed over."""
        p = m.raw_pages
        last = ""
        while True:
            query = (
                select(p.c.sha256, p.c.compression, p.c.body)
                .where(p.c.sha256 > last)
                .order_by(p.c.sha256)
                .limit(BATCH)
            )
            if filters is not None and filters != ArticleFilter():
                query = query.where(p.c.sha256.in_(_article_pages(filters)))
            with self._read("read raw pages") as conn:
                rows = conn.execute(query).all()
                origins = _origins(conn, [row.sha256 for row in rows])
            if not rows:
                return
            for row in rows:
                origin = origins.get(row.sha256)
                if origin is not None:
                    body = decompress_page(row.compression, row.body)
                    yield StoredCapture(
                        row.sha256,
                        origin.url,
                        origin.captured_at,
                        origin.status,
                        origin.headers,
                        body,
                    )
            last = rows[-1].sha256

    def last_observed(self, articles: Sequence[Article]) -> list[dt.datetime | None]:
        """For each article, when the stored article it would update was last fetched (None: not
        stored). Matched as storing matches: by DW id, else by canonical URL when one side has no
        DW id. A capture older than this must not replace what is stored."""
        a = m.articles
        dw_ids = sorted({x.dw_id for x in articles if x.dw_id is not None})
        urls = sorted({canonical_key(x) for x in articles})
        by_dw: dict[int, dt.datetime] = {}
        by_url: dict[str, tuple[int | None, dt.datetime]] = {}
        query = select(a.c.dw_id, a.c.canonical_url, a.c.last_fetched_at).where(
            a.c.dw_id.in_(dw_ids) | a.c.canonical_url.in_(urls)
        )
        with self._read("read the last fetch times") as conn:
            for row in conn.execute(query):
                if row.dw_id is not None:
                    by_dw[row.dw_id] = row.last_fetched_at
                by_url[row.canonical_url] = (row.dw_id, row.last_fetched_at)
        out: list[dt.datetime | None] = []
        for article in articles:
            if article.dw_id is not None and article.dw_id in by_dw:
                out.append(by_dw[article.dw_id])
                continue
            found = by_url.get(canonical_key(article))
            usable = found is not None and (found[0] is None or article.dw_id is None)
            out.append(found[1] if found is not None and usable else None)
        return out


def _article_pages(filters: ArticleFilter) -> Any:
    a, r = m.articles, m.article_revisions
    return (
        select(r.c.raw_page_sha256)
        .join(a, a.c.id == r.c.article_id)
        .where(r.c.raw_page_sha256.is_not(None), *filter_clauses(filters))
    )


def _origins(conn: Connection, shas: list[str]) -> dict[str, _Origin]:
    """Where each page came from: its earliest logged fetch, else its earliest revision."""
    if not shas:
        return {}
    a, r, f = m.articles, m.article_revisions, m.fetches
    out: dict[str, _Origin] = {}
    revisions = (
        select(
            r.c.raw_page_sha256,
            r.c.revision_no,
            r.c.created_at,
            a.c.url,
            a.c.current_revision,
            a.c.first_seen_at,
            a.c.last_changed_at,
            f.c.url.label("fetch_url"),
            f.c.final_url,
            f.c.status,
            f.c.content_type,
            f.c.etag,
            f.c.last_modified,
            f.c.fetched_at,
        )
        .join(a, a.c.id == r.c.article_id)
        .outerjoin(f, f.c.id == r.c.fetch_id)
        .where(r.c.raw_page_sha256.in_(shas))
        .order_by(r.c.id.desc())
    )
    for row in conn.execute(revisions):  # newest first: the earliest one is kept
        if row.fetched_at is not None:
            out[row.raw_page_sha256] = _from_fetch(row)
            continue
        if row.revision_no == row.current_revision:
            when = row.last_changed_at
        else:
            when = row.first_seen_at if row.revision_no == 1 else row.created_at
        out[row.raw_page_sha256] = _Origin(row.url, when, 200, (("Content-Type", "text/html"),))
    fetches = (
        select(
            f.c.raw_page_sha256,
            f.c.url.label("fetch_url"),
            f.c.final_url,
            f.c.status,
            f.c.content_type,
            f.c.etag,
            f.c.last_modified,
            f.c.fetched_at,
        )
        .where(f.c.raw_page_sha256.in_(shas))
        .order_by(f.c.id.desc())
    )
    for fetch in conn.execute(fetches):
        out.setdefault(fetch.raw_page_sha256, _from_fetch(fetch))
    return out


def _from_fetch(row: Any) -> _Origin:
    kept = (
        ("Content-Type", row.content_type),
        ("ETag", row.etag),
        ("Last-Modified", row.last_modified),
    )
    headers = tuple((k, v) for k, v in kept if v)
    return _Origin(row.final_url or row.fetch_url, row.fetched_at, row.status or 200, headers)
