"""Clean rows stored before: credentials in URLs, NUL and control characters in text

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 23:40:00.000000

dwscrape now strips ``user:pass@`` from every URL it stores or prints, and removes NUL and
other non-whitespace control characters from every text field, so a record is the same on
SQLite and PostgreSQL (which refuses NUL in text). Rows stored before are cleaned the same
way here. A URL whose cleaned form is already stored (a unique column) keeps the existing row:
a duplicate frontier entry or alias is dropped, an article row is left as it was. Text with
NUL could only be stored on SQLite. The rules are written out here, not imported: a migration
must not change when the code does. Downgrade is a no-op (the credentials are not restored).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_USERINFO = re.compile(r"^(\s*(?:[A-Za-z][A-Za-z0-9+.-]*:)?//)[^/?#]*@")
#: The control characters the normaliser removes (tab, newlines and the separators kept).
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")

#: (table, key column, URL column, unique?, on a clash: "drop" the row or "keep" it as it is)
URL_COLUMNS = (
    ("articles", "id", "url", False, "keep"),
    ("articles", "id", "canonical_url", True, "keep"),
    ("fetches", "id", "url", False, "keep"),
    ("fetches", "id", "final_url", False, "keep"),
    ("frontier", "id", "url", True, "drop"),
    ("url_aliases", "url", "url", True, "drop"),
)
TEXT_COLUMNS = ("title", "kicker", "teaser", "text", "credit_line")
JSON_COLUMNS = (("articles", "blocks"), ("articles", "videos"), ("article_revisions", "record"))


def _strip(url: str) -> str:
    return _USERINFO.sub(r"\1", url, count=1) if "@" in url else url


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _CONTROLS.sub("", value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def _clean_urls(conn: sa.Connection) -> None:
    for table, key, column, unique, on_clash in URL_COLUMNS:
        rows = conn.execute(
            sa.text(f"SELECT {key}, {column} FROM {table} WHERE {column} LIKE '%@%'")
        ).all()
        for row_key, url in rows:
            clean = _strip(url)
            if clean == url:
                continue
            if unique:
                taken = conn.execute(
                    sa.text(f"SELECT 1 FROM {table} WHERE {column} = :u"), {"u": clean}
                ).first()
                if taken is not None:
                    if on_clash == "drop":
                        conn.execute(
                            sa.text(f"DELETE FROM {table} WHERE {key} = :k"), {"k": row_key}
                        )
                    continue
            conn.execute(
                sa.text(f"UPDATE {table} SET {column} = :u WHERE {key} = :k"),
                {"u": clean, "k": row_key},
            )


def _clean_text(conn: sa.Connection) -> None:
    """SQLite only: PostgreSQL never stored a NUL. Rows with a control character are found by
    the NUL (the case that matters) or by the JSON escape of one."""
    for column in TEXT_COLUMNS:
        rows = conn.execute(
            sa.text(f"SELECT id, {column} FROM articles WHERE instr({column}, char(0)) > 0")
        ).all()
        for row_id, value in rows:
            conn.execute(
                sa.text(f"UPDATE articles SET {column} = :v WHERE id = :i"),
                {"v": _clean(value), "i": row_id},
            )
    for table, column in JSON_COLUMNS:
        rows = conn.execute(
            sa.text(f"SELECT id, {column} FROM {table} WHERE {column} LIKE :p ESCAPE '!'"),
            {"p": "%\\u0000%"},
        ).all()
        for row_id, value in rows:
            data = json.loads(value) if isinstance(value, str) else value
            conn.execute(
                sa.text(f"UPDATE {table} SET {column} = :v WHERE id = :i"),
                {"v": json.dumps(_clean(data)), "i": row_id},
            )


def upgrade() -> None:
    conn = op.get_bind()
    _clean_urls(conn)
    if conn.dialect.name == "sqlite":
        _clean_text(conn)


def downgrade() -> None:
    pass  # credentials removed from URLs are not restored
