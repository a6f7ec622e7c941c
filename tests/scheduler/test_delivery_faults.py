"""Delivery under the review's failure cases: leases, stops, moved chats, rendering trouble."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from bot.notices import render_notice
from domain.clock import FixedClock
from domain.parts import Part
from domain.ratelimit import Limit, RateLimits
from fakebot import FakeTelegram
from scheduler.sending import Moved, Outcome, send_part
from scheduler.service import NotificationService
from storage.claims import Claimed, LeaseLost, SlotRequest, claim, reserve_slots
from storage.db import transaction
from storage.groups import create_group
from storage.models import Chat, Notification
from storage.outbox import State
from tests.scheduler.conftest import (
    GRACE,
    NOW,
    UNLIMITED,
    assert_each_once,
    by_state,
    group_chats,
    plain_text,
    planned_for,
    private_chats,
    rows,
    seed,
    sent_texts,
    worker,
)


async def test_sending_renews_the_lease_and_a_worker_that_lost_it_does_not_send(
    sessionmaker: async_sessionmaker[AsyncSession], fake: FakeTelegram
) -> None:
    [chat] = group_chats(fake, 1)
    await seed(sessionmaker, planned_for([chat], 1))
    async with transaction(sessionmaker) as session:
        [row] = (
            await claim(
                session=session,
                worker="a",
                now=NOW,
                wall=0.0,
                limits=UNLIMITED,
                lease=dt.timedelta(minutes=2),
                grace=GRACE,
                batch=10,
            )
        ).rows
    later = NOW + dt.timedelta(seconds=100)
    slot: dict[str, Any] = {
        "requests": [SlotRequest(row_id=row.id, chat_id=chat)],
        "wall": lambda: 100.0,
        "limits": UNLIMITED,
    }
    async with transaction(sessionmaker) as session:
        assert await reserve_slots(session=session, worker="a", now=later, **slot) == [None]
    [stored] = await rows(sessionmaker)
    assert stored.claimed_at == later  # the lease runs from the send, not from the claim
    async with transaction(sessionmaker) as session:
        [lost] = await reserve_slots(session=session, worker="b", now=later, **slot)
    assert isinstance(lost, LeaseLost)


async def test_a_worker_outlasting_its_lease_leaves_the_row_to_its_successor(
    sessionmaker: async_sessionmaker[AsyncSession], fake: FakeTelegram, bot: Bot
) -> None:
    [chat] = group_chats(fake, 1)
    planned = planned_for([chat], 1)
    await seed(sessionmaker, planned)
    clock = FixedClock(NOW)
    successor = worker(sessionmaker, bot, clock, "successor")

    async def slow_render(row: Claimed) -> list[Part]:
        clock.advance(dt.timedelta(minutes=3))  # stuck past the lease…
        assert await successor.drain() == 1  # …so another worker took the row over
        return await plain_text(row)

    slow = worker(sessionmaker, bot, clock, "slow")
    slow.render = slow_render
    await slow.drain()
    assert_each_once(fake, planned)
    [row] = await rows(sessionmaker)
    assert (row.state, row.claimed_by) == (State.SENT, "successor")


async def test_a_clean_stop_finishes_the_send_in_flight_and_hands_back_the_rest(
    sessionmaker: async_sessionmaker[AsyncSession], fake: FakeTelegram, bot: Bot
) -> None:
    [chat] = group_chats(fake, 1)
    await seed(sessionmaker, planned_for([chat], 3))
    fake.fail("sendMessage", kind="slow", delay=0.3, chat_id=chat)
    clock = FixedClock(NOW)
    service = NotificationService(
        sessionmaker=sessionmaker,
        bot=bot,
        clock=clock,
        grace=GRACE,
        plan_interval=3600,
        render=render_notice,
    )
    service.worker = worker(sessionmaker, bot, clock, "stopping")
    await service.start()
    async with asyncio.timeout(5):
        while not fake.calls("sendMessage"):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    await service.stop()  # while Telegram has the first message
    assert len(sent_texts(fake)) == 1
    assert by_state(await rows(sessionmaker)) == {State.SENT: 1, State.PENDING: 2}


async def test_a_leader_whose_polling_failed_to_start_retries_it(
    sessionmaker: async_sessionmaker[AsyncSession], bot: Bot
) -> None:
    calls = 0

    async def start_polling() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError("Telegram unreachable")

    service = NotificationService(
        sessionmaker=sessionmaker,
        bot=bot,
        clock=FixedClock(NOW),
        grace=GRACE,
        render=render_notice,
        on_elected=start_polling,
    )
    with pytest.raises(OSError):
        await service._elect()
    assert not service.leading
    await service._elect()  # the next round
    assert (calls, service.leading) == (2, True)


async def test_a_group_that_became_a_supergroup_gets_its_queue_in_the_new_chat(
    sessionmaker: async_sessionmaker[AsyncSession], fake: FakeTelegram, bot: Bot
) -> None:
    old, new = group_chats(fake, 2)
    async with transaction(sessionmaker) as session:
        await create_group(
            session=session, chat_id=old, name="g", timezone="UTC", language="en", now=NOW
        )
    planned = planned_for([old], 2)
    await seed(sessionmaker, planned)
    w = worker(sessionmaker, bot, FixedClock(NOW))

    async def send_or_migrate(bot: Bot, chat_id: int, part: Part, *, thread_id: None) -> Outcome:
        if chat_id == old:
            return Moved(new)
        return await send_part(bot, chat_id, part, thread_id=thread_id)

    w.send = send_or_migrate
    await w.drain()
    assert_each_once(fake, planned)
    assert len(fake.transcript(new)) == 2
    assert {n.chat_id for n in await rows(sessionmaker)} == {new}
    async with sessionmaker() as session:
        moved, linked = await session.get(Chat, old), await session.get(Chat, new)
        assert moved is not None and not moved.active
        assert linked is not None and linked.active


async def test_a_database_error_while_rendering_is_retried_not_failed(
    sessionmaker: async_sessionmaker[AsyncSession], fake: FakeTelegram, bot: Bot
) -> None:
    [chat] = group_chats(fake, 1)
    planned = planned_for([chat], 1)
    await seed(sessionmaker, planned)
    clock = FixedClock(NOW)
    failures = 1

    async def flaky(row: Claimed) -> list[Part]:
        nonlocal failures
        if failures:
            failures -= 1
            raise OperationalError("SELECT", {}, ConnectionResetError("server closed"))
        return await plain_text(row)

    w = worker(sessionmaker, bot, clock)
    w.render = flaky
    await w.drain()
    [row] = await rows(sessionmaker)
    assert (row.state, row.attempts) == (State.PENDING, 1)
    clock.advance(dt.timedelta(minutes=1))
    await w.drain()
    assert_each_once(fake, planned)


async def test_a_resumed_row_whose_text_now_takes_fewer_parts_is_settled(
    sessionmaker: async_sessionmaker[AsyncSession], fake: FakeTelegram, bot: Bot
) -> None:
    [chat] = group_chats(fake, 1)
    await seed(sessionmaker, planned_for([chat], 1))
    async with transaction(sessionmaker) as session:
        await session.execute(update(Notification).values(parts_sent=2))
    await worker(sessionmaker, bot, FixedClock(NOW)).drain()
    [row] = await rows(sessionmaker)
    assert (row.state, row.parts_sent) == (State.SENT, 2)
    assert sent_texts(fake) == []


async def test_a_full_window_hands_the_row_back_instead_of_stalling_the_others(
    sessionmaker: async_sessionmaker[AsyncSession], fake: FakeTelegram, bot: Bot
) -> None:
    """A two-part message to a private chat (1 per minute here): the second part waits
    for the window, outside the step, while other chats' messages go."""
    [person] = private_chats(fake, 1)
    groups = group_chats(fake, 2)
    await seed(sessionmaker, planned_for([person], 1) + planned_for(groups, 3))
    wall = 1_000_000.0

    async def two_parts(row: Claimed) -> list[Part]:
        if row.chat_id != person:
            return await plain_text(row)
        return [Part(f"{row.key} #1"), Part(f"{row.key} #2")]

    limits = RateLimits(
        overall=Limit(1000, 1.0), group=Limit(1000, 1.0), private=Limit(1, 60.0), safety=0
    )
    w = worker(sessionmaker, bot, FixedClock(NOW), limits=limits, batch=1)
    w.wall, w.render = (lambda: wall), two_parts
    async with asyncio.timeout(3):  # the private chat's window stays shut: wall is frozen
        while (await w.step()).claimed:
            pass
    assert all(len(fake.transcript(g)) == 3 for g in groups)
    assert len(fake.transcript(person)) == 1
    [waiting] = [n for n in await rows(sessionmaker) if n.chat_id == person]
    assert (waiting.state, waiting.parts_sent, waiting.attempts) == (State.PENDING, 1, 0)
    wall += 61
    async with asyncio.timeout(3):
        await w.drain()
    assert [e.text for e in fake.transcript(person)] == [
        f"{waiting.key} #1",
        f"{waiting.key} #2",
    ]


async def test_a_long_message_resumed_part_by_part_sends_each_part_once(
    sessionmaker: async_sessionmaker[AsyncSession], fake: FakeTelegram, bot: Bot
) -> None:
    """Four parts to a private chat that takes one a minute: the row goes back after each
    part and resumes after the last one that went, the middle ones included."""
    [person] = private_chats(fake, 1)
    await seed(sessionmaker, planned_for([person], 1))
    wall = 1_000_000.0

    async def four_parts(row: Claimed) -> list[Part]:
        return [Part(f"{row.key} #{n}") for n in range(1, 5)]

    limits = RateLimits(
        overall=Limit(1000, 1.0), group=Limit(1000, 1.0), private=Limit(1, 60.0), safety=0
    )
    w = worker(sessionmaker, bot, FixedClock(NOW), limits=limits)
    w.wall, w.render = (lambda: wall), four_parts
    for sent in range(1, 5):
        async with asyncio.timeout(3):  # the window stays shut until the wall moves on
            while (await w.step()).claimed:
                pass
        assert len(fake.transcript(person)) == sent
        wall += 61
    [row] = await rows(sessionmaker)
    texts = [e.text for e in fake.transcript(person)]
    assert texts == [f"{row.key} #{n}" for n in range(1, 5)]
    assert (row.state, row.parts_sent) == (State.SENT, 4)
    assert row.telegram_message_id == fake.transcript(person)[0].message_id


async def test_one_chats_failure_does_not_cut_off_the_other_chats(
    sessionmaker: async_sessionmaker[AsyncSession], fake: FakeTelegram, bot: Bot
) -> None:
    broken, fine = group_chats(fake, 2)
    await seed(sessionmaker, planned_for([broken, fine], 3))
    fake.fail("sendMessage", kind="slow", delay=0.1, chat_id=fine, times=None)

    async def hook(row: Claimed, _message_id: int) -> None:
        if row.chat_id == broken:
            raise RuntimeError("the database went away")

    w = worker(sessionmaker, bot, FixedClock(NOW))
    w.on_sent = hook
    step = await w.step()
    assert step.claimed == 6
    assert len(fake.transcript(fine)) == 3
    states = {(n.chat_id, n.state) for n in await rows(sessionmaker)}
    assert states == {(broken, State.SENT), (broken, State.PENDING), (fine, State.SENT)}
