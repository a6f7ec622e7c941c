"""What an update's handler says back, held until its transaction has committed.

A handler inside a transaction never talks to Telegram (STYLE.md, habit 11): it adds
replies, edits, button answers and documents to its `Answers`, and the edge sends them
in order once the commit went through. So "Recorded" is never shown for a write that
was rolled back, and no database lock is held across a network round trip.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, InputFile, Message, Update
from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.render import split_message

Action = Callable[[], Awaitable[None]]
# Harmless answers to an edit: a double press that changes nothing, a deleted message.
HARMLESS_EDIT = ("message is not modified", "message to edit not found")


def harmless(exc: BadRequest, *reasons: str) -> bool:
    """Telegram's answer is one we expect and can ignore (matched on its message)."""
    return any(reason in exc.message.lower() for reason in reasons)


async def send_reply(
    update: Update, text: str, *, reply_markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Answer in the same chat (and forum topic), split under Telegram's length limit;
    buttons go under the last part, which is returned. Outside any transaction only."""
    message = update.effective_message
    if message is None:
        return None
    chunks = split_message(text)
    sent: Message | None = None
    for index, chunk in enumerate(chunks):
        markup = reply_markup if index == len(chunks) - 1 else None
        sent = await message.reply_html(chunk, do_quote=False, reply_markup=markup)
    return sent


class Answers:
    """The Telegram calls one update will make, in the order the handler asked for them."""

    def __init__(self, update: Update, bot: ExtBot[None]) -> None:
        self.update = update
        self.bot = bot
        self._actions: list[Action] = []
        self.sends_message = False  # a reply or a document: what Telegram counts

    def reply(
        self,
        text: str,
        *,
        reply_markup: InlineKeyboardMarkup | None = None,
        then: Callable[[Message], None] | None = None,
    ) -> None:
        """A message in the update's chat; `then` gets the (last) message sent."""

        async def act() -> None:
            sent = await send_reply(self.update, text, reply_markup=reply_markup)
            if then is not None and sent is not None:
                then(sent)

        self._actions.append(act)
        self.sends_message = True

    def answer_query(self, text: str | None = None, *, show_alert: bool = False) -> None:
        """Answer the button press this update is (a toast, or an alert)."""
        query = self.update.callback_query
        if query is None:
            return

        async def act() -> None:
            await query.answer(text, show_alert=show_alert)

        self._actions.append(act)

    def edit(
        self, message: Message, text: str, *, reply_markup: InlineKeyboardMarkup | None = None
    ) -> None:
        """Show `text` on one of the bot's messages; an edit that changes nothing is fine."""

        async def act() -> None:
            try:
                await message.edit_text(text, reply_markup=reply_markup)
            except BadRequest as exc:
                if not harmless(exc, "message is not modified"):
                    raise

        self._actions.append(act)

    def clear_buttons(self, chat_id: int, message_id: int) -> None:
        """Take the buttons off one of the bot's messages (gone or bare already: fine)."""

        async def act() -> None:
            try:
                await self.bot.edit_message_reply_markup(chat_id, message_id)
            except BadRequest as exc:
                if not harmless(exc, *HARMLESS_EDIT):
                    raise

        self._actions.append(act)

    def document(self, data: bytes, *, filename: str, caption: str) -> None:
        """A file in the update's chat (and forum topic)."""
        message = self.update.effective_message
        if message is None:
            return

        async def act() -> None:
            await message.reply_document(
                document=InputFile(data, filename=filename), caption=caption, do_quote=False
            )

        self._actions.append(act)
        self.sends_message = True

    def then(self, action: Action) -> None:
        """Any other Telegram call this update makes once committed (a chat's menu)."""
        self._actions.append(action)

    async def send(self) -> None:
        """Make every call, in order; the first failure stops the rest (the error
        handler then answers)."""
        actions, self._actions = self._actions, []
        self.sends_message = False
        for act in actions:
            await act()
