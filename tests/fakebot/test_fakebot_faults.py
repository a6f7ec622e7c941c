"""Faults a test orders, and what PTB raises for each of them."""

import datetime as dtm

import pytest
from telegram import Bot
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from fakebot import FakeChat, FakeTelegram, FakeUser


async def test_429_raises_retry_after(
    bot: Bot, fake: FakeTelegram, group: FakeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.fail("sendMessage", kind="429", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(group.id, "hello")
    assert caught.value.retry_after == dtm.timedelta(seconds=7)
    await bot.send_message(group.id, "hello")  # the fault was used up
    assert [c.status for c in fake.calls("sendMessage")] == [429, 200]
    assert len(fake.bot_messages(group.id)) == 1


async def test_500_raises_network_error(bot: Bot, fake: FakeTelegram, group: FakeChat) -> None:
    fake.fail("sendMessage", kind="500", times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(group.id, "hello")
    await bot.send_message(group.id, "hello")


async def test_fault_limited_to_one_chat(
    bot: Bot, fake: FakeTelegram, group: FakeChat, alice: FakeUser
) -> None:
    fake.private_chat(alice.id)
    fake.fail("*", kind="403", chat_id=alice.id, times=None)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "hello")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_chat_action(alice.id, "typing")
    await bot.send_message(group.id, "hello")


async def test_removed_bot_is_forbidden(
    bot: Bot, fake: FakeTelegram, group: FakeChat, alice: FakeUser
) -> None:
    fake.remove_bot(group.id)
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(group.id, "hello")
    fake.private_chat(alice.id)
    fake.remove_bot(alice.id)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "hello")
    assert fake.send_log == []


async def test_hang_times_out(bot: Bot, fake: FakeTelegram, group: FakeChat) -> None:
    fake.fail("sendMessage", kind="hang")
    with pytest.raises(TimedOut):
        await bot.send_message(group.id, "hello", read_timeout=0.2)
    assert fake.bot_messages(group.id) == []


async def test_slow_answers_late(bot: Bot, fake: FakeTelegram, group: FakeChat) -> None:
    fake.fail("sendMessage", kind="slow", delay=0.5)
    fake.fail("sendMessage", kind="slow", delay=0.05)
    with pytest.raises(TimedOut):
        await bot.send_message(group.id, "too late", read_timeout=0.1)
    await bot.send_message(group.id, "in time", read_timeout=1)
    assert [e.text for e in fake.bot_messages(group.id)] == ["in time"]


async def test_network_drop_raises_network_error(
    bot: Bot, fake: FakeTelegram, group: FakeChat
) -> None:
    fake.fail("sendMessage", kind="network")
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(group.id, "hello")
    assert not isinstance(caught.value, TimedOut)
    await bot.send_message(group.id, "hello")


async def test_rate_accounting(
    bot: Bot, fake: FakeTelegram, group: FakeChat, alice: FakeUser
) -> None:
    fake.private_chat(alice.id)
    for n in range(4):
        await bot.send_message(group.id, f"group {n}")
    await bot.send_message(alice.id, "private")
    await bot.send_chat_action(group.id, "typing")  # not a message: not counted
    assert [chat for _, chat, _ in fake.send_log] == [group.id] * 4 + [alice.id]
    assert fake.max_sends_in_window(60) == 5
    assert fake.max_sends_in_window(60, chat_id=group.id) == 4
    assert fake.max_sends_in_window(1e-9) == 1
