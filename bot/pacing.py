"""Replies paced within Telegram's limits, in the windows the outbox uses.

python-telegram-bot passes every Bot API request through its application's rate
limiter; this one makes each message (sendMessage, sendPhoto, sendDocument…) take a
send slot in the database's windows first (storage.send_windows.take_slot), the same windows
the outbox's delivery takes its slots in, so replies and notifications together stay
within 30 a second, 20 a minute in a group and 1 a second in a private chat, across
processes. A 429 (Telegram counted differently) is honoured: that chat is held back for
its retry_after, in the database too, and the message goes again. Nothing is dropped
silently: a message given up on after its tries is logged with its chat and method.

A handler's first reply may have its slot taken ahead, as the last step of the handler's
own transaction (`prepay`): it is then sent without a transaction of its own (`paid`).
A reply whose slot could not be taken there waits here as any other.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dt
import logging
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from domain.metrics import NO_METRICS, Metrics
from domain.ratelimit import RateLimits
from storage.db import transaction
from storage.outcomes import block_chat
from storage.send_windows import take_slot

log = logging.getLogger(__name__)

# What Telegram counts as messages (edits, answers to buttons and chat actions are not).
COUNTED = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendVideoNote",
        "sendSticker",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendDice",
        "copyMessage",
        "forwardMessage",
    }
)
MAX_TRIES = 5
# The chat whose next message from this task has its slot already (taken ahead).
_PAID: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("paid_slot", default=None)


@contextlib.contextmanager
def paid(chat_id: int | None) -> Iterator[None]:
    """Within the block, this task's first message to `chat_id` has its slot already
    (taken by `SharedWindowLimiter.prepay`, committed); None: no slot was taken."""
    token = _PAID.set([chat_id] if chat_id is not None else None)
    try:
        yield
    finally:
        _PAID.reset(token)


def _use_paid(chat_id: int) -> bool:
    slot = _PAID.get()
    if not slot or slot[0] != chat_id:
        return False
    slot.clear()
    return True


def _retry_after(error: RetryAfter) -> float:
    value: Any = error.retry_after  # a timedelta under PTB_TIMEDELTA, seconds before
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class SharedWindowLimiter(BaseRateLimiter[dict[str, Any]]):
    """PTB's rate limiter hook, backed by the database's send windows."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        limits: RateLimits | None = None,
        *,
        wall: Callable[[], float] = time.time,
        max_tries: int = MAX_TRIES,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.limits = limits or RateLimits()
        self.wall = wall
        self.max_tries = max_tries
        self.metrics = metrics

    async def initialize(self) -> None:
        """Nothing to set up: the windows live in the database."""

    async def shutdown(self) -> None:
        """Nothing to free."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = _chat_of(data) if endpoint in COUNTED else None
        if chat_id is None:
            return await callback(*args, **kwargs)
        for attempt in range(1, self.max_tries + 1):
            if attempt > 1 or not _use_paid(chat_id):
                await self._slot(chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                self.metrics.throttled("reply")
                seconds = _retry_after(error)
                await self._hold(chat_id, seconds)
                if attempt == self.max_tries:
                    log.error(  # noqa: TRY400 - re-raised: one line here, no second traceback
                        "gave up a %s to chat %s after %d tries: %s",
                        endpoint,
                        chat_id,
                        attempt,
                        error,
                    )
                    raise
                log.info("429 on a %s to chat %s: again in %ss", endpoint, chat_id, seconds)
                await asyncio.sleep(seconds)
        raise AssertionError("unreachable")  # the loop returns or raises

    async def prepay(self, session: AsyncSession, chat_id: int) -> bool:
        """Take the slot of a handler's first reply in the handler's own transaction, as
        its last step (the windows stay locked only until its commit): whether it was
        taken. Once committed, send inside `paid(chat_id)`. Only the first: the later
        parts of an answer leave a round trip apart and take their slots as they go."""
        opens = await take_slot(
            session=session, chat_id=chat_id, wall=self.wall, limits=self.limits
        )
        return opens is None

    async def _slot(self, chat_id: int) -> None:
        """Wait until this message has its place in the chat's and the bot's windows."""
        while True:
            async with transaction(self.sessionmaker) as session:
                opens = await take_slot(
                    session=session, chat_id=chat_id, wall=self.wall, limits=self.limits
                )
            if opens is None:
                return
            await asyncio.sleep(max(0.01, opens - self.wall()))

    async def _hold(self, chat_id: int, seconds: float) -> None:
        """Telegram said wait: so does every process, for notifications too."""
        until = dt.datetime.fromtimestamp(self.wall() + seconds, dt.UTC)
        async with transaction(self.sessionmaker) as session:
            await block_chat(session=session, chat_id=chat_id, until=until)


def _chat_of(data: dict[str, Any]) -> int | None:
    try:
        return int(data["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None  # a @channel username: Telegram's limits by chat id do not apply
