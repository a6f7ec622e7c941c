"""`python -m benchmarks`: how much wgbot costs over a bare python-telegram-bot bot.

Both bots run the same PTB stack against the same fake Bot API over loopback HTTP and
answer N `/plan` commands one after another; the baseline replies with a fixed text of
the same length, wgbot reads the example plan from SQLite and renders it. Printed:
updates per second for each, their ratio, and how far above Telegram's own send limits
(30 messages/s overall, 20 per minute in one group) the bot's capacity is.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import resource
import tempfile
import time
from pathlib import Path

from telegram import Update
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from benchmarks import delivery
from bot.processing import TrackingUpdateProcessor
from fakebot import FakeTelegram
from storage.db import create_engine, create_sessionmaker, migrate, transaction
from storage.plan_import import import_plan
from storage.planfile import load_plan
from wgbot.demo import example_plan_path
from wgbot.harness import BotRun, settings_for

GROUP, USER = -100900, 900
TELEGRAM_OVERALL_PER_S = 30.0
TELEGRAM_GROUP_PER_MIN = 20.0


async def _drive(
    fake: FakeTelegram, processor: TrackingUpdateProcessor, token: str, n: int
) -> float:
    start = time.perf_counter()
    for _ in range(n):
        update_id = fake.user_says(GROUP, USER, "/plan", token=token)
        await asyncio.wait_for(processor.wait_for(update_id), 30)
    return n / (time.perf_counter() - start)


async def baseline(n: int, reply_length: int) -> float:
    async with FakeTelegram() as fake:
        fake.add_user(USER, "Bench")
        fake.add_group(GROUP, "bench")
        text = "x" * reply_length

        async def plan(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
            assert update.effective_message is not None
            await update.effective_message.reply_text(text)

        processor = TrackingUpdateProcessor()
        app = (
            ApplicationBuilder()
            .token(fake.token)
            .base_url(fake.base_url)
            .concurrent_updates(processor)
            .build()
        )
        app.add_handler(CommandHandler("plan", plan))
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            rate = await _drive(fake, processor, fake.token, n)
            await app.updater.stop()
            await app.stop()
        return rate


async def wgbot_rate(n: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        engine = create_engine(url)
        await migrate(engine)
        async with transaction(create_sessionmaker(engine)) as session:
            plan = load_plan(example_plan_path())
            await import_plan(
                session=session, plan=plan, chat_id=GROUP, now=dt.datetime.now(dt.UTC)
            )
        await engine.dispose()
        async with FakeTelegram() as fake:
            fake.add_user(USER, "Bench")
            fake.add_group(GROUP, "bench")
            async with BotRun(fake, settings_for(fake, url)) as run:
                first = await run.say(GROUP, USER, "/plan")
                length = len(first[0].raw_text or "")
                rate = await _drive(fake, run.processor, run.token, n)
        return rate, length


async def main(n: int) -> None:
    ours, length = await wgbot_rate(n)
    base = await baseline(n, length)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"/plan round trips, sequential, N={n}, reply {length} characters")
    print(f"  bare python-telegram-bot : {base:8.1f} updates/s")
    print(f"  wgbot (SQLite, 9 commitments): {ours:8.1f} updates/s")
    print(f"  wgbot / bare PTB         : {ours / base:8.2f}")
    print(f"  wgbot / Telegram overall limit (30 msg/s): {ours / TELEGRAM_OVERALL_PER_S:8.1f}x")
    print(
        f"  wgbot / Telegram per-group limit (20 msg/min): "
        f"{ours * 60 / TELEGRAM_GROUP_PER_MIN:8.0f}x"
    )
    print(f"  peak RSS of the whole run: {peak_mb:.0f} MiB")


if __name__ == "__main__":
    os.environ.setdefault("PTB_TIMEDELTA", "true")  # as `wgbot` does: no RetryAfter warnings
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=200, help="/plan round trips")
    parser.add_argument("--reminders", type=int, default=600, help="outbox deliveries")
    options = parser.parse_args()
    asyncio.run(main(options.n))
    print()
    asyncio.run(delivery.main(options.reminders))
