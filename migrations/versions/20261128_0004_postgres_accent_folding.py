"""PostgreSQL search folds accents, as SQLite's does: `uber` finds `über`, `sao paulo` finds
`São Paulo`

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 21:00:00.000000

SQLite's word index (FTS5 ``unicode61 remove_diacritics 2``) has always folded diacritics;
PostgreSQL's ``simple`` configuration does not, so the same query found different articles on
the two databases. This revision adds the ``unaccent`` extension (contrib, a trusted extension
since PostgreSQL 13, like ``pg_trgm`` which revision 0001 already needs) and a text-search
configuration ``dwscrape_simple``: ``simple`` with ``unaccent`` in front of it for every word
token type, so both the stored vectors and the queries (`db.search.TS_CONFIG`) are folded. Still
no stemming (every DW language alike). The sync function of revision 0003 switches to it and
every stored vector is recomputed (about a minute per 100k articles).

SQLite: nothing to do.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Token types of the ``simple`` parser that carry words (numbers, URLs, e-mails stay as-is).
_WORD_TOKENS = "asciiword, asciihword, hword_asciipart, word, hword, hword_part"


def _vector(config: str, row: str) -> str:
    return (
        f"setweight(to_tsvector('{config}', coalesce({row}title, '')), 'A')"
        f" || setweight(to_tsvector('{config}', coalesce({row}teaser, '')), 'B')"
        f" || setweight(to_tsvector('{config}', coalesce({row}text, '')), 'C')"
    )


def _sync_function(config: str) -> str:
    """Revision 0003's trigger function, computing the vector with `config`."""
    return f"""CREATE OR REPLACE FUNCTION article_search_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO article_search (article_id, search_vector)
    VALUES (NEW.id, {_vector(config, "NEW.")})
    ON CONFLICT (article_id) DO UPDATE SET search_vector = EXCLUDED.search_vector;
    RETURN NULL;
END
$$"""


def _recompute(config: str) -> str:
    return (
        f"UPDATE article_search AS s SET search_vector = {_vector(config, 'a.')} "
        "FROM articles AS a WHERE a.id = s.article_id"
    )


POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION dwscrape_simple (COPY = simple)",
    f"ALTER TEXT SEARCH CONFIGURATION dwscrape_simple ALTER MAPPING FOR {_WORD_TOKENS} "
    "WITH unaccent, simple",
    _sync_function("dwscrape_simple"),
    _recompute("dwscrape_simple"),
    "ANALYZE article_search",
]

POSTGRES_DOWN = [
    _sync_function("simple"),
    _recompute("simple"),
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS dwscrape_simple",
    # the extension stays: other schemas of the database may use it, and it holds no data
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
