"""How one send's outcome is written back: Telegram's answer mapped onto the outbox.

A mixin of DeliveryWorker (scheduler.delivery), kept apart so each module stays small.
Every write is guarded by the worker's lease (storage.outbox), so a worker that lost a
row to another never overwrites what the other recorded.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import warnings
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from domain.clock import Clock
from scheduler.messages import Part
from storage.claims import Claimed
from storage.db import transaction
from storage.groups import move_chat
from storage.outbox import (
    State,
    block_chat,
    chat_gone,
    follow_migration,
    record_retry,
    record_state,
)

if TYPE_CHECKING:
    from scheduler.delivery import DeliveryConfig

log = logging.getLogger(__name__)

T = TypeVar("T")


class ChatBlocked(Exception):
    """The chat takes nothing more now (429, gone, moved); already recorded."""


def retry_seconds(error: RetryAfter) -> float:
    # PTB 22 warns about the int form of retry_after; both forms mean seconds.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


async def finish(write: Callable[[], Awaitable[T]]) -> T:
    """Run a write to its end even if the caller is cancelled meanwhile (then re-raise):
    a message Telegram accepted must be recorded as sent, or it goes again."""
    task = asyncio.ensure_future(write())
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait([task])
        raise


class Outcomes:
    sessionmaker: async_sessionmaker[AsyncSession]
    bot: Bot
    clock: Clock
    name: str
    config: DeliveryConfig
    wall: Callable[[], float]

    async def _send(self, chat_id: int, part: Part) -> int:
        if part.photo is not None:
            message = await self.bot.send_photo(
                chat_id,
                photo=part.photo,
                filename="digest.png",
                caption=part.text or None,
                parse_mode=ParseMode.HTML,
            )
        else:
            message = await self.bot.send_message(
                chat_id,
                part.text,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        return message.message_id

    async def _send_part(self, row: Claimed, part: Part) -> int | None:
        """Telegram's message id, or None when the outcome was recorded as a failure."""
        try:
            return await self._send(row.chat_id, part)
        except RetryAfter as error:
            seconds = retry_seconds(error)
            log.info("429 in chat %s: waiting %ss there (%s)", row.chat_id, seconds, row.key)
            async with transaction(self.sessionmaker) as session:
                until = dt.datetime.fromtimestamp(self.wall() + seconds, dt.UTC)
                await block_chat(session=session, chat_id=row.chat_id, until=until)
                await record_retry(
                    session=session,
                    row_id=row.id,
                    worker=self.name,
                    error=str(error),
                    next_attempt_at=None,
                    count_attempt=False,
                )
            raise ChatBlocked from None
        except (Forbidden, BadRequest) as error:
            if isinstance(error, Forbidden) or "chat not found" in error.message.lower():
                await self._chat_gone(row.chat_id, error.message)
                raise ChatBlocked from None
            log.warning("failed %s: Telegram refused it: %s", row.key, error.message)
            await self._settle(row, State.FAILED, error.message)
        except ChatMigrated as error:
            await self._chat_moved(row, int(error.new_chat_id))
            raise ChatBlocked from None
        except (NetworkError, TelegramError) as error:
            await self._retry_later(row, f"{type(error).__name__}: {error}")
        return None

    async def _chat_moved(self, row: Claimed, new_id: int) -> None:
        """The group became a supergroup: link and queue follow it, this row included."""
        async with transaction(self.sessionmaker) as session:
            now = self.clock.now()
            await move_chat(session=session, old_id=row.chat_id, new_id=new_id, now=now)
            moved = await follow_migration(
                session=session, old_id=row.chat_id, new_id=new_id, worker=self.name
            )
        log.warning(
            "chat %s moved to %s: %d notifications follow it (%s)",
            row.chat_id,
            new_id,
            moved,
            row.key,
        )

    async def _chat_gone(self, chat_id: int, reason: str) -> None:
        async with transaction(self.sessionmaker) as session:
            count = await chat_gone(session=session, chat_id=chat_id, reason=reason)
        log.warning(
            "chat %s is gone (%s): marked inactive, %d notifications failed", chat_id, reason, count
        )

    async def _retry_later(self, row: Claimed, error: str) -> None:
        attempts = row.attempts + 1
        if attempts >= self.config.max_attempts:
            log.error("failed %s after %d attempts: %s", row.key, attempts, error)
            async with transaction(self.sessionmaker) as session:
                await record_state(
                    session=session,
                    row_id=row.id,
                    worker=self.name,
                    state=State.FAILED,
                    error=error[:500],
                    count_attempt=True,
                )
            return
        delay = min(self.config.backoff_cap, self.config.backoff_base * 2 ** (attempts - 1))
        delay *= random.uniform(0.5, 1.5)  # jitter, not cryptography
        log.info("retrying %s in %.0fs (attempt %d): %s", row.key, delay, attempts, error)
        async with transaction(self.sessionmaker) as session:
            await record_retry(
                session=session,
                row_id=row.id,
                worker=self.name,
                error=error,
                next_attempt_at=self.clock.now() + dt.timedelta(seconds=delay),
                count_attempt=True,
            )

    async def _settle(self, row: Claimed, state: State, error: str | None) -> None:
        async with transaction(self.sessionmaker) as session:
            await record_state(
                session=session, row_id=row.id, worker=self.name, state=state, error=error
            )
