"""Writers for records on stdout: table, json, jsonl and csv, streaming where the format allows.

`export` can be asked for millions of articles, so json, jsonl and csv write one record at a
time from an iterator and never hold the whole result (a JSON array is written bracket by
bracket). Only the table needs every row before it can size its columns, which is why the table
is offered for `query` (bounded by `--limit`) and `stats`, not for `export`.

CSV cells are flat: lists become ``"; "``-joined strings and nested objects (authors, images,
blocks) JSON text, so a spreadsheet opens the file and no information is lost.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from scraper.article import RECORD_FORMAT, RECORD_KEYS, Article


def write_records(
    records: Iterable[Mapping[str, Any]],
    fmt: str,
    stream: IO[str],
    *,
    columns: Sequence[str] | None = None,
    title: str | None = None,
) -> int:
    """Write `records` to `stream` in `fmt`; returns how many were written.

    `columns` selects and orders the keys for table and csv (default: the first record's keys).
    """
    if fmt == "jsonl":
        return _write_jsonl(records, stream)
    if fmt == "json":
        return _write_json_array(records, stream)
    if fmt == "csv":
        return _write_csv(records, stream, columns)
    if fmt == "table":
        return _write_table(records, stream, columns, title)
    raise ValueError(f"unknown output format {fmt!r}")


def record_json(stored: str, record_format: int | None = None) -> str:
    """A stored record's JSON text as `to_json` would write the article it holds.

    A record stored in the current format (`record_format` is `RECORD_FORMAT`: the keys of the
    current record in their order, characters kept) is that text already, and is returned as it
    is, not even decoded. Otherwise it is decoded: with the current keys in their order, only
    the escapes of characters beyond ASCII that older rows hold are undone (still much cheaper
    than building the article and encoding it again); anything else (an older record,
    PostgreSQL's JSONB with its own key order) goes the long way through `Article`."""
    if record_format == RECORD_FORMAT:
        return stored
    record = json.loads(stored)
    if tuple(record) == RECORD_KEYS:
        return _ASCII_ESCAPE.sub(_unescape, stored) if "\\u" in stored else stored
    return to_json(Article.from_dict(record).to_dict())


# A JSON escape: a surrogate pair, one \uXXXX, or any other (kept as it is). Matching every
# escape in turn keeps an escaped backslash followed by "u" from being taken for a \u escape.
_ASCII_ESCAPE = re.compile(r"\\(?:u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})|u([0-9a-f]{4})|.)")


def _unescape(match: re.Match[str]) -> str:
    high, low, one = match.groups()
    if high is not None:
        return chr(0x10000 + ((int(high, 16) - 0xD800) << 10) + int(low, 16) - 0xDC00)
    if one is not None and int(one, 16) >= 0x7F:  # below: escaped by `to_json` as well
        return chr(int(one, 16))
    return match.group()


def to_json(value: Any, *, indent: int | None = None) -> str:
    """JSON text as the CLI writes it: UTF-8 characters kept, dates as ISO strings."""
    return json.dumps(value, ensure_ascii=False, indent=indent, default=_default)


def _default(value: Any) -> Any:
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def write_json_lines(texts: Iterable[str], stream: IO[str]) -> int:
    """Write JSON texts already encoded as `to_json` would, one per line; how many."""
    count = 0
    for text in texts:
        stream.write(text)
        stream.write("\n")
        count += 1
    return count


def _write_jsonl(records: Iterable[Mapping[str, Any]], stream: IO[str]) -> int:
    count = 0
    for record in records:
        stream.write(to_json(record))
        stream.write("\n")
        count += 1
    return count


def _write_json_array(records: Iterable[Mapping[str, Any]], stream: IO[str]) -> int:
    count = 0
    stream.write("[")
    for record in records:
        stream.write(",\n" if count else "\n")
        stream.write(to_json(record))
        count += 1
    stream.write("\n]\n" if count else "]\n")
    return count


def flat_cell(value: Any) -> str:
    """One CSV/table cell: lists of scalars joined by "; ", nested structures as JSON."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, (str, int, float)) for v in value):
            return "; ".join(str(v) for v in value)
        return to_json(value)
    if isinstance(value, Mapping):
        return to_json(value)
    if isinstance(value, float):
        return f"{value:.3g}"
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return str(isoformat())
    return str(value)


def _write_csv(
    records: Iterable[Mapping[str, Any]], stream: IO[str], columns: Sequence[str] | None
) -> int:
    writer: Any = None
    count = 0
    for record in records:
        if writer is None:
            cols = list(columns or record.keys())
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(cols)
        writer.writerow([flat_cell(record.get(c)) for c in cols])
        count += 1
    if writer is None and columns:
        csv.writer(stream, lineterminator="\n").writerow(list(columns))
    return count


def _write_table(
    records: Iterable[Mapping[str, Any]],
    stream: IO[str],
    columns: Sequence[str] | None,
    title: str | None,
) -> int:
    # rich (and what it pulls in) only for the one format that draws a table
    from rich.console import Console
    from rich.table import Table

    rows = list(records)
    cols = list(columns or (rows[0].keys() if rows else ()))
    table = Table(title=title, show_lines=False, header_style="bold")
    for col in cols:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*(_shorten(flat_cell(row.get(c))) for c in cols))
    console = Console(file=stream, width=_width(stream), soft_wrap=False)
    console.print(table)
    return len(rows)


def _shorten(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _width(stream: IO[str]) -> int | None:
    try:
        return None if stream.isatty() else 160
    except (AttributeError, ValueError):
        return 160
