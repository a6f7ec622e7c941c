"""The one error handler: log it (the formatter redacts the token), answer politely."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, TelegramError

from bot.context import WGContext
from bot.i18n import translator
from storage.db import transaction
from storage.groups import group_for_chat

log = logging.getLogger(__name__)


async def on_error(update: object, context: WGContext) -> None:
    """Log the failure once and tell the user something went wrong, in their language."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=error)
    if not isinstance(update, Update) or update.effective_message is None:
        return
    if isinstance(error, Forbidden):
        return  # we may not write there; nothing to answer
    language = update.effective_user.language_code if update.effective_user else None
    chat = update.effective_chat
    try:
        if chat is not None:
            async with transaction(context.deps.sessionmaker) as session:
                group = await group_for_chat(session=session, chat_id=chat.id)
                if group is not None:
                    language = group.language
    except Exception:
        log.warning("could not read the group's language for the error reply")
    try:
        await update.effective_message.reply_text(
            translator(language)("error.generic"), do_quote=False
        )
    except (NetworkError, TelegramError):
        log.warning("could not send the error reply for update %s", update_id)
