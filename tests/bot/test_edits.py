"""Editing a command already sent does not run it again."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from fakebot import FakeTelegram
from storage.db import create_sessionmaker
from storage.models import Meeting
from tests.bot.conftest import GROUP, NOW, OYUNA, link_example
from wgbot.harness import BotRun


async def meetings(engine: AsyncEngine) -> int:
    async with create_sessionmaker(engine)() as session:
        return await session.scalar(select(func.count()).select_from(Meeting)) or 0


async def test_an_edited_meeting_add_adds_nothing_more(
    run: BotRun, fake: FakeTelegram, engine: AsyncEngine
) -> None:
    await link_example(engine)
    before = await meetings(engine)
    text = "/meeting add 2022-09-20 10:00 Budget review"
    update_id = fake.user_says(GROUP, OYUNA, text, token=run.token)
    await run.wait(update_id)
    assert await meetings(engine) == before + 1
    [sent] = [e for e in fake.transcript(GROUP) if e.update_id == update_id]

    edited_id = fake.state.next_update_id()
    message = {
        "message_id": sent.message_id,
        "date": int(NOW.timestamp()),
        "edit_date": int(NOW.timestamp()) + 30,
        "chat": fake.state.chats[GROUP].to_api(),
        "from": fake.state.users[OYUNA].to_api(),
        "text": text + " (typo fixed)",
        "entities": [{"type": "bot_command", "offset": 0, "length": len("/meeting")}],
    }
    fake.state.enqueue(
        fake.state.bot(run.token), {"update_id": edited_id, "edited_message": message}
    )
    await run.wait(edited_id)
    assert await meetings(engine) == before + 1
    assert fake.bot_messages(GROUP, since_update=update_id)[1:] == []
