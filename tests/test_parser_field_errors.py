"""The per-field error policy: a field extractor that fails leaves that field empty, logs
``parse.field_error`` with the field's name, and the article still comes out; only the
essentials (a layout, a title or a body) fail a page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES
from structlog.testing import capture_logs

from scraper import parse_page
from scraper.errors import NotArticleError
from scraper.parsers.classic import ClassicParser
from scraper.parsers.relaunch import RelaunchParser

RELAUNCH = FIXTURES / "dw" / "en_relaunch_2023-09-13_putin-kim.html"
CLASSIC = FIXTURES / "dw" / "en_classic_2020-07-14_floating-solar.html"


def _boom(*args: Any, **kwargs: Any) -> Any:
    raise ValueError("extractor bug")


def _field_errors(logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in logs if e["event"] == "parse.field_error"]


@pytest.mark.parametrize(
    ("page", "parser", "method", "field", "empty"),
    [
        (RELAUNCH, RelaunchParser, "teaser", "teaser", lambda a: a.teaser is None),
        (RELAUNCH, RelaunchParser, "authors", "authors", lambda a: a.authors == ()),
        (RELAUNCH, RelaunchParser, "dates", "dates", lambda a: a.published_at is None),
        (RELAUNCH, RelaunchParser, "short_url", "short_url", lambda a: a.short_url is None),
        (CLASSIC, ClassicParser, "teaser", "teaser", lambda a: a.teaser is None),
        (CLASSIC, ClassicParser, "topics", "topics", lambda a: a.topics == ()),
        (CLASSIC, ClassicParser, "dates", "dates", lambda a: a.published_at is None),
    ],
)
def test_a_failing_field_leaves_it_empty_and_warns(
    monkeypatch: pytest.MonkeyPatch,
    page: Path,
    parser: type[Any],
    method: str,
    field: str,
    empty: Callable[[Any], bool],
) -> None:
    data = page.read_bytes()
    url = "https://www.dw.com/en/x/a-1"
    intact = parse_page(data, url=url)
    monkeypatch.setattr(parser, method, _boom)
    with capture_logs() as logs:
        article = parse_page(data, url=url)
    assert empty(article)
    assert article.title == intact.title and article.text == intact.text
    errors = _field_errors(logs)
    assert [e["field"] for e in errors] == [field]
    assert errors[0]["log_level"] == "warning" and "extractor bug" in errors[0]["error"]
    assert f"field error: {field} (ValueError)" in article.warnings


def test_a_failing_body_keeps_the_title() -> None:
    """No body but a title: still an article (the body's absence is a warning)."""
    data = RELAUNCH.read_bytes()
    with pytest.MonkeyPatch.context() as mp, capture_logs() as logs:
        mp.setattr(RelaunchParser, "body", _boom)
        article = parse_page(data)
    assert article.title and article.blocks == ()
    assert "field missing: blocks" in article.warnings
    assert [e["field"] for e in _field_errors(logs)] == ["body"]


def test_no_title_and_no_body_fails_the_page() -> None:
    data = RELAUNCH.read_bytes()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(RelaunchParser, "body", _boom)
        mp.setattr(RelaunchParser, "title", _boom)
        with pytest.raises(NotArticleError):
            parse_page(data)


def test_a_page_nested_too_deeply_is_still_a_parse_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """`RecursionError` is not a field's bug: it still fails the page, as too deep to parse."""

    def too_deep(*args: Any) -> Any:
        raise RecursionError

    monkeypatch.setattr(RelaunchParser, "topics", too_deep)
    with pytest.raises(Exception, match="nested too deeply"):
        parse_page(RELAUNCH.read_bytes())
