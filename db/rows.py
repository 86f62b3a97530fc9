"""Conversions between `scraper.article.Article` and table rows (pure functions, no SQL).

Kept apart from the repository so the mapping of every record field onto a column is in one
short place a reader can check against `Article`.
"""

from __future__ import annotations

from typing import Any

from db.engine import dump_json
from scraper.article import Article, record_content_hash, split_date
from scraper.rawpages import PackedPage, pack, unpack
from scraper.urls import canonicalize, is_short_link

#: The columns of `articles` that come from the record (not bookkeeping).
CONTENT_COLUMNS = (
    "dw_id",
    "canonical_url",
    "url",
    "short_url",
    "content_type",
    "layout",
    "language",
    "title",
    "kicker",
    "teaser",
    "text",
    "blocks",
    "videos",
    "published_at",
    "published_date",
    "published_precision",
    "modified_at",
    "modified_date",
    "modified_precision",
    "credit_line",
    "word_count",
    "content_hash",
    "parser_version",
)


def canonical_key(article: Article) -> str:
    """The canonical URL an article is stored under (its own, or its URL made canonical)."""
    return article.canonical_url or canonicalize(article.url)


def article_row(article: Article, record: dict[str, Any] | None = None) -> dict[str, Any]:
    """The record's columns of the `articles` row (`record`: ``article.to_dict()`` if the
    caller has it already; it is the costly part)."""
    if record is None:
        record = article.to_dict()
    pub_at, pub_date, pub_prec = split_date(article.published_at)
    mod_at, mod_date, mod_prec = split_date(article.modified_at)
    return {
        "dw_id": article.dw_id,
        "canonical_url": canonical_key(article),
        "url": article.url,
        "short_url": article.short_url,
        "content_type": article.content_type,
        "layout": article.layout,
        "language": article.language,
        "title": article.title,
        "kicker": article.kicker,
        "teaser": article.teaser,
        "text": article.text,
        "blocks": record["blocks"],
        "videos": record["videos"],
        "published_at": pub_at,
        "published_date": pub_date,
        "published_precision": pub_prec,
        "modified_at": mod_at,
        "modified_date": mod_date,
        "modified_precision": mod_prec,
        "credit_line": article.credit_line.raw if article.credit_line else None,
        "word_count": article.word_count,
        "content_hash": article.content_hash or record_content_hash(record),
        "parser_version": article.parser_version,
    }


class JSONText:
    """A JSON value already serialised (the text of ``json.dumps``), stored as it is by the
    repository's bulk inserts. Deliberately no `str`: a path that would serialise it again (a
    Core statement's JSON type) fails loudly instead of storing a JSON string of JSON."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def encode_record(record: dict[str, Any]) -> tuple[JSONText, JSONText]:
    """(``record["blocks"]``, `record`) as JSON text, each exactly what `dump_json` gives (the
    serialiser of the JSON columns), but with the blocks, which hold most of a record's text,
    encoded once: the record is spliced from the encoded keys before and after ``blocks`` and
    the blocks' text, not encoded a second time."""
    blocks = dump_json(record["blocks"])
    keys = list(record)
    at = keys.index("blocks")
    head = dump_json({k: record[k] for k in keys[:at]})[1:-1]
    tail = dump_json({k: record[k] for k in keys[at + 1 :]})[1:-1]
    body = ", ".join(part for part in (head, f'"blocks": {blocks}', tail) if part)
    return JSONText(blocks), JSONText("{" + body + "}")


def stored_hash(article: Article) -> str:
    """The hash a stored article is compared by: the record's own, else the fallback of
    `record_content_hash` for records that arrive without one."""
    return article.content_hash or record_content_hash(article.to_dict())


def author_key(name: str, url: str | None) -> str:
    """One author row per person: by profile URL when known, else by case-folded name."""
    return url if url else f"name:{name.strip().casefold()}"


def alias_kind(url: str, canonical: str) -> str:
    """How a URL relates to the canonical one: a short link, a tracking variant of it, or a
    fetched/old-slug URL (anything else that led to the article)."""
    if is_short_link(url):
        return "short"
    if canonicalize(url) == canonical:
        return "tracking"
    return "fetched"


def compress_page(body: bytes | PackedPage) -> PackedPage:
    """A page's bytes hashed and compressed, unless the caller did it already (the crawl
    pipeline compresses next to the parse, off the writer's critical path)."""
    return body if isinstance(body, PackedPage) else pack(body)


def decompress_page(compression: str, data: bytes) -> bytes:
    return unpack(compression, data)
