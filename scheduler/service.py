"""The scheduler service of one process: planning (leader only), delivery, leadership.

APScheduler fires the planning tick every minute; the planner itself runs in a task of
this service, so stopping it awaits and cancels only work it owns. Every process
delivers; the leader alone plans each minute and (in polling mode) polls Telegram.
A change in one group (`schedule_changed`) is planned at once by whichever process saw
it: planning is idempotent, so that is safe anywhere.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from domain.clock import Clock
from domain.metrics import NO_METRICS, Metrics
from domain.parts import Part
from scheduler.delivery import DeliveryConfig, DeliveryWorker
from scheduler.leader import Leadership, Presence, SoleLeader, SolePresence
from scheduler.planner import clean_up, note_gap, plan_all, plan_one
from storage.claims import Claimed
from storage.db import transaction
from storage.health import PLANNER, record_beat
from storage.notices import Notice, gather_notice
from storage.outcomes import lease_holders, take_over

log = logging.getLogger(__name__)

Callback = Callable[[], Awaitable[None]]

PLAN_INTERVAL = 60.0  # seconds between planning ticks
ELECT_INTERVAL = 15.0  # seconds between leadership tries and checks
STOP_TIMEOUT = 10.0  # seconds a stopping worker gets to finish the sends it is in
CLEANUP_INTERVAL = 86_400.0  # seconds between outbox clean-ups (leader only)


def worker_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def _gather(session: AsyncSession, row: Claimed) -> Notice | None:
    return await gather_notice(session=session, row=row)


class NotificationService:
    """Start with `await start()`, stop with `await stop()`; nothing runs before start."""

    def __init__(
        self,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        bot: Bot,
        clock: Clock,
        grace: dt.timedelta,
        render: Callable[[Notice], Awaitable[list[Part]]],
        leadership: Leadership | None = None,
        presence: Presence | None = None,
        config: DeliveryConfig | None = None,
        on_elected: Callback | None = None,
        on_deposed: Callback | None = None,
        plan_interval: float | None = None,
        elect_interval: float | None = None,
        name: str | None = None,
        stop_timeout: float = STOP_TIMEOUT,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.grace = grace
        self.leadership = leadership or SoleLeader()
        name = name or worker_name()
        self.presence = presence or SolePresence(name)
        self.on_elected = on_elected
        self.on_deposed = on_deposed
        self.plan_interval = plan_interval or PLAN_INTERVAL
        self.elect_interval = elect_interval or ELECT_INTERVAL
        self.stop_timeout = stop_timeout
        self.leading = False
        config = config or DeliveryConfig(grace=grace)
        self.worker: DeliveryWorker[Any] = DeliveryWorker(
            sessionmaker=sessionmaker,
            bot=bot,
            clock=clock,
            name=name,
            config=config,
            gather=_gather,
            render=render,
            metrics=metrics,
        )
        self._plan_now = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._scheduler: AsyncIOScheduler | None = None

    async def start(self) -> None:
        try:
            await note_gap(self.sessionmaker, now=self.clock.now(), grace=self.grace)
        except Exception:
            log.exception("could not check what was missed while the bot was away")
        try:
            await self.presence.start()
        except Exception:
            log.exception("could not announce this worker; its leases expire as usual")
        await self.take_over_dead()
        try:
            await self._elect()  # a sole process leads from its first moment
        except Exception:
            log.exception("leader election step failed; trying again")
        self._scheduler = AsyncIOScheduler(timezone=dt.UTC)
        self._scheduler.add_job(
            self._tick_job,
            "interval",
            seconds=self.plan_interval,
            id="plan",
            coalesce=True,
            max_instances=1,
        )
        self._scheduler.add_job(
            self._clean_up,
            "interval",
            seconds=CLEANUP_INTERVAL,
            id="clean-up",
            coalesce=True,
            max_instances=1,
        )
        self._scheduler.start()
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        self._plan_now.set()  # plan once right away
        self._tasks = [
            asyncio.create_task(self._planner_loop(), name="wgbot-planner"),
            asyncio.create_task(self.worker.run(), name="wgbot-delivery"),
            asyncio.create_task(self._election_loop(), name="wgbot-election"),
        ]

    async def stop(self) -> None:
        """Stop the timer and planning; let delivery finish the sends it is in (up to
        `stop_timeout`, so nothing goes twice), then cancel what is left; release
        leadership."""
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None
        self.worker.request_stop()
        delivery = [t for t in self._tasks if t.get_name() == "wgbot-delivery"]
        for task in self._tasks:
            if task not in delivery:
                task.cancel()
        if delivery:
            await asyncio.wait(delivery, timeout=self.stop_timeout)
            for task in delivery:
                if not task.done():
                    log.warning("delivery did not finish within %ss: cut off", self.stop_timeout)
                    task.cancel()
        if self._tasks:
            # wait() does not re-raise the tasks' CancelledError; a cancellation of the
            # caller itself still propagates from here.
            await asyncio.wait(self._tasks)
            for task in self._tasks:
                if not task.cancelled() and task.exception() is not None:
                    log.error("%s ended with an error", task.get_name(), exc_info=task.exception())
        self._tasks = []
        if self.leading:
            self.leading = False
            if self.on_deposed is not None:
                await self.on_deposed()
        await self.leadership.release()
        await self.presence.stop()

    async def notifications_queued(self) -> None:
        """A new row was committed (/digest): deliver it now, not at the next poll."""
        self.worker.poke()

    async def schedule_changed(self, group_id: int) -> None:
        """A committed change moved a time in this group: plan it now, deliver what's due."""
        await plan_one(self.sessionmaker, group_id, now=self.clock.now(), grace=self.grace)
        self.worker.poke()

    async def tick(self) -> int:
        """Plan every group and deliver everything due now (tests, the demo)."""
        await self._plan_pass()
        return await self.worker.drain()

    async def _plan_pass(self) -> int:
        """Plan every group, then note the pass's end where /healthz of every process
        reads it; how many notifications were written."""
        written = await plan_all(self.sessionmaker, now=self.clock.now(), grace=self.grace)
        try:
            async with transaction(self.sessionmaker) as session:
                await record_beat(
                    session=session, name=PLANNER, at=self.clock.now(), worker=self.worker.name
                )
        except Exception:
            log.exception("could not note the planning pass; /healthz will say so")
        return written

    async def _tick_job(self) -> None:
        self._plan_now.set()

    async def _planner_loop(self) -> None:
        while True:
            await self._plan_now.wait()
            self._plan_now.clear()
            if not self.leading:
                continue
            try:
                written = await self._plan_pass()
            except Exception:
                log.exception("planning failed; next try at the next tick")
                continue
            if written:
                self.worker.poke()

    async def _election_loop(self) -> None:
        while True:
            await asyncio.sleep(self.elect_interval)
            try:
                await self._elect()
            except Exception:
                log.exception("leader election step failed; trying again")
            await self.take_over_dead()

    async def take_over_dead(self) -> None:
        """Leases of workers whose process is gone (kill -9, a crashed host) go back to
        the queue now: a crash delays reminders by seconds, not by a lease (2 minutes)."""
        try:
            async with transaction(self.sessionmaker) as session:
                holders = await lease_holders(session=session)
            dead = await self.presence.dead(holders - {self.worker.name})
            if not dead:
                return
            async with transaction(self.sessionmaker) as session:
                count = await take_over(session=session, dead=sorted(dead))
        except Exception:
            log.exception("could not take over the leases of dead workers; they expire")
            return
        if count:
            log.warning("took over %d notifications of gone workers %s", count, sorted(dead))
            self.worker.poke()

    async def _elect(self) -> None:
        if self.leading:
            if await self.leadership.still_leading():
                return
            self.leading = False
            log.warning("no longer the leader: standing by")
            if self.on_deposed is not None:
                await self.on_deposed()
            return
        if await self.leadership.try_acquire():
            # Leading only once polling (if any) started: when it fails, the next round
            # tries again (the lock is still ours) instead of leading without polling.
            if self.on_elected is not None:
                await self.on_elected()
            self.leading = True
            log.info("elected leader: planning%s", " and polling" if self.on_elected else "")
            self._plan_now.set()

    async def _clean_up(self) -> None:
        if not self.leading:
            return
        try:
            await clean_up(self.sessionmaker, now=self.clock.now(), grace=self.grace)
        except Exception:
            log.exception("outbox clean-up failed; next try tomorrow")
