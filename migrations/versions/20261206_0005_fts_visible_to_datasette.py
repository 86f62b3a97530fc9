"""Datasette and sqlite-utils find the word index of the SQLite database

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 22:00:00.000000

Both tools find a table's full-text index by a pattern on the index's DDL in ``sqlite_master``
(``detect_fts``: ``content="articles"`` or ``content=[articles]``), so with the single-quoted
``content='articles'`` of revision 0001 Datasette showed no search box and ignored
``?_search=``, and ``sqlite-utils search`` said the table was not configured for full-text
search. This revision declares the word index `articles_fts` again with the double-quoted form;
FTS5 dequotes option values alike, so dwscrape's own search and the triggers are unaffected.

The trigram index `articles_fts_tri` keeps ``content='articles'`` on purpose: Datasette takes
the first index its pattern matches, and the trigram index (filled only for rows in scripts
written without spaces) would silently answer a Latin-script search with nothing.

Both indexes keep SQLite's built-in tokenizers: a custom tokenizer would make the file
unreadable to any tool that does not register it. The index is re-filled from the articles
(``rebuild``), about a second per 10k articles.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WORD_INDEX = (
    "CREATE VIRTUAL TABLE articles_fts USING fts5(title, teaser, text, content={quote}articles"
    "{quote}, content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
)


def _redeclare_word_index(quote: str) -> None:
    """Drop and re-create the index, then fill it from `articles`. The triggers that maintain it
    name it only in their bodies, so they survive the drop and keep working once it is back."""
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE articles_fts")
    op.execute(_WORD_INDEX.format(quote=quote))
    op.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")


def upgrade() -> None:
    _redeclare_word_index('"')


def downgrade() -> None:
    _redeclare_word_index("'")
