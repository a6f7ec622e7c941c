"""Shared fixtures: every storage test runs on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import create_engine, create_sessionmaker, migrate, transaction
from storage.models import Base
from storage.plan_import import ImportSummary, import_plan
from storage.planfile import PlanFile
from tests.txguard import TransactionWatch, transaction_watch

__all__ = ["transaction_watch"]

PG_SERVER = os.environ.get("WGBOT_TEST_PG", "postgres@127.0.0.1:5432")
# One database per pytest process, so parallel runs on one server never meet.
PG_DATABASE = f"wgbot_test_{os.getpid()}"
PG_URL = f"postgresql+asyncpg://{PG_SERVER}/{PG_DATABASE}"
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


async def _prepare_postgres() -> str | None:
    """Create a fresh test database and migrate it; None when no server answers."""
    try:
        admin = await asyncpg.connect(f"postgresql://{PG_SERVER}/postgres", timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        return f"{type(exc).__name__}: {exc}"
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {PG_DATABASE}")
    finally:
        await admin.close()
    engine = create_engine(PG_URL)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()
    return None


async def _drop_postgres() -> None:
    admin = await asyncpg.connect(f"postgresql://{PG_SERVER}/postgres", timeout=5)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    finally:
        await admin.close()


@pytest.fixture(autouse=True)
def _no_telegram_inside_transactions(transaction_watch: TransactionWatch) -> Iterator[None]:
    """Every test fails when the bot called Telegram while its transaction was open."""
    yield
    breaches = transaction_watch.breaches
    assert not breaches, f"Bot API calls made inside a database transaction: {breaches}"


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """As `wgbot` sets it: PTB 22 warns about RetryAfter's int form unless opted in to
    timedelta periods, and warnings are errors here."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture(scope="session")
def postgres_ready() -> Iterator[bool]:
    problem = asyncio.run(_prepare_postgres())
    if problem is not None and os.environ.get("CI"):
        pytest.fail(f"CI needs PostgreSQL at {PG_SERVER} and it is not reachable: {problem}")
    yield problem is None
    if problem is None:
        asyncio.run(_drop_postgres())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'wgbot.db'}"
    if not request.getfixturevalue("postgres_ready"):
        pytest.skip("PostgreSQL is not reachable")
    return PG_URL


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    if db_url.startswith("sqlite"):
        await migrate(engine)
    else:
        # Migrated once per session; each test starts from empty tables.
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


async def import_into(
    engine: AsyncEngine, plan: PlanFile, *, chat_id: int, now: dt.datetime, **options: Any
) -> ImportSummary:
    """What `wgbot import` does, in one committed transaction."""
    async with transaction(create_sessionmaker(engine)) as session:
        return await import_plan(session=session, plan=plan, chat_id=chat_id, now=now, **options)
