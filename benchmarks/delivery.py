"""Scenario e: outbox delivery with the limits off, against a bare python-telegram-bot loop.

What the outbox machinery costs next to a bare `bot.send_message` loop (8 at a time,
the worker's concurrency): N due rows in the outbox, drained by one DeliveryWorker with
limits it never reaches, on each database; both against the fake Bot API over loopback.
(How close delivery comes to Telegram's own limits is scenario b, benchmarks.fanout.)
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import time

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot

from domain.clock import FixedClock
from domain.parts import Part
from domain.ratelimit import Limit, RateLimits
from domain.rules import Planned
from fakebot import FakeTelegram
from scheduler.delivery import DeliveryConfig, DeliveryWorker
from storage.claims import Claimed
from storage.db import create_engine, create_sessionmaker, transaction
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


async def outbox_rate(
    url: str, n: int, chats: list[int], fake: FakeTelegram, limits: RateLimits
) -> float:
    """n due notifications in the outbox of the empty database at `url`, drained by one
    worker under `limits`."""
    engine = create_engine(url)
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
    try:
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
    finally:
        await engine.dispose()
    assert delivered == n, (delivered, n)
    return n / elapsed


def _fake(chats: list[int]) -> FakeTelegram:
    fake = FakeTelegram()
    for chat in chats:
        fake.add_group(chat, f"group {chat}")
    return fake


@dataclasses.dataclass(frozen=True)
class DeliveryRates:
    bare: float  # messages a second, the bare send loop
    outbox: dict[str, float]  # per database, the outbox with limits off


async def delivery_rates(n: int, urls: dict[str, str]) -> DeliveryRates:
    """The bare loop once, then the outbox on each database (name: empty database URL)."""
    # Enough groups that no chat sees more than a few messages.
    chats = [-1_000_000 - i for i in range(max(50, n // 15))]
    outbox: dict[str, float] = {}
    async with _fake(chats) as fake:
        bare = await bare_rate(n, chats, fake)
        for name, url in urls.items():
            outbox[name] = await outbox_rate(url, n, chats, fake, UNLIMITED)
    return DeliveryRates(bare=bare, outbox=outbox)
