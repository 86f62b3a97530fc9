"""Imported as a library, dwscrape writes nothing on its own: its log events go to stdlib
loggers with a `NullHandler`, and the program that imports it decides where they go."""

from __future__ import annotations

import subprocess

from conftest import FIXTURES

from tests.support.cli import python

PAGE = FIXTURES / "dw" / "en_relaunch_nojson_cologne-cathedral.html"

PARSE_QUIETLY = """
import sys
from scraper import parse_page
article = parse_page(open(sys.argv[1], "rb").read())
assert any(w.startswith("field missing") for w in article.warnings), article.warnings
"""

PARSE_WITH_LOGGING = """
import logging, sys
logging.basicConfig(format="%(levelname)s %(name)s %(message)s")
from scraper import parse_page
parse_page(open(sys.argv[1], "rb").read())
"""


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return python("-c", code, str(PAGE), timeout=60)


def test_parsing_a_page_with_missing_fields_prints_nothing() -> None:
    proc = _python(PARSE_QUIETLY)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr == ""


def test_the_program_decides_where_the_events_go() -> None:
    proc = _python(PARSE_WITH_LOGGING)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "WARNING scraper." in proc.stderr
    assert "parse.field_missing field=" in proc.stderr
