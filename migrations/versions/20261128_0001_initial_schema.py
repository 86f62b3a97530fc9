"""initial schema: articles, revisions, links, images, aliases, raw pages, fetches, runs,
frontier, and the dialect-specific full-text search structures

Revision ID: 0001
Revises:
Create Date: 2026-11-28 17:23:28.097670
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# Characters of scripts written without spaces between words (Thai, Lao, Myanmar, Khmer,
# kana, CJK ideographs) and Hangul. Only rows containing any of them enter the trigram indexes:
# a term in such a script can only match such a row, and the trigram index of a Latin or
# Cyrillic text would cost half the write throughput for nothing.
NO_SPACE_RANGES = [
    ("\u0e00", "\u0eff"),
    ("\u1000", "\u109f"),
    ("\u1780", "\u17ff"),
    ("\u3040", "\u30ff"),
    ("\u3400", "\u4dbf"),
    ("\u4e00", "\u9fff"),
    ("\uac00", "\ud7af"),
    ("\uf900", "\ufaff"),
]
SQLITE_NO_SPACE_GLOB = "*[" + "".join(f"{a}-{b}" for a, b in NO_SPACE_RANGES) + "]*"
POSTGRES_NO_SPACE_REGEX = (
    "[" + "".join(f"\\u{ord(a):04x}-\\u{ord(b):04x}" for a, b in NO_SPACE_RANGES) + "]"
)


def _sqlite_needs_trigram(row: str) -> str:
    cols = f"coalesce({row}.title, '') || coalesce({row}.teaser, '') || coalesce({row}.text, '')"
    return f"({cols}) GLOB '{SQLITE_NO_SPACE_GLOB}'"


def _sqlite_fts(action: str, row: str) -> str:
    """FTS5 external-content maintenance: the word index always, the trigram index only for
    rows with no-space scripts (the same condition on insert and delete keeps it consistent)."""
    values = f"{row}.id, {row}.title, {row}.teaser, {row}.text"
    if action == "delete":
        word = f"INSERT INTO articles_fts(articles_fts, rowid, title, teaser, text) VALUES ('delete', {values});"
        tri = (
            "INSERT INTO articles_fts_tri(articles_fts_tri, rowid, title, teaser, text) "
            f"SELECT 'delete', {values} WHERE {_sqlite_needs_trigram(row)};"
        )
    else:
        word = f"INSERT INTO articles_fts(rowid, title, teaser, text) VALUES ({values});"
        tri = (
            "INSERT INTO articles_fts_tri(rowid, title, teaser, text) "
            f"SELECT {values} WHERE {_sqlite_needs_trigram(row)};"
        )
    return f"{word}\n{tri}\n"


# Full-text search, SQLite: two FTS5 indexes over the article table (external content, so the
# text is stored once): a word index (unicode61, diacritics folded) and a trigram index for
# scripts written without spaces. Triggers keep both in sync; the update trigger fires only when
# a searched column changes, so unchanged re-upserts cost nothing.
SQLITE_SEARCH_UP = [
    """CREATE VIRTUAL TABLE articles_fts USING fts5(title, teaser, text, content='articles',
       content_rowid='id', tokenize='unicode61 remove_diacritics 2')""",
    """CREATE VIRTUAL TABLE articles_fts_tri USING fts5(title, teaser, text, content='articles',
       content_rowid='id', tokenize='trigram')""",
    "CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN\n"
    + _sqlite_fts("insert", "new")
    + "END",
    "CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN\n"
    + _sqlite_fts("delete", "old")
    + "END",
    "CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, teaser, text ON articles BEGIN\n"
    + _sqlite_fts("delete", "old")
    + _sqlite_fts("insert", "new")
    + "END",
]
SQLITE_SEARCH_DOWN = [
    "DROP TRIGGER IF EXISTS articles_fts_au",
    "DROP TRIGGER IF EXISTS articles_fts_ad",
    "DROP TRIGGER IF EXISTS articles_fts_ai",
    "DROP TABLE IF EXISTS articles_fts_tri",
    "DROP TABLE IF EXISTS articles_fts",
]

# Full-text search, PostgreSQL: a generated, weighted tsvector ('simple' configuration: no
# stemming, so every language behaves alike) with a GIN index, and partial pg_trgm GIN indexes
# (rows with no-space scripts only; queries repeat the predicate) for substring search.
POSTGRES_SEARCH_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
         setweight(to_tsvector('simple', coalesce(title, '')), 'A')
         || setweight(to_tsvector('simple', coalesce(teaser, '')), 'B')
         || setweight(to_tsvector('simple', coalesce(text, '')), 'C')) STORED""",
    "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)",
    *(
        f"CREATE INDEX ix_articles_{col}_trgm ON articles USING gin ({col} gin_trgm_ops) "
        f"WHERE {col} ~ '{POSTGRES_NO_SPACE_REGEX}'"
        for col in ("title", "teaser", "text")
    ),
]
POSTGRES_SEARCH_DOWN = [
    "DROP INDEX IF EXISTS ix_articles_text_trgm",
    "DROP INDEX IF EXISTS ix_articles_teaser_trgm",
    "DROP INDEX IF EXISTS ix_articles_title_trgm",
    "DROP INDEX IF EXISTS ix_articles_search_vector",
    "ALTER TABLE articles DROP COLUMN IF EXISTS search_vector",
]


