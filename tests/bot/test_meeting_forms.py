"""Transcripts: /meeting add and /meeting skip with input as people type it, in the
group's language, answered with the schedule in words."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.bot.conftest import GROUP, OYUNA, link_example
from wgbot.harness import BotRun


@pytest.mark.parametrize("day", ["2022.10.11", "2022/10/11", "2022-10-11"])
async def test_skip_a_date_with_dots_or_slashes(run: BotRun, engine: AsyncEngine, day: str) -> None:
    await link_example(engine)
    reply = (await run.unique_reply(GROUP, OYUNA, f"/meeting skip 1 {day}")).text
    assert reply == (
        "Meeting #1 Working group meeting will not take place on 2022-10-11.\n"
        "Next: Tue 2022-09-13 10:00 · Tue 2022-11-08 10:00 · Tue 2022-12-13 10:00"
    )


async def test_a_mixed_or_short_date_gets_the_usage(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    for day in ("2022.10/11", "2022.10.1", "11.10.2022"):
        reply = (await run.unique_reply(GROUP, OYUNA, f"/meeting skip 1 {day}")).text
        assert reply is not None and reply.startswith("Usage: /meeting skip <id> <YYYY-MM-DD>")


async def test_a_one_off_meeting_on_a_dotted_date(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    reply = (await run.unique_reply(GROUP, OYUNA, "/meeting add 2022.09.20 10:00 Budget")).text
    assert reply is not None
    assert "#3 Budget\n    once\n    Next: Tue 2022-09-20 10:00" in reply


@pytest.mark.parametrize(
    ("language", "typed", "shown"),
    [
        ("en", "every last fri 15:00", "every last Friday of the month at 15:00"),
        ("en", "every second Tuesday 10:00", "every 2nd Tuesday of the month at 10:00"),
        ("mn", "Мягмар гараг бүр 10:00", "мягмар гараг бүр 10:00 цагт"),
        ("mn", "сар бүрийн 2 дахь Мягмар 10:00", "сар бүрийн 2 дахь мягмар гарагт 10:00 цагт"),
        ("mn", "өдөр бүр 09:00", "өдөр бүр 09:00 цагт"),
        ("mn", "бүтэн сайн гараг бүр 11:00", "ням гараг бүр 11:00 цагт"),
        ("es", "cada martes 10:00", "cada martes a las 10:00"),
        ("es", "cada 2.º martes 10:00", "el segundo martes de cada mes a las 10:00"),
        ("es", "cada último viernes 15:00", "el último viernes de cada mes a las 15:00"),
        ("es", "todos los días 09:00", "todos los días a las 09:00"),
        ("ru", "каждую среду 10:00", "еженедельно, среда, в 10:00"),
        ("ru", "каждый второй вторник 10:00", "ежемесячно в 10:00: вторник, 2-й такой"),
        ("ru", "каждую последнюю пятницу 15:00", "ежемесячно в 15:00: пятница, последний"),
        ("ru", "каждый день 09:00", "ежедневно в 09:00"),
    ],
)
async def test_a_coordinator_adds_a_meeting_in_the_groups_words(
    run: BotRun, engine: AsyncEngine, language: str, typed: str, shown: str
) -> None:
    await link_example(engine, language=language)
    reply = (await run.unique_reply(GROUP, OYUNA, f"/meeting add {typed} Хурал")).text
    assert reply is not None
    assert "#3 Хурал\n    " + shown in reply
