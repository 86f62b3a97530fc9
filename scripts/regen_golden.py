"""Regenerate the expected JSON records of the golden fixture pages — on purpose only.

    PYTHONPATH=. python scripts/regen_golden.py            # all generated records
    PYTHONPATH=. python scripts/regen_golden.py NAME...    # only these pages (file stems)
    PYTHONPATH=. python scripts/regen_golden.py --check    # report differences, write nothing

Hand-written records are never touched: those listed in `HAND_WRITTEN` and any record holding
the ``"<computed>"`` placeholder (the convention of ``fixtures/dw/README.md``). After a
regeneration, read the diff (``git diff fixtures/``) and check every changed value by eye: the
hand-written assertions in ``tests/test_parser_golden.py`` guard the key fields, so a wrong
extraction cannot pass just because its output was written down.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "fixtures" / "dw"

#: Records typed by hand from ../shared/seed/: never regenerated.
HAND_WRITTEN = frozenset({"en_relaunch_2023-09-13_putin-kim"})
PLACEHOLDER = "<computed>"

#: The fetch time each golden page is parsed with (the reference for relative dates).
FETCHED_AT = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)


def is_hand_written(record_path: Path) -> bool:
    if record_path.stem in HAND_WRITTEN:
        return True
    return record_path.exists() and PLACEHOLDER in record_path.read_text(encoding="utf-8")


def render(page: Path) -> str:
    from scraper import parse_page

    article = parse_page(page.read_bytes(), fetched_at=FETCHED_AT)
    return json.dumps(article.to_dict(), ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="page stems to regenerate (default: all)")
    parser.add_argument("--check", action="store_true", help="only report stale records")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    stale = 0
    for page in sorted(GOLDEN.glob("*.html")):
        if args.names and page.stem not in args.names:
            continue
        record = page.with_suffix(".json")
        if is_hand_written(record):
            print(f"skip  {record.name} (hand-written)")
            continue
        from scraper.errors import ParseError

        try:
            new = render(page)
        except ParseError as exc:  # error fixtures (not DW, not an article) have no record
            print(f"error {page.name}: {type(exc).__name__} (no record)")
            continue
        old = record.read_text(encoding="utf-8") if record.exists() else None
        if new == old:
            print(f"same  {record.name}")
            continue
        stale += 1
        if args.check:
            print(f"STALE {record.name}")
        else:
            record.write_text(new, encoding="utf-8")
            print(f"wrote {record.name}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
