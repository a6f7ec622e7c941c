"""What the bot sends on its own about minutes, action items and the OGP watch, on the
days it should, through the real bot and the outbox (`run.tick()` plans and delivers
what is due at the clock's time)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import FixedClock
from fakebot import FakeTelegram, TranscriptEntry
from storage.db import create_sessionmaker, transaction
from storage.models import ActionItem, Agency, Member, Minutes, Notification, WorkingGroup
from tests.bot.conftest import BAT, GROUP, NOW, OYUNA, link_example
from wgbot.harness import BotRun


@pytest.fixture
def services() -> bool:
    return True


def ub(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=8)))


MEETING_DAY = ub(2022, 9, 13, 9, 45)


def texts(entries: list[TranscriptEntry]) -> list[str]:
    return [e.text or "" for e in entries if e.kind == "message"]


def about(entries: list[TranscriptEntry], text: str) -> list[str]:
    return [t for t in texts(entries) if text in t]


async def linked(engine: AsyncEngine, *, language: str = "en") -> int:
    """The example plan, its weekly digest off (these tests are about other messages)."""
    await link_example(engine, language=language)
    async with transaction(create_sessionmaker(engine)) as session:
        group = await session.scalar(select(WorkingGroup))
        assert group is not None
        group.digest_weekday = None
        return int(group.id)


async def test_minutes_left_open_close_themselves_after_four_hours_with_a_notice(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock
) -> None:
    await linked(engine)
    clock.set(MEETING_DAY)
    await run.tick()  # the meeting's reminder (late, due 09:00) out of the way first
    await run.unique_reply(GROUP, OYUNA, "/meeting start")
    await run.say(GROUP, BAT, "/agreed Left open on purpose")
    clock.advance(dt.timedelta(hours=3, minutes=59))
    await run.tick()
    assert about(fake.bot_messages(GROUP), "closed themselves") == []
    clock.advance(dt.timedelta(minutes=1))
    await run.tick()
    [message] = about(fake.bot_messages(GROUP), "closed themselves")
    assert message.startswith("⏰ These minutes were open for 4 hours and closed themselves.")
    assert "Left open on purpose" in message
    files = [e for e in fake.bot_messages(GROUP) if e.kind == "document"]
    assert len(files) == 1 and files[0].document is not None
    assert "Left open on purpose" in files[0].document.data.decode()
    async with transaction(create_sessionmaker(engine)) as session:
        minutes = await session.scalar(select(Minutes))
        assert minutes is not None and minutes.closed_automatically
    clock.advance(dt.timedelta(hours=1))
    await run.tick()
    assert len(about(fake.bot_messages(GROUP), "closed themselves")) == 1  # once only
    reply = await run.unique_reply(GROUP, BAT, "/info too late")
    assert "No minutes are open" in (reply.text or "")


async def test_auto_close_survives_a_restart(
    fake: FakeTelegram, engine: AsyncEngine, db_url: str
) -> None:
    """The opening time is in the database: a process started later closes them."""
    from wgbot.harness import settings_for

    await linked(engine)
    clock = FixedClock(MEETING_DAY)
    async with BotRun(fake, settings_for(fake, db_url), clock=clock) as first:
        await first.unique_reply(GROUP, OYUNA, "/meeting start Budget review")
    clock.advance(dt.timedelta(hours=5))
    async with BotRun(fake, settings_for(fake, db_url), clock=clock, services=True) as second:
        await second.tick()
    [message] = about(fake.bot_messages(GROUP), "closed themselves")
    assert "Minutes 1: Working group meeting" in message


async def _with_action(
    run: BotRun, engine: AsyncEngine, clock: FixedClock, fake: FakeTelegram
) -> None:
    """A1 for MRPAM, due 2022-10-31; Bat belongs to MRPAM and talks to the bot privately."""
    group_id = await linked(engine)
    fake.private_chat(BAT)
    async with transaction(create_sessionmaker(engine)) as session:
        mrpam = await session.scalar(select(Agency.id).where(Agency.code == "MRPAM"))
        session.add(
            Member(
                working_group_id=group_id,
                telegram_user_id=BAT,
                full_name="Bat",
                agency_id=mrpam,
                private_chat=True,
                created_at=NOW,
            )
        )
    clock.set(MEETING_DAY)
    await run.tick()  # the meeting's reminder (late, due 09:00) out of the way first
    await run.unique_reply(GROUP, OYUNA, "/meeting start")
    reply = await run.unique_reply(
        GROUP, OYUNA, "/action MRPAM Publish the licence register by 2022-10-31"
    )
    assert (reply.text or "").startswith("📌 A1 recorded")
    await run.say(GROUP, OYUNA, "/meeting end")


async def test_action_reminders_and_the_overdue_notice_arrive_on_their_days(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock
) -> None:
    await _with_action(run, engine, clock, fake)
    heard: list[list[str]] = []
    for moment in (
        ub(2022, 10, 17, 8, 59),
        ub(2022, 10, 17, 9),
        ub(2022, 10, 24, 9),
        ub(2022, 10, 30, 9),
        ub(2022, 11, 1, 9),
    ):
        clock.set(moment)
        before = len(fake.bot_messages(GROUP))
        await run.tick()
        heard.append(about(fake.bot_messages(GROUP)[before:], "A1"))
    assert [len(h) for h in heard] == [0, 1, 1, 1, 1]
    assert heard[1][0].startswith(
        "⏰ Action item A1 (MRPAM) is due in 14 days, on 2022-10-31: Publish the licence register"
    )
    assert "/update A1 <status> [note]" in heard[1][0]
    assert "in 7 days" in heard[2][0] and "in 1 day," in heard[3][0]
    assert heard[4][0].startswith("❗ Action item A1 (MRPAM) was due on 2022-10-31 and is not done")
    private = about(fake.bot_messages(BAT), "A1")
    assert len(private) == 3 and "you belong to the responsible agency" in private[0]
    await run.tick()  # nothing twice
    assert len(about(fake.bot_messages(GROUP), "Action item A1")) == 4


async def test_an_action_recorded_after_its_reminders_time_gets_no_late_reminder(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock
) -> None:
    """Recorded at 09:50, due tomorrow: the day-before reminder's 09:00 had passed when it
    was recorded, so it is not news (as for a meeting created too late for its reminder);
    the overdue notice still comes the day after the due date."""
    await linked(engine)
    clock.set(ub(2022, 9, 13, 9, 50))
    await run.unique_reply(GROUP, OYUNA, "/meeting start")
    await run.unique_reply(GROUP, OYUNA, "/action MRPAM Send the draft by 2022-09-14")
    heard: list[list[str]] = []
    for moment in (ub(2022, 9, 13, 10), ub(2022, 9, 14, 9), ub(2022, 9, 15, 9)):
        clock.set(moment)
        before = len(fake.bot_messages(GROUP))
        await run.tick()
        heard.append(about(fake.bot_messages(GROUP)[before:], "Action item A1"))
    assert [len(h) for h in heard] == [0, 0, 1]
    assert heard[2][0].startswith("❗ Action item A1 (MRPAM) was due on 2022-09-14")


async def test_update_a1_complete_closes_it_and_its_reminders_stop(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock
) -> None:
    await _with_action(run, engine, clock, fake)
    clock.set(ub(2022, 10, 17, 9))
    await run.tick()
    assert len(about(fake.bot_messages(GROUP), "Action item A1")) == 1
    clock.set(ub(2022, 10, 20, 15))
    reply = await run.unique_reply(
        GROUP, BAT, "/update A1 complete Register online: https://example.org/licences"
    )
    recorded = "🟢 Recorded: A1 Publish the licence register\nNow complete"
    assert (reply.text or "").startswith(recorded)
    listed = await run.unique_reply(GROUP, BAT, "/actions")
    assert "A1" not in (listed.text or "")
    history = await run.unique_reply(GROUP, BAT, "/history A1")
    assert "Register online" in (history.text or "") and "Bat" in (history.text or "")
    async with transaction(create_sessionmaker(engine)) as session:
        item = await session.scalar(select(ActionItem))
        assert item is not None and item.status == "complete"
    for moment in (ub(2022, 10, 24, 9), ub(2022, 10, 30, 9), ub(2022, 11, 1, 9)):
        clock.set(moment)
        await run.tick()
    assert len(about(fake.bot_messages(GROUP), "Action item A1")) == 1


async def ogp_warnings(fake: FakeTelegram) -> list[str]:
    return about(fake.bot_messages(GROUP), "OGP:")


@pytest.mark.parametrize("language", ["en", "mn"])
async def test_ogp_warnings_come_30_and_7_days_before_and_on_the_day_once_each(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock, language: str
) -> None:
    # The group was created on 2022-09-01 with nothing recorded: both requirements lapse
    # six months later, on 2023-03-01.
    await linked(engine, language=language)
    seen: list[int] = []
    for moment in (
        ub(2023, 1, 29, 9),
        ub(2023, 1, 30, 9),
        ub(2023, 1, 30, 12),
        ub(2023, 2, 22, 9),
        ub(2023, 3, 1, 9),
        ub(2023, 3, 2, 9),
    ):
        clock.set(moment)
        await run.tick()
        seen.append(len(await ogp_warnings(fake)))
    assert seen == [0, 2, 2, 4, 6, 6]
    warnings = await ogp_warnings(fake)
    if language == "en":
        assert warnings[0].startswith(
            "⚠️ OGP: the working group must meet by 2023-03-01, in 30 days"
        ) or warnings[1].startswith("⚠️ OGP: the working group must meet by 2023-03-01, in 30 days")
        assert any("today, 2023-03-01, is the last day for the forum" in w for w in warnings)
        assert any("repository must be updated by 2023-03-01, in 7 days" in w for w in warnings)
    else:
        assert any("2023-03-01 гэхэд хуралдах ёстой, 30 хоног үлдлээ" in w for w in warnings)


async def test_an_ogp_warning_moved_off_a_day_off_counts_the_days_from_when_it_goes(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock
) -> None:
    """Days off on 2023-01-30 and on the lapse day itself: the 30-day warning goes on Friday
    27 January and says 33 days; the on-the-day one goes the day before and says 1 day."""
    await linked(engine)
    clock.set(ub(2023, 1, 20, 10))
    await run.say(GROUP, OYUNA, "/holiday add 2023-01-30 Staff day")
    await run.say(GROUP, OYUNA, "/holiday add 2023-03-01")
    heard: list[list[str]] = []
    for moment in (ub(2023, 1, 27, 9), ub(2023, 2, 28, 9)):
        clock.set(moment)
        before = len(fake.bot_messages(GROUP))
        await run.tick()
        heard.append(about(fake.bot_messages(GROUP)[before:], "must meet"))
    assert len(heard[0]) == 1
    assert heard[0][0].startswith("⚠️ OGP: the working group must meet by 2023-03-01, in 33 days")
    assert len(heard[1]) == 1
    assert "by 2023-03-01, in 1 day " in heard[1][0]


async def test_a_newer_date_stops_the_old_warnings(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock
) -> None:
    await linked(engine)
    clock.set(ub(2023, 1, 30, 9))
    await run.tick()
    assert len(await ogp_warnings(fake)) == 2
    clock.set(ub(2023, 2, 1, 11))
    reply = await run.unique_reply(GROUP, OYUNA, "/ogp met 2023-02-01")
    assert "the forum met on 2023-02-01" in (reply.text or "")
    assert "2023-08-01" in (reply.text or "")
    refused = await run.unique_reply(GROUP, BAT, "/ogp repository 2023-02-01")
    assert "Only coordinators" in (refused.text or "")
    # The 7-day warning before 2023-03-01 is planned and pending within the horizon…
    clock.set(ub(2023, 2, 21, 10))
    await run.tick()
    reply = await run.unique_reply(
        GROUP, OYUNA, "/ogp repository 2023-02-21 https://ogp.example.org"
    )
    assert "2023-08-21" in (reply.text or "")
    # …and never sent: a newer date moved both lapse dates.
    for moment in (ub(2023, 2, 22, 9), ub(2023, 3, 1, 9), ub(2023, 3, 2, 9)):
        clock.set(moment)
        await run.tick()
    assert len(await ogp_warnings(fake)) == 2
    async with transaction(create_sessionmaker(engine)) as session:
        rows = list(await session.scalars(select(Notification).where(Notification.kind == "ogp")))
    pending = [r for r in rows if r.state == "pending"]
    assert pending == []
    shown = await run.unique_reply(GROUP, BAT, "/ogp")
    text = shown.text or ""
    assert "Forum last met: 2023-02-01" in text and "2023-08-01" in text
    assert "Repository last updated: 2023-02-21" in text and "2023-08-21" in text


async def test_closing_minutes_counts_as_a_forum_meeting(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await linked(engine)
    clock.set(MEETING_DAY)
    await run.tick()  # the meeting's reminder (late, due 09:00) out of the way first
    before = await run.unique_reply(GROUP, BAT, "/ogp")
    assert "Forum meetings: none recorded yet (counted from 2022-09-01)" in (before.text or "")
    assert "next due by 2023-03-01: 169 days left" in (before.text or "")
    await run.unique_reply(GROUP, OYUNA, "/meeting start")
    await run.say(GROUP, OYUNA, "/meeting end")
    after = await run.unique_reply(GROUP, BAT, "/ogp")
    assert "Forum last met: 2022-09-13" in (after.text or "")
    assert "next due by 2023-03-13: 181 days left" in (after.text or "")


async def test_a_private_action_reminder_can_be_snoozed_like_a_milestones(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock
) -> None:
    await _with_action(run, engine, clock, fake)
    clock.set(ub(2022, 10, 17, 9))  # Monday: 14 days before
    await run.tick()
    [private] = [e for e in fake.bot_messages(BAT) if "A1" in (e.text or "")]
    rows = (private.reply_markup or {}).get("inline_keyboard", [])
    labels = {b["text"]: b["callback_data"] for row in rows for b in row}
    assert set(labels) == {"Remind me tomorrow", "Remind me next week"}
    assert private.message_id is not None
    pressed = await run.press(BAT, BAT, private.message_id, labels["Remind me tomorrow"])
    assert any("I'll remind you again on" in (e.text or "") for e in pressed)
    clock.set(ub(2022, 10, 18, 9))
    await run.tick()
    again = [
        e
        for e in fake.bot_messages(BAT, kinds=["message"])
        if (e.text or "").startswith("⏰ Action item A1")
    ]
    assert len(again) == 2 and "due in 13 days" in (again[1].text or "")
    in_group = about(fake.bot_messages(GROUP), "Action item A1")
    assert len(in_group) == 1  # the group's reminder is not snoozed
