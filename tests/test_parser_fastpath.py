"""The parser's fast paths give exactly what the general path gives.

`scraper.parsers.base.load_tree` hands clean UTF-8 bytes straight to libxml2 and trusts its
error log to reveal invalid UTF-8 instead of decoding the page in Python first. The general
path (a str, decoded by `decode_html`) is the reference: for any bytes, parsing them must give
the same record as parsing their decoded text.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from scraper import parse_page
from scraper.errors import ParseError
from scraper.parsers.base import decode_html

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "dw"
PAGES = sorted(p for p in FIXTURES.glob("*.html") if p.stem != "not_dw")
FETCHED_AT = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)
#: Invalid UTF-8 of every kind Python's strict decoder refuses: stray continuation and
#: lead bytes, overlong forms, UTF-16 surrogates, code points above U+10FFFF, truncation.
BAD_UTF8 = [
    b"\xff",
    b"\x80",
    b"\xc3",
    b"\xc0\x80",
    b"\xe0\x80\x80",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xf5\x80\x80\x80",
    b"\xe2\x82",
    b"\xf0\x9f\x98",
]


def _record(data: bytes | str) -> dict[str, object] | str:
    try:
        return parse_page(data, url="https://www.dw.com/en/x/a-1", fetched_at=FETCHED_AT).to_dict()
    except ParseError as exc:
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_bytes_and_text_give_the_same_record(page: Path) -> None:
    data = page.read_bytes()
    assert _record(data) == _record(data.decode("utf-8"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_invalid_utf8_anywhere_takes_the_general_path(page: Path) -> None:
    """Bad bytes in text, attributes, scripts or comments: same record as the decoded text
    (where `UnicodeDammit` guessed the encoding), never libxml2's replacement characters."""
    data = page.read_bytes()
    rng = random.Random(page.stem)
    anchors = [b"<p>", b'class="', b"<script", b"<!--", b"<title>", b"</h1>"]
    for bad in BAD_UTF8:
        anchor = rng.choice([a for a in anchors if a in data])
        at = data.index(anchor) + len(anchor)
        corrupted = data[:at] + bad + data[at:]
        assert _record(corrupted) == _record(decode_html(corrupted)), (bad, anchor)
    truncated = data[: data.index("ä".encode()) + 1] if "ä".encode() in data else data + b"\xc3"
    assert _record(truncated) == _record(decode_html(truncated))


def test_leading_unicode_space_and_xml_declaration_take_the_general_path() -> None:
    data = (FIXTURES / "en_relaunch_2023-09-13_putin-kim.html").read_bytes()
    for prefix in (b"\xc2\xa0", b"\x1c\n", b"<?xml version='1.0'?>", b"\xe3\x80\x80<?XML ?>"):
        assert _record(prefix + data) == _record(decode_html(prefix + data)), prefix
