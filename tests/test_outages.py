"""After start, a Bot API or a database that goes away is waited for, and nothing is lost.

This is python-telegram-bot's updater at work: a failed getUpdates (network error, 5xx) is
tried again, after pauses growing from 1 s up to 30 s, for as long as the bot runs, and
updates are confirmed only by the next getUpdates, so those sent during the outage
arrive afterwards. The test runs the bot the way `wgbot run` does (leadership, then
polling by the leader, the scheduler) against the fake Bot API.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

import scheduler.service
from fakebot import FakeTelegram
from storage.db import create_engine, migrate
from storage.planfile import load_plan
from tests.conftest import EXAMPLES, PG_DATABASE, PG_SERVER, import_into
from wgbot.harness import REPLY_TIMEOUT, TEST_TOKEN, BotRun, settings_for

GROUP, OTHER_GROUP, SARAA, BAT = -100901, -100902, 31, 32


def failed_polls(fake: FakeTelegram) -> list[object]:
    """getUpdates calls the fake dropped (status 0) or answered with a 500."""
    return [c for c in fake.calls("getUpdates") if c.status in (0, 500)]


async def test_the_bot_answers_what_was_said_while_get_updates_failed(tmp_path: Path) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'outage.db'}"
    engine = create_engine(database)
    await migrate(engine)
    plan = load_plan(EXAMPLES / "mongolia-2021-2023.yaml")
    now = dt.datetime.now(dt.UTC)
    for chat in (GROUP, OTHER_GROUP):
        await import_into(engine, plan, chat_id=chat, now=now)
    await engine.dispose()

    async with FakeTelegram(token=TEST_TOKEN) as fake:
        fake.add_user(SARAA, "Saraa")
        fake.add_user(BAT, "Bat")
        fake.add_group(GROUP, "Working group", admins=[SARAA])
        fake.add_group(OTHER_GROUP, "Another working group", admins=[BAT])
        settings = settings_for(fake, database)
        async with BotRun(fake, settings, services=True) as run:
            before = await run.unique_reply(GROUP, SARAA, "/plan")
            assert "Extractive Industry Transparency" in (before.text or "")

            # The Bot API goes away: dropped connections, then server errors. Members
            # write while it is away.
            fake.fail("getUpdates", kind="network", times=2)
            fake.fail("getUpdates", kind="500", times=2)
            async with asyncio.timeout(REPLY_TIMEOUT):
                while not failed_polls(fake):  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
            first = fake.user_says(GROUP, SARAA, "/plan")
            second = fake.user_says(OTHER_GROUP, BAT, "/commitment 3")
            await run.wait(first)
            await run.wait(second)

        assert len(failed_polls(fake)) == 4  # every failure was met with another try
        [plan_reply] = fake.bot_messages(GROUP, since_update=first)
        assert "Extractive Industry Transparency" in (plan_reply.text or "")
        [commitment_reply] = fake.bot_messages(OTHER_GROUP, since_update=second)
        assert "3. Public Engagement in Public Procurement" in (commitment_reply.text or "")


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_the_bot_answers_again_after_the_database_dropped_its_connections(
    engine: AsyncEngine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL restarts (every connection of the bot is closed under it): the pool
    opens new ones, the leader steps down and is elected again, and polling resumes."""
    monkeypatch.setattr(scheduler.service, "ELECT_INTERVAL", 0.05)
    plan = load_plan(EXAMPLES / "mongolia-2021-2023.yaml")
    await import_into(engine, plan, chat_id=GROUP, now=dt.datetime.now(dt.UTC))
    async with FakeTelegram(token=TEST_TOKEN) as fake:
        fake.add_user(SARAA, "Saraa")
        fake.add_group(GROUP, "Working group", admins=[SARAA])
        async with BotRun(fake, settings_for(fake, db_url), services=True) as run:
            before = await run.unique_reply(GROUP, SARAA, "/plan")
            assert "Extractive Industry Transparency" in (before.text or "")

            await engine.dispose()  # the test's own connections are not the bot's
            admin = await asyncpg.connect(f"postgresql://{PG_SERVER}/postgres", timeout=5)
            try:
                dropped = await admin.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = $1 AND pid <> pg_backend_pid()",
                    PG_DATABASE,
                )
            finally:
                await admin.close()
            assert dropped >= 2  # the pool's and the leader lock's

            after = await run.unique_reply(GROUP, SARAA, "/plan")
        assert "Extractive Industry Transparency" in (after.text or "")
