"""Transcripts: the order of action items in /actions and /deadlines, done ones counted,
and an action item whose agency is gone still listed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import FixedClock
from storage.db import create_sessionmaker, transaction
from storage.models import ActionItem
from tests.bot.conftest import BAT, GROUP, OYUNA, link_example
from wgbot.harness import BotRun

MEETING_DAY = dt.datetime(2022, 10, 20, 9, 45, tzinfo=dt.timezone(dt.timedelta(hours=8)))


async def _record(run: BotRun, engine: AsyncEngine, clock: FixedClock, *lines: str) -> None:
    await link_example(engine)
    clock.set(MEETING_DAY)
    await run.unique_reply(GROUP, OYUNA, "/meeting start")
    for line in lines:
        await run.unique_reply(GROUP, BAT, line)
    await run.say(GROUP, OYUNA, "/meeting end")


async def test_actions_come_by_due_date_undated_last_then_by_number(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await _record(
        run,
        engine,
        clock,
        "/action MRPAM Undated first",
        "/action PPA Due later by 2022-11-05",
        "/action DEC Due sooner by 2022-10-25",
        "/action MOJHA Undated second",
        "/action CABSEC Due later too by 2022-11-05",
        "/action MOF Finished by 2022-10-24",
    )
    await run.unique_reply(GROUP, BAT, "/update A6 done")
    listed = await run.unique_reply(GROUP, BAT, "/actions")
    assert [line.split(" · ")[0] for line in (listed.text or "").split("\n")[1:]] == [
        "⚪ A3",
        "⚪ A2",
        "⚪ A5",
        "⚪ A1",
        "⚪ A4",
    ]


async def test_deadlines_list_milestones_before_action_items_on_one_date(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await _record(
        run,
        engine,
        clock,
        "/action PPA Same day as 4.1 by 2022-10-31",
        "/action DEC Sooner by 2022-10-22",
        "/action MOF Already finished by 2022-10-23",
        "/action MDDC Outside the window by 2022-12-31",
    )
    await run.unique_reply(GROUP, BAT, "/update A3 done")
    text = (await run.unique_reply(GROUP, BAT, "/deadlines 14")).text or ""
    assert text.index("A2 Sooner") < text.index("4.1 ") < text.index("A1 Same day as 4.1")
    assert "A3" not in text and "A4" not in text
    assert "Not listed: 1 more due in this period, already complete or withdrawn." in text


async def test_an_action_item_whose_agency_is_gone_is_still_listed(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await _record(run, engine, clock, "/action PPA Orphaned by 2022-10-22")
    async with transaction(create_sessionmaker(engine)) as session:
        await session.execute(update(ActionItem).values(agency_id=None))
    listed = await run.unique_reply(GROUP, BAT, "/actions")
    assert "A1 · " in (listed.text or "") and "Orphaned" in (listed.text or "")
    deadlines = await run.unique_reply(GROUP, BAT, "/deadlines 7")
    assert "A1 Orphaned" in (deadlines.text or "")
    clock.advance(dt.timedelta(days=5))
    overdue = await run.unique_reply(GROUP, BAT, "/overdue")
    assert "A1 Orphaned" in (overdue.text or "")
