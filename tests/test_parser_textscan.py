"""The string fast paths of text normalisation answer exactly what the general operations
give: `clean_text`, `label_key`, `is_boilerplate_text` and `is_read_more` against their
straightforward versions, and the Unicode facts the shortcuts rest on, checked over every
code point of this Python's Unicode database."""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.normalize import labels
from scraper.normalize.labels import (
    BOILERPLATE_ANCHORS,
    BOILERPLATE_SUBSTRINGS,
    BOILERPLATE_TEXTS,
    SKIP_LINK_TEXTS,
    is_boilerplate_text,
    is_read_more,
    label_key,
)
from scraper.normalize.text import _INVISIBLE_CHARS, _has_invisible, clean_text
from scraper.normalize.textscan import folded_contains_ascii, is_printable_single_spaced

ALL_CHARS = [chr(c) for c in range(sys.maxunicode + 1)]

# -- the straightforward versions --------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS), None)


def reference_clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFC", value)
    text = text.translate(_INVISIBLE)
    text = re.sub("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]", "", text)  # non-space controls
    return re.sub(r"\s+", " ", text).strip() or None


def reference_label_key(label: str) -> str:
    return " ".join(label.replace("\xa0", " ").split()).rstrip(":：").strip().casefold()


def reference_is_boilerplate(text: str) -> bool:
    key = reference_label_key(text)
    if key in BOILERPLATE_TEXTS or key in SKIP_LINK_TEXTS:
        return True
    return any(s in key for s in BOILERPLATE_SUBSTRINGS)


def reference_is_read_more(text: str) -> bool:
    return bool(labels._READ_MORE_RE.match(text))


# -- the facts the shortcuts rest on -----------------------------------------------------------


def test_every_whitespace_but_the_space_is_non_printable() -> None:
    spaces = [c for c in ALL_CHARS if c.isspace()]
    assert " " in spaces
    assert all(not c.isprintable() for c in spaces if c != " ")


def test_case_folding_never_shortens() -> None:
    assert all(len(c.casefold()) >= 1 for c in ALL_CHARS)


def test_only_sharp_s_folds_to_ascii_below_u0100() -> None:
    folds_to_ascii = [
        c for c in ALL_CHARS[:256] if not c.isascii() and any(f.isascii() for f in c.casefold())
    ]
    assert folds_to_ascii == ["\xdf"]
    assert "\xdf".casefold() == "ss"


def test_latin1_text_is_always_nfc() -> None:
    """Every character up to U+00FF is NFC on its own and combines with nothing."""
    latin1 = ALL_CHARS[:256]
    assert all(unicodedata.is_normalized("NFC", c) and not unicodedata.combining(c) for c in latin1)
    assert unicodedata.is_normalized("NFC", "".join(latin1) + "".join(reversed(latin1)))


def test_invisible_test_finds_exactly_the_invisible_characters() -> None:
    assert [c for c in ALL_CHARS if _has_invisible(c)] == sorted(_INVISIBLE_CHARS)
    assert _has_invisible("abc\u200bdef") and not _has_invisible("abc\u200cdef")


def test_every_boilerplate_substring_holds_an_anchor() -> None:
    for substring in BOILERPLATE_SUBSTRINGS:
        assert substring == substring.casefold()
        assert any(anchor in substring for anchor in BOILERPLATE_ANCHORS), substring
    assert all(a.isascii() and a == a.casefold() for a in BOILERPLATE_ANCHORS)


# -- random strings ---------------------------------------------------------------------------

