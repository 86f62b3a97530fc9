"""Normalisation: from raw per-layout fields to a clean, comparable `Article`.

The layout parsers (`scraper/parsers/dw_*.py`) only locate things; everything that turns a raw
string into a record value lives here, once: Unicode and whitespace clean-up, UTC dates, the
one agency table, closing credit lines (``js,tg/msh (AP, Reuters)``), image credits split into
agencies and photographers, the body text, word count and the content hash.

`PARSER_VERSION` changes whenever extraction output may change; `content_hash` deliberately
does not include it (nor dates or URLs), so re-parsing unchanged content with a newer parser
keeps the hash unless the extracted content itself changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import structlog

from scraper.article import (
    Article,
    Author,
    Block,
    ContentType,
    CreditLine,
    DateValue,
    Image,
    Layout,
    Video,
)
from scraper.labels import (
    MONTHS,
    RELATIVE_NOW_WORDS,
    RELATIVE_UNITS,
    RELATIVE_YESTERDAY_WORDS,
    strip_credit_prefix,
)
from scraper.textscan import is_printable_single_spaced

log = structlog.get_logger(__name__)

PARSER_VERSION = "dw-1.0.0"

# --------------------------------------------------------------------------- text clean-up

#: Invisible characters removed from all text. ZWNJ/ZWJ (U+200C/U+200D) are kept: Persian,
#: Urdu, Pashto and Indic scripts (all DW languages) need them for correct spelling.
_INVISIBLE_CHARS = "\u00ad\u200b\u2060\ufeff\u200e\u200f\u202a\u202c"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS), None)


def _has_invisible(text: str) -> bool:
    """Whether ``text`` holds one of `_INVISIBLE_CHARS`: one ``in`` test each, written out
    (a regex over the character class costs some 70 instructions a character; ``in`` is a
    memchr, or nothing at all for a character wider than the text's storage)."""
    return (
        "\u00ad" in text
        or "\u200b" in text
        or "\u2060" in text
        or "\ufeff" in text
        or "\u200e" in text
        or "\u200f" in text
        or "\u202a" in text
        or "\u202c" in text
    )


def clean_text(value: str | None) -> str | None:
    """NFC, invisible characters removed, every whitespace run (nbsp included) one space,
    stripped; None for None or an empty result."""
    if value is None:
        return None
    text = value
    if not text.isascii():  # fast path: ASCII needs neither NFC nor invisible-char removal
        # Latin-1 text is always NFC (no character of it composes or reorders): a copy of
        # its bytes tells it apart at a fraction of the check's cost.
        if len(text.encode("latin-1", "ignore")) != len(text) and not unicodedata.is_normalized(
            "NFC", text
        ):
            text = unicodedata.normalize("NFC", text)
        if _has_invisible(text):
            text = text.translate(_INVISIBLE)
    if is_printable_single_spaced(text):  # most text: spared splitting it into words
        return text or None
    # The commonest blemishes, no-break spaces and spaces at the ends, mended in place.
    spaced = text.replace("\xa0", " ").strip()
    if spaced is not text and is_printable_single_spaced(spaced):
        return spaced or None
    # str.split() and the regex \s share one definition of whitespace (Py_UNICODE_ISSPACE):
    # this is ``re.sub(r"\s+", " ", text).strip()`` at a third of the cost.
    return " ".join(text.split()) or None


def clean_lines(value: str | None) -> str | None:
    """Like `clean_text` but keeps line breaks (one per line, no blank lines)."""
    if value is None:
        return None
    lines = [clean_text(line) for line in value.splitlines()]
    joined = "\n".join(line for line in lines if line)
    return joined or None


# --------------------------------------------------------------------------- agencies

#: The ONE agency table: lower-cased spelling -> canonical name. Anything not listed keeps
#: its own (cleaned) spelling.
AGENCY_TABLE: dict[str, str] = {
    "ap": "AP",
    "ap photo": "AP",
    "ap photos": "AP",
    "associated press": "AP",
    "the associated press": "AP",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "reuters": "Reuters",
    "rtr": "Reuters",
    "rts": "Reuters",
    "thomson reuters": "Reuters",
    "dpa": "dpa",
    "deutsche presse-agentur": "dpa",
    "dpa-zentralbild": "dpa-Zentralbild",
    "zentralbild": "dpa-Zentralbild",
    "dpa picture-alliance": "picture alliance",
    "picture-alliance": "picture alliance",
    "picture alliance": "picture alliance",
    "picture-alliance/dpa": "picture alliance",
    "picturealliance": "picture alliance",
    "epa": "EPA",
    "epa-efe": "EPA-EFE",
    "efe": "EFE",
    "kna": "KNA",
    "epd": "epd",
    "sid": "SID",
    "ansa": "ANSA",
    "apa": "APA",
    "ipa": "IPA",
    "afp/getty images": "AFP",
    "getty": "Getty Images",
    "getty images": "Getty Images",
    "imago": "IMAGO",
    "imago images": "IMAGO",
    "imago stock&people": "IMAGO",
    "sputnik": "Sputnik",
    "ria novosti": "RIA Novosti",
    "tass": "TASS",
    "itar-tass": "TASS",
    "xinhua": "Xinhua",
    "kcna": "KCNA",
    "korean central news agency": "Korean Central News Agency",
    "korea news service": "Korea News Service",
    "yonhap": "Yonhap",
    "kyodo": "Kyodo",
    "kyodo news": "Kyodo",
    "anadolu": "Anadolu",
    "anadolu agency": "Anadolu",
    "aa": "Anadolu",
    "upi": "UPI",
    "pap": "PAP",
    "ips": "IPS",
    "zuma": "ZUMA",
    "zuma press": "ZUMA",
    "zuma wire": "ZUMA",
    "sipa": "SIPA",
    "sipa press": "SIPA",
    "abaca": "ABACA",
    "abacapress": "ABACA",
    "nurphoto": "NurPhoto",
    "sopa images": "SOPA Images",
    "photoshot": "Photoshot",
    "ullstein bild": "ullstein bild",
    "akg-images": "akg-images",
    "akg images": "akg-images",
    "dw": "DW",
    "deutsche welle": "DW",
    "bbc": "BBC",
    "cnn": "CNN",
    "kna-bild": "KNA",
    "bildagentur-online": "Bildagentur-online",
    "wikipedia": "Wikipedia",
    "wikimedia commons": "Wikimedia Commons",
}

#: Credit parts that are licence notes, not sources: kept in the raw credit only.
_LICENCE_NOTES = re.compile(
    r"^(public domain|gemeinfrei|cc[ -]by.*|creative commons.*|privat|private|handout|"
    r"archiv|archive|screenshot|picture|photo|pool)$",
    re.IGNORECASE,
)
#: Every character the first letter of a licence note matches, ignoring case (``ſ`` is an
#: ``s``): a part starting otherwise is no licence note, and spares the regex.
_LICENCE_INITIALS = frozenset("pgchasPGCHAS\u017f")

#: Words that make a credit part an organisation (agency) rather than a person, when they
#: are a whole word of it (any case); and word beginnings that do (``Archivbild``).
ORG_WORDS = frozenset(
    ["agency", "agentur", "news", "service", "image", "images", "photo", "photos", "press",
     "presse", "picture", "pictures", "media", "museum", "archive", "foundation", "stiftung",
     "ministry", "ministerium", "office", "government", "collection", "library", "bibliothek",
     "university", "universität", "council", "police", "polizei", "army", "forces", "tv",
     "television", "fernsehen", "radio", "channel", "handout", "pool", "network", "studio",
     "group", "gmbh", "ltd", "inc", "corp", "company", "org", "zentralbild", "bild", "agence",
     "wire", "commons"]
)  # fmt: skip
ORG_WORD_PREFIXES = ("archiv", "institut")
#: One of them as a whole ``\w+`` run, matched as the regex engine does (``IGNORECASE``
#: also pairs ``ſ`` with ``s`` and the Kelvin sign with ``k``): for non-ASCII words.
_ORG_WORD = re.compile(
    "|".join([*sorted(ORG_WORDS), *(prefix + r"\w*" for prefix in ORG_WORD_PREFIXES)]),
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
_PERSON_TOKEN = re.compile(r"^(?:[A-ZÀ-ÖØ-ÞĀ-ſА-Я][\w'’.-]*|[A-ZÀ-ÖØ-ÞА-Я]\.(?:-?[A-Z]\.)*)$")
_NAME_TOKENS = re.compile(r"\s+|(?<=\.)(?=[A-ZÀ-Þ])")
_NAME_PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "del", "di", "du", "la", "le"})


