"""Per-host pacing shared by every process fetching for one PostgreSQL database.

One row per host holds the earliest time the next request to it may start. A process about to
send a request reserves the host's next slot in one statement: the upsert takes the row's lock
(so concurrent reservations queue up, exactly like ``SELECT … FOR UPDATE`` then ``UPDATE``),
moves ``next_allowed_at`` to one delay after the slot it hands out, and returns how long to wait
for that slot. Times are the database server's clock, so machines with skewed clocks still
agree. A ``Retry-After`` pushes the row on for everyone.

On SQLite (one process writes) the fetcher's in-process politeness is all there is; these
methods are for PostgreSQL only.
"""

from __future__ import annotations

from sqlalchemy import func, literal, select

from db import models as m
from db.base import RepositoryBase


def _seconds(value: float) -> object:
    return func.make_interval(0, 0, 0, 0, 0, 0, literal(float(value)))


class HostGatesMixin(RepositoryBase):
    def reserve_host(self, host: str, interval: float) -> float:
        """Take `host`'s next request slot; the seconds to wait before sending (0: now).

        The slot after it is `interval` seconds later, whoever asks for it."""
        t = m.host_gates
        now = func.clock_timestamp()
        insert = self._insert(t).values(
            host=host, next_allowed_at=now + _seconds(interval), updated_at=now
        )
        stmt = insert.on_conflict_do_update(
            index_elements=[t.c.host],
            set_={
                "next_allowed_at": func.greatest(t.c.next_allowed_at, now) + _seconds(interval),
                "updated_at": now,
            },
        ).returning(func.extract("epoch", t.c.next_allowed_at - now))
        ahead = self._write(lambda conn, _: conn.execute(stmt).scalar_one(), "reserve host")
        return max(0.0, float(ahead) - interval)

    def defer_host(self, host: str, seconds: float) -> None:
        """No request to `host` from any process before `seconds` from now (a Retry-After)."""
        t = m.host_gates
        now = func.clock_timestamp()
        until = now + _seconds(seconds)
        stmt = self._insert(t).values(host=host, next_allowed_at=until, updated_at=now)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.host],
            set_={"next_allowed_at": func.greatest(t.c.next_allowed_at, until), "updated_at": now},
        )
        self._write(lambda conn, _: conn.execute(stmt), "defer host")

    def host_gate_times(self) -> dict[str, float]:
        """Seconds from now until each host's next slot (negative: free): for tests and
        `stats`."""
        t = m.host_gates
        query = select(t.c.host, func.extract("epoch", t.c.next_allowed_at - func.now()))
        with self._read() as conn:
            return {r[0]: float(r[1]) for r in conn.execute(query)}
