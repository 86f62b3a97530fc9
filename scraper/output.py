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
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from rich.console import Console
from rich.table import Table


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