def normalize_agency(name: str) -> str:
    """The canonical spelling of an agency (``REUTERS``/``rtr`` -> ``Reuters``, ``afp`` ->
    ``AFP``, ``picture-alliance`` -> ``picture alliance``); unknown names keep their spelling."""
    cleaned = clean_text(name) or ""
    return _agency_by_key(cleaned.casefold(), cleaned)


def _agency_by_key(key: str, cleaned: str) -> str:
    """`normalize_agency` given the cleaned name and its case-folded form."""
    if key in AGENCY_TABLE:
        return AGENCY_TABLE[key]
    key = " ".join(key.replace("_", " ").split())
    return AGENCY_TABLE.get(key, cleaned)


def is_known_agency(name: str) -> bool:
    key = (clean_text(name) or "").casefold()
    return key in AGENCY_TABLE


def _looks_like_person(part: str) -> bool:
    """A name like ``Artem Geodakyan``, ``J. Hitz``, ``K-D.Gabbert`` or ``Lee Jin-man``:
    no digit, two to five name tokens, no acronym, no organisation word (the tests are
    independent; the cheapest come first)."""
    if any(map(str.isdigit, part)):
        return False
    # Without a dot the split is at whitespace only (str.split shares re's \s).
    tokens = [t for t in _NAME_TOKENS.split(part) if t] if "." in part else part.split()
    if not 2 <= len(tokens) <= 5:
        return False
    named = [t for t in tokens if t.casefold() not in _NAME_PARTICLES]
    if not named or not all(_PERSON_TOKEN.match(t) for t in named):
        return False
    # An all-caps multi-letter token (``REUTERS``) is an acronym, not a name.
    if any(len(t) > 2 and t.isupper() and "." not in t for t in named):
        return False
    return not has_org_word(part)


