"""The edge of every update: one session, one transaction, the group and its language."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import zoneinfo
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.constants import ChatType

from bot.context import WGContext
from bot.i18n import Translator, translator
from bot.render import split_message
from storage.db import transaction
from storage.groups import group_for_chat
from storage.models import WorkingGroup


@dataclasses.dataclass(frozen=True)
class GroupScope:
    """A command in a chat linked to a working group."""

    session: AsyncSession
    group: WorkingGroup
    t: Translator
    now: dt.datetime

    @property
    def today(self) -> dt.date:
        """Today in the group's time zone."""
        return self.now.astimezone(zoneinfo.ZoneInfo(self.group.timezone)).date()


GroupHandler = Callable[[Update, WGContext, GroupScope], Awaitable[None]]
Handler = Callable[[Update, WGContext], Coroutine[Any, Any, None]]


def in_linked_group(handler: GroupHandler) -> Handler:
    """Run `handler` inside one transaction when the chat is linked; stay silent otherwise.

    PRODUCT.md: in a chat no working group is linked to, only /start and /help answer.
    """

    @functools.wraps(handler)
    async def wrapper(update: Update, context: WGContext) -> None:
        chat = update.effective_chat
        if chat is None or update.effective_message is None:
            return
        async with transaction(context.deps.sessionmaker) as session:
            group = await group_for_chat(session=session, chat_id=chat.id)
            if group is None:
                return
            scope = GroupScope(
                session=session,
                group=group,
                t=translator(group.language),
                now=context.deps.clock.now(),
            )
            await handler(update, context, scope)

    return wrapper


async def reply(update: Update, text: str) -> None:
    """Answer in the same chat (and forum topic), split under Telegram's length limit."""
    message = update.effective_message
    if message is None:
        return
    for chunk in split_message(text):
        await message.reply_html(chunk, do_quote=False)


def is_private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE
