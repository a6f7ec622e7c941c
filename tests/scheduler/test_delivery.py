"""Delivery: once per notification, through restarts and Telegram's failures."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Bot

from domain.clock import FixedClock
from fakebot import FakeTelegram
from storage.claims import Claimed
from storage.db import transaction
from storage.groups import create_group
from storage.models import Chat, ChatRate, Member
from storage.outbox import State
from tests.scheduler.conftest import (
    NOW,
    assert_each_once,
    by_state,
    group_chats,
    planned_for,
    private_chats,
    rows,
    seed,
    sent_texts,
    worker,
)


# Limits that do not get in the way of tests about something else.
async def test_a_worker_stopped_halfway_and_a_new_one_deliver_each_notification_once(
    sessionmaker: async_sessionmaker[AsyncSession], fake: FakeTelegram, bot: Bot
) -> None:
    planned = planned_for(group_chats(fake, 10) + private_chats(fake, 40), 10)
    assert len(planned) == 500
    await seed(sessionmaker, planned)
    clock = FixedClock(NOW)
    halfway = asyncio.Event()
    sent = 0

    async def stop_between_sends(_row: Claimed, _message_id: int) -> None:
        nonlocal sent
        sent += 1
        if sent == 250:
            halfway.set()
            await asyncio.Event().wait()  # parked after a recorded send: cancelled here

    first = worker(sessionmaker, bot, clock, "first", concurrency=1)
    first.on_sent = stop_between_sends
    task = asyncio.create_task(first.drain())
    await asyncio.wait_for(halfway.wait(), 30)
    task.cancel()
    await asyncio.wait([task])
    assert task.cancelled()
    assert len(sent_texts(fake)) == 250
    # Nothing is left leased: the rows the first worker had claimed went back.
    assert by_state(await rows(sessionmaker)) == {State.SENT: 250, State.PENDING: 250}

    second = worker(sessionmaker, bot, clock, "second")
    assert await asyncio.wait_for(second.drain(), 30) == 250
    assert_each_once(fake, planned)
    stored = await rows(sessionmaker)
    assert by_state(stored) == {State.SENT: 500}
    assert all(n.telegram_message_id is not None and n.sent_at == NOW for n in stored)


async def test_chats_sending_at_once_share_their_slot_and_record_transactions(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    fake: FakeTelegram,
    bot: Bot,
) -> None:
    """Each message takes a send slot and is recorded; the chats sending at once take
    their slots together and record together, so a fan-out costs the database fewer
    transactions than two a message (what it cost)."""
    planned = planned_for(group_chats(fake, 16), 1)
    await seed(sessionmaker, planned)
    commits = 0

    def count(_connection: object) -> None:
        nonlocal commits
        commits += 1

    event.listen(engine.sync_engine, "commit", count)
    try:
        assert await worker(sessionmaker, bot, FixedClock(NOW)).drain() == 16
    finally:
        event.remove(engine.sync_engine, "commit", count)
    assert_each_once(fake, planned)
    stored = await rows(sessionmaker)
    assert by_state(stored) == {State.SENT: 16}
    assert all(n.telegram_message_id is not None for n in stored)
    assert commits < 2 * len(planned)


async def test_a_row_cut_off_mid_send_is_taken_over_when_its_lease_expires(
    sessionmaker: async_sessionmaker[AsyncSession], fake: FakeTelegram, bot: Bot
) -> None:
    [chat] = group_chats(fake, 1)
    planned = planned_for([chat], 1)
    await seed(sessionmaker, planned)
    clock = FixedClock(NOW)
    fake.fail("sendMessage", kind="hang", chat_id=chat)
    task = asyncio.create_task(worker(sessionmaker, bot, clock, "crashing").drain())
    for _ in range(500):
        if fake.calls("sendMessage"):
            break
        await asyncio.sleep(0.01)
    task.cancel()  # like a crash while Telegram has the request
    await asyncio.wait([task])
    assert by_state(await rows(sessionmaker)) == {State.SENDING: 1}
    fake.faults.clear()
    successor = worker(sessionmaker, bot, clock, "successor")
    assert await successor.drain() == 0  # the lease still holds
    clock.advance(dt.timedelta(minutes=3))
    assert await successor.drain() == 1
    assert_each_once(fake, planned)


async def test_a_429_in_one_chat_holds_that_chat_only_for_its_retry_after(
    sessionmaker: async_sessionmaker[AsyncSession], fake: FakeTelegram, bot: Bot
) -> None:
    slow, *others = group_chats(fake, 4)
    planned = planned_for([slow, *others], 5)
    await seed(sessionmaker, planned)
    fake.fail("sendMessage", chat_id=slow, kind="429", retry_after=1)
    started = asyncio.get_running_loop().time()
    await asyncio.wait_for(worker(sessionmaker, bot, FixedClock(NOW)).drain(), 10)
    assert_each_once(fake, planned)
    log = fake.send_log
    first_in_slow = min(at for at, chat, _ in log if chat == slow)
    last_elsewhere = max(at for at, chat, _ in log if chat != slow)
    # The others went without waiting for the throttled chat, which waited its second
    # (an ordering, not a stopwatch: a loaded machine may be slow, never out of order).
    assert last_elsewhere < first_in_slow
    assert first_in_slow - started >= 1.0
    # …and kept its order: the one refused went first when the chat opened again.
    assert [e.text for e in fake.transcript(slow)] == [f"note test:{slow}:{n}" for n in range(5)]
    async with sessionmaker() as session:
        assert all(n.attempts == 0 for n in await rows(sessionmaker))
        assert await session.get(ChatRate, slow) is not None


@pytest.mark.parametrize("kind", ["500", "network"])
async def test_server_and_network_errors_back_off_then_deliver(
    sessionmaker: async_sessionmaker[AsyncSession], fake: FakeTelegram, bot: Bot, kind: str
) -> None:
    flaky, steady = group_chats(fake, 2)
    planned = planned_for([flaky, steady], 2)
    await seed(sessionmaker, planned)
    clock = FixedClock(NOW)
    fake.fail("sendMessage", chat_id=flaky, kind=kind, times=1)  # type: ignore[arg-type]
    w = worker(sessionmaker, bot, clock)
    await w.drain()
    assert len(fake.transcript(steady)) == 2
    [failed] = [n for n in await rows(sessionmaker) if n.state == State.PENDING]
    assert failed.attempts == 1 and failed.last_error
    assert failed.next_attempt_at is not None
    # Backoff with jitter: base 10 s, ±50 %.
    assert dt.timedelta(seconds=5) <= failed.next_attempt_at - NOW <= dt.timedelta(seconds=15)
    assert await w.drain() == 0  # not before its time
    clock.advance(dt.timedelta(seconds=15))
    await w.drain()
    assert_each_once(fake, planned)


async def test_a_notification_that_keeps_failing_is_given_up_with_a_log_line(
    sessionmaker: async_sessionmaker[AsyncSession],
    fake: FakeTelegram,
    bot: Bot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    [chat] = group_chats(fake, 1)
    await seed(sessionmaker, planned_for([chat], 1))
    clock = FixedClock(NOW)
    fake.fail("sendMessage", kind="500", times=None)
    w = worker(sessionmaker, bot, clock, max_attempts=3)
    for _ in range(3):
        await w.drain()
        clock.advance(dt.timedelta(minutes=10))
    [row] = await rows(sessionmaker)
    assert (row.state, row.attempts) == (State.FAILED, 3)
    assert "after 3 attempts" in caplog.text


async def test_a_chat_that_removed_the_bot_is_marked_inactive_and_its_queue_failed(
    sessionmaker: async_sessionmaker[AsyncSession],
    fake: FakeTelegram,
    bot: Bot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    kicked, fine = group_chats(fake, 2)
    [blocker] = private_chats(fake, 1)
    async with transaction(sessionmaker) as session:
        group = await create_group(
            session=session, chat_id=kicked, name="g", timezone="UTC", language="en", now=NOW
        )
        session.add(
            Member(
                working_group_id=group.id,
                telegram_user_id=blocker,
                full_name="B",
                private_chat=True,
                created_at=NOW,
            )
        )
    planned = planned_for([kicked, fine, blocker], 3)
    await seed(sessionmaker, planned)
    fake.remove_bot(kicked)
    fake.remove_bot(blocker)
    with caplog.at_level(logging.WARNING):
        await worker(sessionmaker, bot, FixedClock(NOW)).drain()
    assert len(fake.transcript(fine)) == 3
    assert fake.transcript(kicked) == [] and fake.transcript(blocker) == []
    async with sessionmaker() as session:
        chat = await session.get(Chat, kicked)
        assert chat is not None and not chat.active
        assert chat.inactive_reason == "Forbidden: bot was kicked from the supergroup chat"
        member = await session.scalar(select(Member).where(Member.telegram_user_id == blocker))
        assert member is not None and not member.private_chat
    assert by_state(await rows(sessionmaker)) == {State.SENT: 3, State.FAILED: 6}
    assert f"chat {kicked} is gone" in caplog.text and f"chat {blocker} is gone" in caplog.text
    # One refused call per chat: the rest of its queue was failed without trying.
    assert len([c for c in fake.calls("sendMessage") if c.status == 403]) == 2


async def test_rows_due_later_or_in_an_inactive_chat_are_not_sent(
    sessionmaker: async_sessionmaker[AsyncSession], fake: FakeTelegram, bot: Bot
) -> None:
    [chat] = group_chats(fake, 1)
    later = planned_for([chat], 1, due=NOW + dt.timedelta(minutes=1))
    await seed(sessionmaker, later)
    clock = FixedClock(NOW)
    w = worker(sessionmaker, bot, clock)
    assert await w.drain() == 0
    clock.advance(dt.timedelta(minutes=1))
    assert await w.drain() == 1
    assert_each_once(fake, later)