def _search_ddl(up: bool) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        statements = SQLITE_SEARCH_UP if up else SQLITE_SEARCH_DOWN
    elif dialect == "postgresql":
        statements = POSTGRES_SEARCH_UP if up else POSTGRES_SEARCH_DOWN
    else:
        raise NotImplementedError(f"dwscrape supports SQLite and PostgreSQL, not {dialect}")
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("name", name=op.f("uq_agencies_name")),
    )
    op.create_table(
        "authors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authors")),
        sa.UniqueConstraint("key", name=op.f("uq_authors_key")),
    )
    with op.batch_alter_table("authors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_authors_name"), ["name"], unique=False)

    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("command", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("discovered", sa.Integer(), nullable=False),
        sa.Column("fetched", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("fill_rates", JSON, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
    )
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crawl_runs_started_at"), ["started_at"], unique=False)

    op.create_table(
        "frontier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("next_fetch_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("lease_owner", sa.Text(), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frontier")),
        sa.UniqueConstraint("url", name=op.f("uq_frontier_url")),
    )
    with op.batch_alter_table("frontier", schema=None) as batch_op:
        batch_op.create_index(
            "ix_frontier_due", ["state", "next_fetch_at", "priority"], unique=False
        )

    op.create_table(
        "raw_pages",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("compression", sa.String(length=8), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_raw_pages")),
    )
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topics")),
        sa.UniqueConstraint("name", name=op.f("uq_topics_name")),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dw_id", sa.BigInteger(), nullable=True),
        sa.Column("canonical_url", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("short_url", sa.Text(), nullable=True),
        sa.Column("content_type", sa.String(length=16), nullable=False),
        sa.Column("layout", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("kicker", sa.Text(), nullable=True),
        sa.Column("teaser", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("blocks", JSON, nullable=False),
        sa.Column("videos", JSON, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_date", sa.Date(), nullable=True),
        sa.Column("published_precision", sa.String(length=8), nullable=True),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("modified_date", sa.Date(), nullable=True),
        sa.Column("modified_precision", sa.String(length=8), nullable=True),
        sa.Column("credit_line", sa.Text(), nullable=True),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=128), nullable=False),
        sa.Column("parser_version", sa.String(length=64), nullable=False),
        sa.Column("current_revision", sa.Integer(), nullable=False),
        sa.Column("raw_page_sha256", sa.String(length=64), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["raw_page_sha256"],
            ["raw_pages.sha256"],
            name=op.f("fk_articles_raw_page_sha256_raw_pages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("canonical_url", name=op.f("uq_articles_canonical_url")),
        sa.UniqueConstraint("dw_id", name=op.f("uq_articles_dw_id")),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_articles_content_type"), ["content_type"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_articles_language"), ["language"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_articles_published_date"), ["published_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_articles_raw_page_sha256"), ["raw_page_sha256"], unique=False
        )

    op.create_table(
        "fetches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_s", sa.Double(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("raw_page_sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["raw_page_sha256"],
            ["raw_pages.sha256"],
            name=op.f("fk_fetches_raw_page_sha256_raw_pages"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_fetches_run_id_crawl_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fetches")),
    )
    with op.batch_alter_table("fetches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fetches_final_url"), ["final_url"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_fetches_raw_page_sha256"), ["raw_page_sha256"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_fetches_run_id"), ["run_id"], unique=False)
        batch_op.create_index("ix_fetches_url_fetched_at", ["url", "fetched_at"], unique=False)

    op.create_table(
        "article_agencies",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_article_agencies_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_agencies_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "article_id", "agency_id", "role", name=op.f("pk_article_agencies")
        ),
    )
    with op.batch_alter_table("article_agencies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_agencies_agency_id"), ["agency_id"], unique=False
        )

    op.create_table(
        "article_authors",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_authors_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["authors.id"], name=op.f("fk_article_authors_author_id_authors")
        ),
        sa.PrimaryKeyConstraint("article_id", "position", name=op.f("pk_article_authors")),
    )
    with op.batch_alter_table("article_authors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_authors_author_id"), ["author_id"], unique=False
        )

    op.create_table(
        "article_credits",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("initials", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_credits_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "role", "position", name=op.f("pk_article_credits")),
    )
    with op.batch_alter_table("article_credits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_credits_initials"), ["initials"], unique=False)

    op.create_table(
        "article_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("revision_no", sa.Integer(), nullable=False),
        sa.Column("cause", sa.String(length=16), nullable=False),
        sa.Column("content_hash", sa.String(length=128), nullable=False),
        sa.Column("parser_version", sa.String(length=64), nullable=False),
        sa.Column("record", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raw_page_sha256", sa.String(length=64), nullable=True),
        sa.Column("fetch_id", sa.Integer(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_revisions_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["fetch_id"],
            ["fetches.id"],
            name=op.f("fk_article_revisions_fetch_id_fetches"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["raw_page_sha256"],
            ["raw_pages.sha256"],
            name=op.f("fk_article_revisions_raw_page_sha256_raw_pages"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_article_revisions_run_id_crawl_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_revisions")),
        sa.UniqueConstraint(
            "article_id", "revision_no", name=op.f("uq_article_revisions_article_id_revision_no")
        ),
    )
    with op.batch_alter_table("article_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_revisions_article_id"), ["article_id"], unique=False
        )

    op.create_table(
        "article_topics",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_topics_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_article_topics_topic_id_topics")
        ),
        sa.PrimaryKeyConstraint("article_id", "position", name=op.f("pk_article_topics")),
    )
    with op.batch_alter_table("article_topics", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_topics_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column("credit", sa.Text(), nullable=True),
        sa.Column("alt", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_images_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_images")),
        sa.UniqueConstraint("article_id", "position", name=op.f("uq_images_article_id_position")),
    )
    op.create_table(
        "url_aliases",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_url_aliases_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_url_aliases")),
    )
    with op.batch_alter_table("url_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_url_aliases_article_id"), ["article_id"], unique=False)

    op.create_table(
        "image_agencies",
        sa.Column("image_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_image_agencies_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["images.id"],
            name=op.f("fk_image_agencies_image_id_images"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("image_id", "agency_id", name=op.f("pk_image_agencies")),
    )
    with op.batch_alter_table("image_agencies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_image_agencies_agency_id"), ["agency_id"], unique=False
        )

    op.create_table(
        "image_photographers",
        sa.Column("image_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["images.id"],
            name=op.f("fk_image_photographers_image_id_images"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("image_id", "position", name=op.f("pk_image_photographers")),
    )
    with op.batch_alter_table("image_photographers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_image_photographers_name"), ["name"], unique=False)

    # ### end Alembic commands ###
    _search_ddl(up=True)


def downgrade() -> None:
    _search_ddl(up=False)
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("image_photographers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_image_photographers_name"))

    op.drop_table("image_photographers")
    with op.batch_alter_table("image_agencies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_image_agencies_agency_id"))

    op.drop_table("image_agencies")
    with op.batch_alter_table("url_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_url_aliases_article_id"))

    op.drop_table("url_aliases")
    op.drop_table("images")
    with op.batch_alter_table("article_topics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_topics_topic_id"))

    op.drop_table("article_topics")
    with op.batch_alter_table("article_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_revisions_article_id"))

    op.drop_table("article_revisions")
    with op.batch_alter_table("article_credits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_credits_initials"))

    op.drop_table("article_credits")
    with op.batch_alter_table("article_authors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_authors_author_id"))

    op.drop_table("article_authors")
    with op.batch_alter_table("article_agencies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_agencies_agency_id"))

    op.drop_table("article_agencies")
    with op.batch_alter_table("fetches", schema=None) as batch_op:
        batch_op.drop_index("ix_fetches_url_fetched_at")
        batch_op.drop_index(batch_op.f("ix_fetches_run_id"))
        batch_op.drop_index(batch_op.f("ix_fetches_raw_page_sha256"))
        batch_op.drop_index(batch_op.f("ix_fetches_final_url"))

    op.drop_table("fetches")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_articles_raw_page_sha256"))
        batch_op.drop_index(batch_op.f("ix_articles_published_date"))
        batch_op.drop_index(batch_op.f("ix_articles_language"))
        batch_op.drop_index(batch_op.f("ix_articles_content_type"))

    op.drop_table("articles")
    op.drop_table("topics")
    op.drop_table("raw_pages")
    with op.batch_alter_table("frontier", schema=None) as batch_op:
        batch_op.drop_index("ix_frontier_due")

    op.drop_table("frontier")
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crawl_runs_started_at"))

    op.drop_table("crawl_runs")
    with op.batch_alter_table("authors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authors_name"))

    op.drop_table("authors")
    op.drop_table("agencies")
    # ### end Alembic commands ###
