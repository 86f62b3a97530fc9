"""Article filters: language, content type, publication dates, agency, author, topic, and
whether an article was removed from dw.com.

One definition for every reader of the archive (search, listing, export, re-parse): the
clauses are built here and added to whatever query selects the articles.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, exists, literal_column, or_, select
from sqlalchemy.sql.elements import ColumnElement

from db import models as m


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """Filters shared by search, listing, export and re-parse."""

    lang: str | None = None
    since: dt.date | dt.datetime | None = None
    until: dt.date | dt.datetime | None = None
    agency: str | None = None
    author: str | None = None
    topic: str | None = None
    content_type: str | None = None
    limit: int | None = None
    #: True: only articles removed from dw.com; False: only those still online; None: all.
    removed: bool | None = None


#: The filters by name: (ArticleFilter field, link table, its entity id column, entity table).
_ENTITY_FILTERS: tuple[tuple[str, Any, str, Any], ...] = (
    ("agency", m.article_agencies, "agency_id", m.agencies),
    ("author", m.article_authors, "author_id", m.authors),
    ("topic", m.article_topics, "topic_id", m.topics),
)


def resolve_entities(conn: Connection, flt: ArticleFilter) -> dict[str, list[int]] | None:
    """The ids of the agencies, authors and topics whose names contain the filter's text
    (folded by `fold_name`: ``Knight`` finds ``Ben Knight``), or None when one of the filters
    names none (then no article can match). The names are folded in Python, so the match is
    the same on both databases (SQLite's ``lower`` and ``LIKE`` fold ASCII only); the entity
    tables are small next to the articles (a few thousand names).

    Looked up before the article query so that it tests each candidate's links by id (an
    index probe per candidate) instead of joining the entity table: PostgreSQL planned that
    join as a hash semi-join over all of the entity's links (87,500 rows for dpa at 100k
    articles), which cost more than the rest of a filtered search."""
    found: dict[str, list[int]] = {}
    for field, _link, _column, entity in _ENTITY_FILTERS:
        name = getattr(flt, field)
        if not name:
            continue
        needle = fold_name(name)
        rows = conn.execute(select(entity.c.id, entity.c.name)).all()
        ids = [int(row.id) for row in rows if needle in fold_name(row.name)]
        if not ids:
            return None
        found[field] = ids
    return found


def fold_name(name: str) -> str:
    """A name folded for matching: case (``ß`` as ``ss``) and diacritics."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _contains(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filter_clauses(
    flt: ArticleFilter, entity_ids: dict[str, list[int]] | None = None
) -> list[ColumnElement[bool]]:
    """WHERE clauses over `articles` for the filter. With `entity_ids` (see
    `resolve_entities`), the agency/author/topic filters test those ids per article."""
    return [*column_clauses(flt), *entity_clauses(flt, entity_ids)]


def column_clauses(flt: ArticleFilter) -> list[ColumnElement[bool]]:
    """The filters on columns of `articles`: language, content type, dates."""
    a = m.articles
    clauses: list[ColumnElement[bool]] = []
    if flt.lang:
        clauses.append(a.c.language == flt.lang)
    if flt.content_type:
        clauses.append(a.c.content_type == flt.content_type)
    if flt.removed is not None:
        clauses.append(a.c.removed_at.is_not(None) if flt.removed else a.c.removed_at.is_(None))
    if flt.since is not None:
        if isinstance(flt.since, dt.datetime):
            clauses.append(
                or_(
                    a.c.published_at >= flt.since,
                    and_(a.c.published_at.is_(None), a.c.published_date >= flt.since.date()),
                )
            )
        else:
            clauses.append(a.c.published_date >= flt.since)
    if flt.until is not None:
        if isinstance(flt.until, dt.datetime):
            clauses.append(
                or_(
                    a.c.published_at <= flt.until,
                    and_(a.c.published_at.is_(None), a.c.published_date <= flt.until.date()),
                )
            )
        else:
            clauses.append(a.c.published_date <= flt.until)
    return clauses


def entity_clauses(
    flt: ArticleFilter, entity_ids: dict[str, list[int]] | None = None, article_id: Any = None
) -> list[ColumnElement[bool]]:
    """The agency, author and topic filters: an EXISTS over the link table, correlated with
    `article_id` (default `articles.id`; PostgreSQL's search correlates with
    `article_search.article_id` so that these filters need no article row)."""
    article_id = m.articles.c.id if article_id is None else article_id
    clauses: list[ColumnElement[bool]] = []
    for field, link, column_name, entity in _ENTITY_FILTERS:
        name = getattr(flt, field)
        if not name:
            continue
        if entity_ids is not None and field in entity_ids:
            # OFFSET 0 keeps PostgreSQL from flattening the EXISTS into a semi-join (planned
            # as a hash join over all of the entity's links): it stays a probe of the link
            # table's primary key per candidate, which at most `RANK_CANDIDATES`-ish rows
            # reach. SQLite runs correlated EXISTS that way anyway.
            probe: Any = (
                select(literal_column("1"))
                .where(link.c.article_id == article_id, link.c[column_name].in_(entity_ids[field]))
                .offset(0)
            )
            clauses.append(exists(probe))
        else:
            # Without resolved ids (export, re-parse): a substring match in SQL, whose case
            # folding is ASCII-only on SQLite.
            clauses.append(
                exists(
                    select(link.c.article_id)
                    .join(entity, entity.c.id == link.c[column_name])
                    .where(
                        link.c.article_id == article_id,
                        entity.c.name.ilike(_contains(name), escape="\\"),
                    )
                )
            )
    return clauses