def has_org_word(text: str) -> bool:
    r"""Whether a whole word (``\w+`` run) of ``text`` is an `ORG_WORDS` word or begins with
    an `ORG_WORD_PREFIXES` one, in any case. (A regex search for the alternation between
    ``\b`` costs ~20k instructions on a two-word name: it tries every word at every
    position.)"""
    for word in _WORD.findall(text):
        if word.isascii():  # ignoring case is lower-casing for ASCII
            lowered = word.lower()
            if lowered in ORG_WORDS or lowered.startswith(ORG_WORD_PREFIXES):
                return True
        elif _ORG_WORD.fullmatch(word):
            return True
    return False


@dataclass(frozen=True, slots=True)
class ImageCredit:
    raw: str
    agencies: tuple[str, ...]
    photographers: tuple[str, ...]


_PHOTO_BY = re.compile(r"^(?:photo|foto)\s+by\s+", re.I)
_VIA = re.compile(r"\s+(?:via|for|für)\s+")


def split_image_credit(credit: str | None) -> ImageCredit | None:
    """Split a slash-separated image credit into agencies and photographers.

    ``Sputnik/Artem Geodakyan/REUTERS`` -> agencies (Sputnik, Reuters), photographers
    (Artem Geodakyan). Known agencies (the table) first; person-like parts are photographers;
    other organisation-like parts are agencies; licence notes ("public domain") are dropped.
    The ``Image:``/``Bild:``/… prefix is removed; the returned ``raw`` is the cleaned credit.
    """
    text = clean_text(credit)
    if not text:
        return None
    text = strip_credit_prefix(text)
    if not text:
        return None
    agencies: list[str] = []
    photographers: list[str] = []
    # ``text`` is clean (single spaces): splitting at the separators, then stripping spaces
    # with the punctuation, gives what a split at ``\s*[/|;]\s*`` gave, without a regex
    # pass (~900 instructions a character); the regexes below only run when what they
    # need is there.
    for piece in text.replace("|", "/").replace(";", "/").split("/"):
        piece = piece.strip(" ,.()[]")
        if not piece:
            continue
        # "Photo by X for Y" / "X via Y": keep the actual names.
        if piece[0] in "pPfF":
            piece = _PHOTO_BY.sub("", piece)
        subs = (
            _VIA.split(piece)
            if " via " in piece or " for " in piece or " für " in piece
            else [piece]
        )
        for sub in subs:
            sub = sub.strip()
            if not sub or (sub[0] in _LICENCE_INITIALS and _LICENCE_NOTES.match(sub)):
                continue
            # `is_known_agency` and `normalize_agency` of ``sub``, sharing one clean-up.
            cleaned = clean_text(sub) or ""
            key = cleaned.casefold()
            if key in AGENCY_TABLE:
                _append_unique(agencies, AGENCY_TABLE[key])
            elif _looks_like_person(sub):
                _append_unique(photographers, sub)
            else:
                _append_unique(agencies, _agency_by_key(key, cleaned))
    return ImageCredit(text, tuple(agencies), tuple(photographers))


