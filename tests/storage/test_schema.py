"""The migrations and the models describe the same schema, on both databases."""

from __future__ import annotations

import asyncio
import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import create_engine, downgrade, migrate, transaction
from storage.groups import create_group
from storage.models import Base, WorkingGroup


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrations_match_the_models(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(_diff) == []


async def test_migrate_is_idempotent_and_reversible(engine: AsyncEngine) -> None:
    await migrate(engine)
    await downgrade(engine, "base")
    await migrate(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(_diff) == []


async def test_datetimes_come_back_aware_in_utc(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    ulaanbaatar = dt.timezone(dt.timedelta(hours=8))
    created = dt.datetime(2022, 3, 1, 17, 30, tzinfo=ulaanbaatar)
    async with transaction(sessionmaker) as session:
        await create_group(
            session=session, chat_id=-1, name="g", timezone="UTC", language="en", now=created
        )
    async with sessionmaker() as session:
        stored = await session.scalar(select(WorkingGroup.created_at))
    assert stored == created
    assert stored is not None and stored.tzinfo is not None
    assert stored.utcoffset() == dt.timedelta(0)


async def test_replicas_starting_together_migrate_one_after_the_other(
    engine: AsyncEngine,
) -> None:
    """Two processes' `wgbot run` on one empty PostgreSQL database: both come up, the
    schema is made once (SQLite has a single process and no such race)."""
    if engine.dialect.name != "postgresql":
        return
    await downgrade(engine, "base")
    others = [create_engine(engine.url.render_as_string(hide_password=False)) for _ in range(3)]
    try:
        await asyncio.gather(*(migrate(e) for e in [engine, *others]))
    finally:
        for other in others:
            await other.dispose()
    async with engine.connect() as connection:
        assert await connection.run_sync(_diff) == []
