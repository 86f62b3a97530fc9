"""The storage schema as SQLAlchemy 2.0 typed models.

These classes define the schema that `migrations/` creates; they are not domain objects (the
domain record is `scraper.article.Article`). The repository writes through their tables with
Core statements so that bulk paths stay fast.

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
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
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
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

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


#: JSON everywhere, JSONB on PostgreSQL (indexable, compact).
JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Article(Base):
    """One row per DW content item (article, video, audio, gallery, live blog)."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dw_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    canonical_url: Mapped[str] = mapped_column(Text, unique=True)
    url: Mapped[str] = mapped_column(Text)
    short_url: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(16), index=True)
    layout: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(16), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    kicker: Mapped[str | None] = mapped_column(Text)
    teaser: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    blocks: Mapped[Any] = mapped_column(JSONType)
    videos: Mapped[Any] = mapped_column(JSONType)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    published_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    published_precision: Mapped[str | None] = mapped_column(String(8))
    modified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    modified_date: Mapped[dt.date | None] = mapped_column(Date)
    modified_precision: Mapped[str | None] = mapped_column(String(8))
    credit_line: Mapped[str | None] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(128))
    parser_version: Mapped[str] = mapped_column(String(64))
    current_revision: Mapped[int] = mapped_column(Integer)
    raw_page_sha256: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("raw_pages.sha256"), index=True
    )
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: When the article's URL first answered 404/410 or a soft 404 (kept; a 200 clears it).
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ArticleRevision(Base):
    """One version of an article: the full record as it was, and why it changed."""

    __tablename__ = "article_revisions"
    __table_args__ = (UniqueConstraint("article_id", "revision_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    revision_no: Mapped[int] = mapped_column(Integer)
    cause: Mapped[str] = mapped_column(String(16))  # 'new' | 'source' | 'parser'
    content_hash: Mapped[str] = mapped_column(String(128))
    parser_version: Mapped[str] = mapped_column(String(64))
    record: Mapped[Any] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    raw_page_sha256: Mapped[str | None] = mapped_column(String(64), ForeignKey("raw_pages.sha256"))
    fetch_id: Mapped[int | None] = mapped_column(ForeignKey("fetches.id", ondelete="SET NULL"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))


class SuspectVersion(Base):
    """A fetched version kept aside instead of becoming the current revision (`db.suspect`)."""

    __tablename__ = "suspect_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(16))  # 'empty_text' | 'text_shrank'
    words_before: Mapped[int] = mapped_column(Integer)  # of the current revision
    record: Mapped[Any] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    raw_page_sha256: Mapped[str | None] = mapped_column(String(64), ForeignKey("raw_pages.sha256"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))


class Author(Base):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: url when known, else ``name:<lower-cased name>``: one row per person.
    key: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text, index=True)
    url: Mapped[str | None] = mapped_column(Text)


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)


class Topic(Base):
    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)


class ArticleAuthor(Base):
    __tablename__ = "article_authors"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"), index=True)


class ArticleTopic(Base):
    __tablename__ = "article_topics"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), index=True)


class ArticleAgency(Base):
    """An agency credited on an article: ``role`` is 'text' (credit line / byline) or 'image'
    (credited for at least one picture)."""

    __tablename__ = "article_agencies"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(8), primary_key=True)


class ArticleCredit(Base):
    """The initials of the credit line (``js,tg/msh (AP)``): writers and editors in order."""

    __tablename__ = "article_credits"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(8), primary_key=True)  # 'writer' | 'editor'
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    initials: Mapped[str] = mapped_column(Text, index=True)


