"""Quiet days as the group types them: /settings holidays|workdays, /holiday, /holidays,
and what /meetings and /meeting add say about quiet days (PRODUCT.md, "Quiet days")."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_sessionmaker, transaction
from storage.models import DayOff, WorkingGroup
from storage.quiet import public_holidays
from tests.bot.conftest import BAT, GROUP, OYUNA, link_example
from tests.bot.test_meetings import schedule_changes
from wgbot.harness import BotRun

REFUSED = "Only coordinators can do that"


async def _settings(engine: AsyncEngine) -> tuple[str | None, str, int]:
    async with transaction(create_sessionmaker(engine)) as session:
        group = await session.scalar(select(WorkingGroup))
        assert group is not None
        days_off = await session.scalar(select(func.count()).select_from(DayOff))
        return group.holiday_country, group.workdays, int(days_off or 0)


async def test_settings_holidays_takes_a_country_code_and_refuses_anything_else(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine)
    refused = await run.unique_reply(GROUP, BAT, "/settings holidays MN")
    assert REFUSED in (refused.text or "")
    for bad in ("/settings holidays XX", "/settings holidays Mongolia"):
        reply = await run.unique_reply(GROUP, OYUNA, bad)
        assert "I don't know the public holidays of «" in (reply.text or "")
        assert "Usage: /settings holidays <country code>" in (reply.text or "")
    usage = await run.unique_reply(GROUP, OYUNA, "/settings holidays")
    assert (usage.text or "").startswith("Usage: /settings holidays <country code>")
    assert await _settings(engine) == (None, "01234", 0)
    shown = await run.unique_reply(GROUP, BAT, "/settings")
    assert "Public holidays: off" in (shown.text or "")
    assert "Working week: Mon–Fri" in (shown.text or "")

    done = await run.unique_reply(GROUP, OYUNA, "/settings holidays mn")
    assert (done.text or "").startswith("Public holidays of Mongolia (MN) are now quiet days")
    assert await _settings(engine) == ("MN", "01234", 0)
    again = await run.unique_reply(GROUP, OYUNA, "/settings holidays MN")
    assert "(That was already the setting.)" in (again.text or "")
    shown = await run.unique_reply(GROUP, BAT, "/settings")
    assert "Public holidays: Mongolia (MN)" in (shown.text or "")
    off = await run.unique_reply(GROUP, OYUNA, "/settings holidays off")
    assert (off.text or "").startswith("Public holidays no longer count")
    assert (await _settings(engine))[0] is None


async def test_settings_workdays_reads_spans_lists_and_other_languages(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine)
    assert REFUSED in (
        (await run.unique_reply(GROUP, BAT, "/settings workdays sun-thu")).text or ""
    )
    for text, shown, stored in [
        ("/settings workdays sun-thu", "Working week: Sun–Thu.", "01236"),
        ("/settings workdays mon,tue,thu", "Working week: Mon, Tue, Thu.", "013"),
        ("/settings workdays пн-пт", "Working week: Mon–Fri.", "01234"),
        ("/settings workdays Даваа-Бямба", "Working week: Mon–Sat.", "012345"),
        ("/settings workdays lun-mié, vie", "Working week: Mon–Wed, Fri.", "0124"),
    ]:
        reply = await run.unique_reply(GROUP, OYUNA, text)
        assert (reply.text or "").startswith(shown), text
        assert (await _settings(engine))[1] == stored
    for bad in ("/settings workdays", "/settings workdays funday", "/settings workdays mon-"):
        reply = await run.unique_reply(GROUP, OYUNA, bad)
        assert (reply.text or "").startswith("Usage: /settings workdays <days>"), bad
        assert (await _settings(engine))[1] == "0124"


async def test_holiday_add_remove_and_the_list_of_the_next_90_days(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine)  # the clock: 2022-09-01
    assert REFUSED in ((await run.unique_reply(GROUP, BAT, "/holiday add 2022-09-05")).text or "")
    for bad in (
        "/holiday",
        "/holiday add",
        "/holiday add 2022-13-01",
        "/holiday add 2022-09-06 2022-09-05",
        "/holiday add 2022-01-01 2023-06-01",
        "/holiday remove",
        "/holiday remove 2022/09/40",
        "/holiday move 2022-09-05",
    ):
        reply = await run.unique_reply(GROUP, OYUNA, bad)
        assert (reply.text or "").startswith("Usage:\n/holiday add <YYYY-MM-DD>"), bad
    assert await _settings(engine) == (None, "01234", 0)

    added = await run.unique_reply(GROUP, OYUNA, "/holiday add 2022.09.05 2022-09-07 Team retreat")
    assert added.text == (
        "Day off recorded: 2022-09-05 – 2022-09-07, «Team retreat». Reminders move off it. "
        "(/holidays lists them.)"
    )
    same = await run.unique_reply(GROUP, OYUNA, "/holiday add 2022-09-05 2022-09-07 Team retreat")
    assert (same.text or "").startswith("That day off is recorded already")
    one = await run.unique_reply(GROUP, OYUNA, "/holiday add 2022-10-03")
    assert (one.text or "").startswith("Day off recorded: 2022-10-03. ")
    hostile = await run.unique_reply(GROUP, OYUNA, "/holiday add 2022-10-10 <b>Party</b>")
    assert "«<b>Party</b>»" in (hostile.text or "")  # escaped: shown as typed
    assert (await _settings(engine))[2] == 3

    await run.unique_reply(GROUP, OYUNA, "/settings holidays MN")
    listed = (await run.unique_reply(GROUP, BAT, "/holidays")).text or ""
    english = public_holidays("MN", 2022, "en")
    assert listed.startswith("Quiet days of the next 90 days")
    assert "🏖 2022-09-05 – 2022-09-07: Team retreat (the group's own day off)" in listed
    assert "🏖 2022-10-03: day off (the group's own day off)" in listed
    assert f"🎉 2022-11-24: {english[dt.date(2022, 11, 24)]}" in listed
    assert "2022-12-29" not in listed  # beyond 90 days
    assert "Working week: Mon–Fri" in listed

    await run.unique_reply(GROUP, OYUNA, "/settings language mn")
    mongolian = (await run.unique_reply(GROUP, BAT, "/holidays")).text or ""
    assert public_holidays("MN", 2022, "mn")[dt.date(2022, 11, 24)] in mongolian
    await run.unique_reply(GROUP, OYUNA, "/settings language en")

    removed = await run.unique_reply(GROUP, OYUNA, "/holiday remove 2022-09-06")
    assert removed.text == "Day off removed: 2022-09-05 – 2022-09-07."
    gone = await run.unique_reply(GROUP, OYUNA, "/holiday remove 2022-09-06")
    assert (gone.text or "").startswith("The group has no day off of its own on 2022-09-06")
    assert (await _settings(engine))[2] == 2


async def test_holidays_with_nothing_ahead_says_so(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    reply = await run.unique_reply(GROUP, BAT, "/holidays")
    assert (reply.text or "").startswith("No holidays or days off in the next 90 days.")


async def test_meetings_mark_quiet_days_and_adding_one_on_a_quiet_day_says_so(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine)
    await run.unique_reply(GROUP, OYUNA, "/holiday add 2022-09-13 Retreat")
    listed = (await run.unique_reply(GROUP, BAT, "/meetings")).text or ""
    assert "Tue 2022-09-13 10:00 (quiet day)" in listed
    assert "Tue 2022-10-11 10:00 (quiet day)" not in listed and "2022-10-11 10:00" in listed
    added = await run.unique_reply(GROUP, OYUNA, "/meeting add 2022-09-10 10:00 Saturday session")
    assert "⚠️ On a quiet day (a holiday or outside the working week): 2022-09-10." in (
        added.text or ""
    )
    weekday = await run.unique_reply(GROUP, OYUNA, "/meeting add 2022-09-14 10:00 Wednesday talk")
    assert "quiet day" not in (weekday.text or "")


async def test_every_change_of_quiet_days_re_plans_the_group_at_once(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine)
    changes = schedule_changes(run)
    for text in (
        "/settings holidays MN",
        "/settings workdays sun-thu",
        "/holiday add 2022-09-05",
        "/holiday remove 2022-09-05",
    ):
        await run.unique_reply(GROUP, OYUNA, text)
    assert len(changes) == 4
    for unchanged in (
        "/settings holidays MN",
        "/settings workdays sun-thu",
        "/holiday remove 2022-09-05",
        "/settings holidays XX",
        "/holidays",
    ):
        await run.unique_reply(GROUP, OYUNA, unchanged)
    assert len(changes) == 4
