"""Alembic migrations for the dwscrape schema (`db.migrate` drives them programmatically)."""
