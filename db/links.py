"""What hangs off a stored article: authors, agencies, topics, credits, images, URL aliases and
(on SQLite) its rows in the full-text indexes. Written in bulk for a whole batch, inside the
transaction that stores the articles (`db.store`)."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, select

from db import models as m
from db.base import Pending, RepositoryBase, chunks
from db.rows import alias_kind, author_key
from db.search import needs_trigram
from scraper.article import Article, Image

Rows = list[dict[str, Any]]


class LinkedArticle(NamedTuple):
    """An article of the batch with the id and canonical URL it is stored under."""

    article_id: int
    article: Article
    canonical_url: str


class _Entities(NamedTuple):
    """The rows of the entity tables a batch refers to, by key (author key or name)."""

    authors: dict[str, dict[str, Any]]
    agencies: dict[str, dict[str, Any]]
    topics: dict[str, dict[str, Any]]


class _Ids(NamedTuple):
    """Entity ids by key, for the batch's link rows."""

    authors: dict[str, int]
    agencies: dict[str, int]
    topics: dict[str, int]


class LinksMixin(RepositoryBase):
    def _write_links(
        self, conn: Connection, pending: Pending, articles: list[LinkedArticle]
    ) -> None:
        """Authors, topics, agencies, credits and images of new or changed articles."""
        wanted = _entities(articles)
        ids = _Ids(
            self._entity_ids(conn, pending, m.authors, "key", wanted.authors),
            self._entity_ids(conn, pending, m.agencies, "name", wanted.agencies),
            self._entity_ids(conn, pending, m.topics, "name", wanted.topics),
        )
        author_rows: Rows = []
        topic_rows: Rows = []
        agency_rows: Rows = []
        credit_rows: Rows = []
        for linked in articles:
            article_id, art = linked.article_id, linked.article
            author_rows += _author_rows(article_id, art, ids.authors)
            topic_rows += [
                {"article_id": article_id, "position": p, "topic_id": ids.topics[t]}
                for p, t in enumerate(art.topics)
            ]
            agency_rows += _agency_rows(article_id, art, ids.agencies)
            credit_rows += _credit_rows(article_id, art)
        for table, link_rows in (
            (m.article_authors, author_rows),
            (m.article_topics, topic_rows),
            (m.article_agencies, agency_rows),
            (m.article_credits, credit_rows),
        ):
            self._insert_rows(conn, table, link_rows)
        self._write_images(conn, articles, ids.agencies)

    def _write_images(
        self, conn: Connection, articles: list[LinkedArticle], agency_ids: dict[str, int]
    ) -> None:
        """The images of the articles, then their agencies and photographers (by image id)."""
        placed = [
            (linked.article_id, p, im)
            for linked in articles
            for p, im in enumerate(linked.article.images)
        ]
        if not placed:
            return
        images = m.images
        image_rows = [
            {
                "article_id": article_id,
                "position": p,
                "url": im.url,
                "caption": im.caption,
                "credit": im.credit,
                "alt": im.alt,
            }
            for article_id, p, im in placed
        ]
        self._insert_rows(conn, images, image_rows)
        by_position: dict[tuple[int, int], int] = {}
        for part in chunks(sorted({article_id for article_id, _, _ in placed})):
            query = select(images.c.id, images.c.article_id, images.c.position).where(
                images.c.article_id.in_(part)
            )
            for row in conn.execute(query):
                by_position[(row.article_id, row.position)] = row.id
        image_agency_rows: Rows = []
        photographer_rows: Rows = []
        for article_id, p, im in placed:
            image_id = by_position[(article_id, p)]
            image_agency_rows += _image_agency_rows(image_id, im, agency_ids)
            photographer_rows += [
                {"image_id": image_id, "position": pos, "name": n}
                for pos, n in enumerate(im.photographers)
            ]
        self._insert_rows(conn, m.image_agencies, image_agency_rows)
        self._insert_rows(conn, m.image_photographers, photographer_rows)

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

    def _write_aliases(
        self, conn: Connection, articles: list[LinkedArticle], now: dt.datetime
    ) -> None:
        """Every URL that led to an article: canonical, fetched, short link."""
        aliases: dict[str, dict[str, Any]] = {}
        for article_id, art, canonical in articles:
            candidates = [(canonical, "canonical"), (art.url, None)]
            if art.short_url:
                candidates.append((art.short_url, "short"))
            for url, kind in candidates:
                if url and url not in aliases:
                    aliases[url] = {
                        "url": url,
                        "article_id": article_id,
                        "kind": kind
                        or ("canonical" if url == canonical else alias_kind(url, canonical)),
                        "first_seen_at": now,
                    }
        self._insert_rows(
            conn, m.url_aliases, [aliases[k] for k in sorted(aliases)], ignore_conflicts=True
        )

    def add_alias(self, url: str, article_id: int, kind: str = "fetched") -> None:
        """Record that `url` (a redirect source, an old slug, a short link) leads to an article."""
        row = {"url": url, "article_id": article_id, "kind": kind, "first_seen_at": self.now()}
        self._write(
            lambda conn, _: conn.execute(
                self._insert(m.url_aliases).on_conflict_do_nothing(), [row]
            ),
            "add alias",
        )

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


def _entities(articles: list[LinkedArticle]) -> _Entities:
    """The author, agency and topic rows the articles refer to, each key once."""
    found = _Entities({}, {}, {})
    for linked in articles:
        art = linked.article
        for au in art.authors:
            key = author_key(au.name, au.url)
            found.authors.setdefault(key, {"key": key, "name": au.name, "url": au.url})
        for name in _text_agencies(art):
            found.agencies.setdefault(name, {"name": name})
        for image in art.images:
            for name in image.agencies:
                found.agencies.setdefault(name, {"name": name})
        for name in art.topics:
            found.topics.setdefault(name, {"name": name})
    return found


def _author_rows(article_id: int, art: Article, author_ids: dict[str, int]) -> Rows:
    return [
        {
            "article_id": article_id,
            "position": p,
            "author_id": author_ids[author_key(au.name, au.url)],
        }
        for p, au in enumerate(art.authors)
    ]


def _agency_rows(article_id: int, art: Article, agency_ids: dict[str, int]) -> Rows:
    """One row per agency and role: credited for the text, for an image, or both."""
    links = {(agency_ids[n], "text") for n in _text_agencies(art)}
    links |= {(agency_ids[n], "image") for im in art.images for n in im.agencies}
    return [{"article_id": article_id, "agency_id": ag, "role": role} for ag, role in sorted(links)]


def _credit_rows(article_id: int, art: Article) -> Rows:
    """The credit line's initials, writers then editors, each in order."""
    if not art.credit_line:
        return []
    rows: Rows = []
    for role, names in (("writer", art.credit_line.writers), ("editor", art.credit_line.editors)):
        rows += [
            {"article_id": article_id, "role": role, "position": p, "initials": n}
            for p, n in enumerate(names)
        ]
    return rows


def _image_agency_rows(image_id: int, im: Image, agency_ids: dict[str, int]) -> Rows:
    return [
        {"image_id": image_id, "agency_id": ag}
        for ag in sorted({agency_ids[n] for n in im.agencies})
    ]


def _text_agencies(article: Article) -> list[str]:
    """Agencies credited for the text: the record's list plus the credit line's."""
    names = list(article.agencies)
    if article.credit_line:
        names += [n for n in article.credit_line.agencies if n not in names]
    return names


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
