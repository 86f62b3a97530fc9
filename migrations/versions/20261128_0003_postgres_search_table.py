"""PostgreSQL search speed: the articles' search vectors move to a narrow table of their own,
`article_search`, kept by a trigger on `articles`; the generated column goes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 20:00:00.000000

Measured at 100k articles (docs/storage.md): ranking 500 candidates with ``ts_rank_cd`` took
~9 ms when it read each vector from the generated `articles.search_vector` column, against ~3 ms
from a narrow table that keeps the vectors in its rows. The vectors of 4,000-character texts are
~4.6 kB and do not compress with pglz, so in the wide article row they were moved out of line
into TOAST: every candidate cost a TOAST index probe and three chunk reads. A narrow table alone
does not avoid that (with the default storage its vectors went to TOAST too: ~9 ms); so in
`article_search` the column's storage is MAIN: a vector stays in its row (one row per page)
unless it cannot fit a page at all (over ~8 kB, the longest articles), and the row the GIN
bitmap scan fetches already holds the vector that ranks it.

The table is filled by the database itself, so the repository's write path is unchanged: one
PL/pgSQL function computes the weighted vector (title A, teaser B, text C, the ``simple``
configuration, exactly the expression of the old generated column) and upserts it, run by an
insert trigger and by an update trigger that fires only when title, teaser or text really
change. Deleting an article deletes its row (foreign key ON DELETE CASCADE). The upgrade copies
the existing vectors from the generated column (no recomputation), then drops it and its GIN
index: nothing reads them any more, and keeping the column would compute every vector twice.
The downgrade restores the generated column (recomputed from the texts) and its index.

SQLite: nothing to do (its FTS5 tables already are separate, narrow structures).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def search_vector(row: str) -> str:
    """The weighted search vector of an article row (`row` prefixes the columns: ``NEW.`` in
    the trigger, empty in the generated column of revisions 0001-0002)."""
    return (
        f"setweight(to_tsvector('simple', coalesce({row}title, '')), 'A')\n"
        f"         || setweight(to_tsvector('simple', coalesce({row}teaser, '')), 'B')\n"
        f"         || setweight(to_tsvector('simple', coalesce({row}text, '')), 'C')"
    )


SYNC_FUNCTION = f"""CREATE FUNCTION article_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO article_search (article_id, search_vector)
    VALUES (NEW.id, {search_vector("NEW.")})
    ON CONFLICT (article_id) DO UPDATE SET search_vector = EXCLUDED.search_vector;
    RETURN NULL;
END
$$"""

POSTGRES_UP = [
    """CREATE TABLE article_search (
         article_id integer NOT NULL,
         search_vector tsvector NOT NULL,
         CONSTRAINT pk_article_search PRIMARY KEY (article_id),
         CONSTRAINT fk_article_search_article_id_articles FOREIGN KEY (article_id)
           REFERENCES articles (id) ON DELETE CASCADE)""",
    "ALTER TABLE article_search ALTER COLUMN search_vector SET STORAGE MAIN",
    SYNC_FUNCTION,
    # Created before the copy: the trigger's lock holds off writers until this transaction
    # commits, so no article can slip in between the copy and the trigger.
    "CREATE TRIGGER article_search_ai AFTER INSERT ON articles\n"
    "FOR EACH ROW EXECUTE FUNCTION article_search_sync()",
    "CREATE TRIGGER article_search_au AFTER UPDATE OF title, teaser, text ON articles\n"
    "FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title\n"
    "  OR OLD.teaser IS DISTINCT FROM NEW.teaser OR OLD.text IS DISTINCT FROM NEW.text)\n"
    "EXECUTE FUNCTION article_search_sync()",
    "INSERT INTO article_search (article_id, search_vector) "
    "SELECT id, search_vector FROM articles ORDER BY id",
    "CREATE INDEX ix_article_search_vector ON article_search USING gin (search_vector)",
    "DROP INDEX ix_articles_search_vector",
    "ALTER TABLE articles DROP COLUMN search_vector",
    "ANALYZE article_search",
]

POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS article_search_au ON articles",
    "DROP TRIGGER IF EXISTS article_search_ai ON articles",
    "DROP FUNCTION IF EXISTS article_search_sync()",
    f"""ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
         {search_vector("")}) STORED""",
    "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)",
    "DROP TABLE IF EXISTS article_search",
]


def _run(statements: list[str]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    _run(POSTGRES_UP)


def downgrade() -> None:
    _run(POSTGRES_DOWN)
