"""/healthz: 200 with the facts while the database answers, somebody planned lately and
nothing waits long past its time; 503 naming each failure, broken one at a time."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.clock import FixedClock
from fakebot import FakeTelegram
from storage.db import create_engine, create_sessionmaker, transaction
from storage.health import PLANNER, record_beat
from storage.models import ChatRate, Notification
from tests.bot.conftest import NOW
from wgbot.app import build_application
from wgbot.harness import BotRun, settings_for
from wgbot.health import Health
from wgbot.web import web_app


@pytest.fixture
def services() -> bool:
    """The scheduler runs: whether it plans is what these tests are about."""
    return True


async def get_health(port: int) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}/healthz") as answer,
    ):
        assert answer.content_type == "application/json"
        return answer.status, await answer.json()


async def add_pending(engine: AsyncEngine, *, due: dt.datetime, key: str = "test:1") -> None:
    """An unsettled outbox row, as the planner writes one, for a chat Telegram holds
    back for an hour (a long 429), so delivery leaves it waiting."""
    held = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)  # the windows' wall clock
    async with transaction(create_sessionmaker(engine)) as session:
        await session.merge(ChatRate(chat_id=-100777, next_send_at=held, recent=[]))
        session.add(
            Notification(
                key=key,
                working_group_id=None,
                chat_id=-100777,
                kind="meeting",
                payload={},
                due_at=due,
                state="pending",
                attempts=0,
                late=False,
                parts_sent=0,
                created_at=due - dt.timedelta(hours=1),
            )
        )


async def test_a_running_bot_is_healthy_and_says_why(run: BotRun) -> None:
    await run.tick()  # the first planning pass is done (it runs at start, in the background)
    status, body = await get_health(run.bot.port)
    assert status == 200, body
    assert body == {
        "ok": True,
        "leader": True,
        "database": "ok",
        "planned_seconds_ago": 0,
        "pending": body["pending"],
        "overdue": 0,
    }


async def test_a_planner_silent_for_3_minutes_is_a_503_until_it_plans(
    run: BotRun, clock: FixedClock
) -> None:
    assert (await get_health(run.bot.port))[0] == 200
    clock.advance(dt.timedelta(minutes=2, seconds=59))
    assert (await get_health(run.bot.port))[0] == 200
    clock.advance(dt.timedelta(seconds=2))
    status, body = await get_health(run.bot.port)
    assert status == 503
    assert body["ok"] is False and body["database"] == "ok"
    [problem] = body["problems"]
    assert problem.startswith("planner: no planning pass for 181 s")
    assert "this process leads" in problem
    await run.tick()  # the minute's planning pass
    assert (await get_health(run.bot.port))[0] == 200


async def test_a_notification_11_minutes_overdue_is_a_503(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    # Due 9 minutes ago and not sent (its chat is held back): not yet a problem.
    async with transaction(create_sessionmaker(engine)) as session:
        await record_beat(session=session, name=PLANNER, at=clock.now(), worker="test")
    await add_pending(engine, due=clock.now() - dt.timedelta(minutes=9), key="test:9")
    status, body = await get_health(run.bot.port)
    assert status == 200 and body["overdue"] == 0 and body["pending"] >= 1
    await add_pending(engine, due=clock.now() - dt.timedelta(minutes=11), key="test:11")
    status, body = await get_health(run.bot.port)
    assert status == 503
    assert body["overdue"] == 1
    assert body["problems"] == ["delivery: 1 notification more than 10 min overdue (oldest 11 min)"]


# --- the checks alone, against a database that is gone or silent ----------------------


@contextlib.asynccontextmanager
async def serving(health: Health, fake: FakeTelegram, db_url: str) -> AsyncIterator[int]:
    """The web app of a bot that was built, not started, with `health`; its port."""
    settings = settings_for(fake, db_url)
    built = build_application(settings)
    runner = web.AppRunner(web_app(built.app, settings, health=health, metrics=built.metrics))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        [address] = [a for a in runner.addresses if isinstance(a, tuple)]
        yield int(address[1])
    finally:
        await runner.cleanup()
        await built.engine.dispose()


@contextlib.asynccontextmanager
async def broken(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(url)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        # Nothing listens on port 1: refused at once.
        ("postgresql+asyncpg://postgres@127.0.0.1:1/wgbot", "Connect call failed"),
        # The SQLite file's volume went away under the running bot.
        ("sqlite+aiosqlite:///{tmp}/volume/wgbot.db", "unable to open database"),
    ],
)
async def test_an_unreachable_database_is_a_503(
    fake: FakeTelegram, tmp_path: Path, url: str, words: str
) -> None:
    clock = FixedClock(NOW)
    async with broken(url.format(tmp=tmp_path)) as sessions:
        shutil.rmtree(tmp_path / "volume", ignore_errors=True)
        health = Health(sessions, clock, NOW, leading=lambda: True)
        async with serving(health, fake, f"sqlite+aiosqlite:///{tmp_path / 'ok.db'}") as port:
            status, body = await get_health(port)
    assert status == 503
    assert body["ok"] is False and "database" not in body
    [problem] = body["problems"]
    assert problem.startswith("database: ") and words in problem, problem


async def test_a_database_that_does_not_answer_is_a_503_within_the_timeout(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """A server that takes the connection and never speaks (a hung PostgreSQL)."""
    silent: list[asyncio.StreamWriter] = []

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        silent.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with broken(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/wgbot") as sessions:
            health = Health(sessions, FixedClock(NOW), NOW, leading=lambda: True, timeout=0.5)
            ok_db = f"sqlite+aiosqlite:///{tmp_path / 'ok.db'}"
            async with serving(health, fake, ok_db) as web_port:
                status, body = await get_health(web_port)
    finally:
        for writer in silent:
            writer.close()
        server.close()
        await server.wait_closed()
    assert status == 503
    assert body["problems"] == ["database: no answer within the timeout"]


async def test_a_standby_fails_only_when_nobody_plans(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """A process that does not lead is healthy while the leader's beat is fresh, and
    says so when the whole cluster stopped planning."""
    clock = FixedClock(NOW)
    standby = Health(sessionmaker, clock, NOW - dt.timedelta(hours=1), leading=lambda: False)
    # A fresh database, and this process has been up for an hour: nobody ever planned.
    verdict = await standby.check()
    assert not verdict.ok
    assert verdict.body["problems"] == [
        "planner: no planning pass for 3600 s (last never; this process stands by)"
    ]
    async with transaction(sessionmaker) as session:
        await record_beat(
            session=session, name=PLANNER, at=NOW - dt.timedelta(seconds=30), worker="leader"
        )
    verdict = await standby.check()
    assert verdict.ok and verdict.body["planned_seconds_ago"] == 30
    clock.advance(dt.timedelta(minutes=3))
    verdict = await standby.check()
    assert not verdict.ok
    assert verdict.body["problems"] == [
        "planner: no planning pass for 210 s (last 2022-09-01T01:59:30+00:00; this process "
        "stands by)"
    ]


async def test_a_young_process_counts_from_its_start(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Right after a restart the old beat is stale, but the first pass is under way."""
    async with transaction(sessionmaker) as session:
        await record_beat(
            session=session, name=PLANNER, at=NOW - dt.timedelta(days=2), worker="old"
        )
    fresh = Health(sessionmaker, FixedClock(NOW), NOW - dt.timedelta(seconds=20), lambda: True)
    verdict = await fresh.check()
    assert verdict.ok, verdict.body


async def test_without_a_scheduler_the_planner_check_does_not_apply(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    alone = Health(sessionmaker, FixedClock(NOW), NOW - dt.timedelta(hours=1))
    verdict = await alone.check()
    assert verdict.ok and verdict.body["leader"] is None
    assert "planned_seconds_ago" not in verdict.body
