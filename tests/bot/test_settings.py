"""Transcripts: /settings through the fake Bot API over HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from fakebot import FakeTelegram
from storage.db import create_sessionmaker, transaction
from storage.models import WorkingGroup
from tests.bot.conftest import BAT, GROUP, OYUNA, link_example
from wgbot.harness import BotRun

Settings = tuple[str, str, int | None, dt.time, list[int]]
DEFAULTS: Settings = ("Asia/Ulaanbaatar", "en", 0, dt.time(9, 0), [14, 7, 1])
REFUSED = (
    "Only coordinators can do that: the chat's administrators and members granted the role. "
    "Nothing was changed."
)
LOOKUP_FAILED = (
    "I could not check your role with Telegram just now, so nothing was changed. "
    "Please try again in a minute."
)


async def _settings(engine: AsyncEngine) -> Settings:
    async with transaction(create_sessionmaker(engine)) as session:
        group = await session.scalar(select(WorkingGroup))
        assert group is not None
        return (
            group.timezone,
            group.language,
            group.digest_weekday,
            group.digest_time,
            list(group.deadline_offsets_days),
        )


def _schedule_changes(run: BotRun) -> list[int]:
    """Group ids the scheduler is told about, in order."""
    deps = run.deps
    seen: list[int] = []

    async def listener(group_id: int) -> None:
        seen.append(group_id)

    deps.schedule_listeners.append(listener)
    return seen


async def test_everyone_may_read_the_settings(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    reply = await run.unique_reply(GROUP, BAT, "/settings")
    assert reply.text == (
        "Settings of Mongolia OGP Working Group\n"
        "Time zone: Asia/Ulaanbaatar (it is 2022-09-01 10:00 there now)\n"
        "Language: English\n"
        "Weekly digest: Monday 09:00\n"
        "Deadline reminders: 14, 7, 1 days before the due date\n"
        "Quiet-milestone nudge: after 4 weeks without an update\n"
        "Public holidays: off (/settings holidays MN)\n"
        "Working week: Mon–Fri\n"
        "Public page: not published\n\n"
        "Coordinators change a setting with /settings timezone, language, digest, reminders, "
        "holidays, workdays or publish; each alone shows how."
    )


async def test_the_settings_in_mongolian(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine, language="mn")
    reply = await run.unique_reply(GROUP, BAT, "/settings")
    assert reply.text is not None
    assert "Цагийн бүс: Asia/Ulaanbaatar (тэнд одоо 2022-09-01 10:00)" in reply.text
    assert "Долоо хоногийн тойм: Даваа гараг, 09:00" in reply.text
    assert "Хугацааны сануулга: хугацаанаас 14, 7, 1 хоногийн өмнө" in reply.text
    changed = await run.unique_reply(GROUP, OYUNA, "/settings digest баасан 16:30")
    assert changed.text == "Хадгаллаа. Долоо хоногийн тойм: Баасан гараг, 16:30."
    spoken = await run.unique_reply(GROUP, OYUNA, "/settings digest Пүрэв гараг 08:00")
    assert spoken.text == "Хадгаллаа. Долоо хоногийн тойм: Пүрэв гараг, 08:00."
    usage = await run.unique_reply(GROUP, OYUNA, "/settings digest өдөр 08:00")
    assert usage.text is not None and usage.text.startswith("Хэрэглээ: /settings digest <гараг>")


async def test_a_coordinator_changes_the_time_zone(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    changes = _schedule_changes(run)
    near = await run.unique_reply(GROUP, OYUNA, "/settings timezone ulaanbaatar")
    assert near.text == (
        "I don't know the time zone ulaanbaatar. Did you mean Asia/Ulaanbaatar? "
        "Then send /settings timezone Asia/Ulaanbaatar. Nothing was changed."
    )
    typo = await run.unique_reply(GROUP, OYUNA, "/settings timezone Europe/Berlinn")
    assert typo.text is not None and "Did you mean Europe/Berlin?" in typo.text
    unknown = await run.unique_reply(GROUP, OYUNA, "/settings timezone <b>Mars</b>")
    assert unknown.text is not None
    assert unknown.text.startswith("I don't know the time zone <b>Mars</b>.")
    assert await _settings(engine) == DEFAULTS and changes == []

    done = await run.unique_reply(GROUP, OYUNA, "/settings timezone europe/berlin")
    assert done.text == (
        "Time zone set to Europe/Berlin: it is 2022-09-01 04:00 there now. "
        "Times you type and reminders follow it."
    )
    assert (await _settings(engine))[0] == "Europe/Berlin"
    assert len(changes) == 1


async def test_a_coordinator_changes_digest_reminders_and_language(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine)
    changes = _schedule_changes(run)
    digest = await run.unique_reply(GROUP, OYUNA, "/settings digest Fri 16:30")
    assert digest.text == "Saved. Weekly digest: Friday 16:30."
    off = await run.unique_reply(GROUP, OYUNA, "/settings digest off")
    assert off.text == "Saved. Weekly digest: off."
    reminders = await run.unique_reply(GROUP, OYUNA, "/settings reminders 7, 30,1,7")
    assert reminders.text == "Saved. Deadline reminders: 30, 7, 1 days before the due date."
    assert await _settings(engine) == ("Asia/Ulaanbaatar", "en", None, dt.time(16, 30), [30, 7, 1])
    assert len(changes) == 3

    same = await run.unique_reply(GROUP, OYUNA, "/settings reminders 1,7,30")
    assert same.text is not None and same.text.endswith("(That was already the setting.)")
    assert len(changes) == 3  # nothing moved

    language = await run.unique_reply(GROUP, OYUNA, "/settings language MN")
    assert language.text == "Энэ бүлгийн хэл: монгол хэл. Цаашид энэ хэлээр хариулна."
    assert (await _settings(engine))[1] == "mn"
    assert len(changes) == 3  # a language does not move a reminder time
    back = await run.unique_reply(GROUP, OYUNA, "/settings language en")
    assert back.text == "Language of this group: English. I will answer in it from now on."


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        ("/settings frobnicate", "Usage: /settings shows the settings"),
        ("/settings timezone", "Usage: /settings timezone <IANA name>"),
        ("/settings timezone Asia Ulaanbaatar", "Usage: /settings timezone <IANA name>"),
        ("/settings language", "Usage: /settings language <code>"),
        (
            "/settings language fr",
            "I don't speak fr: choose en (English), mn (Mongolian), es (Spanish) or ru (Russian).",
        ),
        ("/settings digest", "Usage: /settings digest <weekday> <HH:MM>"),
        ("/settings digest someday 09:00", "Usage: /settings digest <weekday> <HH:MM>"),
        ("/settings digest mon 24:00", "Usage: /settings digest <weekday> <HH:MM>"),
        ("/settings reminders", "Usage: /settings reminders <days,...>"),
        ("/settings reminders 400", "Usage: /settings reminders <days,...>"),
        ("/settings reminders 7,-1", "Usage: /settings reminders <days,...>"),
        ("/settings reminders soon", "Usage: /settings reminders <days,...>"),
    ],
)
async def test_a_bad_argument_answers_with_usage_and_changes_nothing(
    run: BotRun, engine: AsyncEngine, text: str, starts: str
) -> None:
    await link_example(engine)
    reply = await run.unique_reply(GROUP, OYUNA, text)
    assert reply.text is not None and reply.text.startswith(starts), reply.text
    assert await _settings(engine) == DEFAULTS


async def test_a_bad_argument_in_mongolian(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine, language="mn")
    reply = await run.unique_reply(GROUP, OYUNA, "/settings reminders маргааш")
    assert reply.text is not None
    assert reply.text.startswith("Хэрэглээ: /settings reminders <хоног,...>")
    near = await run.unique_reply(GROUP, OYUNA, "/settings timezone hovd")
    assert near.text is not None and "Та Asia/Hovd гэж хэлэх гэсэн үү?" in near.text


@pytest.mark.parametrize(
    "text",
    [
        "/settings timezone UTC",
        "/settings language mn",
        "/settings digest off",
        "/settings reminders 3",
        "/settings nonsense",
    ],
)
async def test_a_member_is_refused_and_nothing_changes(
    run: BotRun, engine: AsyncEngine, text: str
) -> None:
    await link_example(engine)
    changes = _schedule_changes(run)
    reply = await run.unique_reply(GROUP, BAT, text)
    assert reply.text == REFUSED
    assert await _settings(engine) == DEFAULTS and changes == []


async def test_a_member_is_refused_in_mongolian(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine, language="mn")
    reply = await run.unique_reply(GROUP, BAT, "/settings language en")
    assert reply.text is not None and reply.text.startswith("Үүнийг зөвхөн зохицуулагч хийнэ")
    assert (await _settings(engine))[1] == "mn"


async def test_a_failed_admin_lookup_refuses_and_asks_to_retry(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram
) -> None:
    await link_example(engine)
    fake.fail("getChatMember", kind="500", times=2)
    for text in ("/settings timezone UTC", "/settings digest off"):
        reply = await run.unique_reply(GROUP, OYUNA, text)
        assert reply.text == LOOKUP_FAILED
    assert await _settings(engine) == DEFAULTS
    # Reading stays open while Telegram is unwell; the next try goes through.
    fake.fail("getChatMember", kind="500", times=1)
    shown = await run.unique_reply(GROUP, OYUNA, "/settings")
    assert shown.text is not None and shown.text.startswith("Settings of")
    retried = await run.unique_reply(GROUP, OYUNA, "/settings timezone UTC")
    assert retried.text == LOOKUP_FAILED
    ok = await run.unique_reply(GROUP, OYUNA, "/settings timezone UTC")
    assert ok.text is not None and ok.text.startswith("Time zone set to UTC")
