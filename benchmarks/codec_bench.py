"""Raw-page codecs on real DW pages: compress and decompress time per page, and the ratio.

The pages are the fixtures (``fixtures/dw``) and, when present, the real pages of
``../shared/dw-pages``. Each codec compresses and decompresses every page `--rounds` times; the
best round counts (the machine is shared). The codec the store writes is `scraper.rawpages`'s.

Usage:
    python benchmarks/codec_bench.py            # table
    python benchmarks/codec_bench.py --json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import brotli
import zstandard

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraper.rawpages import CODEC, ZSTD_LEVEL  # noqa: E402

Codec = tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]]


def codecs() -> dict[str, Codec]:
    def zstd(level: int) -> Codec:
        c, d = zstandard.ZstdCompressor(level=level), zstandard.ZstdDecompressor()
        return c.compress, d.decompress

    return {
        "zlib-6": (lambda b: zlib.compress(b, 6), zlib.decompress),
        "zlib-1": (lambda b: zlib.compress(b, 1), zlib.decompress),
        "zstd-1": zstd(1),
        "zstd-3": zstd(3),
        "zstd-6": zstd(6),
        "brotli-1": (lambda b: brotli.compress(b, quality=1), brotli.decompress),
        "brotli-5": (lambda b: brotli.compress(b, quality=5), brotli.decompress),
    }


def pages() -> list[bytes]:
    found = sorted((ROOT / "fixtures" / "dw").glob("*.html"))
    found += sorted((ROOT.parent / "shared" / "dw-pages").glob("*.html"))
    return [p.read_bytes() for p in found]


def measure(codec: Codec, bodies: list[bytes], rounds: int) -> dict[str, float]:
    compress, decompress = codec
    packed = [compress(b) for b in bodies]
    assert [decompress(p) for p in packed] == bodies
    best_c = best_d = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for b in bodies:
            compress(b)
        best_c = min(best_c, time.perf_counter() - start)
        start = time.perf_counter()
        for p in packed:
            decompress(p)
        best_d = min(best_d, time.perf_counter() - start)
    raw, small = sum(map(len, bodies)), sum(map(len, packed))
    n = len(bodies)
    return {
        "compress_ms": round(best_c / n * 1000, 3),
        "decompress_ms": round(best_d / n * 1000, 3),
        "ratio": round(raw / small, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    bodies = pages()
    rows = [{"codec": name, **measure(c, bodies, args.rounds)} for name, c in codecs().items()]
    report: dict[str, Any] = {
        "pages": len(bodies),
        "mean_page_kib": round(sum(map(len, bodies)) / len(bodies) / 1024, 1),
        "store_writes": f"{CODEC}-{ZSTD_LEVEL}",
        "codecs": rows,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['pages']} pages, {report['mean_page_kib']} KiB each on average")
    print(f"{'codec':<10} {'compress ms':>12} {'decompress ms':>14} {'ratio':>6}")
    for r in rows:
        mark = "  <- stored" if r["codec"] == report["store_writes"] else ""
        print(
            f"{r['codec']:<10} {r['compress_ms']:>12} {r['decompress_ms']:>14} "
            f"{r['ratio']:>6}{mark}"
        )


if __name__ == "__main__":
    main()
