"""The delivery worker: drains the outbox under Telegram's limits, one lease at a time.

A step claims due rows whose chats have room (storage.outbox.claim, against windows kept
in the database), renders each, takes its send slot in those windows right before
sending (so the windows hold the instants messages really left, whatever rendering
took), sends it and records Telegram's message id.

Failures stay local: a 429 blocks only that chat (for its retry_after); network errors,
timeouts and 5xx retry that row later with exponential backoff and jitter, then give
up; 403 or "chat not found" retire the chat. A crash between Telegram's OK and the
commit that records it is the only way a message can go twice (its lease expires and
another worker takes it over).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import random
import time
import warnings
from collections.abc import Awaitable, Callable

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

from scheduler.clock import Clock
from scheduler.messages import Part, render_notification
from scheduler.planner import LEASE
from scheduler.ratelimit import RateLimits
from scheduler.rules import LATE_AFTER
from storage.claims import Claimed, claim, reserve_slot
from storage.db import transaction
from storage.outbox import (
    State,
    block_chat,
    chat_gone,
    record_part,
    record_retry,
    record_sent,
    record_state,
    release,
)

log = logging.getLogger(__name__)

SentHook = Callable[[Claimed, int], Awaitable[None]]


@dataclasses.dataclass(frozen=True)
class DeliveryConfig:
    limits: RateLimits = dataclasses.field(default_factory=RateLimits)
    grace: dt.timedelta = dt.timedelta(minutes=360)
    lease: dt.timedelta = LEASE
    max_attempts: int = 10
    backoff_base: float = 10.0  # seconds, doubled per attempt, ±50 % jitter
    backoff_cap: float = 1800.0
    batch: int = 50
    concurrency: int = 8
    poll_interval: float = 1.0


@dataclasses.dataclass(frozen=True)
class Step:
    claimed: int
    wake_at: float | None  # wall-clock instant a rate-limited row may go


class _ChatBlocked(Exception):
    """The chat takes nothing more now (429, or gone); already recorded."""


Renderer = Callable[..., Awaitable[list[Part] | None]]


def retry_seconds(error: RetryAfter) -> float:
    # PTB 22 warns about the int form of retry_after; both forms mean seconds.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class DeliveryWorker:
    """One process's delivery loop; several may share a PostgreSQL database."""

    def __init__(
        self,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        bot: Bot,
        clock: Clock,
        name: str,
        config: DeliveryConfig | None = None,
        wall: Callable[[], float] = time.time,
        on_sent: SentHook | None = None,
        renderer: Renderer = render_notification,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.bot = bot
        self.clock = clock
        self.name = name
        self.config = config or DeliveryConfig()
        self.wall = wall
        self.on_sent = on_sent
        self.renderer = renderer
        self._poke = asyncio.Event()
        self._stepping = asyncio.Lock()

    def poke(self) -> None:
        """Something new may be due: look now instead of at the next poll."""
        self._poke.set()

    async def run(self) -> None:
        """Deliver until cancelled."""
        while True:
            self._poke.clear()
            try:
                step = await self.step()
            except Exception:
                log.exception("delivery step failed; retrying")
                step = Step(claimed=0, wake_at=None)
            if step.claimed:
                continue
            delay = self.config.poll_interval
            if step.wake_at is not None:
                delay = min(delay, max(0.0, step.wake_at - self.wall()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poke.wait(), delay)

    async def drain(self) -> int:
        """Step until nothing is due now (rate-limited rows are waited for); rows claimed.

        Callers bound it with asyncio.timeout.
        """
        total = 0
        while True:
            step = await self.step()
            total += step.claimed
            if step.claimed:
                continue
            if step.wake_at is None:
                return total
            await asyncio.sleep(max(0.0, step.wake_at - self.wall()))

    async def step(self) -> Step:
        """Claim what may go now and deliver it; returns once every claimed row is settled."""
        async with self._stepping:  # the background loop and a test's drain() take turns
            return await self._step()

    async def _step(self) -> Step:
        now = self.clock.now()
        async with transaction(self.sessionmaker) as session:
            taken = await claim(
                session=session,
                worker=self.name,
                now=now,
                wall=self.wall(),
                limits=self.config.limits,
                lease=self.config.lease,
                grace=self.config.grace,
                batch=self.config.batch,
            )
        if not taken.rows:
            return Step(claimed=0, wake_at=taken.wake_at)
        # Chats in parallel, each chat's rows in order: a 429 stops only that chat's queue.
        queues: dict[int, list[Claimed]] = {}
        for row in taken.rows:
            queues.setdefault(row.chat_id, []).append(row)
        gate = asyncio.Semaphore(self.config.concurrency)
        started: set[int] = set()

        async def one_chat(rows: list[Claimed]) -> None:
            async with gate:
                for index, row in enumerate(rows):
                    started.add(row.id)
                    if not await self._deliver(row):
                        rest = [r.id for r in rows[index + 1 :]]
                        started.update(rest)
                        await self._release(rest)
                        return

        try:
            async with asyncio.TaskGroup() as group:
                for rows in queues.values():
                    group.create_task(one_chat(rows))
        except BaseException:
            # Stopping (or a database failure): rows never started go back at once;
            # one cut off mid-send keeps its lease and is retried when it expires.
            await self._release([r.id for r in taken.rows if r.id not in started])
            raise
        return Step(claimed=len(taken.rows), wake_at=taken.wake_at)

    async def _release(self, row_ids: list[int]) -> None:
        try:
            async with transaction(self.sessionmaker) as session:
                await release(session=session, row_ids=row_ids, worker=self.name)
        except Exception:
            log.warning("could not hand back %d rows; their leases will expire", len(row_ids))

    async def _deliver(self, row: Claimed) -> bool:
        """Render, send and record one row; False when its chat can take no more now."""
        now = self.clock.now()
        if not row.late and now - row.due_at > LATE_AFTER:
            row = dataclasses.replace(row, late=True)
        try:
            async with transaction(self.sessionmaker) as session:
                parts = await self.renderer(session=session, row=row, now=now)
        except Exception:
            log.exception("could not render %s; giving up on it", row.key)
            await self._settle(row, State.FAILED, "could not render")
            return True
        if parts is None:
            log.info("cancelled %s: no longer applies", row.key)
            await self._settle(row, State.CANCELLED, None)
            return True
        first_id: int | None = None
        for index in range(row.parts_sent, len(parts)):
            await self._take_slot(row.chat_id)
            try:
                message_id = await self._send_part(row, parts[index])
            except _ChatBlocked:
                return False
            if message_id is None:
                return True
            first_id = message_id if first_id is None else first_id
            async with transaction(self.sessionmaker) as session:
                if index == len(parts) - 1:
                    await record_sent(
                        session=session,
                        row_id=row.id,
                        now=self.clock.now(),
                        parts_sent=index + 1,
                        message_id=first_id if row.parts_sent == 0 else None,
                        late=row.late,
                    )
                else:
                    await record_part(
                        session=session,
                        row_id=row.id,
                        parts_sent=index + 1,
                        message_id=message_id,
                        first=index == 0,
                    )
            if self.on_sent is not None:
                await self.on_sent(row, message_id)
        return True

    async def _take_slot(self, chat_id: int) -> None:
        """Reserve this send's place in the chat's and the bot's windows, right before it
        leaves (waiting for room if another worker or part took it)."""
        while True:
            async with transaction(self.sessionmaker) as session:
                retry_at = await reserve_slot(
                    session=session, chat_id=chat_id, wall=self.wall, limits=self.config.limits
                )
            if retry_at is None:
                return
            await asyncio.sleep(max(0.005, retry_at - self.wall()))

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
                    error=str(error),
                    next_attempt_at=None,
                    count_attempt=False,
                )
            raise _ChatBlocked from None
        except (Forbidden, BadRequest) as error:
            if isinstance(error, Forbidden) or "chat not found" in error.message.lower():
                await self._chat_gone(row.chat_id, error.message)
                raise _ChatBlocked from None
            log.warning("failed %s: Telegram refused it: %s", row.key, error.message)
            await self._settle(row, State.FAILED, error.message)
        except ChatMigrated as error:
            reason = f"the group moved to chat {error.new_chat_id}"
            log.warning("failed %s: %s", row.key, reason)
            await self._settle(row, State.FAILED, reason)
        except (NetworkError, TelegramError) as error:
            await self._retry_later(row, f"{type(error).__name__}: {error}")
        return None

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
                await record_retry(
                    session=session,
                    row_id=row.id,
                    error=error,
                    next_attempt_at=None,
                    count_attempt=True,
                )
                await record_state(session=session, row_id=row.id, state=State.FAILED, error=error)
            return
        delay = min(self.config.backoff_cap, self.config.backoff_base * 2 ** (attempts - 1))
        delay *= random.uniform(0.5, 1.5)  # jitter, not cryptography
        log.info("retrying %s in %.0fs (attempt %d): %s", row.key, delay, attempts, error)
        async with transaction(self.sessionmaker) as session:
            await record_retry(
                session=session,
                row_id=row.id,
                error=error,
                next_attempt_at=self.clock.now() + dt.timedelta(seconds=delay),
                count_attempt=True,
            )

    async def _settle(self, row: Claimed, state: State, error: str | None) -> None:
        async with transaction(self.sessionmaker) as session:
            await record_state(session=session, row_id=row.id, state=state, error=error)
