"""The bot's own membership of linked chats: removed, added back, group upgraded."""

from __future__ import annotations

import logging

from telegram import ChatMember, ChatMemberUpdated, Update
from telegram.ext import ChatMemberHandler, MessageHandler, filters

from bot.context import WGApplication, WGContext
from storage.db import transaction
from storage.groups import move_chat, set_chat_active
from storage.members import set_membership

log = logging.getLogger(__name__)

PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED}


def _present(change: ChatMemberUpdated, *, new: bool) -> bool:
    member = change.new_chat_member if new else change.old_chat_member
    return member.status in PRESENT


async def my_membership(update: Update, context: WGContext) -> None:
    """Mark a linked chat inactive when the bot leaves it, active again when it returns."""
    change = update.my_chat_member
    if change is None:
        return
    was, now_in = _present(change, new=False), _present(change, new=True)
    if was == now_in:
        return
    async with transaction(context.deps.sessionmaker) as session:
        group = await set_chat_active(
            session=session,
            chat_id=change.chat.id,
            active=now_in,
            reason=f"the bot's status became {change.new_chat_member.status}",
        )
    if group is not None:
        log.info("chat %s %s", change.chat.id, "active again" if now_in else "left: inactive")
        await context.deps.schedule_changed(group.id)


async def migrated(update: Update, context: WGContext) -> None:
    """A basic group became a supergroup: keep the link and the queued reminders."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    async with transaction(context.deps.sessionmaker) as session:
        moved = await move_chat(
            session=session,
            old_id=message.chat_id,
            new_id=message.migrate_to_chat_id,
            now=context.deps.clock.now(),
        )
    if moved:
        log.info("chat %s migrated to %s", message.chat_id, message.migrate_to_chat_id)


async def member_changed(update: Update, context: WGContext) -> None:
    """A member left the group's chat or was removed (the bot sees this where it is an
    administrator): from now on no group data in private and no private reminders; a
    member who comes back gets them again."""
    change = update.chat_member
    if change is None or change.new_chat_member.user.is_bot:
        return
    was, now_in = _present(change, new=False), _present(change, new=True)
    if was == now_in:
        return
    async with transaction(context.deps.sessionmaker) as session:
        changed = await set_membership(
            session=session,
            chat_id=change.chat.id,
            telegram_user_id=change.new_chat_member.user.id,
            present=now_in,
            now=context.deps.clock.now(),
        )
    if changed:
        log.info("a member %s chat %s", "came back to" if now_in else "left", change.chat.id)


def register(app: WGApplication) -> None:
    app.add_handler(ChatMemberHandler(my_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(ChatMemberHandler(member_changed, ChatMemberHandler.CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, migrated))
