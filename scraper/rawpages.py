"""The fetched bytes of a page as they are kept for re-parsing: hashed, then compressed.

A leaf of the shared vocabulary, so that the pipeline can compress a page next to its parse
(in the parse pool, off the database writer's critical path) and storage can store the result
as it is. New pages are compressed with zstd at level 3: on DW's pages it compresses about as
well as zlib at level 6 (3.9×) about seven times faster, and decompresses (re-parsing,
exports) several times faster too (`benchmarks/codec_bench.py`). Pages stored earlier with
zlib keep their marker and still read.
"""

from __future__ import annotations

import hashlib
import threading
import zlib
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import zstandard

#: The codec new pages are written with, as named in ``raw_pages.compression``.
CODEC = "zstd"
ZSTD_LEVEL = 3

_local = threading.local()


class PackedPage(NamedTuple):
    """A page ready to store: the SHA-256 of its bytes (its key), the codec, its size and the
    compressed bytes."""

    sha256: str
    compression: str
    size: int
    data: bytes


def pack(body: bytes) -> PackedPage:
    """Hash and compress a page's bytes with the current codec."""
    return PackedPage(
        hashlib.sha256(body).hexdigest(), CODEC, len(body), _compressor().compress(body)
    )


def unpack(compression: str, data: bytes) -> bytes:
    """The page's bytes back, whichever codec they were stored with."""
    if compression == "zstd":
        return bytes(_decompressor().decompress(data))
    if compression == "zlib":
        return zlib.decompress(data)
    if compression == "none":
        return bytes(data)
    raise ValueError(f"unknown raw page compression {compression!r}")


def _compressor() -> zstandard.ZstdCompressor:
    # zstandard's contexts are reusable but not shareable between threads: one per thread
    found: zstandard.ZstdCompressor | None = getattr(_local, "compressor", None)
    if found is None:
        import zstandard

        found = _local.compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL)
    return found


def _decompressor() -> zstandard.ZstdDecompressor:
    found: zstandard.ZstdDecompressor | None = getattr(_local, "decompressor", None)
    if found is None:
        import zstandard

        found = _local.decompressor = zstandard.ZstdDecompressor()
    return found
