"""Issue 13's "done when", through the real bot with the clock moved: a deadline reminder
due on a holiday arrives on the working day before it, a digest due on one on the next
working day; the hour-before and starting-now meeting reminders stay on a quiet day."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import FixedClock
from fakebot import FakeTelegram
from tests.bot.conftest import GROUP, OYUNA
from tests.bot.test_reminder_transcripts import MEETING, about, linked, ub
from wgbot.harness import BotRun


@pytest.fixture
def services() -> bool:
    return True


async def test_a_deadline_reminder_due_on_a_day_off_arrives_the_working_day_before(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock
) -> None:
    await linked(engine)
    # Milestone 4.1 is due Monday 2022-10-31: its 7-day reminder would be Monday 24th.
    added = await run.unique_reply(GROUP, OYUNA, "/holiday add 2022-10-24 Staff day")
    assert (added.text or "").startswith("Day off recorded: 2022-10-24")
    clock.set(ub(10, 21, 8, 59))  # Friday, just before
    await run.tick()
    assert about(fake.bot_messages(GROUP), "4.1") == []
    clock.set(ub(10, 21, 9))
    await run.tick()
    [friday] = about(fake.bot_messages(GROUP), "4.1")
    assert friday.startswith("⏰ Milestone 4.1 is due in 10 days, on 2022-10-31")
    assert "Late" not in friday
    for moment in (ub(10, 24, 9), ub(10, 24, 12)):  # the day off itself: nothing
        clock.set(moment)
        await run.tick()
    assert about(fake.bot_messages(GROUP), "4.1") == [friday]
    # The 1-day reminder would be Sunday 30th: it comes on Friday 28th, "in 3 days".
    clock.set(ub(10, 28, 9))
    await run.tick()
    assert about(fake.bot_messages(GROUP), "4.1")[1].startswith(
        "⏰ Milestone 4.1 is due in 3 days, on 2022-10-31"
    )


async def test_a_digest_due_on_a_public_holiday_arrives_the_next_working_day(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock
) -> None:
    await linked(engine, digest=True)
    await run.unique_reply(GROUP, OYUNA, "/settings holidays MN")
    # Thursday digests; Thursday 2022-11-24 is Genghis Khan's Birthday in Mongolia.
    await run.unique_reply(GROUP, OYUNA, "/settings digest thu 09:00")
    clock.set(ub(11, 24, 9))
    await run.tick()
    clock.set(ub(11, 24, 18))
    await run.tick()
    assert [m for m in fake.bot_messages(GROUP) if m.kind == "photo"] == []
    clock.set(ub(11, 25, 9))
    await run.tick()
    [digest] = [m for m in fake.bot_messages(GROUP) if m.kind == "photo"]
    assert "Mongolia OGP Working Group" in (digest.text or "")
    assert "Late" not in (digest.text or "")


async def test_a_meeting_on_a_quiet_day_keeps_its_hour_before_and_start_reminders(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock
) -> None:
    await linked(engine)
    # The 2nd-Tuesday meeting of 2022-09-13: a day off that Tuesday and the Monday before.
    await run.unique_reply(GROUP, OYUNA, "/holiday add 2022-09-12 2022-09-13")
    heard: list[list[str]] = []
    for moment in (ub(9, 9, 10), ub(9, 12, 10), ub(9, 13, 9), ub(9, 13, 10)):
        clock.set(moment)
        before = len(fake.bot_messages(GROUP))
        await run.tick()
        heard.append(about(fake.bot_messages(GROUP)[before:], MEETING))
    assert [len(h) for h in heard] == [1, 0, 1, 1]
    # The day-before reminder moved from Monday to Friday 9th: the meeting is in 4 days.
    assert "starts in 4 days, at 2022-09-13 10:00" in heard[0][0]
    assert "starts in 1 hour" in heard[2][0]
    assert heard[3][0].startswith("🔔 Starting now")
