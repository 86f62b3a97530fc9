"""`dwscrape serve`: Datasette on the database with dwscrape's metadata, checked through
Datasette's own client and in a real headless Chromium (search, facets, the article page).

The browser test skips where Debian's ``chromium`` and ``chromium-driver`` are not installed,
unless DWSCRAPE_REQUIRE_BROWSER=1 (set by `.ci/run`, which installs them), so CI cannot go
green by skipping.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scraper.exitcodes import ExitCode
from scraper.serve import build_datasette
from tests.support.cli import ROOT, dwscrape
from tests.support.users_corpus import build_corpus_db, corpus_languages, corpus_size

PUTIN_TITLE = "Putin and Kim Jong Un meet in Russian Far East"
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def corpus_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "corpus.sqlite3"
    build_corpus_db(path)
    return path


async def _get_json(datasette: Any, route: str) -> Any:
    response = await datasette.client.get(route)
    assert response.status_code == 200, response.text
    return response.json()


def test_metadata_facets_and_canned_queries(corpus_path: Path) -> None:
    datasette = build_datasette(corpus_path)

    async def check() -> None:
        meta = await _get_json(datasette, "/-/metadata.json")
        table = meta["databases"]["corpus"]["tables"]["articles"]
        assert table["columns"]["published_precision"].startswith("second or day")

        rows = await _get_json(datasette, "/corpus/articles.json?_search=Putin&_shape=objects")
        assert [r["title"] for r in rows["rows"]] == [PUTIN_TITLE]

        page = await datasette.client.get("/corpus/articles.json?_facet_size=50")
        facets = page.json()["facet_results"]
        assert {"language", "content_type", "agency", "topic"} <= set(facets)
        agencies = {v["value"]: v["count"] for v in facets["agency"]["results"]}
        assert agencies["Reuters"] >= 1

        afp = await _get_json(datasette, "/corpus/articles.json?_agency=AFP&_shape=objects")
        assert afp["rows"] and all(r["id"] for r in afp["rows"])
        assert len(afp["rows"]) == agencies["AFP"]

        months = await _get_json(
            datasette, "/corpus/articles_by_agency_per_month.json?_shape=objects"
        )
        assert {"month": "2023-09", "agency": "Reuters", "articles": 1} in months["rows"]
        latest = await _get_json(datasette, "/corpus/latest_per_language.json?_shape=objects")
        assert {r["language"] for r in latest["rows"]} == corpus_languages()
        revisions = await _get_json(
            datasette, "/corpus/revisions_of_article.json?dw_id=66797777&_shape=objects"
        )
        assert [(r["revision_no"], r["cause"]) for r in revisions["rows"]] == [(1, "new")]

        article = await datasette.client.get("/-/dwscrape/article/999999")
        assert article.status_code == 404

    asyncio.run(check())


def test_serve_refuses_postgresql_with_a_way_out() -> None:
    result = dwscrape("serve", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/dw")
    assert result.returncode == ExitCode.USAGE
    assert "needs a SQLite database" in result.stderr
    assert "import-warc" in result.stderr


# ------------------------------------------------------------------ the real browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(corpus_path: Path) -> Iterator[str]:
    """`dwscrape serve` as a real subprocess; its base URL."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "scraper", "serve", "--db", str(corpus_path), "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"serve exited: {process.communicate()[1].decode()}")
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def browser() -> Iterator[Any]:
    if not all(shutil.which(Path(p).name) or Path(p).exists() for p in CHROMIUM):
        if os.environ.get("DWSCRAPE_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium and chromium-driver are missing but DWSCRAPE_REQUIRE_BROWSER=1")
        pytest.skip("no chromium / chromium-driver (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or CHROMIUM[0]
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=en"):
        options.add_argument(argument)
    options.add_argument("--window-size=1280,1600")
    service = Service(shutil.which("chromedriver") or CHROMIUM[1])
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def test_search_facet_and_article_page_in_a_real_browser(
    served: str, browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    def wait_url(fragment: str) -> None:
        WebDriverWait(browser, 15).until(expected_conditions.url_contains(fragment))

    def rows() -> list[Any]:
        return browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")

    def column(name: str) -> list[str]:
        cells = browser.find_elements(By.CSS_SELECTOR, f"table.rows-and-columns td.col-{name}")
        return [c.text for c in cells]

    # the articles table: described, with the search box
    browser.get(f"{served}/corpus/articles")
    assert "current version" in browser.find_element(By.CSS_SELECTOR, ".metadata-description").text
    assert len(rows()) == corpus_size()

    # search a term
    box = browser.find_element(By.CSS_SELECTOR, "input[name=_search]")
    box.send_keys("Putin" + Keys.ENTER)
    wait_url("_search=Putin")
    assert column("title") == [PUTIN_TITLE]
    browser.save_screenshot(str(tmp_path / "search.png"))

    # open a facet: language de, then an agency on top of it
    browser.get(f"{served}/corpus/articles")
    facet = browser.find_element(By.CSS_SELECTOR, ".facet-info[data-column=language]")
    facet.find_element(By.LINK_TEXT, "de").click()
    wait_url("language=de")
    assert column("language") and set(column("language")) == {"de"}
    agency = browser.find_element(By.CSS_SELECTOR, ".facet-info[data-column=agency]")
    first = agency.find_elements(By.CSS_SELECTOR, "li a")[0]
    name = first.text
    first.click()
    wait_url("_agency=")
    assert f'agency is "{name}"' in browser.find_element(By.TAG_NAME, "h3").text
    assert rows() and set(column("language")) == {"de"}
    browser.save_screenshot(str(tmp_path / "facets.png"))

    # open an article from the search results
    browser.get(f"{served}/corpus/articles?_search=Putin")
    browser.find_element(By.CSS_SELECTOR, "td.col-title a.dwscrape-article").click()
    wait_url("/-/dwscrape/article/")
    page = browser.find_element(By.CSS_SELECTOR, "article.dwscrape-page")
    assert page.get_attribute("data-dw-id") == "66797777"
    assert page.find_element(By.TAG_NAME, "h1").text == PUTIN_TITLE
    assert len(page.find_elements(By.CSS_SELECTOR, ".body p")) > 5
    figure = page.find_element(By.CSS_SELECTOR, "figure.dwscrape-image")
    assert "Vostochny" in figure.find_element(By.CSS_SELECTOR, ".caption").text
    assert figure.find_element(By.CSS_SELECTOR, ".credit").text.startswith("Image: ")
    credit = page.find_element(By.CSS_SELECTOR, ".credit-line")
    assert "Agencies" in credit.text and "Reuters" in credit.text
    browser.save_screenshot(str(tmp_path / "article.png"))
    assert (tmp_path / "article.png").stat().st_size > 10_000

    # and on to its revisions (the canned query)
    page.find_element(By.CSS_SELECTOR, "a.revisions").click()
    wait_url("revisions_of_article")
    assert column("cause") == ["new"]
    assert json.loads("[1]") == [int(v) for v in column("revision_no")]
