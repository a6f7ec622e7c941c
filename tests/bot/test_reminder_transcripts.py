"""What the working group sees: reminders arriving in the chat, through the real bot.

The clock is fixed; `run.tick()` plans and delivers what is due at the clock's time,
as the scheduler's minute tick and the delivery worker do in production.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import FixedClock
from fakebot import FakeTelegram, TranscriptEntry
from storage.db import create_sessionmaker, transaction
from storage.models import Agency, Meeting, Member, WorkingGroup
from tests.bot.conftest import BAT, GROUP, NOW, link_example
from wgbot.harness import BotRun

MEETING = "Working group meeting"


def ub(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A 2022 wall time in Ulaanbaatar (UTC+8, no DST) as an aware instant."""
    return dt.datetime(2022, month, day, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def services() -> bool:
    """The scheduler runs: what it delivers is what these tests are about."""
    return True


async def linked(engine: AsyncEngine, *, language: str = "en", digest: bool = False) -> int:
    """Link the example plan (its weekly digest off unless asked for); the group's id."""
    await link_example(engine, language=language)
    async with transaction(create_sessionmaker(engine)) as session:
        group = await session.scalar(select(WorkingGroup))
        assert group is not None
        if not digest:
            group.digest_weekday = None
        return int(group.id)


def about(entries: list[TranscriptEntry], text: str) -> list[str]:
    return [e.text or "" for e in entries if text in (e.text or "")]


@pytest.mark.parametrize(
    ("language", "day_before", "hour_before", "now"),
    [
        ("en", "starts in 1 day, at 2022-09-13 10:00", "starts in 1 hour", "Starting now"),
        ("mn", "1 хоногийн дараа, 2022-09-13 10:00 цагт эхэлнэ", "1 цагийн дараа", "Одоо эхэлж"),
    ],
)
async def test_meeting_reminders_arrive_a_day_an_hour_and_at_the_start(
    run: BotRun,
    engine: AsyncEngine,
    fake: FakeTelegram,
    clock: FixedClock,
    language: str,
    day_before: str,
    hour_before: str,
    now: str,
) -> None:
    await linked(engine, language=language)
    await run.tick()
    assert fake.bot_messages(GROUP) == []  # the 2nd Tuesday of September is days away
    heard: list[list[str]] = []
    for moment in (ub(9, 12, 10), ub(9, 13, 9), ub(9, 13, 10)):
        clock.set(moment)
        before = len(fake.bot_messages(GROUP))
        await run.tick()
        heard.append(about(fake.bot_messages(GROUP)[before:], MEETING))
    assert [len(h) for h in heard] == [1, 1, 1]
    assert day_before in heard[0][0] and "📍 Government House, Ulaanbaatar" in heard[0][0]
    assert hour_before in heard[1][0]
    assert heard[2][0].startswith(f"🔔 {now}") and "Government House" in heard[2][0]
    await run.tick()  # nothing twice
    assert len(about(fake.bot_messages(GROUP), MEETING)) == 3


@pytest.mark.parametrize(
    ("language", "starting"), [("en", "Starting now"), ("mn", "Одоо эхэлж байна")]
)
async def test_a_meeting_added_thirty_minutes_ahead_gets_only_the_starting_now_message(
    run: BotRun,
    engine: AsyncEngine,
    fake: FakeTelegram,
    clock: FixedClock,
    language: str,
    starting: str,
) -> None:
    group_id = await linked(engine, language=language)
    clock.set(ub(9, 5, 14))
    async with transaction(create_sessionmaker(engine)) as session:
        session.add(
            Meeting(
                working_group_id=group_id,
                title="Urgent <b>budget</b> call",
                first_start_local=dt.datetime.combine(dt.date(2022, 9, 5), dt.time(14, 30)),
                rrule=None,
                timezone="Asia/Ulaanbaatar",
                place="https://meet.example.org/wg?a=1&b=2",
                skipped_dates=[],
                created_at=clock.now(),
            )
        )
    await run.deps.schedule_changed(group_id)  # as /meeting add does after its commit
    await run.tick()
    assert about(fake.bot_messages(GROUP), "Urgent") == []
    clock.advance(dt.timedelta(minutes=30))
    await run.tick()
    [message] = fake.bot_messages(GROUP)
    assert (
        message.text
        == f"🔔 {starting}: Urgent <b>budget</b> call\n📍 https://meet.example.org/wg?a=1&b=2"
    )


async def test_deadline_reminders_go_to_the_group_and_to_the_agencys_members_privately(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock
) -> None:
    group_id = await linked(engine)
    fake.private_chat(BAT)
    async with transaction(create_sessionmaker(engine)) as session:
        mojha = await session.scalar(select(Agency.id).where(Agency.code == "MOJHA"))
        session.add(
            Member(
                working_group_id=group_id,
                telegram_user_id=BAT,
                full_name="Bat",
                agency_id=mojha,
                private_chat=True,
                created_at=NOW,
            )
        )
    clock.set(ub(10, 17, 9))  # 14 days before milestone 4.1 is due (2022-10-31)
    await run.tick()
    [in_group] = about(fake.bot_messages(GROUP), "4.1")
    assert in_group.startswith("⏰ Milestone 4.1 is due in 14 days, on 2022-10-31: Revise")
    assert "Responsible: MOJHA" in in_group and "/update 4.1 <status> [note]" in in_group
    [private] = fake.bot_messages(BAT)
    assert private.text is not None and private.text.startswith("⏰ Milestone 4.1 is due in 14")
    assert "you belong to the responsible agency" in private.text


async def test_after_downtime_recent_reminders_come_late_and_old_ones_never(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock
) -> None:
    await linked(engine)
    clock.set(ub(9, 12, 8))
    await run.tick()  # planned 48 hours ahead; then the bot is down until 11:00 the next day
    clock.set(ub(9, 13, 11))
    await run.tick()
    heard = about(fake.bot_messages(GROUP), MEETING)
    assert len(heard) == 2  # the day-before reminder is 25 hours old: dropped
    assert all(h.startswith("⏱ Late: this was due 2022-09-13 ") for h in heard)
    assert "starts in 1 hour" in heard[0] and "Starting now" in heard[1]


async def test_the_weekly_digest_is_posted_on_monday_morning_with_its_chart(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock
) -> None:
    await linked(engine, digest=True)
    clock.set(ub(9, 5, 9))  # Monday 09:00
    await run.tick()
    messages = fake.bot_messages(GROUP)
    assert [m.kind for m in messages][:2] == ["photo", "message"]
    assert messages[0].photo is not None and messages[0].photo.data.startswith(b"\x89PNG")
    assert "Mongolia OGP Working Group" in (messages[0].text or "")
    await run.tick()
    assert len(fake.bot_messages(GROUP)) == len(messages)  # once a week


async def test_a_digest_cut_off_by_a_429_resumes_after_the_part_that_was_sent(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock
) -> None:
    await linked(engine, digest=True)
    clock.set(ub(9, 5, 9))
    fake.fail("sendMessage", chat_id=GROUP, kind="429", retry_after=1)
    await run.tick()  # the chart goes, the text waits out its second, then goes
    kinds = [m.kind for m in fake.bot_messages(GROUP)]
    assert kinds.count("photo") == 1 and kinds[0] == "photo" and "message" in kinds
    assert [c.status for c in fake.calls("sendMessage")][:2] == [429, 200]
