"""Transcripts: /meetings and /meeting add|cancel|skip, in English and Mongolian."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from fakebot import FakeTelegram, TranscriptEntry
from storage.db import create_sessionmaker, transaction
from storage.models import Meeting
from storage.planfile import MeetingSpec, PlanFile, WorkingGroupSpec
from tests.bot.conftest import BAT, GROUP, NOW, OYUNA, link_example
from tests.conftest import import_into
from wgbot.harness import BotRun

OTHER = -1002700  # another working group's chat

# The example plan's meetings, imported on Thursday 2022-09-01 (10:00 in Ulaanbaatar):
# #1 "every 2nd tue 10:00" at Government House, #2 a quarterly last-Thursday review.


def wall(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A naive local wall time, as meetings store them."""
    return dt.datetime.combine(dt.date(year, month, day), dt.time(hour, minute))


def text(entry: TranscriptEntry) -> str:
    assert entry.text is not None
    return entry.text


async def meetings_in_db(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with transaction(create_sessionmaker(engine)) as session:
        rows = await session.scalars(select(Meeting).order_by(Meeting.id))
        return [
            {
                "id": m.id,
                "group": m.working_group_id,
                "title": m.title,
                "first": m.first_start_local,
                "rrule": m.rrule,
                "timezone": m.timezone,
                "by": m.created_by_member_id,
                "skipped": m.skipped_dates,
                "cancelled": m.cancelled_at,
            }
            for m in rows
        ]


def schedule_changes(run: BotRun) -> list[int]:
    """The group ids the scheduler is told about after each committed change."""
    seen: list[int] = []
    deps = run.deps

    async def listen(group_id: int) -> None:
        seen.append(group_id)

    deps.schedule_listeners.append(listen)
    return seen


async def link_other_group(engine: AsyncEngine, fake: FakeTelegram) -> int:
    """A second working group in another chat, with one meeting of its own; its id."""
    fake.add_group(OTHER, "Another working group", admins=[OYUNA])
    plan = PlanFile(
        working_group=WorkingGroupSpec(name="Another group", timezone="Europe/Berlin"),
        meetings=[MeetingSpec(title="Their meeting", when="every mon 10:00")],
    )
    await import_into(engine, plan, chat_id=OTHER, now=NOW)
    [theirs] = [m for m in await meetings_in_db(engine) if m["title"] == "Their meeting"]
    return int(theirs["id"])


async def test_meetings_lists_the_next_dates_with_ids(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    reply = text(await run.unique_reply(GROUP, BAT, "/meetings"))
    assert reply.startswith("Meetings (times in Asia/Ulaanbaatar)")
    assert (
        "#2 Implementation review with implementing agencies\n"
        "    every 3 months on the last Thursday at 15:00 · 90 min\n"
        "    Next: Thu 2022-09-29 15:00 · Thu 2022-12-29 15:00 · Thu 2023-03-30 15:00"
    ) in reply
    assert (
        "#1 Working group meeting\n"
        "    every 2nd Tuesday of the month at 10:00 · 120 min\n"
        "    📍 Government House, Ulaanbaatar\n"
        "    Next: Tue 2022-09-13 10:00 · Tue 2022-10-11 10:00 · Tue 2022-11-08 10:00"
    ) in reply
    # Soonest first.
    assert reply.index("#1 ") < reply.index("#2 ")


async def test_meetings_in_mongolian(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine, language="mn")
    reply = text(await run.unique_reply(GROUP, BAT, "/meetings"))
    assert reply.startswith("Хурлууд (Asia/Ulaanbaatar цагаар)")
    assert "сар бүрийн 2 дахь мягмар гарагт 10:00 цагт · 120 минут" in reply
    assert "Дараагийн хурлууд: Мя 2022-09-13 10:00 · Мя 2022-10-11 10:00" in reply


async def test_meetings_when_there_are_none(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    for meeting_id in (1, 2):
        await run.unique_reply(GROUP, OYUNA, f"/meeting cancel {meeting_id}")
    reply = text(await run.unique_reply(GROUP, BAT, "/meetings"))
    assert reply.startswith("No meetings are scheduled.")


@pytest.mark.parametrize(
    ("when", "first", "rrule", "described", "next_"),
    [
        ("2022-09-20 10:00", wall(2022, 9, 20, 10, 0), None, "once", "Tue 2022-09-20 10:00"),
        (
            "every tue 10:00",
            wall(2022, 9, 6, 10, 0),
            "FREQ=WEEKLY;BYDAY=TU",
            "every Tuesday at 10:00",
            "Tue 2022-09-06 10:00 · Tue 2022-09-13 10:00 · Tue 2022-09-20 10:00",
        ),
        (
            "every Даваа 10:00",
            wall(2022, 9, 5, 10, 0),
            "FREQ=WEEKLY;BYDAY=MO",
            "every Monday at 10:00",
            "Mon 2022-09-05 10:00",
        ),
        (
            "every 2nd tue 10:00",
            wall(2022, 9, 13, 10, 0),
            "FREQ=MONTHLY;BYDAY=2TU",
            "every 2nd Tuesday of the month at 10:00",
            "Tue 2022-09-13 10:00 · Tue 2022-10-11 10:00 · Tue 2022-11-08 10:00",
        ),
        (
            "every last fri 16:30",
            wall(2022, 9, 30, 16, 30),
            "FREQ=MONTHLY;BYDAY=-1FR",
            "every last Friday of the month at 16:30",
            "Fri 2022-09-30 16:30",
        ),
        (
            # 09:00 today has passed at 10:00: the first date is tomorrow.
            "every day 09:00",
            wall(2022, 9, 2, 9, 0),
            "FREQ=DAILY",
            "every day at 09:00",
            "Fri 2022-09-02 09:00 · Sat 2022-09-03 09:00",
        ),
        (
            "every day 11:00",
            wall(2022, 9, 1, 11, 0),
            "FREQ=DAILY",
            "every day at 11:00",
            "Thu 2022-09-01 11:00",
        ),
        (
            "RRULE:FREQ=MONTHLY;BYMONTHDAY=15;COUNT=2 10:00",
            wall(2022, 9, 15, 10, 0),
            "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=2",
            "on day 15 of every month at 10:00 (2 times)",
            # Saturday is outside the working week (PRODUCT.md, "Quiet days").
            "Next: Thu 2022-09-15 10:00 · Sat 2022-10-15 10:00 (quiet day)\n",
        ),
    ],
)
async def test_a_coordinator_adds_a_meeting_in_each_form(
    run: BotRun,
    engine: AsyncEngine,
    when: str,
    first: dt.datetime,
    rrule: str | None,
    described: str,
    next_: str,
) -> None:
    await link_example(engine)
    changes = schedule_changes(run)
    reply = text(await run.unique_reply(GROUP, OYUNA, f"/meeting add {when}  Budget   review"))
    assert reply.startswith("✅ Meeting added (times in Asia/Ulaanbaatar):\n\n#3 Budget review\n")
    assert f"\n    {described}\n" in reply
    assert next_ in reply + "\n"
    [added] = [m for m in await meetings_in_db(engine) if m["id"] == 3]
    assert added["title"] == "Budget review"
    assert (added["first"], added["rrule"], added["timezone"]) == (first, rrule, "Asia/Ulaanbaatar")
    assert added["by"] is not None and added["cancelled"] is None
    assert changes == [added["group"]]
    listed = text(await run.unique_reply(GROUP, BAT, "/meetings"))
    assert "#3 Budget review" in listed


BAD_ADDS = [
    (
        "every tue 25:00 Review",
        "“every tue 25:00”: the time must be HH:MM, from 00:00 to 23:59.",
    ),
    ("every someday 10:00 Review", "“every someday 10:00”: I don't know that weekday."),
    ("every 6th tue 10:00 Review", "“every 6th tue 10:00”: the week of the month is 1st,"),
    ("2022-02-30 10:00 Review", "“2022-02-30 10:00”: the date must be a real date"),
    ("RRULE:FREQ=HOURLY 10:00 Review", "“RRULE:FREQ=HOURLY 10:00”: this RRULE is not valid"),
    # A UTC UNTIL (RFC 5545's form) is understood; this one ended before now.
    (
        "RRULE:FREQ=DAILY;UNTIL=20200101T000000Z 10:00 Review",
        "That schedule has no dates from now on. Nothing was added.",
    ),
    ("tomorrow 10:00 Review", "I can't read “tomorrow 10:00” as a time."),
    ("every tue Review", "“every tue Review”: the time must be HH:MM"),
    ("every tue 10:00", "Usage: /meeting add <when> <title>"),
    ("", "Usage: /meeting add <when> <title>"),
    (
        "2022-09-01 09:59 Too late",
        "2022-09-01 09:59 has already passed (Asia/Ulaanbaatar time).",
    ),
    (
        "RRULE:FREQ=DAILY;UNTIL=20220831 10:00 Old",
        "That schedule has no dates from now on. Nothing was added.",
    ),
    ("every tue 10:00 " + "x" * 201, "That title is too long: 200 characters at most"),
]


async def test_a_bad_when_answers_and_adds_nothing(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    before = await meetings_in_db(engine)
    changes = schedule_changes(run)
    for arguments, answer in BAD_ADDS:
        reply = text(await run.unique_reply(GROUP, OYUNA, f"/meeting add {arguments}"))
        assert answer in reply, arguments
        if "“" in answer:
            # A grammar problem is followed by the accepted forms.
            assert "every 2nd tue 10:00 — every month" in reply
            assert "Times are in the group's time zone, Asia/Ulaanbaatar." in reply
    assert await meetings_in_db(engine) == before
    assert changes == []


async def test_meeting_without_a_sub_command_shows_every_form(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine)
    replies = [
        text(await run.unique_reply(GROUP, OYUNA, command))
        for command in ("/meeting", "/meeting frobnicate 1", "/meeting list")
    ]
    assert replies[0] == replies[1] == replies[2]
    reply = replies[0]
    for line in (
        "/meeting add <when> <title>",
        "/meeting cancel <id>",
        "/meeting skip <id> <YYYY-MM-DD>",
        "/meeting add 2022-09-15 10:00 Budget review (once)",
        "/meeting add every tue 10:00 Weekly check-in (weekly)",
        "/meeting add every 2nd tue 10:00 Working group meeting (monthly)",
        "/meeting add every day 09:00 Stand-up (daily)",
        "/meeting add RRULE:FREQ=MONTHLY;BYMONTHDAY=15 10:00 Report day",
        "/meeting cancel 3",
        "/meeting skip 3 2022-09-15",
    ):
        assert line in reply


async def test_cancel_a_meeting(run: BotRun, engine: AsyncEngine, fake: FakeTelegram) -> None:
    await link_example(engine)
    theirs = await link_other_group(engine, fake)
    changes = schedule_changes(run)
    reply = await run.unique_reply(GROUP, OYUNA, "/meeting cancel #1")
    assert text(reply) == (
        "Meeting #1 Working group meeting is cancelled; no more reminders will be sent for it."
    )
    [first] = [m for m in await meetings_in_db(engine) if m["id"] == 1]
    assert first["cancelled"] == NOW
    assert changes == [first["group"]]
    assert "#1 " not in text(await run.unique_reply(GROUP, BAT, "/meetings"))

    before = await meetings_in_db(engine)
    for arguments, answer in [
        ("1", "There is no meeting #1 in this group. Send /meetings for the list."),
        ("99", "There is no meeting #99 in this group."),
        (str(theirs), f"There is no meeting #{theirs} in this group."),
        ("999999999999", "There is no meeting #999999999999 in this group."),
        ("abc", "Usage: /meeting cancel <id>\nExample: /meeting cancel 3"),
        ("", "Usage: /meeting cancel <id>"),
        ("1 2", "Usage: /meeting cancel <id>"),
    ]:
        assert answer in text(await run.unique_reply(GROUP, OYUNA, f"/meeting cancel {arguments}"))
    assert await meetings_in_db(engine) == before
    assert changes == [first["group"]]


async def test_skip_one_date(run: BotRun, engine: AsyncEngine, fake: FakeTelegram) -> None:
    await link_example(engine)
    theirs = await link_other_group(engine, fake)
    changes = schedule_changes(run)
    reply = text(await run.unique_reply(GROUP, OYUNA, "/meeting skip 1 2022-09-13"))
    assert reply == (
        "Meeting #1 Working group meeting will not take place on 2022-09-13.\n"
        "Next: Tue 2022-10-11 10:00 · Tue 2022-11-08 10:00 · Tue 2022-12-13 10:00"
    )
    [first] = [m for m in await meetings_in_db(engine) if m["id"] == 1]
    assert first["skipped"] == ["2022-09-13"]
    assert len(changes) == 1
    listed = text(await run.unique_reply(GROUP, BAT, "/meetings"))
    assert "    Next: Tue 2022-10-11 10:00" in listed
    assert "    Skipped: 2022-09-13" in listed

    before = await meetings_in_db(engine)
    for arguments, answer in [
        ("1 2022-09-13", "2022-09-13 is already skipped for meeting #1 Working group meeting."),
        (
            "1 2022-09-14",
            "Meeting #1 Working group meeting does not take place on 2022-09-14, so there is "
            "nothing to skip. Nothing was changed.\nNext: Tue 2022-10-11 10:00",
        ),
        # The second Tuesday of August was before the meeting existed.
        ("1 2022-08-09", "does not take place on 2022-08-09"),
        ("2 2022-09-30", "does not take place on 2022-09-30"),
        (f"{theirs} 2022-09-05", f"There is no meeting #{theirs} in this group."),
        ("77 2022-09-13", "There is no meeting #77 in this group."),
        ("1 2022-02-30", "Usage: /meeting skip <id> <YYYY-MM-DD>"),
        ("1 13.09.2022", "Usage: /meeting skip <id> <YYYY-MM-DD>"),
        ("1", "Usage: /meeting skip <id> <YYYY-MM-DD>"),
        ("x 2022-09-13", "Usage: /meeting skip <id> <YYYY-MM-DD>"),
    ]:
        assert answer in text(await run.unique_reply(GROUP, OYUNA, f"/meeting skip {arguments}"))
    assert await meetings_in_db(engine) == before
    assert len(changes) == 1

    # A one-off meeting: skipping its one date leaves it with no dates.
    await run.unique_reply(GROUP, OYUNA, "/meeting add 2022-09-20 10:00 Budget review")
    [once] = [m["id"] for m in await meetings_in_db(engine) if m["title"] == "Budget review"]
    reply = text(await run.unique_reply(GROUP, OYUNA, f"/meeting skip {once} 2022-09-20"))
    assert reply.endswith("will not take place on 2022-09-20.\nNo more dates.")
    assert "Budget review" not in text(await run.unique_reply(GROUP, BAT, "/meetings"))


async def test_a_member_is_refused_and_nothing_changes(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    before = await meetings_in_db(engine)
    changes = schedule_changes(run)
    for command in (
        "/meeting add every tue 10:00 Mine",
        "/meeting cancel 1",
        "/meeting skip 1 2022-09-13",
        "/meeting",
    ):
        reply = text(await run.unique_reply(GROUP, BAT, command))
        assert reply.startswith("Only coordinators can do that")
    assert await meetings_in_db(engine) == before
    assert changes == []


async def test_meeting_in_mongolian(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine, language="mn")
    added = text(await run.unique_reply(GROUP, OYUNA, "/meeting add every Мягмар 10:00 Уулзалт"))
    assert added.startswith("✅ Хурал нэмэгдлээ (Asia/Ulaanbaatar цагаар):\n\n#3 Уулзалт\n")
    assert "мягмар гараг бүр 10:00 цагт" in added
    bad = text(await run.unique_reply(GROUP, OYUNA, "/meeting add every tue 25:00 Уулзалт"))
    assert bad.startswith("«every tue 25:00»: цагийг ЦЦ:ММ хэлбэрээр")
    assert "сар бүрийн 2 дахь Мягмар 10:00 — сар бүр" in bad
    past = text(await run.unique_reply(GROUP, OYUNA, "/meeting add 2022-08-01 10:00 Хуучин"))
    assert past == (
        "2022-08-01 10:00 аль хэдийн өнгөрсөн байна (Asia/Ulaanbaatar цагаар). Юу ч нэмэгдсэнгүй."
    )
    skipped = text(await run.unique_reply(GROUP, OYUNA, "/meeting skip 3 2022-09-06"))
    assert skipped.startswith("#3 Уулзалт хурал 2022-09-06 өдөр болохгүй.\nДараагийн хурлууд: Мя")
    cancelled = text(await run.unique_reply(GROUP, OYUNA, "/meeting cancel 3"))
    assert cancelled.startswith("#3 Уулзалт хурлыг цуцаллаа")
    missing = text(await run.unique_reply(GROUP, OYUNA, "/meeting cancel 3"))
    assert missing.startswith("Энэ ажлын хэсэгт #3 дугаартай хурал алга.")
    usage = text(await run.unique_reply(GROUP, OYUNA, "/meeting"))
    assert usage.startswith("Хэрэглээ:\n/meeting add <хэзээ> <гарчиг>")
    refused = text(await run.unique_reply(GROUP, BAT, "/meeting cancel 1"))
    assert refused.startswith("Үүнийг зөвхөн зохицуулагч хийнэ")


async def test_titles_and_places_are_shown_as_text(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram
) -> None:
    await link_example(engine)
    evil = '<a href="tg://user?id=1">Click</a> <b>now</b> & &amp;'
    reply = await run.unique_reply(GROUP, OYUNA, f"/meeting add every tue 10:00 {evil}")
    assert f"#3 {evil}\n" in text(reply)
    assert reply.raw_text is not None and "&lt;a href=" in reply.raw_text

    plan = PlanFile(
        meetings=[
            MeetingSpec(
                title="Online <i>call</i>",
                when="every wed 09:00",
                place='<a href="https://evil.example">https://meet.example/wg</a>',
            )
        ],
    )
    await import_into(engine, plan, chat_id=GROUP, now=NOW)
    listed = await run.unique_reply(GROUP, BAT, "/meetings")
    assert "Online <i>call</i>" in text(listed)
    assert '📍 <a href="https://evil.example">https://meet.example/wg</a>' in text(listed)
    assert listed.raw_text is not None and "evil.example&quot;" not in listed.raw_text
    assert '&lt;a href="https://evil.example"&gt;' in listed.raw_text
    assert "<a " not in listed.raw_text and "<i>" not in listed.raw_text


async def test_far_off_skip_dates_get_the_usage_not_an_error(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine)
    usage = await run.unique_reply(GROUP, OYUNA, "/meeting skip 1 someday")
    for far in ("0001-01-01", "9999-12-31"):
        reply = await run.unique_reply(GROUP, OYUNA, f"/meeting skip 1 {far}")
        assert reply.text == usage.text


async def test_meetings_are_shown_in_the_groups_current_zone(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine)
    await run.unique_reply(GROUP, OYUNA, "/settings timezone Europe/Berlin")
    listing = await run.unique_reply(GROUP, BAT, "/meetings")
    assert listing.text is not None
    assert "times in Europe/Berlin" in listing.text
    # The working group meeting is at 10:00 in Ulaanbaatar: 04:00 in Berlin (summer).
    assert "2022-09-13 04:00" in listing.text
