"""Several processes: one leader on PostgreSQL, shared delivery, one process per SQLite file."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot

import scheduler.service
from bot.notices import render_notice
from domain.clock import FixedClock
from domain.ratelimit import Limit, RateLimits
from fakebot import FakeTelegram
from scheduler.delivery import DeliveryConfig, DeliveryWorker
from scheduler.leader import AlreadyRunning, PostgresLeadership, SqliteFileLock
from scheduler.service import NotificationService
from storage.db import create_engine, create_sessionmaker
from tests.conftest import ROOT
from tests.scheduler.conftest import (
    NOW,
    assert_each_once,
    group_chats,
    plain_text,
    planned_for,
    private_chats,
    rows,
    seed,
    the_row,
)
from wgbot.harness import settings_for
from wgbot.lifecycle import serve

only_postgres = pytest.mark.parametrize("db_url", ["postgres"], indirect=True)


@only_postgres
async def test_two_workers_with_their_own_engines_deliver_1000_reminders_once(
    engine: AsyncEngine, db_url: str, fake: FakeTelegram
) -> None:
    limits = RateLimits(
        overall=Limit(100, 0.25), group=Limit(20, 0.25), private=Limit(1, 0.2), safety=0.25
    )
    groups, privates = group_chats(fake, 20), private_chats(fake, 100)
    planned = planned_for(groups, 40) + planned_for(privates, 2)
    assert len(planned) == 1000
    await seed(create_sessionmaker(engine), planned)
    other_engine = create_engine(db_url)  # a second process: its own pool and connections
    clock = FixedClock(NOW)
    try:
        async with (
            Bot(fake.token, base_url=fake.base_url) as bot_a,
            Bot(fake.token, base_url=fake.base_url) as bot_b,
        ):
            workers = [
                DeliveryWorker(
                    sessionmaker=create_sessionmaker(e),
                    bot=b,
                    clock=clock,
                    name=name,
                    config=DeliveryConfig(limits=limits),
                    gather=the_row,
                    render=plain_text,
                )
                for e, b, name in ((engine, bot_a, "a"), (other_engine, bot_b, "b"))
            ]
            started = time.perf_counter()
            await asyncio.wait_for(asyncio.gather(*(w.drain() for w in workers)), 60)
            elapsed = time.perf_counter() - started
    finally:
        await other_engine.dispose()
    assert_each_once(fake, planned)
    senders = Counter(n.claimed_by for n in await rows(create_sessionmaker(engine)))
    assert set(senders) == {"a", "b"} and sum(senders.values()) == 1000
    assert fake.max_sends_in_window(0.25) <= 100
    assert max(fake.max_sends_in_window(0.25, g) for g in groups) <= 20
    assert max(fake.max_sends_in_window(0.2, p) for p in privates) <= 1
    print(f"\n1000 deliveries by two workers: {elapsed:.2f}s, split {dict(senders)}")


@only_postgres
async def test_one_leader_at_a_time_and_a_successor_when_it_dies(
    engine: AsyncEngine, db_url: str
) -> None:
    first, second = PostgresLeadership(db_url), PostgresLeadership(db_url)
    try:
        assert await first.try_acquire()
        assert not await second.try_acquire()
        assert await first.still_leading()
        await first._drop_connection()  # the process dies: the server drops its lock
        assert not await first.still_leading()
        assert await second.try_acquire()
        assert not await first.try_acquire()  # back, but standing by
    finally:
        await first.release()
        await second.release()


@only_postgres
async def test_only_the_leader_polls_and_a_standby_takes_over(
    engine: AsyncEngine, db_url: str, fake: FakeTelegram
) -> None:
    events: list[str] = []

    def service(name: str, bot: Bot) -> NotificationService:
        async def elected() -> None:
            events.append(f"{name} polls")

        async def deposed() -> None:
            events.append(f"{name} stops polling")

        return NotificationService(
            sessionmaker=create_sessionmaker(engine),
            bot=bot,
            clock=FixedClock(NOW),
            grace=dt.timedelta(hours=6),
            render=render_notice,
            leadership=PostgresLeadership(db_url),
            on_elected=elected,
            on_deposed=deposed,
            elect_interval=0.05,
            name=name,
        )

    async with Bot(fake.token, base_url=fake.base_url) as bot:
        a, b = service("a", bot), service("b", bot)
        await a.start()
        await b.start()
        try:
            assert (a.leading, b.leading) == (True, False)
            await a.stop()  # leaves (or dies): the lock goes with its connection
            await until(lambda: b.leading)  # its next election try, 0.05 s away
        finally:
            await b.stop()
    assert events == ["a polls", "a stops polling", "b polls", "b stops polling"]


def test_the_sqlite_lock_file_admits_one_process(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    lock = SqliteFileLock.for_url(url)
    assert lock is not None and lock.path == tmp_path / "bot.db.lock"
    assert SqliteFileLock.for_url("sqlite+aiosqlite://") is None
    lock.acquire()
    try:
        again = SqliteFileLock.for_url(url)
        assert again is not None
        with pytest.raises(AlreadyRunning):
            again.acquire()
        env = {k: v for k, v in os.environ.items() if not k.startswith("WGBOT_")}
        env |= {
            "WGBOT_DATABASE_URL": url,
            "WGBOT_TELEGRAM_TOKEN": "4242:AAnotUsedBecauseItStopsFirst",
            "WGBOT_TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot",
        }
        result = subprocess.run(
            [sys.executable, "-m", "wgbot.cli", "run"],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=60,
            check=False,
        )
    finally:
        lock.release()
    assert result.returncode == 1
    assert result.stderr.startswith("wgbot: another `wgbot run` is already using this SQLite")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@only_postgres
async def test_two_wgbot_runs_on_one_database_poll_one_at_a_time(
    engine: AsyncEngine, db_url: str, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`wgbot run` twice on PostgreSQL: one polls (no 409 Conflict), the other takes over."""
    monkeypatch.setattr(scheduler.service, "ELECT_INTERVAL", 0.05)
    settings = settings_for(fake, db_url, http_port=0)
    stops = [asyncio.Event(), asyncio.Event()]
    token = settings.require_token().get_secret_value()
    polling = functools.partial(fake.is_polling, token=token)
    first = asyncio.create_task(serve(settings, stop=stops[0]))
    await until(polling)
    second = asyncio.create_task(serve(settings, stop=stops[1]))
    await asyncio.sleep(0.3)  # several election rounds for the second: it must stand by
    assert not first.done() and not second.done()
    stops[0].set()
    await first
    await until(polling)  # the standby polls now
    stops[1].set()
    await second
    assert {c.status for c in fake.calls("getUpdates")} == {200}


async def until(condition: Callable[[], bool]) -> None:
    """Poll a condition of the fake (it has no event to wait on), for at most 10 s."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached within 10 s")
