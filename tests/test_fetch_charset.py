"""The one charset detector: BOM > Content-Type charset > <meta> in the first 4 KiB > UTF-8."""

from __future__ import annotations

import codecs

import pytest

from scraper.charset import codec_name, detect

META_LATIN1 = b'<html><head><meta charset="iso-8859-2"><title>x</title></head></html>'


def test_bom_beats_header_and_meta() -> None:
    body = codecs.BOM_UTF8 + META_LATIN1
    assert detect(body, "text/html; charset=windows-1251") == "utf-8-sig"
    assert detect(codecs.BOM_UTF16_LE + "<p>x</p>".encode("utf-16-le")) == "utf-16"


def test_header_beats_meta() -> None:
    assert detect(META_LATIN1, "text/html; charset=windows-1251") == "cp1251"
    assert detect(META_LATIN1, 'text/html; charset="KOI8-R"') == "koi8-r"


def test_meta_beats_default() -> None:
    assert detect(META_LATIN1) == "iso8859-2"
    assert detect(META_LATIN1, "text/html") == "iso8859-2"
    equiv = b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    assert detect(equiv) == "cp1252"


def test_default_is_utf8() -> None:
    assert detect(b"<html><p>plain</p></html>") == "utf-8"
    assert detect(b"") == "utf-8"


def test_meta_only_counts_in_the_first_4_kib() -> None:
    late = b"<html>" + b" " * 4096 + b'<meta charset="iso-8859-2">'
    assert detect(late) == "utf-8"


@pytest.mark.parametrize("bogus", ["undefined", "rot13", "base64", "utf-7", "no-such-charset"])
def test_bogus_labels_fall_through_to_the_next_source(bogus: str) -> None:
    assert codec_name(bogus) is None
    # a bogus header falls through to the <meta> ...
    assert detect(META_LATIN1, f"text/html; charset={bogus}") == "iso8859-2"
    # ... and a bogus <meta> to the default
    page = f'<meta charset="{bogus}"><p>Grüße</p>'.encode()
    assert detect(page) == "utf-8"
    page.decode(detect(page))  # usable, never a codec that refuses every body


def test_latin1_is_read_as_windows_1252_and_meta_cannot_claim_utf16() -> None:
    assert detect(b"x", "text/html; charset=ISO-8859-1") == "cp1252"
    assert detect(b'<meta charset="utf-16"><p>x</p>') == "utf-8"
