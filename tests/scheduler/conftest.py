"""Scheduler fixtures: a fake Telegram, a bare Bot talking to it, outbox seeding helpers."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncIterator, Sequence

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from domain.clock import FixedClock
from domain.parts import Part
from domain.ratelimit import Limit, RateLimits
from domain.rules import Planned
from fakebot import FakeTelegram
from scheduler.delivery import DeliveryConfig, DeliveryWorker
from storage.claims import Claimed
from storage.db import transaction
from storage.models import Notification
from storage.outbox import store_planned

NOW = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # Monday 09:00 in Ulaanbaatar
GRACE = dt.timedelta(minutes=360)
_users = itertools.count(10_000)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        yield bot


def group_chats(fake: FakeTelegram, count: int, *, first: int = -1_000_100) -> list[int]:
    chats = [first - i for i in range(count)]
    for chat in chats:
        fake.add_group(chat, f"Group {chat}")
    return chats


def private_chats(fake: FakeTelegram, count: int) -> list[int]:
    users = [next(_users) for _ in range(count)]
    for user in users:
        fake.add_user(user, f"User {user}")
        fake.private_chat(user)
    return users


def planned_for(chats: Sequence[int], per_chat: int, *, due: dt.datetime = NOW) -> list[Planned]:
    """`per_chat` notifications for each chat, all due at `due`, interleaved like a real
    morning (every chat's first, then every chat's second, …)."""
    return [
        Planned(
            key=f"test:{chat}:{n}",
            kind="test",
            chat_id=chat,
            due_at=due,
            payload={"n": n},
        )
        for n in range(per_chat)
        for chat in chats
    ]


async def seed(
    sessionmaker: async_sessionmaker[AsyncSession],
    planned: Sequence[Planned],
    *,
    now: dt.datetime = NOW,
) -> None:
    async with transaction(sessionmaker) as session:
        await store_planned(session=session, group_id=None, planned=planned, now=now, grace=GRACE)


async def the_row(_session: AsyncSession, row: Claimed) -> Claimed:
    """Facts without a plan: the delivery machinery is what these tests are about."""
    return row


async def plain_text(row: Claimed) -> list[Part]:
    """A renderer without plan facts: one message naming the row."""
    return [Part(f"note {row.key}")]


async def rows(sessionmaker: async_sessionmaker[AsyncSession]) -> list[Notification]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(Notification).order_by(Notification.id)))


def by_state(notifications: Sequence[Notification]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for n in notifications:
        counts[n.state] = counts.get(n.state, 0) + 1
    return counts


def sent_texts(fake: FakeTelegram) -> list[str]:
    return [e.text or "" for e in fake.transcript() if e.sender == "bot"]


def assert_each_once(fake: FakeTelegram, planned: Sequence[Planned]) -> None:
    texts = sent_texts(fake)
    duplicates = {t for t in texts if texts.count(t) > 1}
    assert duplicates == set()
    assert sorted(texts) == sorted(f"note {p.key}" for p in planned)


UNLIMITED = RateLimits(
    overall=Limit(100_000, 1.0), group=Limit(100_000, 1.0), private=Limit(100_000, 1.0)
)


def worker(
    sessionmaker: async_sessionmaker[AsyncSession],
    bot: Bot,
    clock: FixedClock,
    name: str = "w1",
    **config: object,
) -> DeliveryWorker[Claimed]:
    settings: dict[str, object] = {"limits": UNLIMITED} | config
    return DeliveryWorker(
        sessionmaker=sessionmaker,
        bot=bot,
        clock=clock,
        name=name,
        config=DeliveryConfig(**settings),  # type: ignore[arg-type]
        gather=the_row,
        render=plain_text,
    )
