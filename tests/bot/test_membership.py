"""The bot removed from, added back to, and following an upgraded linked chat."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from fakebot import FakeTelegram
from storage.db import create_sessionmaker, transaction
from storage.models import Chat, Notification, WorkingGroup
from tests.bot.conftest import BAT, GROUP, NOW, OYUNA, link_example
from wgbot.harness import BotRun

SUPERGROUP = -1002000000777


async def _deliver(run: BotRun, fake: FakeTelegram, update: dict[str, Any]) -> None:
    """An update Telegram sends on its own (no user typed it)."""
    update_id = fake.state.next_update_id()
    fake.state.enqueue(fake.state.bot(run.token), {"update_id": update_id, **update})
    await run.wait(update_id)


def _membership(fake: FakeTelegram, run: BotRun, old: str, new: str) -> dict[str, Any]:
    bot_user = fake.bot_user(run.token).to_api()
    return {
        "my_chat_member": {
            "chat": fake.state.chats[GROUP].to_api(),
            "from": fake.state.users[OYUNA].to_api(),
            "date": int(NOW.timestamp()),
            "old_chat_member": {"status": old, "user": bot_user},
            "new_chat_member": {"status": new, "user": bot_user, "until_date": 0},
        }
    }


async def _chat(engine: AsyncEngine, chat_id: int) -> Chat | None:
    async with create_sessionmaker(engine)() as session:
        return await session.get(Chat, chat_id)


async def test_a_removed_bot_marks_the_chat_inactive_and_a_return_revives_it(
    run: BotRun, fake: FakeTelegram, engine: AsyncEngine
) -> None:
    await link_example(engine)
    fake.remove_bot(GROUP)
    await _deliver(run, fake, _membership(fake, run, "member", "kicked"))
    chat = await _chat(engine, GROUP)
    assert chat is not None
    assert not chat.active
    assert chat.inactive_reason == "the bot's status became kicked"

    fake.state.chats[GROUP].bot_removed = False
    await _deliver(run, fake, _membership(fake, run, "left", "member"))
    chat = await _chat(engine, GROUP)
    assert chat is not None
    assert chat.active
    assert chat.inactive_reason is None
    assert len(await run.say(GROUP, BAT, "/plan")) == 1


async def test_an_upgraded_group_keeps_its_plan_and_its_queued_reminders(
    run: BotRun, fake: FakeTelegram, engine: AsyncEngine
) -> None:
    await link_example(engine)
    sessionmaker = create_sessionmaker(engine)
    async with transaction(sessionmaker) as session:
        group_id = await session.scalar(select(WorkingGroup.id))
        session.add(
            Notification(
                key="test:queued",
                working_group_id=group_id,
                chat_id=GROUP,
                kind="meeting",
                payload={},
                due_at=NOW + dt.timedelta(hours=1),
                state="pending",
                created_at=NOW,
            )
        )
    await _deliver(
        run,
        fake,
        {
            "message": {
                "message_id": 999,
                "date": int(NOW.timestamp()),
                "chat": fake.state.chats[GROUP].to_api(),
                "from": fake.state.users[OYUNA].to_api(),
                "migrate_to_chat_id": SUPERGROUP,
            }
        },
    )
    fake.add_group(SUPERGROUP, "Mongolia OGP Working Group", admins=[OYUNA])
    reply = await run.unique_reply(SUPERGROUP, BAT, "/plan")
    assert reply.text is not None
    assert "Extractive Industry Transparency" in reply.text
    old = await _chat(engine, GROUP)
    assert old is not None
    assert not old.active
    async with sessionmaker() as session:
        queued = await session.scalar(
            select(Notification.chat_id).where(Notification.key == "test:queued")
        )
    assert queued == SUPERGROUP
