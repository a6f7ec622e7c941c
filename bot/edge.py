"""The edge of every update: one session, one transaction, the group and its language."""

from __future__ import annotations

import contextvars
import dataclasses
import datetime as dt
import functools
import zoneinfo
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, overload

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update, User
from telegram.constants import ChatType
from telegram.ext import CommandHandler, filters

from bot.context import WGContext
from bot.i18n import Translator, translator
from bot.render import split_message
from bot.roles import RoleLookupFailed, is_coordinator
from storage.db import transaction
from storage.groups import get_or_create_member, group_for_chat
from storage.models import Member, WorkingGroup


@dataclasses.dataclass(frozen=True)
class GroupScope:
    """A command in a chat linked to a working group, from one known member."""

    session: AsyncSession
    group: WorkingGroup
    member: Member
    user: User
    chat_id: int
    t: Translator
    now: dt.datetime
    # Set by a handler whose change moves a reminder time; acted on after the commit.
    flags: set[str] = dataclasses.field(default_factory=set)

    def schedule_changed(self) -> None:
        """Ask the scheduler to derive this group's reminders again once committed."""
        self.flags.add("schedule_changed")

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.group.timezone)

    @property
    def today(self) -> dt.date:
        """Today in the group's time zone."""
        return self.now.astimezone(self.tz).date()


GroupHandler = Callable[[Update, WGContext, GroupScope], Awaitable[None]]
Handler = Callable[[Update, WGContext], Coroutine[Any, Any, None]]


@overload
def in_linked_group(handler: GroupHandler) -> Handler: ...


@overload
def in_linked_group(*, coordinator_only: bool = False) -> Callable[[GroupHandler], Handler]: ...


def in_linked_group(
    handler: GroupHandler | None = None, *, coordinator_only: bool = False
) -> Handler | Callable[[GroupHandler], Handler]:
    """Run `handler` inside one transaction when the chat is linked; stay silent otherwise.

    PRODUCT.md: in a chat no working group is linked to, only /start and /help answer.
    With `coordinator_only`, a member gets a clear refusal and nothing changes; a failed
    administrator look-up refuses too (never lets anyone through) and asks to retry.
    Replies wait for the commit: "Recorded" is never shown for a write that was rolled
    back, and no Telegram call is made while the transaction holds its locks.
    """

    def decorate(handler: GroupHandler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(update: Update, context: WGContext) -> None:
            queued: list[_Reply] = []
            token = _deferred.set(queued)
            try:
                scope = await _in_transaction(update, context, handler, coordinator_only)
            finally:
                _deferred.reset(token)
            for queued_update, text, kwargs in queued:
                await _send(queued_update, text, **kwargs)
            if scope is not None and "schedule_changed" in scope.flags:
                await context.deps.schedule_changed(scope.group.id)

        return wrapper

    if handler is not None:
        return decorate(handler)
    return decorate


async def _in_transaction(
    update: Update, context: WGContext, handler: GroupHandler, coordinator_only: bool
) -> GroupScope | None:
    """The handler in one transaction; None when the chat is not linked or the user refused."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or user is None or message is None:
        return None
    async with transaction(context.deps.sessionmaker) as session:
        group = await group_for_chat(session=session, chat_id=chat.id)
        if group is None:
            return None
        now = context.deps.clock.now()
        member = await get_or_create_member(
            session=session,
            group=group,
            telegram_user_id=user.id,
            now=now,
            full_name=user.full_name,
            username=user.username,
        )
        scope = GroupScope(
            session=session,
            group=group,
            member=member,
            user=user,
            chat_id=chat.id,
            t=translator(group.language),
            now=now,
        )
        if coordinator_only and not await may_coordinate(update, context, scope):
            return None
        await handler(update, context, scope)
        return scope


async def may_coordinate(update: Update, context: WGContext, scope: GroupScope) -> bool:
    """True for a coordinator; anyone else gets a clear refusal, and so does everyone when
    Telegram cannot say who administers the chat (nobody is let through on a failure)."""
    # An anonymous administrator posts as the group itself.
    sender_chat = update.effective_message.sender_chat if update.effective_message else None
    if sender_chat is not None and sender_chat.id == scope.chat_id:
        return True
    try:
        allowed = await is_coordinator(
            bot=context.bot,
            cache=context.deps.admin_cache,
            chat_id=scope.chat_id,
            member=scope.member,
            now=scope.now,
        )
    except RoleLookupFailed:
        await reply(update, scope.t("refused.lookup_failed"))
        return False
    if not allowed:
        await reply(update, scope.t("refused.coordinator"))
    return allowed


_Reply = tuple[Update, str, dict[str, Any]]
# Set while a linked-group handler's transaction is open: replies queue until the commit.
_deferred: contextvars.ContextVar[list[_Reply] | None] = contextvars.ContextVar(
    "wgbot_deferred_replies", default=None
)


async def reply(update: Update, text: str, **kwargs: Any) -> None:
    """Answer in the same chat (and forum topic), split under Telegram's length limit;
    inside a linked-group handler, once its transaction has committed."""
    queued = _deferred.get()
    if queued is not None:
        queued.append((update, text, kwargs))
        return
    await _send(update, text, **kwargs)


async def _send(update: Update, text: str, **kwargs: Any) -> None:
    message = update.effective_message
    if message is None:
        return
    chunks = split_message(text)
    for index, chunk in enumerate(chunks):
        # Buttons, if any, go under the last part.
        extra = kwargs if index == len(chunks) - 1 else {}
        await message.reply_html(chunk, do_quote=False, **extra)


def is_private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


def command(
    name: str, callback: Handler, extra: filters.BaseFilter | None = None
) -> CommandHandler[Any, None]:
    """A command that answers new messages only: editing a sent `/meeting add …` must
    not add the meeting twice (PTB's default also runs commands on edits)."""
    accepted: filters.BaseFilter = filters.UpdateType.MESSAGE
    if extra is not None:
        accepted = accepted & extra
    return CommandHandler(name, callback, filters=accepted)
