"""/digest: post the weekly digest in the chat now (through the outbox, like the weekly one)."""

from __future__ import annotations

import math

from telegram import Update

from bot.context import WGApplication, WGContext
from bot.edge import GroupScope, command, in_linked_group
from storage.asked import ask_for_digest


@in_linked_group
async def digest(update: Update, context: WGContext, scope: GroupScope) -> None:
    """The weekly digest, now: the chart with its caption, then the text."""
    if context.args:
        scope.reply(scope.t("cmd.digest.usage_help"))
        return
    message = update.effective_message
    # In a forum the digest goes to the topic it was asked in, as replies do.
    thread = message.message_thread_id if message and message.is_topic_message else None
    left = await ask_for_digest(
        session=scope.session,
        group=scope.group,
        chat_id=scope.chat_id,
        now=scope.now,
        thread_id=thread,
    )
    if left is None:
        scope.notification_queued()
        return
    minutes = max(1, math.ceil(left.total_seconds() / 60))
    scope.reply(scope.t.plural("digest.cooldown", minutes, minutes=minutes))


def register(app: WGApplication) -> None:
    app.add_handler(command("digest", digest))
