"""Transcripts: /ogp, /ogp met <date>, /ogp repository <date> [link]."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import FixedClock
from storage.db import create_sessionmaker, transaction
from storage.models import OgpEvent, WorkingGroup
from tests.bot.conftest import BAT, GROUP, OYUNA, link_example
from wgbot.harness import BotRun

LATER = dt.datetime(2022, 11, 10, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))


async def events(engine: AsyncEngine) -> int:
    async with transaction(create_sessionmaker(engine)) as session:
        return int(await session.scalar(select(func.count()).select_from(OgpEvent)) or 0)


async def test_ogp_shows_both_requirements_with_the_days_left(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await link_example(engine)
    clock.set(LATER)
    shown = await run.unique_reply(GROUP, BAT, "/ogp")
    assert (shown.text or "").split("\n")[0] == "🏛 OGP minimum requirements"
    assert "🤝 Forum meetings: none recorded yet (counted from 2022-09-01)" in (shown.text or "")
    assert "next due by 2023-03-01: 111 days left" in (shown.text or "")
    recorded = await run.unique_reply(GROUP, OYUNA, "/ogp met 2022.10.31")
    assert (recorded.text or "").startswith(
        "✅ Recorded: the forum met on 2022-10-31. The next meeting is due by 2023-04-30."
    )
    repo = await run.unique_reply(
        GROUP, OYUNA, "/ogp repository 2022-11-01 https://ogp.example.mn/repo?x=<b>"
    )
    assert "the repository was updated on 2022-11-01" in (repo.text or "")
    assert "🔗 https://ogp.example.mn/repo?x=<b>" in (repo.text or "")  # shown as text
    older = await run.unique_reply(GROUP, OYUNA, "/ogp met 2022-10-01")
    assert "A newer date is already known (2022-10-31): that one counts." in (older.text or "")
    shown = await run.unique_reply(GROUP, BAT, "/ogp")
    assert "🤝 Forum last met: 2022-10-31" in (shown.text or "")
    assert "🗂 Repository last updated: 2022-11-01" in (shown.text or "")
    assert "next due by 2023-05-01: 172 days left" in (shown.text or "")


@pytest.mark.parametrize(
    "text",
    [
        "/ogp met",
        "/ogp met 2022-10-01 extra",
        "/ogp repository",
        "/ogp minutes 2022-10-01",
    ],
)
async def test_bad_input_answers_with_the_usage_and_records_nothing(
    run: BotRun, engine: AsyncEngine, clock: FixedClock, text: str
) -> None:
    await link_example(engine)
    clock.set(LATER)
    reply = await run.unique_reply(GROUP, OYUNA, text)
    assert (reply.text or "").startswith("Usage:\n/ogp — where the requirements stand")
    assert "<code>/ogp met 2022-11-10</code>" in (reply.raw_text or "")
    assert await events(engine) == 0


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("/ogp met yesterday", "“yesterday” is not a date: write it as YYYY-MM-DD"),
        ("/ogp met 2022-02-30", "“2022-02-30” is not a date: write it as YYYY-MM-DD"),
        ("/ogp repository 2022-11-01 <b>x</b>", "“<b>x</b>” is not a link"),
        ("/ogp repository 2022-11-01 ogp.mn", "“ogp.mn” is not a link"),
    ],
)
async def test_a_bad_date_or_link_is_named_and_nothing_is_recorded(
    run: BotRun, engine: AsyncEngine, clock: FixedClock, text: str, answer: str
) -> None:
    await link_example(engine)
    clock.set(LATER)
    reply = await run.unique_reply(GROUP, OYUNA, text)
    assert (reply.text or "").startswith(answer)
    assert (reply.text or "").endswith("Nothing was recorded.")
    assert await events(engine) == 0


async def test_members_may_read_but_not_record_and_no_one_records_the_future(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await link_example(engine, language="mn")
    clock.set(LATER)
    refused = await run.unique_reply(GROUP, BAT, "/ogp met 2022-11-01")
    assert "зохицуулагч" in (refused.text or "").casefold()
    future = await run.unique_reply(GROUP, OYUNA, "/ogp repository 2022-11-11")
    assert (future.text or "").startswith("2022-11-11 ирээдүйд байна")
    assert await events(engine) == 0
    shown = await run.unique_reply(GROUP, BAT, "/ogp")
    assert "🤝 Форумын хурал: одоогоор бүртгэгдээгүй (тоолж эхэлсэн: 2022-09-01)" in (
        shown.text or ""
    )


async def test_while_published_an_update_with_evidence_counts_as_a_repository_update(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await link_example(engine)
    clock.set(LATER)
    await run.unique_reply(GROUP, BAT, "/update 3.2 limited Draft at https://example.org/draft")
    shown = await run.unique_reply(GROUP, BAT, "/ogp")
    assert "Repository updates: none recorded yet" in (shown.text or "")  # not published
    async with transaction(create_sessionmaker(engine)) as session:
        group = await session.scalar(select(WorkingGroup))
        assert group is not None
        group.public_slug = "s3cr3t-slug"
    shown = await run.unique_reply(GROUP, BAT, "/ogp")
    assert "🗂 Repository last updated: 2022-11-10" in (shown.text or "")
    assert "every progress update with evidence counts" in (shown.text or "")