#: Characters that matter here: every kind of whitespace, the invisible ones, ZWNJ, colons,
#: the characters whose folding is ASCII, Latin-1 and wider letters, combining marks.
SPECIAL = st.sampled_from(
    [" ", "  ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u1680",
     "\u2003", "\u2028", "\u202f", "\u3000", "\u00ad", "\u200b", "\u200c", "\u200d", "\ufeff",
     "\u202a", ":", "：", "ß", "ẞ", "ſ", "\u212a", "ﬁ", "ﬅ", "İ", "ǰ", "Ä", "ä", "É", "é", "ÿ",
     "µ", "„", "“", "Ж", "ж", "中", "\u0301", "e\u0301", "\U0001f600", "\ud800", "A", "z",
     "5"]
)  # fmt: skip
WORDS = st.sampled_from(
    [*BOILERPLATE_SUBSTRINGS, *BOILERPLATE_ANCHORS, "Anzeige", "Advertisement", "Inhalt",
     "Skip to content", "NEWSLETTER", "NewſLetter", "JavaScript", "HTML5", "Read more",
     "Lesen Sie auch", "Mehr dazu", "Bild", "Sign Up For The Newsletter", "Straße", "news",
     "lorem ipsum dolor sit amet"]
)  # fmt: skip
TEXT = st.lists(st.one_of(SPECIAL, WORDS, st.text(max_size=6)), max_size=14).map("".join)


#: Latin-1 text (the path that folds bytes), with its ASCII-folding ``ß``.
LATIN1 = st.lists(
    st.one_of(
        st.sampled_from(["ß", "SS", "Straße", "ÄÖÜ", "ſ"]),
        st.text(st.characters(max_codepoint=0xFF), max_size=5),
    ),
    max_size=8,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(TEXT, LATIN1))
def test_printable_single_spaced_is_what_it_says(text: str) -> None:
    expected = text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "
    assert is_printable_single_spaced(text) == expected
    if expected:
        assert " ".join(text.split()) == text


def test_printable_single_spaced_on_every_latin1_character() -> None:
    for char in ALL_CHARS[:256]:
        for text in (char, "a" + char + "b"):
            expected = text.isprintable() and "  " not in text and text.strip(" ") == text
            assert is_printable_single_spaced(text) == expected, repr(text)


#: ASCII needles, some of which only a character folding to ASCII can complete.
NEEDLES = st.one_of(
    WORDS.map(lambda w: w.casefold()).filter(str.isascii),
    st.sampled_from(["ss", "strasse", "s", "k", "fi", "st", "i", "j", "newsletter", "ae"]),
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(TEXT, LATIN1), st.lists(NEEDLES, max_size=4))
def test_folded_contains_ascii(text: str, needles: list[str]) -> None:
    expected = any(n in text.casefold() for n in needles)
    assert folded_contains_ascii(text, tuple(needles)) == expected


@settings(max_examples=400, deadline=None)
@given(st.one_of(TEXT, LATIN1))
def test_clean_text_as_before(text: str) -> None:
    assert clean_text(text) == reference_clean_text(text)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_label_tests_as_before(text: str) -> None:
    assert label_key(text) == reference_label_key(text)
    assert is_boilerplate_text(text) == reference_is_boilerplate(text)
    assert is_read_more(text) == reference_is_read_more(text)
    cleaned = clean_text(text) or ""
    assert is_boilerplate_text(cleaned) == reference_is_boilerplate(cleaned)
    assert is_boilerplate_text(cleaned, clean=True) == reference_is_boilerplate(cleaned)


@pytest.mark.parametrize(
    "text",
    [
        "Sign up for the newsletter!",
        "Bitte aktivieren Sie JavaScript, um dieses Video zu sehen " * 3,
        "Hier KÖNNEN Sie den Newsletter abonnieren und noch viel mehr lesen: " * 2,
        "To view this video please enable JavaScript, and consider upgrading to a web "
        "browser that supports HTML5 video",
        "Anzeige",
        "ANZEIGE:",
        "Skip to content" + " " * 50,
        "Skip\xa0to   content :" + ":" * 40,
        "Lesen Sie auch: Der Rhein trocknet aus",
        "Ein ganz gewöhnlicher Absatz über die Straße, den Fluss und das Wetter, länger als "
        "jede Marke.",
    ],
)
def test_label_tests_on_typical_texts(text: str) -> None:
    assert is_boilerplate_text(text) == reference_is_boilerplate(text)
    assert is_read_more(text) == reference_is_read_more(text)
    assert clean_text(text) == reference_clean_text(text)