class Image(Base):
    __tablename__ = "images"
    __table_args__ = (UniqueConstraint("article_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    url: Mapped[str | None] = mapped_column(Text)
    caption: Mapped[str | None] = mapped_column(Text)
    credit: Mapped[str | None] = mapped_column(Text)
    alt: Mapped[str | None] = mapped_column(Text)


class ImageAgency(Base):
    __tablename__ = "image_agencies"

    image_id: Mapped[int] = mapped_column(
        ForeignKey("images.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True, index=True)


class ImagePhotographer(Base):
    __tablename__ = "image_photographers"

    image_id: Mapped[int] = mapped_column(
        ForeignKey("images.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, index=True)


class UrlAlias(Base):
    """Every URL known to lead to an article: canonical, fetched, short link, tracking
    variants, old slugs. ``kind`` says which."""

    __tablename__ = "url_aliases"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RawPage(Base):
    """Fetched bytes, compressed (`scraper.rawpages`), keyed by the SHA-256 of the uncompressed
    bytes."""

    __tablename__ = "raw_pages"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    compression: Mapped[str] = mapped_column(String(8))  # 'zstd'; older rows 'zlib'
    size: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    command: Mapped[str] = mapped_column(Text)
    #: running | ok | failed | interrupted | abandoned (its owner died while running)
    status: Mapped[str] = mapped_column(String(16), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    discovered: Mapped[int] = mapped_column(Integer, default=0)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    suspect: Mapped[int] = mapped_column(Integer, default=0)
    fill_rates: Mapped[Any | None] = mapped_column(JSONType)
    error: Mapped[str | None] = mapped_column(Text)
    #: Who runs it (machine, process, lease-owner name); a stale heartbeat: it is gone.
    host: Mapped[str | None] = mapped_column(Text)
    pid: Mapped[int | None] = mapped_column(Integer)
    owner: Mapped[str | None] = mapped_column(Text)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: What each discovery source of each language gave (`DiscoveryReport.to_dict()`).
    discovery: Mapped[Any | None] = mapped_column(JSONType)


class Fetch(Base):
    """One HTTP fetch; also the source of conditional-GET validators."""

    __tablename__ = "fetches"
    __table_args__ = (Index("ix_fetches_url_fetched_at", "url", "fetched_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str | None] = mapped_column(Text, index=True)
    status: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(32))
    content_type: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    duration_s: Mapped[float | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    error: Mapped[str | None] = mapped_column(Text)
    raw_page_sha256: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("raw_pages.sha256"), index=True
    )


class FrontierEntry(Base):
    """The crawl queue. Workers lease rows (``lease_owner``, ``lease_expires_at``); on
    PostgreSQL with ``SELECT … FOR UPDATE SKIP LOCKED`` so many can share it."""

    __tablename__ = "frontier"
    __table_args__ = (Index("ix_frontier_due", "state", "next_fetch_at", "priority"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    state: Mapped[str] = mapped_column(String(16))  # pending | leased | done | failed
    priority: Mapped[int] = mapped_column(Integer)
    next_fetch_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(Text, index=True)
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class HostGate(Base):
    """When the next request to a host may start, shared by all processes fetching (PostgreSQL,
    `db.hostgates`): each takes the row's lock to reserve a slot or record a Retry-After."""

    __tablename__ = "host_gates"

    host: Mapped[str] = mapped_column(Text, primary_key=True)
    next_allowed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class BackfillSitemap(Base):
    """An archive sitemap a backfill has finished: every URL it lists is in the frontier."""

    __tablename__ = "backfill_sitemaps"

    sitemap_url: Mapped[str] = mapped_column(Text, primary_key=True)
    lang: Mapped[str] = mapped_column(String(16), index=True)
    urls: Mapped[int] = mapped_column(Integer)
    finished_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


def _t(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


# Typed handles on the tables, for Core statements in the repository.
articles = _t(Article)
article_revisions = _t(ArticleRevision)
suspect_versions = _t(SuspectVersion)
authors = _t(Author)
agencies = _t(Agency)
topics = _t(Topic)
article_authors = _t(ArticleAuthor)
article_topics = _t(ArticleTopic)
article_agencies = _t(ArticleAgency)
article_credits = _t(ArticleCredit)
images = _t(Image)
image_agencies = _t(ImageAgency)
image_photographers = _t(ImagePhotographer)
url_aliases = _t(UrlAlias)
raw_pages = _t(RawPage)
crawl_runs = _t(CrawlRun)
fetches = _t(Fetch)
frontier = _t(FrontierEntry)
host_gates = _t(HostGate)
backfill_sitemaps = _t(BackfillSitemap)
