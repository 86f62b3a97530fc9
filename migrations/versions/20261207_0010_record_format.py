"""The text form of each stored record, so an export can stream it without decoding it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 02:00:00.000000

``article_revisions.record_format`` holds `scraper.article.RECORD_FORMAT` of the code that
wrote the record: its keys and their order, and that its characters are kept (not escaped).
Rows written before stay NULL and are exported the long way, as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("article_revisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("record_format", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("article_revisions", schema=None) as batch_op:
        batch_op.drop_column("record_format")
