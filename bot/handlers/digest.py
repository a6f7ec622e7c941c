"""/digest: post the weekly digest in the chat now."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application

from bot.context import WGContext
from bot.digest import send_digest
from bot.edge import GroupScope, command, in_linked_group, reply
from storage.digest import collect_digest


@in_linked_group
async def digest(update: Update, context: WGContext, scope: GroupScope) -> None:
    """The weekly digest, now: the chart with its caption, then the text."""
    if context.args:
        await reply(update, scope.t("cmd.digest.usage_help"))
        return
    data = await collect_digest(session=scope.session, group=scope.group, now=scope.now)
    message = update.effective_message
    # In a forum the digest goes to the topic it was asked in, as reply() does.
    thread = message.message_thread_id if message and message.is_topic_message else None
    await send_digest(context.bot, scope.chat_id, scope.t, data, message_thread_id=thread)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(command("digest", digest))
