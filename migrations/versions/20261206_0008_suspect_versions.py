"""Suspect versions: fetched versions kept aside instead of replacing a revision with text

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 23:00:00.000000

A fetched version whose text is empty, or shrank past the threshold, while the page does not
say it was updated (no newer ``modified_at``), no longer becomes the current revision: its row
goes to ``suspect_versions`` (its raw page is kept as usual) and each run counts them in
``crawl_runs.suspect``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("suspect", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    op.create_table(
        "suspect_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("words_before", sa.Integer(), nullable=False),
        sa.Column("record", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raw_page_sha256", sa.String(length=64), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_suspect_versions_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["raw_page_sha256"],
            ["raw_pages.sha256"],
            name=op.f("fk_suspect_versions_raw_page_sha256_raw_pages"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_suspect_versions_run_id_crawl_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suspect_versions")),
    )
    with op.batch_alter_table("suspect_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suspect_versions_article_id"), ["article_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("suspect_versions")
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_column("suspect")
