"""Runs with an owner and a heartbeat; per-host pacing shared between processes

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 22:30:00.000000

``crawl_runs`` gains who runs it (``host``, ``pid``, the lease ``owner`` name) and a
``heartbeat_at`` the run refreshes while it works, so a later run can tell a crashed run (its
heartbeat stale, or its pid gone on the same host) from a live one and close it as
``abandoned``.

``ix_frontier_lease_order`` follows the lease's order (state, priority descending, due time,
id): a lease reads its batch off the index instead of sorting the whole frontier, so leasing
costs the same with a thousand URLs queued or millions.

``host_gates`` holds one row per fetched host with the earliest time the next request to it may
start. Every process that fetches from a PostgreSQL database takes that row (a row lock) before
a request, so many processes together keep the per-host delay and share a ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("host", sa.Text(), nullable=True))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("owner", sa.Text(), nullable=True))
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_crawl_runs_status", "crawl_runs", ["status"])
    op.create_index("ix_frontier_lease_owner", "frontier", ["lease_owner"])
    op.create_index(
        "ix_frontier_lease_order",
        "frontier",
        ["state", sa.desc("priority"), "next_fetch_at", "id"],
    )
    op.create_table(
        "host_gates",
        sa.Column("host", sa.Text(), primary_key=True),
        sa.Column("next_allowed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("host_gates")
    op.drop_index("ix_frontier_lease_order", table_name="frontier")
    op.drop_index("ix_frontier_lease_owner", table_name="frontier")
    op.drop_index("ix_crawl_runs_status", table_name="crawl_runs")
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("heartbeat_at")
        batch.drop_column("owner")
        batch.drop_column("pid")
        batch.drop_column("host")
