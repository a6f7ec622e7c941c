"""Outbox delivery against Telegram's limits and against a bare python-telegram-bot loop.

Two numbers matter to a working group: that a morning's reminders all go out as fast
as Telegram allows (30 messages/s overall), and that the outbox machinery costs little
next to a bare `bot.send_message` loop. Both run against the fake Bot API over loopback.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
import time
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot

from domain.clock import FixedClock
from domain.parts import Part
from domain.ratelimit import Limit, RateLimits
from domain.rules import Planned
from fakebot import FakeTelegram
from scheduler.delivery import DeliveryConfig, DeliveryWorker
from storage.claims import Claimed
from storage.db import create_engine, create_sessionmaker, migrate, transaction
from storage.outbox import store_planned

NOW = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
TELEGRAM_OVERALL_PER_S = 30.0
UNLIMITED = RateLimits(
    overall=Limit(1_000_000, 1.0), group=Limit(1_000_000, 1.0), private=Limit(1_000_000, 1.0)
)


async def _the_row(_session: AsyncSession, row: Claimed) -> Claimed:
    return row


async def _text(row: Claimed) -> list[Part]:
    return [Part(f"reminder {row.key}")]


async def bare_rate(n: int, chats: list[int], fake: FakeTelegram) -> float:
    """A bare PTB bot sending n messages round-robin, 8 at a time (the worker's concurrency)."""
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        queue = asyncio.Queue[int]()
        for i in range(n):
            queue.put_nowait(i)

        async def sender() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                await bot.send_message(chats[i % len(chats)], f"bare {i}")

        start = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(8)))
        return n / (time.perf_counter() - start)


async def outbox_rate(n: int, chats: list[int], fake: FakeTelegram, limits: RateLimits) -> float:
    """n due notifications in the outbox (SQLite), drained by one worker under `limits`."""
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        await migrate(engine)
        sessionmaker = create_sessionmaker(engine)
        planned = [
            Planned(
                key=f"bench:{i}",
                kind="bench",
                chat_id=chats[i % len(chats)],
                due_at=NOW,
                payload={},
            )
            for i in range(n)
        ]
        async with transaction(sessionmaker) as session:
            await store_planned(
                session=session,
                group_id=None,
                planned=planned,
                now=NOW,
                grace=dt.timedelta(hours=6),
            )
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            worker = DeliveryWorker(
                sessionmaker=sessionmaker,
                bot=bot,
                clock=FixedClock(NOW),
                name="bench",
                config=DeliveryConfig(limits=limits),
                gather=_the_row,
                render=_text,
            )
            start = time.perf_counter()
            delivered = await worker.drain()
            elapsed = time.perf_counter() - start
        await engine.dispose()
        assert delivered == n, (delivered, n)
        return n / elapsed


def _fake(chats: list[int]) -> FakeTelegram:
    fake = FakeTelegram()
    for chat in chats:
        fake.add_group(chat, f"group {chat}")
    return fake


async def main(n: int) -> None:
    # Enough groups that the per-group limit (20/min) never binds: only the overall one.
    chats = [-1_000_000 - i for i in range(max(50, n // 15))]
    async with _fake(chats) as fake:
        bare = await bare_rate(n, chats, fake)
        unlimited = await outbox_rate(n, chats, fake, UNLIMITED)
    async with _fake(chats) as fake:
        limited = await outbox_rate(n, chats, fake, RateLimits())
        peak = fake.max_sends_in_window(1.0)
    print(f"outbox delivery, N={n} reminders to {len(chats)} groups")
    print(f"  bare python-telegram-bot send loop  : {bare:8.1f} msg/s")
    print(f"  outbox, limits off                  : {unlimited:8.1f} msg/s")
    print(f"  outbox / bare PTB                   : {unlimited / bare:8.2f}")
    print(f"  outbox, Telegram's limits           : {limited:8.1f} msg/s")
    print(f"  that / Telegram's 30 msg/s          : {limited / TELEGRAM_OVERALL_PER_S:8.2f}")
    print(f"  capacity / Telegram's 30 msg/s      : {unlimited / TELEGRAM_OVERALL_PER_S:8.1f}x")
    print(f"  most sends in any 1 s at the fake   : {peak} (Telegram allows 30)")
