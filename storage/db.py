"""Engines, sessions and schema migrations.

One session per update or job is opened at the edge (the bot's handlers, the CLI,
the scheduler's jobs); functions in storage/ take that session and never commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import weakref
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from storage.sqlite_inline import inline_connector


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys, a busy timeout, and its calls made
    in the event loop's thread."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # aiosqlite's interface without its thread (storage.sqlite_inline).
        connect = inline_connector(database or ":memory:", timeout=30, check_same_thread=False)
        engine = create_async_engine(url, echo=echo, async_creator=connect)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


# SQLite has one writer at a time, and a transaction that finds the file locked waits in
# SQLite's busy handler, which sleeps in steps of up to 100 ms: under a burst of commands
# from many chats most of the time went to those sleeps. One process owns a SQLite file
# (a second one refuses to start), so its transactions take turns here instead, in the
# order they asked, and none of them ever meets a lock. Transactions are short: no
# Telegram call happens inside one (tests/txguard.py).
_TURNS: weakref.WeakKeyDictionary[Any, asyncio.Lock] = weakref.WeakKeyDictionary()
_HOLDING: contextvars.ContextVar[bool] = contextvars.ContextVar("sqlite_turn", default=False)


def _turn(sessionmaker: async_sessionmaker[AsyncSession]) -> asyncio.Lock | None:
    """The engine's turn lock when it is SQLite's and this task does not hold it yet."""
    bind = sessionmaker.kw.get("bind")
    if not isinstance(bind, AsyncEngine) or bind.dialect.name != "sqlite" or _HOLDING.get():
        return None
    lock = _TURNS.get(bind.sync_engine)
    if lock is None:
        lock = _TURNS[bind.sync_engine] = asyncio.Lock()
    return lock


@contextlib.asynccontextmanager
async def transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session in one transaction: committed on success, rolled back on any error."""
    lock = _turn(sessionmaker)
    if lock is None:
        async with sessionmaker() as session, session.begin():
            yield session
        return
    async with lock:
        token = _HOLDING.set(True)
        try:
            async with sessionmaker() as session, session.begin():
                yield session
        finally:
            _HOLDING.reset(token)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code so the package needs no alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("storage") / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    command.upgrade(alembic_config(connection), revision)


def _downgrade(connection: Connection, revision: str) -> None:
    command.downgrade(alembic_config(connection), revision)


# Replicas started together each migrate at start: on PostgreSQL they take turns on this
# transaction-scoped advisory lock, so the second finds the schema up to date instead
# of running the same migration at once. (SQLite has one process, which owns the file.)
MIGRATION_LOCK = 0x77676274  # "wgbt"


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (idempotent; one process at a time)."""
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
            )
        await connection.run_sync(_upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade, revision)


def migrate_sync(url: str) -> None:
    """For callers outside an event loop (the CLI)."""

    async def _run() -> None:
        engine = create_engine(url)
        try:
            await migrate(engine)
        finally:
            await engine.dispose()

    asyncio.run(_run())
