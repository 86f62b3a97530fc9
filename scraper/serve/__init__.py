"""`dwscrape serve`: the SQLite database in Datasette, read-only, with dwscrape's metadata.

Datasette (optional extra ``dwscrape[serve]``) opens the file with ``mode=ro``, so serving
never writes to it and a crawl may keep writing meanwhile (WAL readers do not block it).
`scraper.serve.metadata` describes the tables, facets and canned queries; the plugin
`scraper.serve.plugin` adds agency/topic facets and the readable article page.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from scraper.extras import require

TEMPLATES = Path(__file__).resolve().parent / "templates"


def build_datasette(path: Path, **settings: Any) -> Any:
    """A Datasette over the dwscrape SQLite file at `path`, its plugin registered and started."""
    app = require("datasette.app", "serve", "dwscrape serve")
    plugins = require("datasette.plugins", "serve", "dwscrape serve")
    from scraper.serve import plugin
    from scraper.serve.metadata import metadata

    if not plugins.pm.is_registered(plugin):
        plugins.pm.register(plugin, name="dwscrape")
    datasette = app.Datasette(
        [str(path)],
        metadata=metadata(path.stem),
        template_dir=str(TEMPLATES),
        settings=settings or None,
    )
    asyncio.run(datasette.invoke_startup())
    return datasette


def run(path: Path, host: str, port: int) -> None:
    """Serve until interrupted (uvicorn, as ``datasette serve`` does)."""
    uvicorn = require("uvicorn", "serve", "dwscrape serve")
    datasette = build_datasette(path)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning", lifespan="on")
