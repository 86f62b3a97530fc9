"""The readable table every benchmark prints without ``--json``: one column per key, padded."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def table(rows: Sequence[Mapping[str, Any]], cols: Sequence[str]) -> str:
    """`rows` under a header of `cols`, each column as wide as its widest cell (a missing
    key prints empty)."""
    widths = [max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in cols]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))]
    for r in rows:
        lines.append(
            "  ".join(str(r.get(c, "")).ljust(w) for c, w in zip(cols, widths, strict=True))
        )
    return "\n".join(lines)
