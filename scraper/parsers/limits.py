"""How much of a page the parser takes on: caps that keep one hostile page from costing the
run its memory or storing a hollow article.

A DW article has some 2,000 tags, a few hundred blocks and tens of thousands of characters;
each cap is about a hundred times that. A page over a cap is refused with `PageLimitError`
(a `MalformedPageError`), never cut: a partial article stored as if whole would be worse than
none, and such a page is an attack or a broken server, not news.

* ``max_tags``: counted as ``<`` in the raw page before any tree is built, so a million
  paragraphs cost a byte count, not the gigabyte their tree would;
* depth: libxml2 stops at 256 nested elements and hands back the tree it had (the rest of
  the page lost); that stop is detected (`scraper.parsers.base`) and refused. The depth is
  libxml2's own limit, not a setting;
* ``max_blocks`` and ``max_text_chars``: the built article's body blocks and text.
"""

from __future__ import annotations

from dataclasses import dataclass

from scraper.errors import ConfigError


@dataclass(frozen=True)
class ParseLimits:
    max_tags: int = 200_000
    max_blocks: int = 10_000
    max_text_chars: int = 1_000_000

    def __post_init__(self) -> None:
        for name in ("max_tags", "max_blocks", "max_text_chars"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"ParseLimits.{name} must be > 0")


PARSE_LIMITS = ParseLimits()
