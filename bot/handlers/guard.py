"""Before any handler: a member sending commands faster than anyone reads is slowed down."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.context import WGApplication, WGContext
from bot.edge import reply, sender_identity
from bot.i18n import translator
from bot.throttle import Verdict
from storage.db import transaction
from storage.groups import group_for_chat

# Handler groups run in order of their number: this one before every command (group 0).
GUARD_GROUP = -1


async def throttle_commands(update: Update, context: WGContext) -> None:
    """Past the member's limit: one translated answer, then silence until it opens."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not (message.text or "").startswith("/"):
        return
    # Whoever speaks: a channel posting in the group is that channel (as at the edge).
    who = sender_identity(update)
    verdict = context.deps.member_throttle.check((message.chat_id, who[0] if who else user.id))
    if verdict is Verdict.GO:
        return
    if verdict is Verdict.TELL:
        language = user.language_code
        async with transaction(context.deps.sessionmaker) as session:
            group = await group_for_chat(session=session, chat_id=message.chat_id)
            language = group.language if group is not None else language
        await reply(update, translator(language)("throttled"))
    raise ApplicationHandlerStop


def register(app: WGApplication) -> None:
    app.add_handler(TypeHandler(Update, throttle_commands), group=GUARD_GROUP)
