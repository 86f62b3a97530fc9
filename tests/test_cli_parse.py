"""`dwscrape parse` on files and stdin: the golden record, text output, one-line errors."""

from __future__ import annotations

import json

from click.testing import CliRunner
from conftest import FIXTURES

from scraper.cli import cli
from scraper.exitcodes import ExitCode
from tests.support.cli import dwscrape

SEED = FIXTURES / "dw" / "en_relaunch_2023-09-13_putin-kim.html"
SEED_JSON = FIXTURES / "dw" / "en_relaunch_2023-09-13_putin-kim.json"


def test_parse_file_gives_the_golden_record() -> None:
    result = CliRunner().invoke(cli, ["parse", str(SEED)])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    expected = json.loads(SEED_JSON.read_text("utf-8"))
    for key in ("dw_id", "title", "kicker", "teaser", "short_url", "topics", "text", "agencies"):
        assert record[key] == expected[key], key


def test_parse_stdin_with_url_and_text_format() -> None:
    url = "https://www.dw.com/en/putin-and-kim-jong-un-meet-in-russian-far-east/a-66797777"
    result = CliRunner().invoke(
        cli, ["parse", "-", "--url", url, "--format", "text"], input=SEED.read_bytes()
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("POLITICS | NORTH KOREA\nPutin and Kim Jong Un meet")
    assert "https://p.dw.com/p/4WGXq" in result.stdout


def test_parse_errors_are_one_line_and_exit_5(tmp_path) -> None:
    for page in (
        FIXTURES / "dw" / "not_dw.html",
        FIXTURES / "dw" / "de_relaunch_topic_klimawandel.html",
    ):
        proc = dwscrape("parse", str(page))
        assert proc.returncode == ExitCode.FAILED, proc.stderr
        assert proc.stdout == ""
        errors = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1 and "not a DW article" in errors[0]
    missing = CliRunner().invoke(cli, ["parse", str(tmp_path / "nope.html")])
    assert missing.exit_code == ExitCode.FAILED and "cannot read" in missing.output
