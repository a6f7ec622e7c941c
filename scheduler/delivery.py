"""The delivery worker: drains the outbox under Telegram's limits, one lease at a time.

A step claims due rows whose chats have room (storage.outbox.claim, against windows kept
in the database), renders each, takes its send slot in those windows right before
sending (renewing the row's lease in the same transaction, so the windows hold the
instants messages really left and a slow step never loses a row it is sending), sends
it and records Telegram's message id (a write that runs to its end even when stopping).

Little waits in a step: a row whose slot in the bot's window opens within the lookahead
(a quarter second) waits for it; any other row whose chat (or the bot) has no room at
its send instant goes back to the outbox (no attempt counted, parts already sent kept)
and is claimed again when the window opens, so one chat never holds up the others.
What became of each row is written by scheduler.outcomes.

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
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from domain.clock import Clock
from domain.metrics import NO_METRICS, Metrics
from domain.parts import Part
from domain.ratelimit import RateLimits
from domain.rules import LATE_AFTER
from scheduler.outcomes import Outcomes
from scheduler.planner import LEASE
from scheduler.sending import Outcome, Sent, send_part
from storage.claims import Claimed, LeaseLost, SlotRequest, claim, reserve_slots
from storage.db import transaction
from storage.group_commit import GroupCommit
from storage.outbox import State
from storage.outcomes import PartSent, record_sends

__all__ = ["DeliveryConfig", "DeliveryWorker", "Gather", "Render", "Step"]

log = logging.getLogger(__name__)

N = TypeVar("N")

SentHook = Callable[[Claimed, int], Awaitable[None]]

# Trouble reading the database (or a socket) while rendering passes; anything else
# would fail again the same way.
TRANSIENT = (DBAPIError, PoolTimeout, OSError)
# How often a row waiting for its slot asks again before it goes back to the outbox.
SLOT_TRIES = 8


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
    # Rows whose slot in the bot's window opens this soon are claimed and wait for it
    # here (storage.claims.claim), one after another in claim order.
    lookahead: float = 0.25


@dataclasses.dataclass(frozen=True)
class Step:
    claimed: int
    wake_at: float | None  # wall-clock instant a rate-limited row may go


class Settled:
    """Rendering failed and the row's outcome is written already."""


# What a notification needs, read in a short transaction (storage.notices.gather_notice):
# None when it no longer applies. The composition root hands over the renderer.
Gather = Callable[[AsyncSession, Claimed], Awaitable[N | None]]
Render = Callable[[N], Awaitable[list[Part]]]
Send = Callable[..., Awaitable[Outcome]]  # scheduler.sending.send_part


