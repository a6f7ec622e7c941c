"""After a kill -9: the next process takes the dead one's leases over at once, not after
they run out (2 minutes), and never takes the leases of a worker that is alive."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from bot.notices import render_notice
from domain.clock import FixedClock
from fakebot import FakeTelegram
from scheduler.leader import PostgresPresence, Presence, SolePresence
from scheduler.service import NotificationService
from storage.db import transaction
from storage.models import Notification
from storage.outbox import State
from tests.scheduler.conftest import (
    GRACE,
    NOW,
    assert_each_once,
    by_state,
    group_chats,
    planned_for,
    rows,
    seed,
    worker,
)

GONE = "crashed-host:4242:deadbeef"


async def leased_to(sessionmaker: async_sessionmaker[AsyncSession], holder: str) -> None:
    """Every row as a worker left it mid-send: leased a moment ago (the lease is fresh)."""
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Notification).values(state=State.SENDING, claimed_by=holder, claimed_at=NOW)
        )


def presence_for(db_url: str, name: str) -> Presence:
    return SolePresence(name) if db_url.startswith("sqlite") else PostgresPresence(db_url, name)


def service(
    sessionmaker: async_sessionmaker[AsyncSession], bot: Bot, presence: Presence, name: str
) -> NotificationService:
    clock = FixedClock(NOW)  # never moves: no lease runs out in these tests
    made = NotificationService(
        sessionmaker=sessionmaker,
        bot=bot,
        clock=clock,
        grace=GRACE,
        render=render_notice,
        presence=presence,
        name=name,
        plan_interval=3600,
    )
    made.worker = worker(sessionmaker, bot, clock, name)
    return made


async def test_the_leases_of_a_dead_process_are_taken_over_at_once(
    sessionmaker: async_sessionmaker[AsyncSession], fake: FakeTelegram, bot: Bot, db_url: str
) -> None:
    chats = group_chats(fake, 3)
    planned = planned_for(chats, 2)
    await seed(sessionmaker, planned)
    await leased_to(sessionmaker, GONE)  # its process was killed; its lock went with it
    successor = service(sessionmaker, bot, presence_for(db_url, "successor"), "successor")
    await successor.start()
    try:
        async with asyncio.timeout(10):
            while by_state(await rows(sessionmaker)).get(State.SENT, 0) < len(planned):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    finally:
        await successor.stop()
    assert_each_once(fake, planned)


async def test_a_live_workers_leases_are_left_alone(
    sessionmaker: async_sessionmaker[AsyncSession], fake: FakeTelegram, bot: Bot, db_url: str
) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("one process per SQLite file: every other holder is dead by construction")
    await seed(sessionmaker, planned_for(group_chats(fake, 1), 2))
    alive = PostgresPresence(db_url, "alive-host:1:cafe")
    await alive.start()
    try:
        await leased_to(sessionmaker, "alive-host:1:cafe")
        other = service(sessionmaker, bot, presence_for(db_url, "other"), "other")
        await other.presence.start()
        try:
            await other.take_over_dead()
        finally:
            await other.presence.stop()
        assert by_state(await rows(sessionmaker)) == {State.SENDING: 2}
        assert fake.calls("sendMessage") == []
    finally:
        await alive.stop()
