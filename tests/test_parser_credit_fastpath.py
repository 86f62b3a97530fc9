"""Image-credit splitting without most of its regex passes gives exactly what the regexes
gave: `split_image_credit`, `has_org_word` and the person test against the straightforward
versions (one regex pass each, the reference), on typical and random credits."""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.normalize import credits
from scraper.normalize.credits import (
    _LICENCE_INITIALS,
    _LICENCE_NOTES,
    AGENCY_TABLE,
    ImageCredit,
    _agency_by_key,
    has_org_word,
    split_image_credit,
)
from scraper.normalize.labels import strip_credit_prefix
from scraper.normalize.text import append_unique, clean_text

# -- the straightforward versions --------------------------------------------------------------

ORG_WORDS_RE = re.compile(
    r"\b(agency|agentur|news|service|images?|photos?|press|presse|pictures?|media|museum|"
    r"archiv\w*|archive|foundation|stiftung|ministry|ministerium|office|government|collection|"
    r"library|bibliothek|institut\w*|university|universität|council|police|polizei|army|"
    r"forces|ministry|tv|television|fernsehen|radio|channel|handout|pool|network|studio|"
    r"group|gmbh|ltd|inc|corp|company|org|zentralbild|bild|agence|press|wire|commons)\b",
    re.IGNORECASE,
)
CREDIT_PARTS = re.compile(r"\s*/\s*|\s*\|\s*|\s*;\s*")


def reference_looks_like_person(part: str) -> bool:
    if ORG_WORDS_RE.search(part) or any(map(str.isdigit, part)):
        return False
    tokens = [t for t in credits._NAME_TOKENS.split(part) if t]
    if not 2 <= len(tokens) <= 5:
        return False
    named = [t for t in tokens if t.casefold() not in credits._NAME_PARTICLES]
    if not named or not all(credits._PERSON_TOKEN.match(t) for t in named):
        return False
    return not any(len(t) > 2 and t.isupper() and "." not in t for t in named)


def reference_split(credit: str | None) -> ImageCredit | None:
    text = clean_text(credit)
    if not text:
        return None
    text = strip_credit_prefix(text)
    if not text:
        return None
    agencies: list[str] = []
    photographers: list[str] = []
    for piece in CREDIT_PARTS.split(text):
        piece = piece.strip(" ,.()[]")
        if not piece:
            continue
        for sub in credits._VIA.split(credits._PHOTO_BY.sub("", piece)):
            sub = sub.strip()
            if not sub or _LICENCE_NOTES.match(sub):
                continue
            cleaned = clean_text(sub) or ""
            key = cleaned.casefold()
            if key in AGENCY_TABLE:
                append_unique(agencies, AGENCY_TABLE[key])
            elif reference_looks_like_person(sub):
                append_unique(photographers, sub)
            else:
                append_unique(agencies, _agency_by_key(key, cleaned))
    return ImageCredit(text, tuple(agencies), tuple(photographers))


# -- tests ------------------------------------------------------------------------------------


def test_licence_initials_are_every_match_of_a_first_letter() -> None:
    pattern = _LICENCE_NOTES.pattern
    assert pattern.startswith("^(") and pattern.endswith(")$")
    firsts = "".join(sorted({alternative[0] for alternative in pattern[2:-2].split("|")}))
    assert firsts == "acghps"
    matching = {chr(c) for c in range(sys.maxunicode + 1) if re.match(f"(?i)[{firsts}]", chr(c))}
    assert matching == _LICENCE_INITIALS


def test_photo_by_starts_with_one_of_four_letters() -> None:
    matching = {chr(c) for c in range(sys.maxunicode + 1) if re.match("(?i)[pf]", chr(c))}
    assert matching == set("pPfF")


CREDITS = [
    "Bild: Mikhail Sinitsyn/TASS/dpa/picture alliance",
    "Image: Lee Jin-man/AP Photo/picture alliance",
    "Photo by Artem Geodakyan for TASS via Getty Images",
    "picture-alliance/dpa/L. Schwedes",
    "K-D.Gabbert/dpa | public domain ; CC BY-SA 4.0",
    "Foto: J. Hitz/Archivbild/Institut für Zeitgeschichte",
    "Imago Images / Ulrich Wagner",
    "DW/ M. Fürstenberg",
    "Reuters/Universität Wien/ſcreenshot",
    "AP_Photo/Museum of X / Kelvin Archive",
    "Wikimedia Commons / Jan van der Berg / handout",
    "Bild: picture alliance/dpa/Zentralbild/Jan Woitas",
]
WORDS = st.sampled_from(
    ["Artem", "Geodakyan", "J.", "Hitz", "K-D.Gabbert", "REUTERS", "AP", "Photo", "photo by",
     "for", "via", "für", "van", "der", "Archivbild", "ARCHIV", "Institut", "Universität",
     "UNIVERSITÄT", "ſervice", "\u212aCNA", "news_agency", "Bild", "Image:", "Foto:", "©",
     "public domain", "CC BY", "screenshot", "pool", "Pool", "imago", "dpa", "2019", "Lee",
     "Jin-man", "Ó", "Ana", "María", "Ä."]
)  # fmt: skip
SEPARATORS = st.sampled_from([" ", "/", " / ", "|", ";", " ; ", ", ", "  ", "\xa0", " (", ")"])
CREDIT = st.lists(st.one_of(WORDS, SEPARATORS, st.text(max_size=3)), max_size=12).map("".join)


def test_typical_credits() -> None:
    for credit in CREDITS:
        assert split_image_credit(credit) == reference_split(credit), credit


@settings(max_examples=400, deadline=None)
@given(CREDIT)
def test_split_image_credit_as_before(credit: str) -> None:
    assert split_image_credit(credit) == reference_split(credit)


@settings(max_examples=400, deadline=None)
@given(CREDIT)
def test_org_words_and_person_test_as_before(text: str) -> None:
    assert has_org_word(text) == bool(ORG_WORDS_RE.search(text))
    assert credits._looks_like_person(text) == reference_looks_like_person(text)
