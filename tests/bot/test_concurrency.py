"""Many groups at once: each chat's updates in the order they came, no chat waiting for
another (bot.processing.ChatOrderedUpdateProcessor, as `wgbot run` uses it)."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update

from bot.processing import ChatOrderedUpdateProcessor, chat_key
from fakebot import FakeTelegram
from storage.planfile import load_plan
from tests.bot.conftest import BAT, GROUP, NOW, OYUNA
from tests.conftest import EXAMPLES, import_into
from wgbot.harness import REPLY_TIMEOUT, BotRun

CHATS = [GROUP - i for i in range(1, 9)]
COMMITMENTS = ["3", "1", "9", "2", "7", "5", "4", "8", "6"]


async def link_all(fake: FakeTelegram, engine: AsyncEngine) -> None:
    plan = load_plan(EXAMPLES / "mongolia-2021-2023.yaml")
    for chat in CHATS:
        fake.add_group(chat, f"Working group {chat}", admins=[OYUNA])
        await import_into(engine, plan, chat_id=chat, now=NOW)


def headers(fake: FakeTelegram, chat: int) -> list[str]:
    """Which commitment each of the bot's answers in `chat` is about, in order."""
    return [
        (entry.text or "").split(".", 1)[0].split()[-1]  # "Амлалт 3. …" (the plan is mn)
        for entry in fake.bot_messages(chat)
    ]


async def test_each_chat_is_answered_in_order_while_chats_interleave(
    run: BotRun, fake: FakeTelegram, engine: AsyncEngine
) -> None:
    await link_all(fake, engine)
    sent: list[int] = []
    for number in COMMITMENTS:  # one command in every chat, then the next round
        for chat in CHATS:
            sent.append(fake.user_says(chat, BAT, f"/commitment {number}", token=run.token))
    async with asyncio.timeout(REPLY_TIMEOUT * 2):
        for update_id in sent:
            await run.wait(update_id)
    for chat in CHATS:
        assert headers(fake, chat) == COMMITMENTS


async def test_a_chat_whose_replies_hang_holds_back_no_other_chat(
    run: BotRun, fake: FakeTelegram, engine: AsyncEngine
) -> None:
    await link_all(fake, engine)
    slow, *others = CHATS
    fake.fail("sendMessage", kind="hang", chat_id=slow, times=1)
    stuck = fake.user_says(slow, BAT, "/commitment 1", token=run.token)
    after_it = fake.user_says(slow, BAT, "/commitment 2", token=run.token)
    answered = [fake.user_says(chat, BAT, "/commitment 3", token=run.token) for chat in others]
    async with asyncio.timeout(REPLY_TIMEOUT):
        for update_id in answered:
            await run.wait(update_id)
    # Every other chat has its answer while the slow chat's first reply still hangs, and
    # the slow chat's next command waits for its turn (it never overtakes).
    assert all(headers(fake, chat) == ["3"] for chat in others)
    assert fake.bot_messages(slow) == []
    await run.wait(after_it)
    await run.wait(stuck)
    assert headers(fake, slow)[-1] == "2"


def test_a_button_press_waits_for_its_chat_and_a_private_chat_is_its_user() -> None:
    press = Update.de_json(
        {
            "update_id": 1,
            "callback_query": {
                "id": "q",
                "from": {"id": BAT, "is_bot": False, "first_name": "Bat"},
                "chat_instance": "c",
                "data": "u:x:c:1",
                "message": {
                    "message_id": 5,
                    "date": 0,
                    "chat": {"id": GROUP, "type": "supergroup", "title": "g"},
                },
            },
        },
        None,
    )
    private = Update.de_json(
        {
            "update_id": 2,
            "message": {
                "message_id": 6,
                "date": 0,
                "chat": {"id": BAT, "type": "private", "first_name": "Bat"},
                "from": {"id": BAT, "is_bot": False, "first_name": "Bat"},
                "text": "/mine",
            },
        },
        None,
    )
    assert chat_key(press) == ("chat", GROUP)
    assert chat_key(private) == ("chat", BAT)
    assert chat_key(object()) is None


async def test_at_most_the_bound_run_at_once() -> None:
    processor = ChatOrderedUpdateProcessor(max_concurrent=3)
    running = peak = 0
    release = asyncio.Event()

    async def handler() -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await release.wait()
        running -= 1

    tasks = [asyncio.create_task(processor.process_update(object(), handler())) for _ in range(8)]
    while running < 3:  # noqa: ASYNC110
        await asyncio.sleep(0)
    for _ in range(20):
        await asyncio.sleep(0)
    assert (running, peak) == (3, 3)
    release.set()
    await asyncio.gather(*tasks)
    assert peak == 3
