"""Planning into the outbox: idempotent, cancelling what is no longer wanted, honest about
downtime (late within the grace window, dropped beyond it)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.enums import Status
from scheduler.planner import plan_all, plan_one
from storage.db import transaction
from storage.groups import create_group
from storage.models import (
    Agency,
    Commitment,
    Meeting,
    Member,
    Milestone,
    Notification,
    WorkingGroup,
)
from storage.outbox import State

UB = "Asia/Ulaanbaatar"
CHAT = -1002000
MEMBER = 777
CREATED = dt.datetime(2026, 2, 1, 0, 0, tzinfo=dt.UTC)
GRACE = dt.timedelta(minutes=360)


@dataclasses.dataclass
class Plan:
    group_id: int
    milestone_id: int
    meeting_id: int


async def make_plan(sessionmaker: async_sessionmaker[AsyncSession]) -> Plan:
    """A group in Ulaanbaatar: one milestone due Friday 2026-03-13, a daily 10:00 meeting."""
    async with transaction(sessionmaker) as session:
        group = await create_group(
            session=session, chat_id=CHAT, name="WG", timezone=UB, language="en", now=CREATED
        )
        # Every day a working day: these tests are about planning, not about quiet days
        # (tests/test_quiet_rule.py, tests/scheduler/test_quiet_planning.py).
        group.workdays = "0123456"
        agency = Agency(working_group_id=group.id, code="MOF", name="Ministry of Finance")
        session.add(agency)
        await session.flush()
        commitment = Commitment(working_group_id=group.id, number="1", title="Budget")
        session.add(commitment)
        await session.flush()
        milestone = Milestone(
            working_group_id=group.id,
            commitment_id=commitment.id,
            number="1.1",
            title="Publish the budget",
            responsible_agency_id=agency.id,
            due=dt.date(2026, 3, 13),
            status=Status.LIMITED,
        )
        meeting = Meeting(
            working_group_id=group.id,
            title="Stand-up",
            first_start_local=dt.datetime.combine(dt.date(2026, 3, 1), dt.time(10)),
            rrule="FREQ=DAILY",
            timezone=UB,
            skipped_dates=[],
            created_at=CREATED,
        )
        session.add_all(
            [
                milestone,
                meeting,
                Member(
                    working_group_id=group.id,
                    telegram_user_id=MEMBER,
                    agency_id=agency.id,
                    private_chat=True,
                    created_at=CREATED,
                ),
            ]
        )
        await session.flush()
        return Plan(group.id, milestone.id, meeting.id)


async def plan(
    sessionmaker: async_sessionmaker[AsyncSession], p: Plan, now: dt.datetime
) -> tuple[list[str], list[str], list[str]]:
    result = await plan_one(sessionmaker, p.group_id, now=now, grace=GRACE)
    assert result is not None
    return result.written, result.cancelled, result.dropped


async def outbox(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, Notification]:
    async with sessionmaker() as session:
        return {n.key: n for n in await session.scalars(select(Notification))}


def local(hour: int, day: int = 12, minute: int = 0) -> dt.datetime:
    """A March 2026 wall time in Ulaanbaatar (UTC+8), as an aware UTC instant."""
    return dt.datetime(2026, 3, day, hour - 8, minute, tzinfo=dt.UTC)


async def test_planning_twice_writes_nothing_the_second_time(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    p = await make_plan(sessionmaker)
    now = local(8)  # Thursday 08:00, the day before the milestone's 1-day reminder
    written, cancelled, _ = await plan(sessionmaker, p, now)
    first = await outbox(sessionmaker)
    assert sorted(written) == sorted(first) and cancelled == []
    # 48 hours of a daily meeting (3 reminders each), the 1-day deadline reminder to the
    # group and to the agency member's private chat.
    assert sorted(n.kind for n in first.values()) == ["deadline"] * 2 + ["meeting"] * 6
    assert {n.chat_id for n in first.values() if n.kind == "deadline"} == {CHAT, MEMBER}
    assert all(n.state == State.PENDING and not n.late for n in first.values())
    again, cancelled, _ = await plan(sessionmaker, p, now)
    assert again == [] and cancelled == []
    assert {k: (n.id, n.due_at) for k, n in (await outbox(sessionmaker)).items()} == {
        k: (n.id, n.due_at) for k, n in first.items()
    }


async def test_a_minute_with_nothing_new_writes_nothing_for_any_group(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """Most minutes change nothing: the pass then only reads each group (one statement
    drops everyone's stale rows), so SQLite's write lock stays free for the replies."""
    await make_plan(sessionmaker)
    now = local(8)
    assert await plan_all(sessionmaker, now=now, grace=GRACE) == 8
    writes: list[str] = []

    def watch(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement.split()[0])

    event.listen(engine.sync_engine, "before_cursor_execute", watch)
    try:
        assert await plan_all(sessionmaker, now=now, grace=GRACE) == 0
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", watch)
    assert writes == ["UPDATE"]  # the stale drop, for every group at once


async def test_what_is_no_longer_wanted_is_cancelled_and_comes_back_if_wanted_again(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    p = await make_plan(sessionmaker)
    now = local(8)
    await plan(sessionmaker, p, now)
    async with transaction(sessionmaker) as session:
        meeting = await session.get(Meeting, p.meeting_id)
        milestone = await session.get(Milestone, p.milestone_id)
        assert meeting is not None and milestone is not None
        meeting.skipped_dates = ["2026-03-13"]
        milestone.status = Status.COMPLETE
    _, cancelled, _ = await plan(sessionmaker, p, now)
    assert sorted(k.split(":")[0] for k in cancelled) == ["deadline"] * 2 + ["meeting"] * 3
    assert all("2026-03-13T02:00" in k for k in cancelled if k.startswith("meeting"))
    async with transaction(sessionmaker) as session:
        milestone = await session.get(Milestone, p.milestone_id)
        assert milestone is not None
        milestone.status = Status.SUBSTANTIAL  # reopened after all
    written, _, _ = await plan(sessionmaker, p, now)
    assert sorted(k.split(":")[0] for k in written) == ["deadline"] * 2
    states = {k: n.state for k, n in (await outbox(sessionmaker)).items()}
    assert sorted(states.values()).count(State.PENDING) == 5


async def test_a_meeting_created_thirty_minutes_before_it_starts_gets_only_starting_now(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    p = await make_plan(sessionmaker)
    now = local(15)
    async with transaction(sessionmaker) as session:
        session.add(
            Meeting(
                working_group_id=p.group_id,
                title="Urgent",
                first_start_local=dt.datetime.combine(dt.date(2026, 3, 12), dt.time(15, 30)),
                rrule=None,
                timezone=UB,
                skipped_dates=[],
                created_at=now,
            )
        )
        urgent = await session.scalar(select(Meeting.id).where(Meeting.title == "Urgent"))
    await plan(sessionmaker, p, now)
    box = await outbox(sessionmaker)
    mine = [n for k, n in box.items() if k.startswith(f"meeting:{urgent}:")]
    assert [(n.payload["offset"], n.due_at) for n in mine] == [(0, local(15, minute=30))]


async def test_after_downtime_recent_misses_are_late_and_old_ones_dropped_with_a_log_line(
    sessionmaker: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    p = await make_plan(sessionmaker)
    await plan(sessionmaker, p, local(8))  # Thursday 08:00; then the bot goes down
    # Back on Friday at 12:00: the 10:00 meeting's reminders (09:00, 10:00) are recent,
    # Thursday's 10:00 ones are a day old.
    with caplog.at_level(logging.WARNING):
        _, _, dropped = await plan(sessionmaker, p, local(12, day=13))
    box = await outbox(sessionmaker)
    # Thursday's 09:00 and 10:00 (meeting and the deadline's group and private reminders)
    # are older than the 6-hour grace window: dropped, never sent.
    assert sorted((box[k].kind, box[k].due_at) for k in dropped) == [
        ("deadline", local(9)),
        ("deadline", local(9)),
        ("meeting", local(9)),
        ("meeting", local(10)),
        ("meeting", local(10)),
    ]
    assert {n.state for k, n in box.items() if k in dropped} == {State.DROPPED}
    assert caplog.text.count("not sent within the grace window") == 5
    # Friday's 09:00 and 10:00 are still pending: the worker sends them, marked late.
    missed = [n for n in box.values() if n.state == State.PENDING and n.due_at < local(12, 13)]
    assert sorted(n.due_at for n in missed) == [local(9, 13), local(10, 13), local(10, 13)]
    # A reminder first planned after its time (but within grace) is written as late.
    async with transaction(sessionmaker) as session:
        group = await session.get(WorkingGroup, p.group_id)
        assert group is not None
        group.deadline_offsets_days = [0]  # the due day itself, 09:00
    written, _, _ = await plan(sessionmaker, p, local(12, day=13))
    box = await outbox(sessionmaker)
    assert {box[k].late for k in written if k.startswith("deadline")} == {True}
