"""One message to Telegram, and what happened to it as a value.

Telegram's answers map onto what delivery does next: sent (record it), throttled (a 429:
that chat waits), the chat is gone (403, "chat not found": retire it), moved (the group
became a supergroup: its queue follows), refused (any other 400: give the row up), or
trouble on the way (network, timeouts, 5xx: try again later).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import warnings
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from domain.parts import Part

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Sent:
    message_id: int


@dataclasses.dataclass(frozen=True)
class Throttled:
    """A 429: nothing more to this chat for `seconds`."""

    seconds: float
    error: str


@dataclasses.dataclass(frozen=True)
class ChatGone:
    """The bot was removed or blocked, or the chat no longer exists."""

    reason: str


@dataclasses.dataclass(frozen=True)
class Moved:
    """The group became a supergroup with a new chat id."""

    new_chat_id: int


@dataclasses.dataclass(frozen=True)
class Refused:
    """Telegram will never take this message as it is (a 400 of another kind)."""

    reason: str


@dataclasses.dataclass(frozen=True)
class Trouble:
    """The message may go later: network trouble, a timeout, Telegram's 5xx."""

    error: str


Outcome = Sent | Throttled | ChatGone | Moved | Refused | Trouble


def retry_seconds(error: RetryAfter) -> float:
    # PTB 22 warns about the int form of retry_after; both forms mean seconds.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def _keyboard(part: Part) -> InlineKeyboardMarkup | None:
    if not part.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in part.buttons]]
    )


async def send_part(bot: Bot, chat_id: int, part: Part, *, thread_id: int | None) -> Outcome:
    """Send one part and say what happened; never raises for Telegram's answers."""
    try:
        if part.photo is not None:
            message = await bot.send_photo(
                chat_id,
                photo=part.photo,
                filename="digest.png",
                caption=part.text or None,
                parse_mode=ParseMode.HTML,
                message_thread_id=thread_id,
            )
        elif part.document is not None:
            message = await bot.send_document(
                chat_id,
                document=part.document,
                filename=part.filename,
                caption=part.text or None,
                parse_mode=ParseMode.HTML,
                message_thread_id=thread_id,
            )
        else:
            message = await bot.send_message(
                chat_id,
                part.text,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                message_thread_id=thread_id,
                reply_markup=_keyboard(part),
            )
    except RetryAfter as error:
        return Throttled(retry_seconds(error), str(error))
    except ChatMigrated as error:
        return Moved(int(error.new_chat_id))
    except Forbidden as error:
        return ChatGone(error.message)
    except BadRequest as error:
        if "chat not found" in error.message.lower():
            return ChatGone(error.message)
        return Refused(error.message)
    except (NetworkError, TelegramError) as error:
        return Trouble(f"{type(error).__name__}: {error}")
    return Sent(message.message_id)


async def finish(write: Callable[[], Awaitable[T]]) -> T:
    """Run a write to its end even if the caller is cancelled meanwhile (then re-raise):
    a message Telegram accepted must be recorded as sent, or it goes again."""
    task = asyncio.ensure_future(write())
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait([task])
        raise
