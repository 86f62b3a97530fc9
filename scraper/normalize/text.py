"""Text clean-up every extracted string goes through: Unicode and whitespace.

DW pages carry no-break spaces, soft hyphens, zero-width and direction marks, React's
empty text pieces and decomposed Unicode; `clean_text` turns any of them into the one form
records are compared and hashed in. Most strings need no change, so the checks that prove it
come first (see `scraper.normalize.textscan`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from scraper.normalize.textscan import is_printable_single_spaced

#: Invisible characters removed from all text. ZWNJ/ZWJ (U+200C/U+200D) are kept: Persian,
#: Urdu, Pashto and Indic scripts (all DW languages) need them for correct spelling.
_INVISIBLE_CHARS = "\u00ad\u200b\u2060\ufeff\u200e\u200f\u202a\u202c"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS), None)
#: Control characters that are not whitespace (NUL, C0 and C1 controls, DEL): never text, and
#: PostgreSQL refuses NUL in a text column, so a record must not hold any on either database.
#: The controls that are whitespace (``\t\n\x0b\x0c\r\x1c-\x1f\x85``) become spaces.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


def drop_controls(value: str) -> str:
    """``value`` without its non-whitespace control characters (see `_CONTROLS`)."""
    if value.isprintable():
        return value
    return _CONTROLS.sub("", value)


def drop_controls_opt(value: str | None) -> str | None:
    return None if value is None else drop_controls(value)


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
    """NFC, invisible and control characters removed, every whitespace run (nbsp included)
    one space, stripped; None for None or an empty result."""
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
    return " ".join(_CONTROLS.sub("", text).split()) or None


def first_nonempty(values: Iterable[str | None]) -> str | None:
    for value in values:
        cleaned = clean_text(value)
        if cleaned:
            return cleaned
    return None


def append_unique(items: list[str], value: str) -> None:
    """Append ``value`` unless empty or already there, ignoring case."""
    if value and value.casefold() not in {i.casefold() for i in items}:
        items.append(value)
