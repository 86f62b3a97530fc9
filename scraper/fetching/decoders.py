"""Content-Encoding decoders that never produce more than a size cap of output.

Bodies are streamed raw and decoded here rather than by httpx, so that the size cap applies
to the decompressed bytes: each decoder asks zlib/brotli for at most the remaining room plus
one byte, so a gzip or brotli bomb is caught after ``limit`` bytes of output, not after it
has filled memory.
"""

from __future__ import annotations

import zlib

import brotli


class TooLarge(Exception):
    """The decoded body would exceed the cap."""


class UnsupportedEncoding(Exception):
    """A Content-Encoding we do not decode (or a stack of several)."""


class DecodeError(Exception):
    """The body is not valid for its Content-Encoding."""


class BoundedDecoder:
    """Counts output against ``limit``; subclasses decode one encoding. This one is
    ``identity``: the bytes as they came."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.total = 0

    def feed(self, data: bytes) -> bytes:
        """The decoded bytes of the next raw chunk; `TooLarge` past the limit."""
        out = self._decode(data, self.limit - self.total + 1)
        self.total += len(out)
        if self.total > self.limit:
            raise TooLarge
        return out

    def _decode(self, data: bytes, max_length: int) -> bytes:
        return data


class GzipDecoder(BoundedDecoder):
    name = "gzip"

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self._zlib = self._decompressor()

    def _decompressor(self) -> zlib._Decompress:
        return zlib.decompressobj(zlib.MAX_WBITS | 16)

    def _decode(self, data: bytes, max_length: int) -> bytes:
        try:
            out = self._zlib.decompress(data, max_length)
        except zlib.error as exc:
            raise DecodeError(f"{self.name}: {exc}") from exc
        if self._zlib.unconsumed_tail:  # output hit max_length: over the limit
            raise TooLarge
        return out


class DeflateDecoder(GzipDecoder):
    """``deflate`` is meant to be zlib-wrapped, but some servers send raw deflate: the first
    chunk decides which."""

    name = "deflate"

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self._first = True

    def _decompressor(self) -> zlib._Decompress:
        return zlib.decompressobj()

    def _decode(self, data: bytes, max_length: int) -> bytes:
        try:
            return super()._decode(data, max_length)
        except DecodeError:
            if not self._first:
                raise
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            return super()._decode(data, max_length)
        finally:
            self._first = False


class BrotliDecoder(BoundedDecoder):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self._brotli = brotli.Decompressor()

    def _decode(self, data: bytes, max_length: int) -> bytes:
        try:
            out: bytes = self._brotli.process(data, output_buffer_limit=max_length)
        except brotli.error as exc:
            raise DecodeError(f"brotli: {exc}") from exc
        return out


DECODERS: dict[str, type[BoundedDecoder]] = {
    "identity": BoundedDecoder,
    "gzip": GzipDecoder,
    "x-gzip": GzipDecoder,
    "deflate": DeflateDecoder,
    "br": BrotliDecoder,
}


def decoder_for(content_encoding: str | None, limit: int) -> BoundedDecoder:
    """The decoder for a Content-Encoding header (absent: identity). `UnsupportedEncoding` for
    unknown codings and for stacked ones (``gzip, br``), which DW never sends."""
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"] or ["identity"]
    if len(codings) > 1 or codings[0] not in DECODERS:
        raise UnsupportedEncoding(content_encoding or "")
    return DECODERS[codings[0]](limit)
