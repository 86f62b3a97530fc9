"""String tests for the per-paragraph hot path of text normalisation.

A DW page runs some 50 strings through `scraper.normalize.text.clean_text` and the
boilerplate tests of `scraper.normalize.labels`, most of them long paragraphs that need no
change. The general operations cost 50-90 machine instructions a character on such text
(``str.split`` and ``join`` build a string per word; ``str.casefold`` looks up every
non-ASCII character); the tests here answer the same question from one pass of a cheap C
loop. Each is exact, and `tests/test_parser_textscan.py` checks both the helpers and the
Unicode facts they rest on (over every code point).
"""

from __future__ import annotations


def is_printable_single_spaced(text: str) -> bool:
    """True when ``text`` is printable and single-spaced, hence ``" ".join(text.split())``
    would give it back: every whitespace character but the space is non-printable (category
    Cc, Zs, Zl or Zp). False says nothing (the text may just hold a non-printable character
    such as a ZWNJ). One pass in C, against the split and join's word objects."""
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def folded_contains_ascii(text: str, needles: tuple[str, ...]) -> bool:
    """Whether ``text.casefold()`` contains one of ``needles`` (ASCII and case-folded),
    mostly without case-folding ``text`` (some 70 instructions a character unless ASCII).

    An ASCII needle can only match a run of ASCII characters of the folded text. Up to
    U+00FF only ``ß`` folds to anything ASCII (``ss``): so for Latin-1 text its bytes, ``ß``
    replaced and ASCII letters lower-cased (a table lookup a byte), hold the same ASCII runs
    as the folded text, separated by characters >= U+0080 that no needle contains."""
    if text.isascii():
        folded = text.lower()  # ASCII folds to lower case
    else:
        data = text.encode("latin-1", "ignore")
        if len(data) == len(text):
            folded = data.replace(b"\xdf", b"ss").lower().decode("latin-1")
        else:  # beyond Latin-1: fold it whole
            folded = text.casefold()
    return any(needle in folded for needle in needles)
