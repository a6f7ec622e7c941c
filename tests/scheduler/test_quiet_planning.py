"""Quiet days in the outbox: a change of days off moves the pending rows (same keys, no
second row), and the rows come back when the day off goes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import transaction
from storage.models import Notification, WorkingGroup
from storage.outbox import State
from storage.quiet import add_day_off, remove_day_off, set_holiday_country
from tests.scheduler.test_planner import CHAT, MEMBER, Plan, local, make_plan, outbox, plan

THURSDAY = dt.date(2026, 3, 12)


async def _day_off(
    sessionmaker: async_sessionmaker[AsyncSession], p: Plan, *, add: bool, now: dt.datetime
) -> None:
    async with transaction(sessionmaker) as session:
        group = await session.get(WorkingGroup, p.group_id)
        assert group is not None
        if add:
            await add_day_off(
                session=session, group=group, first=THURSDAY, last=THURSDAY, name=None, now=now
            )
        else:
            await remove_day_off(session=session, group=group, day=THURSDAY, now=now)


def deadlines(rows: dict[str, Notification]) -> dict[str, dt.datetime]:
    return {k: r.due_at for k, r in rows.items() if k.startswith("deadline:")}


async def test_a_day_off_moves_the_pending_reminder_and_removing_it_moves_it_back(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    p = await make_plan(sessionmaker)  # due Friday 2026-03-13: 1-day reminder Thursday 09:00
    await plan(sessionmaker, p, local(8, day=10))
    assert deadlines(await outbox(sessionmaker)) == {}  # Thursday 09:00 is beyond 48 hours
    # A day off on Thursday: the reminder comes on Wednesday 09:00, planned by a window
    # that ends before Thursday.
    await _day_off(sessionmaker, p, add=True, now=local(8, day=10))
    written, _, _ = await plan(sessionmaker, p, local(8, day=10))
    rows = deadlines(await outbox(sessionmaker))
    assert sorted(k for k in written if k.startswith("deadline:")) == sorted(rows)
    assert set(rows) == {
        f"deadline:{p.milestone_id}:2026-03-13:1:group",
        f"deadline:{p.milestone_id}:2026-03-13:1:user:{MEMBER}",
    }
    assert set(rows.values()) == {local(9, day=11)}
    # The day off goes on Wednesday morning: the same rows move back to Thursday.
    await _day_off(sessionmaker, p, add=False, now=local(8, day=11, minute=30))
    written, cancelled, _ = await plan(sessionmaker, p, local(8, day=11, minute=30))
    after = await outbox(sessionmaker)
    assert not any(k.startswith("deadline:") for k in written + cancelled)
    assert deadlines(after) == dict.fromkeys(rows, local(9, day=12))
    assert all(after[k].state == State.PENDING for k in rows)


async def test_a_day_off_added_too_late_for_the_day_before_sends_the_reminder_at_once(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    p = await make_plan(sessionmaker)
    await plan(sessionmaker, p, local(10, day=11))  # Wednesday 10:00: Thursday 09:00 pending
    before = deadlines(await outbox(sessionmaker))
    assert set(before.values()) == {local(9, day=12)}
    await _day_off(sessionmaker, p, add=True, now=local(10, day=11))
    now = local(10, day=11, minute=5)
    written, _, _ = await plan(sessionmaker, p, now)
    after = await outbox(sessionmaker)
    assert not any(k.startswith("deadline:") for k in written)  # the pending ones moved
    assert deadlines(after) == dict.fromkeys(before, now)  # Wednesday 09:00 passed: at once
    assert {after[k].chat_id for k in before} == {CHAT, MEMBER}
    assert not any(after[k].late for k in before)


async def test_a_country_without_holidays_in_the_window_changes_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    p = await make_plan(sessionmaker)
    await plan(sessionmaker, p, local(10, day=11))
    before = deadlines(await outbox(sessionmaker))
    async with transaction(sessionmaker) as session:
        group = await session.get(WorkingGroup, p.group_id)
        assert group is not None
        set_holiday_country(group=group, country="MN", now=local(10, day=11))
    # Mongolia's 8 March is a holiday but nothing is due that day; Thursday 12 is not.
    written, cancelled, _ = await plan(sessionmaker, p, local(10, day=11))
    assert written == [] and cancelled == []
    assert deadlines(await outbox(sessionmaker)) == before
