"""The one place the version is written: pyproject.toml reads it from here, the User-Agent and
the command line show it without the cost of looking up the installed distribution's metadata.
A leaf module, so that every layer may name the version without importing the parser."""

__version__ = "0.1.0"
