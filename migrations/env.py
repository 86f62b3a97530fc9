"""Alembic environment: runs migrations on the connection `db.migrate` hands over, or on an
engine built from the configured URL (plain ``alembic`` use from the repository root)."""

from __future__ import annotations

from typing import Any

from alembic import context

from db.engine import make_engine
from db.migrate import include_object
from db.models import JSONType, UTCDateTime, metadata

config = context.config
target_metadata = metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render `UTCDateTime` as plain ``sa.DateTime(timezone=True)`` and `JSONType` as the JSON /
    JSONB variant in new migrations, so migration files never import the (changing) models."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, JSONType):
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'
    return False


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        include_object=include_object,
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise RuntimeError(
            "no database URL: pass -x url=…, set sqlalchemy.url, or use `dwscrape db upgrade`"
        )
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported; the DDL is dialect-specific")
run_migrations_online()
