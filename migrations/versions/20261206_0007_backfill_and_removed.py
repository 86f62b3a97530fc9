"""Archive backfill progress, articles removed from dw.com, discovery reports of runs

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 23:00:00.000000

- ``backfill_sitemaps``: the archive sitemaps a backfill has finished (every URL they list is
  in the frontier), so the next invocation resumes at the first unfinished one;
- ``articles.removed_at``: when a stored article's URL first answered 404/410 or a soft 404
  (the article is kept; a later 200 clears it);
- ``crawl_runs.discovery``: what each discovery source of each language gave, and what failed.

Columns are added with plain ``ALTER TABLE … ADD COLUMN`` (nullable), never a batch copy of the
table: SQLite's full-text triggers on ``articles`` must survive.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "backfill_sitemaps",
        sa.Column("sitemap_url", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("urls", sa.Integer(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sitemap_url", name=op.f("pk_backfill_sitemaps")),
    )
    op.create_index(op.f("ix_backfill_sitemaps_lang"), "backfill_sitemaps", ["lang"], unique=False)
    op.add_column("articles", sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("crawl_runs", sa.Column("discovery", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_column("discovery")
    if op.get_bind().dialect.name == "sqlite":
        # DROP COLUMN in place (SQLite 3.35+): a batch copy would lose the FTS triggers
        op.execute("ALTER TABLE articles DROP COLUMN removed_at")
    else:
        op.drop_column("articles", "removed_at")
    op.drop_index(op.f("ix_backfill_sitemaps_lang"), table_name="backfill_sitemaps")
    op.drop_table("backfill_sitemaps")
