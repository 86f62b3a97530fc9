"""The bounded Content-Encoding decoders, one class per encoding, without a server."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from scraper.fetching.decoders import (
    BoundedDecoder,
    BrotliDecoder,
    DecodeError,
    DeflateDecoder,
    GzipDecoder,
    TooLarge,
    UnsupportedEncoding,
    decoder_for,
)

BODY = b"<html><body>" + b"DW " * 5000 + b"</body></html>"


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def _feed(decoder_name: str, data: bytes, limit: int, chunk: int = 1000) -> bytes:
    decoder = decoder_for(decoder_name, limit)
    return b"".join(decoder.feed(data[i : i + chunk]) for i in range(0, len(data), chunk))


@pytest.mark.parametrize(
    ("encoding", "encoded", "kind"),
    [
        (None, BODY, BoundedDecoder),
        ("gzip", gzip.compress(BODY), GzipDecoder),
        ("x-gzip", gzip.compress(BODY), GzipDecoder),
        ("deflate", zlib.compress(BODY), DeflateDecoder),
        ("deflate", _raw_deflate(BODY), DeflateDecoder),
        ("br", brotli.compress(BODY), BrotliDecoder),
        ("identity, gzip", gzip.compress(BODY), GzipDecoder),
    ],
)
def test_each_encoding_decodes_within_the_cap(
    encoding: str | None, encoded: bytes, kind: type
) -> None:
    assert isinstance(decoder_for(encoding, len(BODY)), kind)
    assert _feed(encoding or "", encoded, len(BODY)) == BODY
    with pytest.raises(TooLarge):
        _feed(encoding or "", encoded, len(BODY) - 1)


def test_unknown_and_stacked_encodings_are_refused() -> None:
    for header in ("compress", "gzip, br", "zstd"):
        with pytest.raises(UnsupportedEncoding):
            decoder_for(header, 100)


def test_corrupt_bodies_are_decode_errors() -> None:
    for encoding in ("gzip", "deflate", "br"):
        with pytest.raises(DecodeError):
            _feed(encoding, b"this is not compressed at all" * 10, 10_000)
