"""Never a worse revision by accident: the rule that keeps a fetched version aside.

A page that comes back with no text, or with much less text than the stored revision, while it
does not say it was updated (its ``modified_at`` is not newer), is far more often a broken
response (a half-rendered page, an error page with a 200, a changed layout the parser misses)
than an editorial change. Such a version does not become the current revision: it is kept in
``suspect_versions`` (its raw page is stored as always, so it can be re-parsed or inspected) and
counted as ``suspect`` in the run. Items that never had body text (videos, audio items) are not
affected, and neither is a re-parse by a newer parser (cause ``parser``), which is deliberate.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, insert

from db import models as m
from scraper.article import Article

ENV_MAX_TEXT_SHRINK = "DWSCRAPE_MAX_TEXT_SHRINK"
#: The share of its words a page may lose without saying it was updated (0.5: half).
DEFAULT_MAX_TEXT_SHRINK = 0.5
#: Content types whose pages may well have no body text at all.
TEXTLESS_TYPES = frozenset({"video", "audio"})

Reason = Literal["empty_text", "text_shrank"]


@dataclass(frozen=True, slots=True)
class StoredText:
    """What the rule needs of the current revision."""

    words: int
    modified: dt.datetime | dt.date | None


def max_text_shrink_from_env() -> float:
    """`DWSCRAPE_MAX_TEXT_SHRINK` (a share between 0 and 1), else the default."""
    try:
        value = float(os.environ.get(ENV_MAX_TEXT_SHRINK, DEFAULT_MAX_TEXT_SHRINK))
    except ValueError:
        return DEFAULT_MAX_TEXT_SHRINK
    return value if 0 <= value <= 1 else DEFAULT_MAX_TEXT_SHRINK


def suspect_reason(stored: StoredText, fetched: Article, max_shrink: float) -> Reason | None:
    """Why `fetched` must not replace the stored revision, or None when it may."""
    if stored.words == 0 or fetched.content_type in TEXTLESS_TYPES:
        return None
    before, after = _instant(stored.modified), _instant(fetched.modified_at)
    if before is not None and after is not None and after > before:
        return None  # the page says it was updated: a shorter text is an editorial change
    if fetched.word_count == 0 or not fetched.text.strip():
        return "empty_text"
    if fetched.word_count < stored.words * (1 - max_shrink):
        return "text_shrank"
    return None


def _instant(value: dt.datetime | dt.date | None) -> dt.datetime | None:
    """A day-precision date as its midnight UTC, so both precisions compare."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class SuspectRow:
    article_id: int
    reason: Reason
    words_before: int
    article: Article
    raw_page_sha256: str | None


def keep_suspects(
    conn: Connection, rows: list[SuspectRow], run_id: int | None, now: dt.datetime
) -> None:
    """Record the versions kept aside (the article rows themselves are not touched here)."""
    if not rows:
        return
    values: list[dict[str, Any]] = [
        {
            "article_id": row.article_id,
            "reason": row.reason,
            "words_before": row.words_before,
            "record": row.article.to_dict(),
            "created_at": now,
            "raw_page_sha256": row.raw_page_sha256,
            "run_id": run_id,
        }
        for row in rows
    ]
    conn.execute(insert(m.suspect_versions), values)
