"""Scenario a, the real process: `wgbot run` as a subprocess against a fake served here.

The groups are linked first (the plan imported once, then copied with bulk inserts),
the process is started with the environment a deployment gives it, and its answers are
watched for in the fake's transcript: one member per chat types a command and waits
for the bot's message in that chat before the next. Unlike the in-process runs, this is
the bot exactly as deployed, Telegram's limits included (replies take their slots in
the database's windows: 30 a second overall, 20 a minute in a group, with a 10 %
margin), so its rate is reported against Telegram's 30 messages a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import os
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from benchmarks.commands import Mix, group_chats, populated_fake
from benchmarks.plans import example_plan, link_groups
from benchmarks.report import percentile
from fakebot import FakeTelegram
from storage.db import create_engine

READY_TIMEOUT = 60.0
ANSWER_TIMEOUT = 60.0


def wgbot_executable() -> str:
    """The console script beside this interpreter (the venv's), else `python -m wgbot.cli`."""
    script = Path(sys.executable).with_name("wgbot")
    return str(script) if script.exists() else ""


@dataclasses.dataclass(frozen=True)
class ProcessRates:
    commands: int
    per_second: float
    p50_ms: float
    p99_ms: float
    ready_s: float  # process start until it long-polls the fake
    answered: bool


class _Watcher:
    """Resolves a chat's waiting command when a bot message shows up in that chat."""

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self.seen = 0
        self.waiting: dict[int, asyncio.Future[None]] = {}

    def expect(self, chat_id: int) -> asyncio.Future[None]:
        future = asyncio.get_running_loop().create_future()
        self.waiting[chat_id] = future
        return future

    async def run(self) -> None:
        while True:
            entries = self.fake.transcript()
            for entry in entries[self.seen :]:
                if entry.sender == "bot" and entry.kind == "message":
                    future = self.waiting.pop(entry.chat_id, None)
                    if future is not None and not future.done():
                        future.set_result(None)
            self.seen = len(entries)
            await asyncio.sleep(0.002)


async def process_rates(
    url: str,
    n: int,
    *,
    latency: float,
    chats: Sequence[tuple[int, int]] | None = None,
) -> ProcessRates:
    """`wgbot run` on the empty, migrated database at `url`, answering `n` commands."""
    chats = list(chats or group_chats())
    plan = example_plan()
    engine = create_engine(url)
    try:
        await link_groups(engine, plan, [c for c, _ in chats], dt.datetime.now(dt.UTC))
    finally:
        await engine.dispose()
    async with populated_fake(chats, latency=latency) as fake:
        with tempfile.TemporaryDirectory(prefix="wgbot-bench-run-") as folder:
            log = Path(folder) / "wgbot.log"
            async with _wgbot_run(fake, url, Path(folder), log) as ready_s:
                count, per_second, latencies, answered = await _drive(fake, chats, Mix.of(plan), n)
            if not answered:
                tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
                print(f"wgbot run left commands unanswered; its log ends:\n{tail}")
    return ProcessRates(
        commands=count,
        per_second=per_second,
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
        ready_s=ready_s,
        answered=answered,
    )


@contextlib.asynccontextmanager
async def _wgbot_run(fake: FakeTelegram, url: str, folder: Path, log: Path) -> AsyncIterator[float]:
    env = {
        **os.environ,
        "WGBOT_TELEGRAM_TOKEN": fake.token,
        "WGBOT_TELEGRAM_BASE_URL": fake.base_url,
        "WGBOT_DATABASE_URL": url,
        "WGBOT_HTTP_PORT": "0",
    }
    script = wgbot_executable()
    command = [script, "run"] if script else [sys.executable, "-m", "wgbot.cli", "run"]
    start = time.perf_counter()
    with log.open("wb") as output:
        # cwd: a folder without a .env, so only the environment above configures it.
        process = await asyncio.create_subprocess_exec(
            *command, cwd=folder, env=env, stdout=output, stderr=output
        )
        try:
            async with asyncio.timeout(READY_TIMEOUT):
                while not fake.is_polling():
                    if process.returncode is not None:
                        raise RuntimeError(f"wgbot run exited with {process.returncode}")
                    await asyncio.sleep(0.01)
            yield time.perf_counter() - start
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), 30)
                except TimeoutError:
                    process.kill()
                    await process.wait()


async def _drive(
    fake: FakeTelegram, chats: Sequence[tuple[int, int]], mix: Mix, n: int
) -> tuple[int, float, list[float], bool]:
    watcher = _Watcher(fake)
    watching = asyncio.create_task(watcher.run())
    latencies: list[float] = []
    issued = 0
    answered = True

    async def person(index: int, chat_id: int, user_id: int) -> None:
        nonlocal issued, answered
        turn = 0
        while issued < n and answered:
            issued += 1
            answer = watcher.expect(chat_id)
            sent = time.perf_counter()
            fake.user_says(chat_id, user_id, mix.command(index, turn))
            try:
                await asyncio.wait_for(answer, ANSWER_TIMEOUT)
            except TimeoutError:
                answered = False
                return
            latencies.append((time.perf_counter() - sent) * 1000)
            turn += 1

    start = time.perf_counter()
    try:
        await asyncio.gather(*(person(i, c, u) for i, (c, u) in enumerate(chats)))
    finally:
        watching.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watching
    elapsed = time.perf_counter() - start
    latencies.sort()
    return len(latencies), len(latencies) / elapsed, latencies, answered
