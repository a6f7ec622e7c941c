"""Who schedules (and, in polling mode, polls): exactly one process at a time.

PostgreSQL: the leader holds a session-level advisory lock on a dedicated connection for
as long as it leads; when the process or its connection dies the server releases the
lock and another process takes it at its next try (every ~15 s). The server probes that
connection with TCP keepalives (idle 10 s, then every 5 s, 3 misses), so a leader that
vanished without closing it (a crash of its host, a partition) loses the lock within
about half a minute; the leader's own checks time out after a few seconds and it steps
down rather than hang.
SQLite: one process per database file, guarded by an exclusive lock file; it leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

# pg_advisory_lock takes a bigint; this one is "wgbot" in ASCII, the scheduler's lock.
LEADER_LOCK_KEY = 0x7767626F74
# The server drops (and unlocks) a silent client after idle + interval × count seconds.
KEEPALIVE = {
    "tcp_keepalives_idle": "10",
    "tcp_keepalives_interval": "5",
    "tcp_keepalives_count": "3",
}
CHECK_TIMEOUT = 5.0  # seconds for one lock check before this process steps down


class AlreadyRunning(Exception):
    """Another process holds the SQLite database's lock file."""


class Leadership(Protocol):
    async def try_acquire(self) -> bool:
        """Become the leader if nobody is; True while this process leads."""
        ...

    async def still_leading(self) -> bool:
        """False once leadership was lost (e.g. the lock's connection died)."""
        ...

    async def release(self) -> None: ...


class SoleLeader:
    """The only process on this database (SQLite, tests): always the leader."""

    async def try_acquire(self) -> bool:
        return True

    async def still_leading(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class PostgresLeadership:
    """pg_try_advisory_lock on a connection of its own, held while leading."""

    def __init__(
        self, url: str, *, key: int = LEADER_LOCK_KEY, check_timeout: float = CHECK_TIMEOUT
    ) -> None:
        # No pool: the lock lives and dies with exactly this one connection.
        self._engine = create_async_engine(
            url,
            poolclass=NullPool,
            connect_args={"server_settings": KEEPALIVE, "timeout": check_timeout},
        )
        self._key = key
        self._timeout = check_timeout
        self._connection: AsyncConnection | None = None
        self._leading = False

    async def try_acquire(self) -> bool:
        if self._leading:
            return await self.still_leading()
        try:
            async with asyncio.timeout(self._timeout * 2):
                if self._connection is None:
                    connection = await self._engine.connect()
                    self._connection = await connection.execution_options(
                        isolation_level="AUTOCOMMIT"
                    )
                got = await self._connection.scalar(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
                )
        except (DBAPIError, SQLAlchemyError, OSError) as exc:
            log.warning("leader election: database unreachable (%s)", type(exc).__name__)
            await self._drop_connection()
            return False
        self._leading = bool(got)
        return self._leading

    async def still_leading(self) -> bool:
        if not self._leading or self._connection is None:
            return False
        try:
            async with asyncio.timeout(self._timeout):
                await self._connection.execute(text("SELECT 1"))
        except (DBAPIError, SQLAlchemyError, OSError) as exc:  # TimeoutError is an OSError
            log.warning("lost the leader lock's connection (%s): no longer leading", exc)
            self._leading = False
            await self._drop_connection()
        return self._leading

    async def release(self) -> None:
        if self._connection is not None and self._leading:
            with contextlib.suppress(DBAPIError, SQLAlchemyError, OSError):
                async with asyncio.timeout(self._timeout):
                    await self._connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": self._key}
                    )
        self._leading = False
        await self._drop_connection()
        await self._engine.dispose()

    async def _drop_connection(self) -> None:
        """Close the lock's connection; one that does not answer is abandoned (the server
        unlocks it once its keepalives go unanswered)."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            with contextlib.suppress(DBAPIError, SQLAlchemyError, OSError):
                async with asyncio.timeout(self._timeout):
                    await connection.close()


# pg_advisory_lock(int, int): this namespace ("wg") and hashtext(worker name) say a
# worker is alive for as long as its process holds the lock's connection.
PRESENCE_NAMESPACE = 0x7767


class Presence(Protocol):
    """Which lease holders are dead, so their rows need not wait out their leases."""

    async def start(self) -> None: ...

    async def dead(self, workers: set[str]) -> set[str]:
        """The workers of `workers` (never this one) whose process is gone."""
        ...

    async def stop(self) -> None: ...


class SolePresence:
    """One process per database (SQLite, by its lock file): every other holder is dead."""

    def __init__(self, name: str) -> None:
        self.name = name

    async def start(self) -> None:
        return None

    async def dead(self, workers: set[str]) -> set[str]:
        return workers - {self.name}

    async def stop(self) -> None:
        return None


class PostgresPresence:
    """Each process holds an advisory lock named after its worker on a connection of its
    own; a holder whose lock can be taken is gone (its connection closed or was dropped
    by the server's keepalives), so its leases are taken over at once."""

    def __init__(self, url: str, name: str, *, check_timeout: float = CHECK_TIMEOUT) -> None:
        self.name = name
        self._engine = create_async_engine(
            url,
            poolclass=NullPool,
            connect_args={"server_settings": KEEPALIVE, "timeout": check_timeout},
        )
        self._timeout = check_timeout
        self._connection: AsyncConnection | None = None

    async def _lock(self, name: str) -> bool:
        assert self._connection is not None
        got = await self._connection.scalar(
            text("SELECT pg_try_advisory_lock(:ns, hashtext(:name))"),
            {"ns": PRESENCE_NAMESPACE, "name": name},
        )
        return bool(got)

    async def start(self) -> None:
        async with asyncio.timeout(self._timeout * 2):
            connection = await self._engine.connect()
            self._connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await self._lock(self.name)

    async def dead(self, workers: set[str]) -> set[str]:
        if self._connection is None:
            return set()  # not started, or its connection is gone: assume nothing
        gone: set[str] = set()
        try:
            async with asyncio.timeout(self._timeout):
                for worker in sorted(workers - {self.name}):
                    if await self._lock(worker):
                        gone.add(worker)
                        await self._connection.execute(
                            text("SELECT pg_advisory_unlock(:ns, hashtext(:name))"),
                            {"ns": PRESENCE_NAMESPACE, "name": worker},
                        )
        except (DBAPIError, SQLAlchemyError, OSError) as exc:
            log.warning("could not tell which workers are alive (%s)", type(exc).__name__)
            return set()
        return gone

    async def stop(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            with contextlib.suppress(DBAPIError, SQLAlchemyError, OSError):
                async with asyncio.timeout(self._timeout):
                    await connection.close()
        await self._engine.dispose()


class SqliteFileLock:
    """An exclusive flock on `<database file>.lock`, held for the life of the process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] | None = None

    @classmethod
    def for_url(cls, url: str) -> SqliteFileLock | None:
        """The lock for a file database; None for an in-memory one."""
        database = make_url(url).database
        if not database or database == ":memory:":
            return None
        return cls(Path(database).expanduser().resolve().with_name(Path(database).name + ".lock"))

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise AlreadyRunning(str(self.path)) from None
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n".encode())
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
