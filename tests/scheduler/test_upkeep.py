"""The leader's lock under a dead connection, planning against racing workers, clean-up."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import storage.notices
from domain.rules import Planned, Window
from scheduler.leader import PostgresLeadership
from scheduler.planner import clean_up, note_gap
from storage.claims import Claimed
from storage.db import create_sessionmaker, transaction
from storage.groups import create_group
from storage.models import ChatRate, Notification
from storage.notices import gather_notice
from storage.outbox import State, reconcile
from tests.scheduler.conftest import GRACE, NOW, planned_for, rows, seed

only_postgres = pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
TEST_LOCK = 0x7767626F7401  # not the production key: other test runs may hold that


class _Hung:
    """A connection whose peer vanished: nothing it is asked ever returns."""

    async def execute(self, *_args: Any, **_kwargs: Any) -> None:
        await asyncio.Event().wait()

    async def close(self) -> None:
        await asyncio.Event().wait()


@only_postgres
async def test_the_leader_lock_has_keepalives_and_a_hung_check_steps_down(
    engine: AsyncEngine, db_url: str
) -> None:
    leadership = PostgresLeadership(db_url, key=TEST_LOCK, check_timeout=0.2)
    assert await leadership.try_acquire()
    connection = leadership._connection
    assert connection is not None
    try:
        assert await connection.scalar(text("SHOW tcp_keepalives_idle")) == "10"
        assert await connection.scalar(text("SHOW tcp_keepalives_count")) == "3"
        leadership._connection = _Hung()  # type: ignore[assignment]
        async with asyncio.timeout(2):
            assert not await leadership.still_leading()
    finally:
        await connection.close()
        await leadership.release()


@only_postgres
async def test_planning_does_not_cancel_a_row_a_worker_claimed_meanwhile(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with transaction(sessionmaker) as session:
        group = await create_group(
            session=session, chat_id=-100_500, name="g", timezone="UTC", language="en", now=NOW
        )
        group_id = group.id
    planned = [
        Planned(key=p.key, kind=p.kind, chat_id=p.chat_id, due_at=p.due_at, payload=p.payload)
        for p in planned_for([-100_500], 1)
    ]
    await seed(sessionmaker, planned)
    async with transaction(sessionmaker) as session:
        await session.execute(update(Notification).values(working_group_id=group_id))
    other = create_sessionmaker(engine)
    async with transaction(sessionmaker) as session:
        execute = session.execute
        reads = 0

        async def read_then_claimed(*args: Any, **kwargs: Any) -> Any:
            nonlocal reads
            found = await execute(*args, **kwargs)
            reads += 1
            if reads == 1:  # the planner read the pending rows; a worker claims it now
                async with transaction(other) as claimer:
                    await claimer.execute(
                        update(Notification).values(state=State.SENDING, claimed_by="w")
                    )
            return found

        session.execute = read_then_claimed  # type: ignore[method-assign]
        followed = await reconcile(
            session=session,
            group_id=group_id,
            planned=[],
            window=Window(start=NOW - GRACE, end=NOW + dt.timedelta(hours=48)),
            now=NOW,
        )
    assert followed.cancelled == []
    [row] = await rows(sessionmaker)
    assert row.state == State.SENDING


async def test_clean_up_forgets_old_settled_rows_and_idle_windows_only(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    old = NOW - dt.timedelta(days=100)
    await seed(sessionmaker, planned_for([-1, -2, -3], 1, due=old), now=old)
    await seed(sessionmaker, planned_for([-4], 1))
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Notification).where(Notification.chat_id.in_([-1, -4])).values(state="sent")
        )
        await session.execute(
            update(Notification).where(Notification.chat_id == -3).values(state="dropped")
        )
        session.add_all(
            [
                ChatRate(chat_id=0, recent=[]),
                ChatRate(chat_id=-1, recent=[(NOW - dt.timedelta(days=2)).timestamp()]),
                ChatRate(chat_id=-4, recent=[NOW.timestamp()]),
            ]
        )
    assert await clean_up(sessionmaker, now=NOW, grace=GRACE) == (2, 1)
    left = {(n.chat_id, n.state) for n in await rows(sessionmaker)}
    assert left == {(-2, State.PENDING), (-4, State.SENT)}
    async with sessionmaker() as session:
        assert set(await session.scalars(select(ChatRate.chat_id))) == {0, -4}


async def test_a_late_digest_covers_the_week_it_was_due_for(
    sessionmaker: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    async with transaction(sessionmaker) as session:
        group = await create_group(
            session=session, chat_id=-100_600, name="g", timezone="UTC", language="en", now=NOW
        )
        group_id = group.id
    asked: list[dt.datetime] = []

    async def collect(*, now: dt.datetime, **_kwargs: Any) -> None:
        asked.append(now)
        raise LookupError("enough")

    monkeypatch.setattr(storage.notices, "collect_digest", collect)
    row = Claimed(
        id=1,
        key="digest:1:2026-W10",
        kind="digest",
        chat_id=-100_600,
        group_id=group_id,
        payload={},
        due_at=NOW,
        late=True,
        attempts=0,
        parts_sent=0,
    )
    async with sessionmaker() as session:
        with pytest.raises(LookupError):
            await gather_notice(session=session, row=row)
    assert asked == [NOW]


async def test_a_downtime_longer_than_the_horizon_is_reported_in_one_line(
    sessionmaker: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    last = NOW - dt.timedelta(days=5)
    await seed(sessionmaker, planned_for([-1], 1, due=last), now=last)
    assert await note_gap(sessionmaker, now=NOW - dt.timedelta(days=4), grace=GRACE) is None
    span = await note_gap(sessionmaker, now=NOW, grace=GRACE)
    assert span == (last + dt.timedelta(hours=48), NOW - GRACE)
    assert len([r for r in caplog.records if "never queued" in r.getMessage()]) == 1
