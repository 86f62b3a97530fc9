"""search speed: the repository fills the FTS5 indexes of new articles in bulk (the per-row
insert trigger stands aside while it does); a covering index of the search filter columns

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 18:20:00.000000

Measured on full-size DW records (docs/storage.md), the SQLite insert trigger was the biggest
single cost of storing a new article:
- its test "does this row contain text in a script without spaces" (a GLOB with eight
  character ranges over title, teaser and text) took ~0.7 ms per article;
- even without it, feeding the word index from a per-row trigger took ~0.55 ms per article,
  against ~0.25 ms for one ``executemany`` into the FTS5 table after the batch.
So the repository's inserts now enter `articles_fts` (and, when they contain no-space-script
text, which Python tests in microseconds, `articles_fts_tri`) through
`db.repository.Repository._index_new_articles`. While it does, it sets
``articles_fts_sync.repository_indexes = 1`` inside its transaction, and the insert trigger's
WHEN clause skips those rows; any other insert (by hand, with plain SQL) is still indexed by the
trigger exactly as before. The update and delete triggers are unchanged (they fire only for
changed or deleted articles and use the same test in SQL, so both indexes stay consistent).

`ix_articles_search_filter` (SQLite only) covers the columns search filters read, so joining
FTS5 matches to their filters never touches the wide article rows, whose later columns sit in
overflow pages behind the text (a common term with a language + date filter: 75 -> 17 ms).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_initial = importlib.import_module("migrations.versions.20261128_0001_initial_schema")


SYNC_TABLE = (
    "CREATE TABLE articles_fts_sync (repository_indexes INTEGER NOT NULL DEFAULT 0 "
    "CHECK (repository_indexes IN (0, 1)))"
)
FILTER_INDEX = (
    "CREATE INDEX ix_articles_search_filter ON articles "
    "(id, language, content_type, published_date, published_at)"
)
INSERT_TRIGGER_BODY = _initial._sqlite_fts("insert", "new")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(FILTER_INDEX)
    op.execute(SYNC_TABLE)
    op.execute("INSERT INTO articles_fts_sync (repository_indexes) VALUES (0)")
    op.execute("DROP TRIGGER IF EXISTS articles_fts_ai")
    op.execute(
        "CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles\n"
        "WHEN (SELECT repository_indexes FROM articles_fts_sync) = 0 BEGIN\n"
        + INSERT_TRIGGER_BODY
        + "END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS articles_fts_ai")
    op.execute(
        "CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN\n"
        + INSERT_TRIGGER_BODY
        + "END"
    )
    op.execute("DROP TABLE IF EXISTS articles_fts_sync")
    op.execute("DROP INDEX IF EXISTS ix_articles_search_filter")
