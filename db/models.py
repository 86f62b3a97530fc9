"""The storage schema as SQLAlchemy Core tables on one `metadata`.

These tables define the schema that `migrations/` creates; they are not domain objects (the
domain record is `scraper.article.Article`). The repository reads and writes them with Core
statements, so the ORM is not used at all: plain `Table` declarations keep `sqlalchemy.orm`
(tens of milliseconds) out of the start-up of every command that opens a database.

Conventions a researcher can rely on when reading the database with plain SQL:
- every timestamp is UTC (`timestamptz` on PostgreSQL; `YYYY-MM-DD HH:MM:SS.ffffff` UTC text on
  SQLite), written through `UTCDateTime`, which refuses naive datetimes;
- a publication date known only to the day is stored as a DATE in `published_date` with
  `published_precision = 'day'` and `published_at` NULL: it is never faked as midnight;
- the full record of every version of an article is kept as JSON in `article_revisions.record`.

Full-text search structures (SQLite FTS5 tables and triggers, the PostgreSQL `article_search`
table of search vectors with its trigger, and GIN / pg_trgm indexes) are dialect-specific DDL
that lives only in the migrations; `SEARCH_OBJECTS` names them so that the models-vs-migrations
check ignores them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: The one metadata of the schema: the target of the migrations and of the schema check.
metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: Search objects created by the migration with dialect-specific DDL (not in the models).
SEARCH_OBJECTS = frozenset(
    {
        "articles_fts",
        "articles_fts_tri",
        "article_search",
        "ix_article_search_vector",
        "ix_articles_title_trgm",
        "ix_articles_teaser_trgm",
        "ix_articles_text_trgm",
        "ix_articles_search_filter",
    }
)


#: Made by hand in the migrations (a descending column alembic cannot compare on SQLite):
#: ``ix_frontier_lease_order`` (state, priority DESC, next_fetch_at, id), the lease's order.
HAND_MADE_INDEXES = frozenset({"ix_frontier_lease_order"})


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL stores `timestamptz`; SQLite has no time zones, so the value is converted to UTC
    and stored naive, and read back with `tzinfo=UTC` attached. Naive datetimes are refused on
    the way in: a naive value has no defined meaning in an archive read for years.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"UTCDateTime needs a datetime, got {type(value).__name__}")
        if value.tzinfo is None:
            raise ValueError(f"naive datetime refused by the database layer: {value!r}")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class JSONType(TypeDecorator[Any]):
    """JSON everywhere, JSONB on PostgreSQL (indexable, compact).

    The same DDL as ``JSON().with_variant(JSONB(), "postgresql")`` (what the migrations write),
    but JSONB is looked up only when a PostgreSQL dialect asks: importing the PostgreSQL
    dialect (and its asyncpg module) costs every SQLite command tens of milliseconds."""

    impl = JSON
    cache_ok = True
    # As JSON's own flags: Python None is stored as JSON null, values are dicts and lists.
    should_evaluate_none = True
    hashable = False

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


def _fk(target: str, ondelete: str | None = None) -> ForeignKey:
    """A foreign key to ``table.column``; `ondelete` as in SQL (CASCADE, SET NULL)."""
    return ForeignKey(target, ondelete=ondelete)


#: One row per DW content item (article, video, audio, gallery, live blog).
articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dw_id", BigInteger, unique=True),
    Column("canonical_url", Text, nullable=False, unique=True),
    Column("url", Text, nullable=False),
    Column("short_url", Text),
    Column("content_type", String(16), nullable=False, index=True),
    Column("layout", String(16), nullable=False),
    Column("language", String(16), index=True),
    Column("title", Text),
    Column("kicker", Text),
    Column("teaser", Text),
    Column("text", Text, nullable=False),
    Column("blocks", JSONType, nullable=False),
    Column("videos", JSONType, nullable=False),
    Column("published_at", UTCDateTime),
    Column("published_date", Date, index=True),
    Column("published_precision", String(8)),
    Column("modified_at", UTCDateTime),
    Column("modified_date", Date),
    Column("modified_precision", String(8)),
    Column("credit_line", Text),
    Column("word_count", Integer, nullable=False),
    Column("content_hash", String(128), nullable=False),
    Column("parser_version", String(64), nullable=False),
    Column("current_revision", Integer, nullable=False),
    Column("raw_page_sha256", String(64), _fk("raw_pages.sha256"), index=True),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_fetched_at", UTCDateTime, nullable=False),
    Column("last_changed_at", UTCDateTime, nullable=False),
    #: When the article's URL first answered 404/410 or a soft 404 (kept; a 200 clears it).
    Column("removed_at", UTCDateTime),
)

#: One version of an article: the full record as it was, and why it changed.
article_revisions = Table(
    "article_revisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, _fk("articles.id", "CASCADE"), nullable=False, index=True),
    Column("revision_no", Integer, nullable=False),
    Column("cause", String(16), nullable=False),  # 'new' | 'source' | 'parser'
    Column("content_hash", String(128), nullable=False),
    Column("parser_version", String(64), nullable=False),
    Column("record", JSONType, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("raw_page_sha256", String(64), _fk("raw_pages.sha256")),
    Column("fetch_id", Integer, _fk("fetches.id", "SET NULL")),
    Column("run_id", Integer, _fk("crawl_runs.id", "SET NULL")),
    # `scraper.article.RECORD_FORMAT` of the code that wrote `record` (NULL: written before
    # migration 0010); the export streams a record of the current format as it is stored
    Column("record_format", BigInteger),
    UniqueConstraint("article_id", "revision_no"),
)

#: A fetched version kept aside instead of becoming the current revision (`db.suspect`).
suspect_versions = Table(
    "suspect_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, _fk("articles.id", "CASCADE"), nullable=False, index=True),
    Column("reason", String(16), nullable=False),  # 'empty_text' | 'text_shrank'
    Column("words_before", Integer, nullable=False),  # of the current revision
    Column("record", JSONType, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("raw_page_sha256", String(64), _fk("raw_pages.sha256")),
    Column("run_id", Integer, _fk("crawl_runs.id", "SET NULL")),
)

authors = Table(
    "authors",
    metadata,
    Column("id", Integer, primary_key=True),
    #: url when known, else ``name:<lower-cased name>``: one row per person.
    Column("key", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False, index=True),
    Column("url", Text),
)

agencies = Table(
    "agencies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
)

topics = Table(
    "topics",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
)

article_authors = Table(
    "article_authors",
    metadata,
    Column("article_id", Integer, _fk("articles.id", "CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("author_id", Integer, _fk("authors.id"), nullable=False, index=True),
)

article_topics = Table(
    "article_topics",
    metadata,
    Column("article_id", Integer, _fk("articles.id", "CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("topic_id", Integer, _fk("topics.id"), nullable=False, index=True),
)

#: An agency credited on an article: ``role`` is 'text' (credit line / byline) or 'image'
#: (credited for at least one picture).
article_agencies = Table(
    "article_agencies",
    metadata,
    Column("article_id", Integer, _fk("articles.id", "CASCADE"), primary_key=True),
    Column("agency_id", Integer, _fk("agencies.id"), primary_key=True, index=True),
    Column("role", String(8), primary_key=True),
)

#: The initials of the credit line (``js,tg/msh (AP)``): writers and editors in order.
article_credits = Table(
    "article_credits",
    metadata,
    Column("article_id", Integer, _fk("articles.id", "CASCADE"), primary_key=True),
    Column("role", String(8), primary_key=True),  # 'writer' | 'editor'
    Column("position", Integer, primary_key=True),
    Column("initials", Text, nullable=False, index=True),
)

images = Table(
    "images",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, _fk("articles.id", "CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("url", Text),
    Column("caption", Text),
    Column("credit", Text),
    Column("alt", Text),
    UniqueConstraint("article_id", "position"),
)

image_agencies = Table(
    "image_agencies",
    metadata,
    Column("image_id", Integer, _fk("images.id", "CASCADE"), primary_key=True),
    Column("agency_id", Integer, _fk("agencies.id"), primary_key=True, index=True),
)

image_photographers = Table(
    "image_photographers",
    metadata,
    Column("image_id", Integer, _fk("images.id", "CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("name", Text, nullable=False, index=True),
)

#: Every URL known to lead to an article: canonical, fetched, short link, tracking variants,
#: old slugs. ``kind`` says which.
url_aliases = Table(
    "url_aliases",
    metadata,
    Column("url", Text, primary_key=True),
    Column("article_id", Integer, _fk("articles.id", "CASCADE"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("first_seen_at", UTCDateTime, nullable=False),
)

#: Fetched bytes, compressed (`scraper.rawpages`), keyed by the SHA-256 of the uncompressed
#: bytes.
raw_pages = Table(
    "raw_pages",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("compression", String(8), nullable=False),  # 'zstd'; older rows 'zlib'
    Column("size", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("first_seen_at", UTCDateTime, nullable=False),
)

crawl_runs = Table(
    "crawl_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("command", Text, nullable=False),
    #: running | ok | failed | interrupted | abandoned (its owner died while running)
    Column("status", String(16), nullable=False, index=True),
    Column("started_at", UTCDateTime, nullable=False, index=True),
    Column("finished_at", UTCDateTime),
    Column("discovered", Integer, nullable=False, default=0),
    Column("fetched", Integer, nullable=False, default=0),
    Column("new", Integer, nullable=False, default=0),
    Column("changed", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
    Column("suspect", Integer, nullable=False, default=0),
    Column("fill_rates", JSONType),
    Column("error", Text),
    #: Who runs it (machine, process, lease-owner name); a stale heartbeat: it is gone.
    Column("host", Text),
    Column("pid", Integer),
    Column("owner", Text),
    Column("heartbeat_at", UTCDateTime),
    #: What each discovery source of each language gave (`DiscoveryReport.to_dict()`).
    Column("discovery", JSONType),
)

#: One HTTP fetch; also the source of conditional-GET validators.
fetches = Table(
    "fetches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, _fk("crawl_runs.id", "SET NULL"), index=True),
    Column("url", Text, nullable=False),
    Column("final_url", Text, index=True),
    Column("status", Integer),
    Column("outcome", String(32), nullable=False),
    Column("content_type", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("duration_s", Double),
    Column("attempts", Integer, nullable=False, default=1),
    Column("error", Text),
    Column("raw_page_sha256", String(64), _fk("raw_pages.sha256"), index=True),
    Index("ix_fetches_url_fetched_at", "url", "fetched_at"),
)

#: The crawl queue. Workers lease rows (``lease_owner``, ``lease_expires_at``); on PostgreSQL
#: with ``SELECT … FOR UPDATE SKIP LOCKED`` so many can share it.
frontier = Table(
    "frontier",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("state", String(16), nullable=False),  # pending | leased | done | failed
    Column("priority", Integer, nullable=False),
    Column("next_fetch_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("lease_owner", Text, index=True),
    Column("lease_expires_at", UTCDateTime),
    Column("source", Text),
    Column("added_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_frontier_due", "state", "next_fetch_at", "priority"),
)

#: When the next request to a host may start, shared by all processes fetching (PostgreSQL,
#: `db.hostgates`): each takes the row's lock to reserve a slot or record a Retry-After.
host_gates = Table(
    "host_gates",
    metadata,
    Column("host", Text, primary_key=True),
    Column("next_allowed_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

#: An archive sitemap a backfill has finished: every URL it lists is in the frontier.
backfill_sitemaps = Table(
    "backfill_sitemaps",
    metadata,
    Column("sitemap_url", Text, primary_key=True),
    Column("lang", String(16), nullable=False, index=True),
    Column("urls", Integer, nullable=False),
    Column("finished_at", UTCDateTime, nullable=False),
)
