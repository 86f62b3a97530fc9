"""Assembly: from the raw per-layout fields a parser found to a clean `Article`.

The layout parsers only locate things; `build_article` cleans every string (`text`), splits
image credits (`credits`), derives the body text, word count and content hash, and turns
missing expected fields into warnings. `PARSER_VERSION` changes whenever extraction output
may change; the content hash deliberately leaves it out (and dates and URLs), so re-parsing
unchanged content with a newer parser keeps the hash unless the extracted content changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import structlog

from scraper.article import (
    Article,
    Author,
    Block,
    BlockType,
    ContentType,
    CreditLine,
    DateValue,
    Image,
    Layout,
    Video,
    content_digest,
)
from scraper.normalize.credits import split_image_credit
from scraper.normalize.text import (
    append_unique,
    clean_text,
    drop_controls,
    drop_controls_opt,
)

log = structlog.get_logger(__name__)

PARSER_VERSION = "dw-1.0.0"


@dataclass(slots=True)
class RawImage:
    url: str | None
    caption: str | None = None
    credit: str | None = None  # raw, prefix and all
    alt: str | None = None


@dataclass(slots=True)
class RawBlock:
    type: BlockType
    text: str | None = None
    level: int | None = None
    items: list[str] = field(default_factory=list)
    image: RawImage | None = None
    video: Video | None = None
    in_body: bool = False  # found inside the body container (vs. lead media above it)
    #: ``clean_text(text)`` when the parser already computed it (reset if text changes).
    cleaned: str | None = None


@dataclass(slots=True)
class RawArticle:
    """What a layout parser found, before clean-up. Strings may hold nbsp, React pieces,
    trailing spaces; dates are already typed (the parser knows their source)."""

    layout: Layout
    url: str | None = None
    canonical_url: str | None = None
    dw_id: int | None = None
    content_type: ContentType = "article"
    language: str | None = None
    title: str | None = None
    kicker_parts: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    teaser: str | None = None
    published_at: DateValue | None = None
    modified_at: DateValue | None = None
    authors: list[Author] = field(default_factory=list)
    short_url: str | None = None
    #: Images shown above the body (the hero): in `Article.images` first, but not blocks.
    lead_images: list[RawImage] = field(default_factory=list)
    blocks: list[RawBlock] = field(default_factory=list)
    #: The closing credit line, parsed (the parser recognises it by parsing it).
    credit_line: CreditLine | None = None
    warnings: list[str] = field(default_factory=list)


#: Fields whose absence on an article-like page earns a warning (authors are legitimately
#: absent on agency pieces, so they are not listed).
_EXPECTED = ("title", "teaser", "published_at", "canonical_url", "short_url", "language")

TEXT_BLOCK_TYPES = frozenset({"paragraph", "heading", "quote", "list"})


def build_article(raw: RawArticle) -> Article:
    """Clean every field of ``raw`` and compute the derived ones (text, word count, agencies,
    hash). Missing expected fields become warnings (and ``parse.field_missing`` log events)."""
    images: list[Image] = [i for i in (build_image(r) for r in raw.lead_images) if i]
    videos: list[Video] = []
    blocks: list[Block] = []
    for rb in raw.blocks:
        block = _build_block(rb, images, videos)
        if block is not None:
            blocks.append(block)

    credit_line = raw.credit_line
    texts = [b.text for b in blocks if b.type in TEXT_BLOCK_TYPES and b.text]
    text = "\n\n".join(texts)
    # Every text block is `clean_text` output (lists: such lines joined by "\n"), whose only
    # whitespace is single inner spaces: its words are its spaces and newlines plus one.
    # Counting them spares `len(text.split())` building a list of every word.
    word_count = text.count(" ") + text.count("\n") - len(texts) + 2 if texts else 0
    kicker = " | ".join(p for p in (clean_text(k) for k in raw.kicker_parts) if p) or None

    fields: dict[str, Any] = dict(
        url=drop_controls(raw.url or raw.canonical_url or ""),
        canonical_url=drop_controls_opt(raw.canonical_url),
        dw_id=raw.dw_id,
        content_type=raw.content_type,
        layout=raw.layout,
        language=raw.language,
        title=clean_text(raw.title),
        short_url=drop_controls_opt(raw.short_url),
        kicker=kicker,
        topics=_unique_topics(raw.topics),
        teaser=clean_text(raw.teaser),
        published_at=raw.published_at,
        modified_at=raw.modified_at,
        authors=_unique_authors(raw.authors),
        blocks=tuple(blocks),
        text=text,
        images=tuple(images),
        videos=tuple(videos),
        credit_line=credit_line,
        agencies=credit_line.agencies if credit_line else (),
        word_count=word_count,
        parser_version=PARSER_VERSION,
    )
    warnings = tuple(drop_controls(w) for w in _with_missing(raw, fields))
    # One construction (no `with_changes` copy): the hash is computed from the same values.
    digest = content_digest(fields["title"], fields["teaser"], blocks, images, credit_line)
    return Article(**fields, content_hash=digest, warnings=warnings)


def _unique_topics(raw_topics: list[str]) -> tuple[str, ...]:
    topics: list[str] = []
    for topic in raw_topics:
        cleaned = clean_text(topic)
        if cleaned:
            append_unique(topics, cleaned)
    return tuple(topics)


def _unique_authors(raw_authors: list[Author]) -> tuple[Author, ...]:
    authors: list[Author] = []
    seen: set[str] = set()
    for author in raw_authors:
        name = clean_text(author.name)
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            authors.append(Author(name=name, url=drop_controls_opt(author.url)))
    return tuple(authors)


def _with_missing(raw: RawArticle, fields: dict[str, Any]) -> tuple[str, ...]:
    """The parse's warnings plus one per expected field left empty (each also logged as
    ``parse.field_missing``, which the fill-rate statistics count)."""
    warnings = list(raw.warnings)
    missing = [name for name in _EXPECTED if fields[name] in (None, "")]
    if not fields["blocks"] and raw.content_type == "article":
        missing.append("blocks")
    for name in missing:
        warnings.append(f"field missing: {name}")
        log.warning("parse.field_missing", field=name, url=fields["url"], layout=raw.layout)
    return tuple(warnings)


def _build_block(rb: RawBlock, images: list[Image], videos: list[Video]) -> Block | None:
    if rb.type == "image" and rb.image is not None:
        image = build_image(rb.image)
        if image is None:
            return None
        images.append(image)
        return Block(type="image", text=image.caption, image=len(images) - 1)
    if rb.type == "video" and rb.video is not None:
        video = Video(
            url=drop_controls_opt(rb.video.url),
            title=clean_text(rb.video.title),
            duration_s=rb.video.duration_s,
        )
        if not video.url and not video.title:
            return None
        videos.append(video)
        return Block(type="video", text=video.title, video=len(videos) - 1)
    if rb.type == "list":
        items = tuple(i for i in (clean_text(x) for x in rb.items) if i)
        if not items:
            return None
        return Block(type="list", text="\n".join(items), items=items)
    text = rb.cleaned if rb.cleaned is not None else clean_text(rb.text)
    if not text or rb.type not in TEXT_BLOCK_TYPES:
        return None
    return Block(type=rb.type, text=text, level=rb.level if rb.type == "heading" else None)


def build_image(raw: RawImage) -> Image | None:
    caption = clean_text(raw.caption)
    alt = clean_text(raw.alt)
    split = split_image_credit(raw.credit)
    if not raw.url and not caption and not alt:
        return None
    return Image(
        url=drop_controls_opt(raw.url),
        caption=caption,
        credit=split.raw if split else None,
        alt=alt,
        agencies=split.agencies if split else (),
        photographers=split.photographers if split else (),
    )