class DeliveryWorker(Generic[N]):
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
        gather: Gather[N],
        render: Render[N],
        on_sent: SentHook | None = None,
        send: Send = send_part,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.bot = bot
        self.clock = clock
        self.name = name
        self.config = config or DeliveryConfig()
        self.wall = wall
        self.on_sent = on_sent
        self.gather = gather
        self.render = render
        self.send = send
        self.metrics = metrics
        self._poke = asyncio.Event()
        self._stopping = asyncio.Event()
        self._stepping = asyncio.Lock()
        self._slot_turn = asyncio.Lock()
        # The chats sending at once take their slots and record what went in shared
        # transactions: a message costs a share of one, not two of its own.
        self._writes = GroupCommit[SlotRequest | PartSent, float | None | bool](
            sessionmaker, self._write
        )
        self.outcomes = Outcomes(
            sessionmaker=sessionmaker,
            worker=name,
            clock=clock,
            wall=lambda: self.wall(),
            config=self.config,
            metrics=metrics,
            sends=self._writes,
        )

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
                lookahead=self.config.lookahead,
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
                await self.outcomes.release(rest)

        try:
            async with asyncio.TaskGroup() as group:
                for rows in queues.values():
                    group.create_task(one_chat(rows))
        except BaseException:
            # Cancelled: rows never started go back at once; one cut off mid-send keeps
            # its lease and is retried when it expires.
            await self.outcomes.release([r.id for r in taken.rows if r.id not in started])
            raise
        return Step(claimed=len(taken.rows), wake_at=taken.wake_at)

    async def _render(self, row: Claimed) -> list[Part] | Settled | None:
        """The row's messages; None when it no longer applies; Settled when rendering
        failed and the outcome is written already (retried later, or given up)."""
        try:
            async with transaction(self.sessionmaker) as session:
                notice = await self.gather(session, row)
            return None if notice is None else await self.render(notice)
        except TRANSIENT as error:
            log.warning("could not render %s now: %s", row.key, error)
            await self.outcomes.retry_later(row, f"render: {type(error).__name__}: {error}")
        except Exception:
            log.exception("could not render %s; giving up on it", row.key)
            await self.outcomes.settle(row, State.FAILED, "could not render")
            self.metrics.failed("render")
        return Settled()

    async def _deliver(self, row: Claimed) -> bool:
        """Render, send and record one row; False when its chat can take no more now."""
        now = self.clock.now()
        if not row.late and now - row.due_at > LATE_AFTER:
            row = dataclasses.replace(row, late=True)
        parts = await self._render(row)
        if isinstance(parts, Settled):
            return True
        if parts is None:
            log.info("cancelled %s: no longer applies", row.key)
            await self.outcomes.settle(row, State.CANCELLED, None)
            return True
        if row.parts_sent >= len(parts):
            # Resumed, and the text now takes no more messages than went out already.
            await self.outcomes.record(row, final=True, parts_sent=row.parts_sent, message_id=None)
            return True
        thread = row.payload.get("thread")
        first_id: int | None = None
        for index in range(row.parts_sent, len(parts)):
            try:
                retry_at = await self._take_slot(row)
                if retry_at is not None:
                    retry_at = await self._wait_for_slot(row, retry_at)
            except LeaseLost:
                log.warning("not sending %s: its lease ran out, another worker has it", row.key)
                return True
            if retry_at is not None:
                await self.outcomes.release([row.id])  # its turn comes when the window opens
                return False
            outcome = await self.send(
                self.bot, row.chat_id, parts[index], thread_id=int(thread) if thread else None
            )
            if not isinstance(outcome, Sent):
                return await self.outcomes.failed(row, outcome)
            first_id = outcome.message_id if first_id is None else first_id
            last = index == len(parts) - 1
            await self.outcomes.record(
                row,
                final=last,
                parts_sent=index + 1,
                message_id=(first_id if row.parts_sent == 0 else None)
                if last
                else outcome.message_id,
                first=index == 0,
            )
            if last:
                self.metrics.sent(row.kind, (self.clock.now() - row.due_at).total_seconds())
            if self.on_sent is not None:
                await self.on_sent(row, outcome.message_id)
        return True

    async def _wait_for_slot(self, row: Claimed, retry_at: float) -> float | None:
        """A slot that opens within the lookahead is waited for, a row at a time (so the
        waiting rows do not all ask for the same slot at once); None once taken, else
        when to try again (the row goes back)."""
        async with self._slot_turn:
            for _ in range(SLOT_TRIES):
                wait = retry_at - self.wall()
                if wait > self.config.lookahead:
                    break
                await asyncio.sleep(max(0.0, wait))
                taken = await self._take_slot(row)
                if taken is None:
                    return None
                retry_at = taken
        return retry_at

    async def _take_slot(self, row: Claimed) -> float | None:
        """Reserve this send's place in the chat's and the bot's windows right before it
        leaves, renewing the row's lease: None when taken, else when to try again.
        LeaseLost when another worker has the row now."""
        taken = await self._writes(SlotRequest(row_id=row.id, chat_id=row.chat_id))
        assert not isinstance(taken, bool)
        return taken

    async def _write(
        self, session: AsyncSession, requests: Sequence[SlotRequest | PartSent]
    ) -> list[float | bool | LeaseLost | None]:
        """The records of messages that went first, then the slots: on PostgreSQL the
        bot-wide window row, which every reply and claim waits for, is then locked only
        for the slots' statements and the commit. (A record touches only its own leased
        row, which no claim waits for.)"""
        now = self.clock.now()
        slots = [r for r in requests if isinstance(r, SlotRequest)]
        sends = [r for r in requests if isinstance(r, PartSent)]
        written = iter(
            await record_sends(session=session, worker=self.name, now=now, sends=sends)
            if sends
            else ()
        )
        taken = iter(
            await reserve_slots(
                session=session,
                requests=slots,
                worker=self.name,
                now=now,
                wall=self.wall,
                limits=self.config.limits,
            )
            if slots
            else ()
        )
        return [next(taken) if isinstance(r, SlotRequest) else next(written) for r in requests]
