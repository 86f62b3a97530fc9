"""Credits: the one agency table, image credits and DW's closing credit line.

Image credits are slash-separated sources (``Sputnik/Artem Geodakyan/REUTERS``): split into
agencies (normalised from `AGENCY_TABLE`) and photographers. The closing credit line of a text
(``js,tg/msh (AP, Reuters)``) names writers, editors and agencies; it is recognised by its
shape, so recognising it is parsing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scraper.article import CreditLine
from scraper.normalize.labels import strip_credit_prefix
from scraper.normalize.text import append_unique, clean_text

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
                append_unique(agencies, AGENCY_TABLE[key])
            elif _looks_like_person(sub):
                append_unique(photographers, sub)
            else:
                append_unique(agencies, _agency_by_key(key, cleaned))
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
            append_unique(agencies, normalize_agency(part))
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
