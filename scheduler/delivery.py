"""The delivery worker: drains the outbox under Telegram's limits, one lease at a time.

A step claims due rows whose chats have room (storage.outbox.claim, against windows kept
in the database), renders each, takes its send slot in those windows right before
sending (renewing the row's lease in the same transaction, so the windows hold the
instants messages really left and a slow step never loses a row it is sending), sends
it and records Telegram's message id (a write that runs to its end even when stopping).

Nothing waits in a step: a row whose chat (or the bot) has no room at its send instant
goes back to the outbox (no attempt counted, parts already sent kept) and is claimed
again when the window opens, so one chat never holds up the others.

Failures stay local: a 429 blocks only that chat (for its retry_after); network errors,
timeouts, 5xx and database trouble while rendering retry that row later with
exponential backoff and jitter, then give up; 403 or "chat not found" retire the chat;
a group that became a supergroup takes its queue along. A crash between Telegram's OK
and the commit that records it is the only way a message can go twice (its lease
expires and another worker takes it over).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from domain.clock import Clock
from domain.ratelimit import RateLimits
from domain.rules import LATE_AFTER
from scheduler.messages import Part, render_notification
from scheduler.outcomes import ChatBlocked, Outcomes, finish, retry_seconds
from scheduler.planner import LEASE
from storage.claims import Claimed, LeaseLost, claim, reserve_slot
from storage.db import transaction
from storage.outbox import State, record_part, record_sent, release

__all__ = ["DeliveryConfig", "DeliveryWorker", "Step", "retry_seconds"]

log = logging.getLogger(__name__)

SentHook = Callable[[Claimed, int], Awaitable[None]]

# Trouble reading the database (or a socket) while rendering passes; anything else
# would fail again the same way.
TRANSIENT = (DBAPIError, PoolTimeout, OSError)


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


Renderer = Callable[..., Awaitable[list[Part] | None]]


class DeliveryWorker(Outcomes):
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
        self._stopping = asyncio.Event()
        self._stepping = asyncio.Lock()

    def poke(self) -> None:
        """Something new may be due: look now instead of at the next poll."""
        self._poke.set()

    def request_stop(self) -> None:
        """Claim nothing more; each chat finishes the send it is in and hands back the
        rest, then run() returns. (Cancel run() if that takes too long.)"""
        self._stopping.set()
        self._poke.set()

    async def run(self) -> None:
        """Deliver until cancelled or asked to stop."""
        while not self._stopping.is_set():
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
        """Claim what may go now and deliver it; returns once every claimed row is settled
        (sent, failed, or handed back to wait for its turn)."""
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
                for row in rows:
                    if self._stopping.is_set():
                        break
                    started.add(row.id)
                    try:
                        go_on = await self._deliver(row)
                    except Exception:
                        # This chat's trouble (the database, most likely) is not the
                        # others': its row keeps its lease, the rest go back.
                        log.exception("delivering %s failed; its chat waits", row.key)
                        go_on = False
                    if not go_on:
                        break
                rest = [r.id for r in rows if r.id not in started]
                started.update(rest)
                await self._release(rest)

        try:
            async with asyncio.TaskGroup() as group:
                for rows in queues.values():
                    group.create_task(one_chat(rows))
        except BaseException:
            # Cancelled: rows never started go back at once; one cut off mid-send keeps
            # its lease and is retried when it expires.
            await self._release([r.id for r in taken.rows if r.id not in started])
            raise
        return Step(claimed=len(taken.rows), wake_at=taken.wake_at)

    async def _release(self, row_ids: list[int]) -> None:
        if not row_ids:
            return
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
        except TRANSIENT as error:
            log.warning("could not render %s now: %s", row.key, error)
            await self._retry_later(row, f"render: {type(error).__name__}: {error}")
            return True
        except Exception:
            log.exception("could not render %s; giving up on it", row.key)
            await self._settle(row, State.FAILED, "could not render")
            return True
        if parts is None:
            log.info("cancelled %s: no longer applies", row.key)
            await self._settle(row, State.CANCELLED, None)
            return True
        if row.parts_sent >= len(parts):
            # Resumed, and the text now takes no more messages than went out already.
            await self._record(row, final=True, parts_sent=row.parts_sent, message_id=None)
            return True
        first_id: int | None = None
        for index in range(row.parts_sent, len(parts)):
            try:
                retry_at = await self._take_slot(row)
            except LeaseLost:
                log.warning("not sending %s: its lease ran out, another worker has it", row.key)
                return True
            if retry_at is not None:
                await self._release([row.id])  # its turn comes when the window opens
                return False
            try:
                message_id = await self._send_part(row, parts[index])
            except ChatBlocked:
                return False
            if message_id is None:
                return True
            first_id = message_id if first_id is None else first_id
            last = index == len(parts) - 1
            await self._record(
                row,
                final=last,
                parts_sent=index + 1,
                message_id=(first_id if row.parts_sent == 0 else None) if last else message_id,
                first=index == 0,
            )
            if self.on_sent is not None:
                await self.on_sent(row, message_id)
        return True

    async def _record(
        self,
        row: Claimed,
        *,
        final: bool,
        parts_sent: int,
        message_id: int | None,
        first: bool = False,
    ) -> None:
        """One more part, or (`final`) the whole row, sent; finishes even when cancelled."""

        async def write() -> None:
            async with transaction(self.sessionmaker) as session:
                if final:
                    await record_sent(
                        session=session,
                        row_id=row.id,
                        worker=self.name,
                        now=self.clock.now(),
                        parts_sent=parts_sent,
                        message_id=message_id,
                        late=row.late,
                    )
                elif message_id is not None:
                    await record_part(
                        session=session,
                        row_id=row.id,
                        worker=self.name,
                        parts_sent=parts_sent,
                        message_id=message_id,
                        first=first,
                    )

        await finish(write)

    async def _take_slot(self, row: Claimed) -> float | None:
        """Reserve this send's place in the chat's and the bot's windows right before it
        leaves, renewing the row's lease: None when taken, else when to try again.
        LeaseLost when another worker has the row now."""
        async with transaction(self.sessionmaker) as session:
            return await reserve_slot(
                session=session,
                row_id=row.id,
                worker=self.name,
                now=self.clock.now(),
                chat_id=row.chat_id,
                wall=self.wall,
                limits=self.config.limits,
            )
