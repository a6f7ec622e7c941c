"""The edge of every update in a linked group: Telegram first, one transaction, answers last.

The order is the point (STYLE.md, habit 11):
1. what only Telegram knows (is this user an administrator here? a handler's own
   look-up) is asked before any transaction opens;
2. one transaction: the group, the member, the handler's reads and writes; the handler
   adds what it will say to `scope.answers`;
3. after the commit, the answers go out, and the scheduler hears of changed times.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import zoneinfo
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, overload

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ChatType
from telegram.ext import CommandHandler, filters

from bot.answers import Answers, send_reply
from bot.context import WGContext
from bot.i18n import Translator, translator
from bot.pacing import SharedWindowLimiter, paid
from bot.roles import admin_status, coordinates
from storage.db import transaction
from storage.groups import group_and_speaker
from storage.members import language_of_user
from storage.models import Member, WorkingGroup

Lookup = Callable[[Update, WGContext], Awaitable[object]]
NeedsRoles = Callable[[Update, WGContext], bool]


@dataclasses.dataclass
class GroupScope:
    """A command in a chat linked to a working group, from one known member."""

    session: AsyncSession
    group: WorkingGroup
    member: Member
    user: User
    chat_id: int
    t: Translator
    now: dt.datetime
    answers: Answers
    # Telegram's word on the user, asked before the transaction: True, False, or None
    # when the look-up failed (or was not needed by this command).
    is_admin: bool | None = None
    # What the handler's own look-up found before the transaction (see in_linked_group).
    looked_up: object = None
    schedule_moved: bool = False
    queued: bool = False

    def reply(
        self,
        text: str,
        *,
        reply_markup: InlineKeyboardMarkup | None = None,
        then: Callable[[Message], None] | None = None,
    ) -> None:
        """Answer in this chat once the transaction has committed."""
        self.answers.reply(text, reply_markup=reply_markup, then=then)

    def schedule_changed(self) -> None:
        """Ask the scheduler to derive this group's reminders again once committed."""
        self.schedule_moved = True

    def notification_queued(self) -> None:
        """Ask delivery to look at the outbox once committed."""
        self.queued = True

    @property
    def coordinator(self) -> bool:
        return coordinates(self.member, self.is_admin)

    def may_coordinate(self) -> bool:
        """True for a coordinator; anyone else gets a clear refusal, and so does everyone
        when Telegram could not say who administers the chat (nobody is let through on
        a failure)."""
        if self.coordinator:
            return True
        key = "refused.lookup_failed" if self.is_admin is None else "refused.coordinator"
        self.reply(self.t(key))
        return False

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
def in_linked_group(
    *,
    coordinator_only: bool = False,
    roles: bool | NeedsRoles = False,
    lookup: Lookup | None = None,
) -> Callable[[GroupHandler], Handler]: ...


def in_linked_group(
    handler: GroupHandler | None = None,
    *,
    coordinator_only: bool = False,
    roles: bool | NeedsRoles = False,
    lookup: Lookup | None = None,
) -> Handler | Callable[[GroupHandler], Handler]:
    """Run `handler` inside one transaction when the chat is linked; stay silent otherwise.

    PRODUCT.md: in a chat no working group is linked to, only /start and /help answer.
    With `coordinator_only`, a member gets a clear refusal and nothing changes; a failed
    administrator look-up refuses too (never lets anyone through) and asks to retry.
    With `roles` (or when `roles(update, context)` says so), the handler may call
    `scope.may_coordinate()` itself: reading needs no look-up. `lookup` asks
    Telegram what the handler needs, before the transaction; its result is
    `scope.looked_up`.
    """

    def decorate(handler: GroupHandler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(update: Update, context: WGContext) -> None:
            chat, user = update.effective_chat, update.effective_user
            if chat is None or user is None or update.effective_message is None:
                return
            is_admin = None
            if coordinator_only or (roles(update, context) if callable(roles) else roles):
                is_admin = await admin_of(update, context, chat.id, user.id)
            looked_up = await lookup(update, context) if lookup is not None else None
            answers = Answers(update, context.bot)
            async with transaction(context.deps.sessionmaker) as session:
                now = context.deps.clock.now()
                who = sender_identity(update) or (user.id, user.full_name, user.username)
                found = await group_and_speaker(
                    session=session,
                    chat_id=chat.id,
                    telegram_user_id=who[0],
                    now=now,
                    full_name=who[1],
                    username=who[2],
                )
                if found is None:
                    return
                group, member = found
                scope = GroupScope(
                    session=session,
                    group=group,
                    member=member,
                    user=user,
                    chat_id=chat.id,
                    t=translator(group.language),
                    now=now,
                    answers=answers,
                    is_admin=is_admin,
                    looked_up=looked_up,
                )
                if not coordinator_only or scope.may_coordinate():
                    await handler(update, context, scope)
                prepaid = answers.sends_message and await _prepay(context, session, chat.id)
            with paid(chat.id if prepaid else None):
                await answers.send()
            if scope.schedule_moved:
                await context.deps.schedule_changed(scope.group.id)
            if scope.queued:
                await context.deps.notifications_queued()

        return wrapper

    if handler is not None:
        return decorate(handler)
    return decorate


async def _prepay(context: WGContext, session: AsyncSession, chat_id: int) -> bool:
    """The first reply's send slot, taken as the transaction's last step (bot.pacing)."""
    limiter = context.bot.rate_limiter
    if not isinstance(limiter, SharedWindowLimiter):
        return False
    return await limiter.prepay(session, chat_id)


async def admin_of(update: Update, context: WGContext, chat_id: int, user_id: int) -> bool | None:
    """Telegram's word, cached; an anonymous administrator posts as the group itself."""
    message = update.effective_message
    sender_chat = message.sender_chat if message is not None else None
    if sender_chat is not None and sender_chat.id == chat_id:
        return True
    return await admin_status(
        bot=context.bot,
        cache=context.deps.admin_cache,
        chat_id=chat_id,
        user_id=user_id,
        now=context.deps.clock.now(),
    )


def sender_identity(update: Update) -> tuple[int, str, str | None] | None:
    """Who speaks when a message is sent on behalf of a chat: a channel posting in the
    group is that channel, an anonymous administrator is the group itself. Telegram puts
    one placeholder user on all of them, which must not become one shared member."""
    message = update.effective_message
    sender = message.sender_chat if message is not None else None
    if sender is None:
        return None
    return sender.id, sender.title or sender.username or "", sender.username


async def own_language(context: WGContext, user_id: int, telegram_code: str | None) -> str | None:
    """The language a member chose for private chats, else their Telegram app's.
    (Telegram has no Mongolian interface: a Mongolian member chooses it here.)"""
    async with transaction(context.deps.sessionmaker) as session:
        chosen = await language_of_user(session=session, telegram_user_id=user_id)
    return chosen or telegram_code


async def reply(update: Update, text: str, **kwargs: Any) -> None:
    """Answer at once, outside any transaction (linked-group handlers use scope.reply)."""
    await send_reply(update, text, **kwargs)


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