_ALT_CREDIT = re.compile(r"^(?P<alt>.*?)\s*\((?P<credit>[^()]{2,160})\)\s*$", re.S)


def split_alt_credit(alt: str | None) -> tuple[str | None, str | None]:
    """Classic pages put the credit in parentheses at the end of ``alt``/``title``:
    ``"Tahir Della (picture-alliance/dpa/L. Schwedes)"`` -> (``"Tahir Della"``,
    ``"picture-alliance/dpa/L. Schwedes"``)."""
    text = clean_text(alt)
    if not text:
        return None, None
    match = _ALT_CREDIT.match(text)
    if not match:
        return text, None
    return (clean_text(match["alt"]), clean_text(match["credit"]))


def _append_unique(items: list[str], value: str) -> None:
    if value and value.casefold() not in {i.casefold() for i in items}:
        items.append(value)


# --------------------------------------------------------------------------- credit lines

_INITIALS = r"[a-zäöüß]{1,6}"
_GROUP = rf"{_INITIALS}(?:\s*,\s*{_INITIALS})*"
_CREDIT_LINE = re.compile(
    rf"^(?P<people>{_GROUP}(?:\s*/\s*{_GROUP})*)?\s*"
    r"(?:\((?P<agencies>[^()]{1,100})\))?\s*\.?$",
    re.IGNORECASE,
)
_SLASH = re.compile(r"\s*/\s*")
_AGENCY_SPLIT = re.compile(r"\s*(?:,|/|;|\+|&|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*", re.I)


def parse_credit_line(text: str | None) -> CreditLine | None:
    """Parse DW's closing credit line, or None when ``text`` does not have its shape.

    Shapes: ``js,tg/msh (AP, Reuters)`` (writers, editor, agencies), ``cwo/fab (dpa, afp)``,
    ``bru/kle (dpa, afp, rtr)``, ``dh (Reuters)`` (one writer, no editor), ``js/msh``,
    ``(AFP, dpa)``. Writers are the initials before the last slash, editors after it.
    """
    raw = clean_text(text)
    if not raw or len(raw) > 120:
        return None
    match = _CREDIT_LINE.match(raw)
    if not match:
        return None
    people, agency_text = match["people"], match["agencies"]
    if not people and not agency_text:
        return None
    if people and "/" not in people and not agency_text:
        return None  # a lone word ("Ende") is not a credit line
    agencies: list[str] = []
    if agency_text:
        parts = [p.strip(" .") for p in _AGENCY_SPLIT.split(agency_text) if p.strip(" .")]
        if not parts or any(len(p) > 40 or len(p.split()) > 4 for p in parts):
            return None
        if not people and not all(is_known_agency(p) for p in parts):
            return None  # "(Berlin)" or "(see above)" is not a credit
        for part in parts:
            _append_unique(agencies, normalize_agency(part))
    writers: tuple[str, ...] = ()
    editors: tuple[str, ...] = ()
    if people:
        groups = [g for g in _SLASH.split(people.strip()) if g]
        split = [tuple(i.strip() for i in g.split(",") if i.strip()) for g in groups]
        if len(split) == 1:
            writers = split[0]
        else:
            writers = tuple(i for g in split[:-1] for i in g)
            editors = split[-1]
    return CreditLine(raw=raw, writers=writers, editors=editors, agencies=tuple(agencies))


