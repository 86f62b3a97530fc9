"""Small rooms: no product module over MAX_MODULE lines, no function over MAX_FUNCTION lines.

    python scripts/check_rooms.py        # prints each offender, exits 1 if there is one

Run by tests/test_rooms.py. A module may pass MAX_MODULE only when it is one concept (a word
table, one query builder) and is listed in ONE_CONCEPT with the reason; a function has no such
way out: split it. Function length counts from the first statement after the docstring to the
end, so decorators and docstrings do not count against it. Migrations are frozen history and
left out.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("scraper", "db")
MAX_MODULE = 400
MAX_FUNCTION = 60

#: Modules allowed over MAX_MODULE, each one concept.
ONE_CONCEPT = {
    "scraper/normalize/labels.py": "the boilerplate and label word tables of every DW language",
    "scraper/parsers/relaunch.py": "the relaunch layout's fields, one small method each",
    "db/store.py": "the one write path of an article (rows, revision, raw page) in both databases",
    "db/search.py": "the full-text query builder for both databases",
    "db/articles.py": "every read of stored articles: find, iterate, records, revisions, pages",
    "db/models.py": "the schema: one declaration per table, the target of the migrations",
}


def function_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = node.body
    first = body[0]
    if (
        len(body) > 1
        and isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        first = body[1]
    return (node.end_lineno or node.lineno) - first.lineno + 1


def offenders(root: Path = ROOT) -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            text = path.read_text(encoding="utf-8")
            lines = text.count("\n") + 1
            if lines > MAX_MODULE and rel not in ONE_CONCEPT:
                found.append(f"{rel}: {lines} lines (over {MAX_MODULE})")
            for node in ast.walk(ast.parse(text, rel)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    n = function_lines(node)
                    if n > MAX_FUNCTION:
                        found.append(f"{rel}:{node.lineno} {node.name}: {n} lines")
    return found


def main() -> int:
    found = offenders()
    for line in found:
        sys.stdout.write(line + "\n")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
