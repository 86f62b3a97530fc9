"""The fake DW site that `dwscrape demo` crawls offline: `serve_site` runs it on loopback."""

from scraper.demo.site import DemoSite, serve_site

__all__ = ["DemoSite", "serve_site"]
