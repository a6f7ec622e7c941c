"""The snooze buttons of a private reminder: "Remind me tomorrow", "Remind me next week".

A button carries `z:<notification id>:<t|w>` (far under Telegram's 64 bytes). Pressing
one plans that reminder again for the member (storage.snooze), then edits the message
to say when and answers the press; the button of a reminder that is settled, unknown,
forged or someone else's answers that it has expired.
"""

from __future__ import annotations

import re
import zoneinfo

from babel.dates import format_datetime
from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler

from bot.answers import Answers
from bot.context import WGApplication, WGContext
from bot.edge import own_language
from bot.i18n import Translator, translator
from storage.db import transaction
from storage.snooze import Later, Snoozed, snooze

PREFIX = "z"
_CHOICES = {"t": Later.TOMORROW, "w": Later.WEEK}
_DATA = re.compile(rf"{PREFIX}:([0-9]{{1,18}}):([tw])")


def snooze_buttons(t: Translator, notification_id: int) -> tuple[tuple[str, str], ...]:
    """The two buttons under a private reminder (none for a row without an id)."""
    if notification_id <= 0:
        return ()
    return (
        (t("quiet.snooze.tomorrow"), f"{PREFIX}:{notification_id}:t"),
        (t("quiet.snooze.week"), f"{PREFIX}:{notification_id}:w"),
    )


def parse_snooze(data: str | None) -> tuple[int, Later] | None:
    match = _DATA.fullmatch(data or "")
    return (int(match[1]), _CHOICES[match[2]]) if match else None


def _shows(message: Message, data: str | None) -> bool:
    markup = message.reply_markup
    rows = markup.inline_keyboard if markup is not None else ()
    return any(button.callback_data == data for row in rows for button in row)


def _when(t: Translator, snoozed: Snoozed) -> str:
    local = snoozed.at.astimezone(zoneinfo.ZoneInfo(snoozed.timezone))
    return format_datetime(local.replace(tzinfo=None), "EEE y-MM-dd HH:mm", locale=t.language)


async def snooze_button(update: Update, context: WGContext) -> None:
    """A snooze button was pressed: plan the reminder again, or say it has expired."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    message = query.message if isinstance(query.message, Message) else None
    pressed = parse_snooze(query.data)
    answers = Answers(update, context.bot)
    snoozed: Snoozed | None = None
    # Private chat only: there the chat is the member, so nobody else can press it.
    if (
        pressed is not None
        and message is not None
        and message.chat.type == ChatType.PRIVATE
        and message.chat.id == user.id
    ):
        async with transaction(context.deps.sessionmaker) as session:
            snoozed = await snooze(
                session=session,
                notification_id=pressed[0],
                user_id=user.id,
                later=pressed[1],
                now=context.deps.clock.now(),
            )
    if snoozed is None:
        t = translator(await own_language(context, user.id, user.language_code))
        answers.answer_query(t("quiet.snooze.expired"))
        if message is not None and _shows(message, query.data):
            # This message's own button: its reminder is settled, the buttons go. (A
            # forged press leaves the buttons of a message alone.)
            answers.clear_buttons(message.chat.id, message.message_id)
        await answers.send()
        return
    t = translator(snoozed.language)
    when = _when(t, snoozed)
    line = t("quiet.snooze.planned" if snoozed.fresh else "quiet.snooze.already", when=when)
    if message is not None and snoozed.fresh:
        answers.edit(message, (message.text_html or "") + "\n\n" + line)
    answers.answer_query(line)
    await answers.send()


def register(app: WGApplication) -> None:
    app.add_handler(CallbackQueryHandler(snooze_button, pattern=f"^{PREFIX}:"))
