"""What `query` and `show` make of stored data: search hits and revisions as records for
machines (json, jsonl, csv, table) and as text for people, with the diff of two revisions.

The storage layer's result types are described here by the fields these views read, as
protocols: `scraper` never imports `db`, and any object with these attributes will do.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from typing import Any, Protocol

from scraper.article import Article


class SearchHitView(Protocol):
    """A ranked search result (`db.search.SearchHit`)."""

    @property
    def dw_id(self) -> int | None: ...
    @property
    def url(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def language(self) -> str | None: ...
    @property
    def content_type(self) -> str: ...
    @property
    def published(self) -> dt.datetime | dt.date | None: ...
    @property
    def score(self) -> float: ...
    @property
    def snippet(self) -> str: ...


class RevisionView(Protocol):
    """One stored version of an article (`db.repository.Revision`)."""

    @property
    def revision_no(self) -> int: ...
    @property
    def cause(self) -> str: ...
    @property
    def content_hash(self) -> str: ...
    @property
    def parser_version(self) -> str: ...
    @property
    def created_at(self) -> dt.datetime: ...
    @property
    def article(self) -> Article: ...


class SuspectView(Protocol):
    """A fetched version kept aside (`db.articles.SuspectVersion`)."""

    @property
    def reason(self) -> str: ...
    @property
    def words_before(self) -> int: ...
    @property
    def words_after(self) -> int: ...
    @property
    def created_at(self) -> dt.datetime: ...
    @property
    def raw_page_sha256(self) -> str | None: ...
    @property
    def article(self) -> Article: ...


QUERY_COLUMNS = ("dw_id", "published_at", "language", "title", "snippet", "url")
"""Columns of the table and CSV output of `query` (json/jsonl carry every key)."""


def hit_record(hit: SearchHitView) -> dict[str, Any]:
    return {
        "dw_id": hit.dw_id,
        "published_at": _iso(hit.published),
        "language": hit.language,
        "content_type": hit.content_type,
        "title": hit.title,
        "snippet": hit.snippet,
        "url": hit.url,
        "score": round(hit.score, 4),
    }


def revision_record(rev: RevisionView) -> dict[str, Any]:
    return {
        "revision": rev.revision_no,
        "created_at": _iso(rev.created_at),
        "cause": rev.cause,
        "parser_version": rev.parser_version,
        "content_hash": rev.content_hash,
        "record": rev.article.to_dict(),
    }


def suspect_record(version: SuspectView) -> dict[str, Any]:
    """A version kept aside, in the list of revisions: no revision number, cause ``suspect``."""
    return {
        "revision": None,
        "created_at": _iso(version.created_at),
        "cause": "suspect",
        "reason": version.reason,
        "words_before": version.words_before,
        "words_after": version.words_after,
        "raw_page_sha256": version.raw_page_sha256,
        "record": version.article.to_dict(),
    }


def suspect_line(version: SuspectView) -> str:
    return (
        f"suspect     {_iso(version.created_at)}  reason={version.reason}  "
        f"words {version.words_before} -> {version.words_after}  kept aside, not current"
    )


def revision_line(rev: RevisionView) -> str:
    return (
        f"revision {rev.revision_no}  {_iso(rev.created_at)}  cause={rev.cause}  "
        f"parser={rev.parser_version}  hash={rev.content_hash[:12]}"
    )


def revision_diff(revs: Sequence[RevisionView]) -> str:
    """A unified diff of the title, teaser, text and credit line of the last two revisions."""
    if len(revs) < 2:
        return "only one revision stored: nothing to diff\n"
    old, new = revs[-2], revs[-1]
    lines = difflib.unified_diff(
        _diffable(old.article).splitlines(keepends=True),
        _diffable(new.article).splitlines(keepends=True),
        fromfile=f"revision {old.revision_no} ({old.cause}, {_iso(old.created_at)})",
        tofile=f"revision {new.revision_no} ({new.cause}, {_iso(new.created_at)})",
    )
    return "".join(lines) or "no textual difference\n"


def _diffable(article: Article) -> str:
    record = article.to_dict()
    head = [f"title: {record['title']}", f"teaser: {record['teaser']}"]
    credit = record.get("credit_line") or {}
    return "\n".join([*head, "", record["text"], "", f"credit: {credit.get('raw')}"]) + "\n"


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None