# --------------------------------------------------------------------------- dates


_FRACTION = re.compile(r"\.(\d+)")


def _six_digits(match: re.Match[str]) -> str:
    return "." + (match[1] + "000000")[:6]


def parse_iso_datetime(value: str | None) -> dt.datetime | None:
    """An ISO-8601 timestamp (``2024-01-30T14:13:12.269Z``) as an aware UTC datetime.
    A naive timestamp is taken as UTC (DW's JSON always states UTC)."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    # Python < 3.11 style fractional seconds other than 3/6 digits: pad/truncate.
    text = _FRACTION.sub(_six_digits, text, count=1)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    # Whole seconds: DW's milliseconds are publishing-system noise, not news.
    return parsed.astimezone(dt.UTC).replace(microsecond=0)


_DAY_DOTTED = re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b")
_DAY_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DAY_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DAY_SLASHED = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_DAY_MONTH_NAME = re.compile(r"\b(\d{1,2})\.?\s+([^\W\d_]+)\.?\s+(\d{4})\b")
_MONTH_NAME_DAY = re.compile(r"\b([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{4})\b")


def parse_day(value: str | None, *, language: str | None = None) -> dt.date | None:
    """A day-precision date from ``28.04.2023``, ``20230428``, ``2023-04-28``, ``09/13/2023``
    (month first on English pages), ``13. September 2023`` or ``September 13, 2023``."""
    text = clean_text(value)
    if not text:
        return None
    try:
        if m := _DAY_DOTTED.search(text):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        if m := _DAY_COMPACT.fullmatch(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DAY_ISO.search(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DAY_SLASHED.search(text):
            first, second = int(m[1]), int(m[2])
            if (language or "").startswith("en") and first <= 12:
                return dt.date(int(m[3]), first, second)
            return dt.date(int(m[3]), second, first)
        if m := _DAY_MONTH_NAME.search(text):
            month = MONTHS.get(m[2].casefold())
            if month:
                return dt.date(int(m[3]), month, int(m[1]))
        if m := _MONTH_NAME_DAY.search(text):
            month = MONTHS.get(m[1].casefold())
            if month:
                return dt.date(int(m[3]), month, int(m[2]))
    except ValueError:
        return None
    return None


_RELATIVE = re.compile(r"(\d+)\s*([^\W\d_]+)")


def parse_relative(value: str | None, reference: dt.datetime | None) -> DateValue | None:
    """A relative display date ("2 hours ago", "vor 3 Stunden", "gestern") against
    ``reference`` (the fetch time). Minutes/hours give a UTC datetime (to the minute), days
    and weeks a day-precision date. None without a reference or for unknown text."""
    text = clean_text(value)
    if not text or reference is None:
        return None
    ref = reference if reference.tzinfo else reference.replace(tzinfo=dt.UTC)
    ref = ref.astimezone(dt.UTC)
    lowered = text.casefold()
    if any(w in lowered for w in RELATIVE_NOW_WORDS):
        return ref.replace(second=0, microsecond=0)
    if any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in RELATIVE_YESTERDAY_WORDS):
        return (ref - dt.timedelta(days=1)).date()
    match = _RELATIVE.search(lowered)
    if not match or match[2] not in RELATIVE_UNITS:
        return None
    seconds = int(match[1]) * RELATIVE_UNITS[match[2]]
    when = ref - dt.timedelta(seconds=seconds)
    if seconds >= 86400:
        return when.date()
    return when.replace(second=0, microsecond=0)


def is_relative_date(value: str | None) -> bool:
    text = (clean_text(value) or "").casefold()
    if not text:
        return False
    if any(w in text for w in RELATIVE_NOW_WORDS) or any(
        re.search(rf"\b{re.escape(w)}\b", text) for w in RELATIVE_YESTERDAY_WORDS
    ):
        return True
    match = _RELATIVE.search(text)
    return bool(match and match[2] in RELATIVE_UNITS)


# --------------------------------------------------------------------------- assembly


@dataclass(slots=True)
class RawImage:
    url: str | None
    caption: str | None = None
    credit: str | None = None  # raw, prefix and all
    alt: str | None = None


@dataclass(slots=True)
class RawBlock:
    type: str
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
    topics: list[str] = []
    for topic in raw.topics:
        cleaned = clean_text(topic)
        if cleaned:
            _append_unique(topics, cleaned)
    authors: list[Author] = []
    seen: set[str] = set()
    for author in raw.authors:
        name = clean_text(author.name)
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            authors.append(Author(name=name, url=author.url))

    fields: dict[str, Any] = dict(
        url=raw.url or raw.canonical_url or "",
        canonical_url=raw.canonical_url,
        dw_id=raw.dw_id,
        content_type=raw.content_type,
        layout=raw.layout,
        language=raw.language,
        title=clean_text(raw.title),
        short_url=raw.short_url,
        kicker=kicker,
        topics=tuple(topics),
        teaser=clean_text(raw.teaser),
        published_at=raw.published_at,
        modified_at=raw.modified_at,
        authors=tuple(authors),
        blocks=tuple(blocks),
        text=text,
        images=tuple(images),
        videos=tuple(videos),
        credit_line=credit_line,
        agencies=credit_line.agencies if credit_line else (),
        word_count=word_count,
        parser_version=PARSER_VERSION,
    )
    warnings = list(raw.warnings)
    missing = [name for name in _EXPECTED if fields[name] in (None, "")]
    if not blocks and raw.content_type == "article":
        missing.append("blocks")
    for name in missing:
        warnings.append(f"field missing: {name}")
        log.warning("parse.field_missing", field=name, url=fields["url"], layout=raw.layout)
    # One construction (no `with_changes` copy): the hash is computed from the same values.
    digest = _content_digest(fields["title"], fields["teaser"], blocks, images, credit_line)
    return Article(**fields, content_hash=digest, warnings=tuple(warnings))


def _build_block(rb: RawBlock, images: list[Image], videos: list[Video]) -> Block | None:
    if rb.type == "image" and rb.image is not None:
        image = build_image(rb.image)
        if image is None:
            return None
        images.append(image)
        return Block(type="image", text=image.caption, image=len(images) - 1)
    if rb.type == "video" and rb.video is not None:
        video = Video(
            url=rb.video.url, title=clean_text(rb.video.title), duration_s=rb.video.duration_s
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
    return Block(type=rb.type, text=text, level=rb.level if rb.type == "heading" else None)  # type: ignore[arg-type]


def build_image(raw: RawImage) -> Image | None:
    caption = clean_text(raw.caption)
    alt = clean_text(raw.alt)
    split = split_image_credit(raw.credit)
    if not raw.url and not caption and not alt:
        return None
    return Image(
        url=raw.url,
        caption=caption,
        credit=split.raw if split else None,
        alt=alt,
        agencies=split.agencies if split else (),
        photographers=split.photographers if split else (),
    )


def content_hash(article: Article) -> str:
    """sha256 (hex) of the normalised content: title, teaser, body blocks, image captions and
    credits, credit line. Not dates, URLs or the parser version."""
    return _content_digest(
        article.title, article.teaser, article.blocks, article.images, article.credit_line
    )


def _content_digest(
    title: str | None,
    teaser: str | None,
    blocks: Iterable[Block],
    images: Iterable[Image],
    credit_line: CreditLine | None,
) -> str:
    payload = {
        "title": title,
        "teaser": teaser,
        "blocks": [[b.type, b.text, list(b.items)] for b in blocks],
        "images": [[i.caption, i.credit] for i in images],
        "credit_line": credit_line.raw if credit_line else None,
    }
    encoded = _HASH_JSON.encode(payload)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


#: What ``json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)``
#: uses, made once (``dumps`` builds an encoder per call).
_HASH_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def first_nonempty(values: Iterable[str | None]) -> str | None:
    for value in values:
        cleaned = clean_text(value)
        if cleaned:
            return cleaned
    return None
