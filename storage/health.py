"""What /healthz and /metrics read: the planner's beat, the outbox's backlog.

The beat is one row per job in `scheduler_beat`, written by whichever process finished
it, so every process (the leader or not) sees when the cluster last planned.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Notification, SchedulerBeat
from storage.outbox import State, dialect_insert

PLANNER = "planner"
# Rows still to go: waiting, or held by a worker sending them.
UNSETTLED = (State.PENDING, State.SENDING)


@dataclasses.dataclass(frozen=True)
class Backlog:
    """Unsettled notifications: how many, how many are overdue, and the oldest due."""

    pending: int
    overdue: int
    oldest_due: dt.datetime | None


async def ping(*, session: AsyncSession) -> None:
    """A trivial query: the database answers."""
    await session.execute(text("SELECT 1"))


async def record_beat(*, session: AsyncSession, name: str, at: dt.datetime, worker: str) -> None:
    """`name` finished at `at` (an upsert: one row per job)."""
    insert = dialect_insert(session)
    stmt = insert(SchedulerBeat).values(name=name, at=at, worker=worker[:64])
    stmt = stmt.on_conflict_do_update(
        index_elements=[SchedulerBeat.name],
        set_={"at": stmt.excluded.at, "worker": stmt.excluded.worker},
    )
    await session.execute(stmt)


async def last_beat(*, session: AsyncSession, name: str) -> SchedulerBeat | None:
    return await session.get(SchedulerBeat, name, populate_existing=True)


async def backlog(*, session: AsyncSession, overdue_before: dt.datetime) -> Backlog:
    """Unsettled rows, and those of them due before `overdue_before`."""
    unsettled = Notification.state.in_([s.value for s in UNSETTLED])
    pending = await session.scalar(select(func.count()).where(unsettled)) or 0
    late = Notification.due_at < overdue_before
    overdue, oldest = (
        await session.execute(
            select(func.count(), func.min(Notification.due_at)).where(unsettled, late)
        )
    ).one()
    return Backlog(pending=int(pending), overdue=int(overdue or 0), oldest_due=oldest)
