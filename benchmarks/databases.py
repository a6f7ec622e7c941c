"""A fresh, migrated database per measurement: a SQLite file in a temporary folder, or a
PostgreSQL database of our own (`wgbot_bench_<pid>_<n>`) dropped afterwards."""

from __future__ import annotations

import contextlib
import itertools
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg

from storage.db import create_engine, migrate

PG_SERVER = os.environ.get("WGBOT_BENCH_PG", "postgres@127.0.0.1:5432")
DATABASES = ("sqlite", "postgres")
_numbers = itertools.count(1)


async def postgres_available() -> bool:
    try:
        admin = await asyncpg.connect(f"postgresql://{PG_SERVER}/postgres", timeout=5)
    except (OSError, asyncpg.PostgresError):
        return False
    await admin.close()
    return True


@contextlib.asynccontextmanager
async def fresh_database(kind: str) -> AsyncIterator[str]:
    """The URL of an empty database at the latest schema, gone after the block."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="wgbot-bench-") as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
            await _migrate(url)
            yield url
        return
    if kind != "postgres":
        raise ValueError(f"unknown database kind {kind!r}")
    name = f"wgbot_bench_{os.getpid()}_{next(_numbers)}"
    await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
    try:
        url = f"postgresql+asyncpg://{PG_SERVER}/{name}"
        await _migrate(url)
        yield url
    finally:
        await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


async def _admin(*statements: str) -> None:
    admin = await asyncpg.connect(f"postgresql://{PG_SERVER}/postgres", timeout=5)
    try:
        for statement in statements:
            await admin.execute(statement)
    finally:
        await admin.close()
