"""The article record: dwscrape's one domain object and its public JSON format.

Every stage of the pipeline speaks in these frozen dataclasses: the parser produces an
`Article`, the repository stores and returns one, the CLI prints one. `Article.to_dict()` is the
public record format (documented in README.md and `scraper/article.schema.json`);
`Article.from_dict()` reads it back, so a stored revision can be turned into an `Article` again.

Dates: `published_at` / `modified_at` are either a timezone-aware UTC `datetime` or, where the
page gives only the day, a plain `date` (serialised as `YYYY-MM-DD`): day precision is kept,
never faked as midnight.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, NamedTuple

from scraper import dates

SCHEMA_VERSION = 1

ContentType = Literal["article", "video", "audio", "gallery", "liveblog"]
Layout = Literal["classic", "relaunch"]
BlockType = Literal["paragraph", "heading", "image", "video", "quote", "list"]

DateValue = dt.datetime | dt.date


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Image:
    url: str | None
    caption: str | None = None
    credit: str | None = None
    alt: str | None = None
    agencies: tuple[str, ...] = ()
    photographers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Video:
    url: str | None
    title: str | None = None
    duration_s: int | None = None


@dataclass(frozen=True, slots=True)
class CreditLine:
    """The closing line of a DW text, e.g. ``js,tg/msh (AP, Reuters)``."""

    raw: str
    writers: tuple[str, ...] = ()
    editors: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Block:
    """One body element in page order.

    `text` is the plain text (for a list: items joined by newlines; for an image or video the
    caption or title). `items` holds list items; `image` / `video` index into
    `Article.images` / `Article.videos`; `level` is a heading level.
    """

    type: BlockType
    text: str | None = None
    level: int | None = None
    items: tuple[str, ...] = ()
    image: int | None = None
    video: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "text": self.text}
        if self.level is not None:
            out["level"] = self.level
        if self.items:
            out["items"] = list(self.items)
        if self.image is not None:
            out["image"] = self.image
        if self.video is not None:
            out["video"] = self.video
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Block:
        return cls(
            type=data["type"],
            text=data.get("text"),
            level=data.get("level"),
            items=tuple(data.get("items") or ()),
            image=data.get("image"),
            video=data.get("video"),
        )


@dataclass(frozen=True, slots=True)
class Article:
    """A parsed, normalised DW article (or video/audio/gallery/live-blog page)."""

    url: str
    canonical_url: str | None
    dw_id: int | None
    content_type: ContentType
    layout: Layout
    language: str | None
    title: str | None
    short_url: str | None = None
    kicker: str | None = None
    topics: tuple[str, ...] = ()
    teaser: str | None = None
    published_at: DateValue | None = None
    modified_at: DateValue | None = None
    authors: tuple[Author, ...] = ()
    blocks: tuple[Block, ...] = ()
    text: str = ""
    images: tuple[Image, ...] = ()
    videos: tuple[Video, ...] = ()
    credit_line: CreditLine | None = None
    agencies: tuple[str, ...] = ()
    word_count: int = 0
    content_hash: str = ""
    parser_version: str = ""
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The public JSON record (see `scraper/article.schema.json`). `warnings` are not part
        of it: they describe one parse, not the article."""
        return {
            "schema_version": SCHEMA_VERSION,
            "url": self.url,
            "canonical_url": self.canonical_url,
            "short_url": self.short_url,
            "dw_id": self.dw_id,
            "content_type": self.content_type,
            "layout": self.layout,
            "language": self.language,
            "title": self.title,
            "kicker": self.kicker,
            "topics": list(self.topics),
            "teaser": self.teaser,
            "published_at": format_date(self.published_at),
            "modified_at": format_date(self.modified_at),
            "authors": [{"name": a.name, "url": a.url} for a in self.authors],
            "blocks": [b.to_dict() for b in self.blocks],
            "text": self.text,
            "images": [
                {
                    "url": i.url,
                    "caption": i.caption,
                    "credit": i.credit,
                    "alt": i.alt,
                    "agencies": list(i.agencies),
                    "photographers": list(i.photographers),
                }
                for i in self.images
            ],
            "videos": [
                {"url": v.url, "title": v.title, "duration_s": v.duration_s} for v in self.videos
            ],
            "credit_line": (
                {
                    "raw": self.credit_line.raw,
                    "writers": list(self.credit_line.writers),
                    "editors": list(self.credit_line.editors),
                    "agencies": list(self.credit_line.agencies),
                }
                if self.credit_line
                else None
            ),
            "agencies": list(self.agencies),
            "word_count": self.word_count,
            "content_hash": self.content_hash,
            "parser_version": self.parser_version,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """Inverse of `to_dict` (unknown keys are ignored, so older records still load)."""
        cl = data.get("credit_line")
        return cls(
            url=data["url"],
            canonical_url=data.get("canonical_url"),
            short_url=data.get("short_url"),
            dw_id=data.get("dw_id"),
            content_type=data.get("content_type") or "article",
            layout=data.get("layout") or "relaunch",
            language=data.get("language"),
            title=data.get("title"),
            kicker=data.get("kicker"),
            topics=tuple(data.get("topics") or ()),
            teaser=data.get("teaser"),
            published_at=parse_date(data.get("published_at")),
            modified_at=parse_date(data.get("modified_at")),
            authors=tuple(Author(a["name"], a.get("url")) for a in data.get("authors") or ()),
            blocks=tuple(Block.from_dict(b) for b in data.get("blocks") or ()),
            text=data.get("text") or "",
            images=tuple(
                Image(
                    url=i.get("url"),
                    caption=i.get("caption"),
                    credit=i.get("credit"),
                    alt=i.get("alt"),
                    agencies=tuple(i.get("agencies") or ()),
                    photographers=tuple(i.get("photographers") or ()),
                )
                for i in data.get("images") or ()
            ),
            videos=tuple(
                Video(v.get("url"), v.get("title"), v.get("duration_s"))
                for v in data.get("videos") or ()
            ),
            credit_line=(
                CreditLine(
                    raw=cl["raw"],
                    writers=tuple(cl.get("writers") or ()),
                    editors=tuple(cl.get("editors") or ()),
                    agencies=tuple(cl.get("agencies") or ()),
                )
                if cl
                else None
            ),
            agencies=tuple(data.get("agencies") or ()),
            word_count=int(data.get("word_count") or 0),
            content_hash=data.get("content_hash") or "",
            parser_version=data.get("parser_version") or "",
        )

    def with_changes(self, **changes: Any) -> Article:
        return replace(self, **changes)


def format_date(value: DateValue | None) -> str | None:
    """UTC ISO-8601 for a datetime (``2023-09-13T08:31:00Z``), ``YYYY-MM-DD`` for a day."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime in an Article: {value!r}")
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


class DateParts(NamedTuple):
    """A record date as tables hold it: the UTC timestamp when known to the second, the UTC day
    always (so a date filter or a per-day count works on both precisions), and the precision."""

    at: dt.datetime | None
    day: dt.date | None
    precision: Literal["second", "day"] | None


def split_date(value: DateValue | None) -> DateParts:
    """`DateParts` of a record date: a `date` keeps day precision with no timestamp, never
    faked as midnight; a `datetime` gives its UTC timestamp and its UTC day."""
    if value is None:
        return DateParts(None, None, None)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime in an Article: {value!r}")
        utc = value.astimezone(dt.UTC)
        return DateParts(utc, utc.date(), "second")
    return DateParts(None, value, "day")


def parse_date(value: str | None) -> DateValue | None:
    """Inverse of `format_date`."""
    if not value:
        return None
    if len(value) == 10:
        return dates.parse_iso_day(value)
    return dates.parse_iso(value)


#: The record's keys in the order `Article.to_dict` writes them (the JSONL key order, which CSV
#: and Parquet follow too), taken from `to_dict` itself so the two cannot drift apart.
RECORD_KEYS: tuple[str, ...] = tuple(
    Article(
        url="", canonical_url=None, dw_id=None, content_type="article", layout="relaunch",
        language=None, title=None,
    ).to_dict()
)  # fmt: skip

#: Names the text form of a stored record: its keys in `RECORD_KEYS` order, characters beyond
#: ASCII kept (`db.engine.dump_json`). Stored beside each revision (`record_format`), so that an
#: export can write a record whose format is the current one as it is stored, without decoding
#: it. Derived from the keys, so adding, removing or moving a field changes it by itself.
RECORD_FORMAT: int = zlib.crc32("|".join(("utf8", *RECORD_KEYS)).encode())


def content_digest(
    title: str | None,
    teaser: str | None,
    blocks: Iterable[Block],
    images: Iterable[Image],
    credit_line: CreditLine | None,
) -> str:
    """The content hash: sha256 (hex) of the normalised content — title, teaser, body blocks,
    image captions and credits, credit line. Not dates, URLs or the parser version, so an
    unchanged text re-parsed by a newer parser keeps its hash. The one definition: the
    normaliser stamps it on every `Article`, storage compares by it."""
    payload = {
        "title": title,
        "teaser": teaser,
        "blocks": [[b.type, b.text, list(b.items)] for b in blocks],
        "images": [[i.caption, i.credit] for i in images],
        "credit_line": credit_line.raw if credit_line else None,
    }
    encoded = _HASH_JSON.encode(payload)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def content_hash_of(article: Article) -> str:
    """`content_digest` of an article's own fields (what its ``content_hash`` holds when the
    normaliser built it)."""
    return content_digest(
        article.title, article.teaser, article.blocks, article.images, article.credit_line
    )


#: What ``json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)``
#: uses, made once (``dumps`` builds an encoder per call).
_HASH_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def record_content_hash(record: Mapping[str, Any]) -> str:
    """The content hash of a record that arrived without one (built by hand, or by a tool that
    left ``content_hash`` empty): sha256 of its title and text, prefixed ``sha256:`` so it can
    never be mistaken for the parser's own hash. Storage compares records by it."""
    basis = f"{record.get('title') or ''}\n{record.get('text') or ''}"
    return "sha256:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()
