"""Optional dependencies: the features that need a third-party package not everyone wants
(pyarrow, warcio, Datasette) import it through `require`, so a missing package becomes one
`ConfigError` naming the extra to install instead of an ImportError traceback."""

from __future__ import annotations

import importlib
from types import ModuleType

from scraper.errors import ConfigError


def require(module: str, extra: str, feature: str) -> ModuleType:
    """`module` imported, or a `ConfigError` saying ``pip install 'dwscrape[extra]'``."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ConfigError(
            f"{feature} needs the Python package {module.split('.')[0]}: "
            f"pip install 'dwscrape[{extra}]'"
        ) from exc
