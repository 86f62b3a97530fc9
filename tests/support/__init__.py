"""Test support: pytest fixtures (registered by ``tests/conftest.py``), the article factory,
database worker processes and the fault/attack HTTP server built on the demo site."""
