"""Update to answer: when each update was sent at the fake and when the bot was done.

`Stopwatch` keeps both instants per update id; the processors below (wgbot's own, and
python-telegram-bot's simple one for the bare baseline) report to it when an update has
been fully handled, its answer sent. `drive` plays the users: one person per chat, each
sending a command and waiting for its answer before the next, all chats at once, until
N commands have been answered.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Update
from telegram.ext import SimpleUpdateProcessor

from benchmarks.report import percentile
from bot.processing import TrackingUpdateProcessor
from fakebot import FakeTelegram

ANSWER_TIMEOUT = 120.0


class Stopwatch:
    def __init__(self) -> None:
        self.sent: dict[int, float] = {}
        self.done: dict[int, float] = {}
        self._waiting: dict[int, asyncio.Future[None]] = {}

    def started(self, update_id: int) -> asyncio.Future[None]:
        self.sent[update_id] = time.perf_counter()
        future = asyncio.get_running_loop().create_future()
        self._waiting[update_id] = future
        return future

    def finished(self, update_id: int) -> None:
        self.done[update_id] = time.perf_counter()
        future = self._waiting.pop(update_id, None)
        if future is not None and not future.done():
            future.set_result(None)


def _report(stopwatch: Stopwatch | None, update: object) -> None:
    if stopwatch is not None and isinstance(update, Update):
        stopwatch.finished(update.update_id)


class TimedWgbotProcessor(TrackingUpdateProcessor):
    """wgbot's processor (per-chat order, WGBOT_CONCURRENT_UPDATES), timed."""

    stopwatch: Stopwatch | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await super().do_process_update(update, coroutine)
        finally:
            _report(self.stopwatch, update)


class TimedSimpleProcessor(SimpleUpdateProcessor):
    """python-telegram-bot's own processor: 1 (its default) or n updates at once."""

    stopwatch: Stopwatch | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await super().do_process_update(update, coroutine)
        finally:
            _report(self.stopwatch, update)


@dataclasses.dataclass(frozen=True)
class Rates:
    commands: int
    per_second: float
    p50_ms: float
    p99_ms: float


Script = Callable[[int, int], str]  # (chat index, turn) -> the command to type


async def drive(
    fake: FakeTelegram,
    token: str,
    stopwatch: Stopwatch,
    chats: Sequence[tuple[int, int]],
    script: Script,
    n: int,
) -> Rates:
    """`n` commands from the (chat, user) pairs, each chat waiting for its answer."""
    issued = 0

    async def person(index: int, chat_id: int, user_id: int) -> None:
        nonlocal issued
        turn = 0
        while issued < n:
            issued += 1
            update_id = fake.user_says(chat_id, user_id, script(index, turn), token=token)
            await asyncio.wait_for(stopwatch.started(update_id), ANSWER_TIMEOUT)
            turn += 1

    stopwatch.sent.clear()
    stopwatch.done.clear()
    start = time.perf_counter()
    await asyncio.gather(*(person(i, c, u) for i, (c, u) in enumerate(chats)))
    elapsed = time.perf_counter() - start
    latencies = sorted((stopwatch.done[u] - at) * 1000 for u, at in stopwatch.sent.items())
    return Rates(
        commands=len(latencies),
        per_second=len(latencies) / elapsed,
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
    )
