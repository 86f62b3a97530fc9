"""The readable table every benchmark prints without ``--json``: one column per key, padded."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
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


def emit(report: dict[str, Any], as_json: bool, readable: Callable[[dict[str, Any]], None]) -> int:
    """Print `report` as one JSON object (``--json``) or through its `readable` printer; 0."""
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        readable(report)
    return 0
