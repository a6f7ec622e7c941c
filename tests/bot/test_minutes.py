"""Transcripts: minutes MeetBot style, from /meeting start to the posted minutes.

The example plan's "Working group meeting" is every 2nd Tuesday at 10:00 in
Ulaanbaatar: on Tuesday 2022-09-13 at 09:45 /meeting start belongs to it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import FixedClock
from fakebot import FakeTelegram, TranscriptEntry
from storage.db import create_sessionmaker, transaction
from storage.models import ActionItem, Minutes, MinutesLine, OgpEvent
from tests.bot.conftest import BAT, GROUP, OYUNA, link_example
from wgbot.harness import BotRun, settings_for


def ub(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2022, month, day, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=8)))


MEETING_DAY = ub(9, 13, 9, 45)


def texts(entries: list[TranscriptEntry]) -> list[str]:
    return [e.text or "" for e in entries if e.kind == "message"]


def documents(entries: list[TranscriptEntry]) -> list[tuple[str, str]]:
    found = []
    for e in entries:
        if e.kind == "document" and e.document is not None:
            found.append((e.document.filename or "", e.document.data.decode("utf-8")))
    return found


async def count(engine: AsyncEngine, model: type[object]) -> int:
    async with transaction(create_sessionmaker(engine)) as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


LINES = {
    "en": [
        "/topic Budget <b>2023</b>",
        "/info The draft law went to parliament",
        "/agreed We meet *monthly* from now on",
        "/link https://ogp.example.org/report?a=1&b=2 Self-assessment report",
    ],
    "mn": [
        "/topic 2023 оны төсөв",
        "/info Хуулийн төслийг УИХ-д өргөн барьсан",
        "/agreed Сар бүр хуралдана",
        "/link https://ogp.example.org/report Өөрийн үнэлгээ",
    ],
}
SECTIONS = {
    "en": ["Decisions", "Action items", "Information", "Links", "Participants: "],
    "mn": ["Шийдвэрүүд", "Хийх ажлууд", "Мэдээлэл", "Холбоосууд", "Оролцогчид: "],
}
EXPECT = {
    "en": {
        "started": "Minutes no. 1 are open: Working group meeting",
        "attached": "For the scheduled meeting “Working group meeting” at 2022-09-13 10:00.",
        "action": "📌 A1 recorded: MRPAM · Publish the licence register · due 2022-10-31",
        "closed": "Minutes closed and stored",
        "when": "🗓 2022-09-13 09:45 – 11:05 (Asia/Ulaanbaatar)",
    },
    "mn": {
        "started": "Тэмдэглэл № 1 нээгдлээ: Working group meeting, даргалагч: Oyuna",
        "attached": "Товлосон хурал: «Working group meeting», 2022-09-13 10:00.",
        "action": "📌 A1 бүртгэгдлээ: MRPAM · Publish the licence register · хугацаа 2022-10-31",
        "closed": "Тэмдэглэл хаагдаж хадгалагдлаа",
        "when": "🗓 2022-09-13 09:45 – 11:05 (Asia/Ulaanbaatar)",
    },
}


@pytest.mark.parametrize("language", ["en", "mn"])
async def test_a_whole_meeting_is_recorded_posted_and_stored(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock, language: str
) -> None:
    await link_example(engine, language=language)
    clock.set(MEETING_DAY)
    started = await run.unique_reply(GROUP, OYUNA, "/meeting start")
    expect = EXPECT[language]
    assert expect["started"] in (started.text or "")
    assert expect["attached"] in (started.text or "")
    for line in LINES[language]:
        clock.advance(dt.timedelta(minutes=10))
        assert await run.say(GROUP, BAT, line) == []  # acknowledged quietly
    reactions = fake.calls("setMessageReaction")
    assert len(reactions) == 4
    assert all(c.status == 200 for c in reactions)
    lines = {
        e.message_id
        for e in fake.transcript(GROUP)
        if e.sender == "user"
        and (e.text or "").split()[0] in ("/topic", "/info", "/agreed", "/link")
    }
    assert {c.params["message_id"] for c in reactions} == lines
    assert all(c.params["reaction"] == [{"type": "emoji", "emoji": "✍"}] for c in reactions)
    action = await run.unique_reply(
        GROUP, BAT, "/action MRPA Publish the licence register by 2022-10-31"
    )
    assert action.text == expect["action"]
    clock.advance(dt.timedelta(minutes=40))
    posted = await run.say(GROUP, OYUNA, "/meeting end")
    [message] = texts(posted)
    assert message.startswith("📝 " + expect["closed"])
    for section in SECTIONS[language]:
        assert section in message
    assert expect["when"] in message
    assert "Oyuna" in message and "Bat" in message
    assert "A1 · MRPAM · Publish the licence register" in message
    [(name, markdown)] = documents(posted)
    assert name == "minutes-1-2022-09-13.md"
    assert markdown.startswith("# ")
    assert "A1 · MRPAM · Publish the licence register" in markdown
    if language == "en":
        # User text is escaped: HTML in the message, Markdown in the file.
        raw = next(e.raw_text for e in posted if e.kind == "message")
        assert "Budget &lt;b&gt;2023&lt;/b&gt;" in (raw or "")
        assert "We meet \\*monthly\\* from now on" in markdown
        assert "Budget \\<b\\>2023\\</b\\>" in markdown
        assert "https://ogp\\.example\\.org/report?a=1\\&b=2" in markdown
    assert await count(engine, Minutes) == 1
    assert await count(engine, MinutesLine) == 5
    assert await count(engine, ActionItem) == 1
    async with transaction(create_sessionmaker(engine)) as session:
        minutes = await session.scalar(select(Minutes))
        assert minutes is not None and minutes.closed_at is not None
        assert minutes.meeting_id is not None
        event = await session.scalar(select(OgpEvent))
        assert event is not None and event.day == dt.date(2022, 9, 13) and event.kind == "forum"
    again = await run.say(GROUP, BAT, "/minutes")
    assert len(documents(again)) == 1
    assert SECTIONS[language][0] in texts(again)[0]


async def test_members_may_not_start_or_end_the_minutes(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await link_example(engine)
    clock.set(MEETING_DAY)
    refused = await run.unique_reply(GROUP, BAT, "/meeting start Budget review")
    assert "Only coordinators" in (refused.text or "")
    assert await count(engine, Minutes) == 0
    await run.unique_reply(GROUP, OYUNA, "/meeting start Budget review")
    refused = await run.unique_reply(GROUP, BAT, "/meeting end")
    assert "Only coordinators" in (refused.text or "")
    async with transaction(create_sessionmaker(engine)) as session:
        minutes = await session.scalar(select(Minutes))
        assert minutes is not None and minutes.closed_at is None
        # A scheduled meeting starts within 2 hours: the minutes are its, with its title.
        assert minutes.title == "Working group meeting"
    again = await run.unique_reply(GROUP, OYUNA, "/meeting start")
    assert "already open" in (again.text or "")
    assert await count(engine, Minutes) == 1


async def test_a_line_too_long_for_the_minutes_says_so_and_is_not_recorded(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await link_example(engine)
    clock.set(MEETING_DAY)
    await run.unique_reply(GROUP, OYUNA, "/meeting start")
    reply = await run.unique_reply(GROUP, BAT, "/agreed " + "word " * 500)
    assert reply.text == (
        "That is too long for one line of the minutes: at most 2000 characters. "
        "Nothing was recorded."
    )
    assert await count(engine, MinutesLine) == 0


async def test_an_action_keeps_every_word_after_its_agency(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    """A code as written wins over a longer run read as a typo ("MOF a" is not MOF), a
    code with a typo is its first word alone, and a whole name of several words counts."""
    await link_example(engine)
    clock.set(MEETING_DAY)
    await run.unique_reply(GROUP, OYUNA, "/meeting start")
    for line, recorded in (
        ("/action MOF a report on the budget", "MOF · a report on the budget"),
        ("/action MOJHA no date here", "MOJHA · no date here"),
        ("/action MRPA go live", "MRPAM · go live"),
        ("/action Ministry of Finance draft the rules", "MOF · draft the rules"),
    ):
        reply = await run.unique_reply(GROUP, BAT, line)
        assert recorded in (reply.text or ""), (line, reply.text)


@pytest.mark.parametrize(
    "line",
    ["/topic Budget", "/info x", "/agreed y", "/link https://example.org", "/action MRPAM z"],
)
async def test_recording_without_open_minutes_answers_with_the_hint_and_stores_nothing(
    run: BotRun, engine: AsyncEngine, line: str
) -> None:
    await link_example(engine)
    reply = await run.unique_reply(GROUP, BAT, line)
    assert "No minutes are open, so nothing was recorded" in (reply.text or "")
    assert "/meeting start [title]" in (reply.text or "")
    assert await count(engine, MinutesLine) == 0
    assert await count(engine, ActionItem) == 0


async def test_hash_lines_are_recorded_when_the_bot_sees_every_message(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock
) -> None:
    await link_example(engine)
    clock.set(MEETING_DAY)
    # Before the minutes are open, ordinary chatter with a hash says nothing, stores nothing.
    assert await run.say(GROUP, BAT, "#info nobody is recording yet") == []
    await run.unique_reply(GROUP, OYUNA, "/meeting start")
    assert await run.say(GROUP, BAT, "#topic Procurement") == []
    assert await run.say(GROUP, BAT, "#agreed Publish all contracts") == []
    assert await run.say(GROUP, BAT, "just talking, #info is not at the start") == []
    action = await run.unique_reply(GROUP, BAT, "#action PPA Draft the rules by 2022-12-01")
    assert (action.text or "").startswith("📌 A1")
    assert len(fake.calls("setMessageReaction")) == 2
    posted = await run.say(GROUP, OYUNA, "/meeting end")
    message = texts(posted)[0]
    assert "Procurement" in message and "Publish all contracts" in message
    assert "A1 · PPA · Draft the rules · due 2022-12-01" in message
    assert "nobody is recording" not in message and "just talking" not in message
    assert await count(engine, MinutesLine) == 3


async def test_a_failed_reaction_says_nothing_and_the_line_is_kept(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock
) -> None:
    await link_example(engine)
    clock.set(MEETING_DAY)
    await run.unique_reply(GROUP, OYUNA, "/meeting start")
    fake.fail("setMessageReaction", kind="500", times=None)
    assert await run.say(GROUP, BAT, "/info The reaction will fail") == []
    assert await count(engine, MinutesLine) == 1


async def test_a_crash_mid_meeting_keeps_every_recorded_line(
    fake: FakeTelegram, engine: AsyncEngine, db_url: str
) -> None:
    await link_example(engine)
    clock = FixedClock(MEETING_DAY)
    first = BotRun(fake, settings_for(fake, db_url), clock=clock)
    await first.__aenter__()
    await first.unique_reply(GROUP, OYUNA, "/meeting start")
    for line in ("/topic Budget", "/info Line one", "/agreed Line two"):
        assert await first.say(GROUP, BAT, line) == []
    # The process stops without ending the minutes; a new one starts on the same database.
    await first.__aexit__(None, None, None)
    async with BotRun(fake, settings_for(fake, db_url), clock=clock) as second:
        await second.say(GROUP, BAT, "/link https://example.org/after After the restart")
        posted = await second.say(GROUP, OYUNA, "/meeting end")
    message = texts(posted)[0]
    for text in ("Budget", "Line one", "Line two", "After the restart"):
        assert text in message


async def test_minutes_apart_from_any_scheduled_meeting_keep_the_typed_title(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await link_example(engine)
    clock.set(MEETING_DAY + dt.timedelta(days=1))
    started = await run.unique_reply(GROUP, OYUNA, "/meeting start Budget <b>review</b>")
    assert "Minutes no. 1 are open: Budget <b>review</b>, chaired by Oyuna." in (started.text or "")
    assert "scheduled meeting" not in (started.text or "")
    await run.say(GROUP, OYUNA, "/meeting end")
    await run.unique_reply(GROUP, OYUNA, "/meeting start")
    await run.say(GROUP, OYUNA, "/meeting end")
    first = await run.say(GROUP, BAT, "/minutes 1")
    assert "Minutes 1: Budget <b>review</b>" in texts(first)[0]
    latest = await run.say(GROUP, BAT, "/minutes")
    assert "Minutes 2: Working group meeting" in texts(latest)[0]  # untitled
    missing = await run.unique_reply(GROUP, BAT, "/minutes 7")
    assert (missing.text or "").startswith("There are no minutes no. 7.")
    usage = await run.unique_reply(GROUP, BAT, "/minutes seven")
    assert (usage.text or "").startswith("Usage: /minutes [n]")


async def test_long_minutes_come_in_several_messages_and_one_file(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await link_example(engine)
    clock.set(MEETING_DAY)
    await run.unique_reply(GROUP, OYUNA, "/meeting start")
    for n in range(12):
        assert await run.say(GROUP, BAT, f"/info Point {n:02d}: " + "word " * 180) == []
    posted = await run.say(GROUP, OYUNA, "/meeting end")
    messages = [e for e in posted if e.kind == "message"]
    assert len(messages) >= 3
    assert all(len(e.raw_text or "") <= 4096 for e in messages)
    shown = "\n".join(e.text or "" for e in messages)
    assert all(f"Point {n:02d}" in shown for n in range(12))
    [(_, markdown)] = documents(posted)
    assert all(f"Point {n:02d}" in markdown for n in range(12))
