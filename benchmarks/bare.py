"""The baseline: a bare python-telegram-bot bot that answers the same commands with texts
of the same lengths (HTML, as wgbot sends them), touching no database.

With PTB's default processor it handles one update at a time; with
`concurrent_updates(256)` up to 256 at once. Everything else is the same stack wgbot
runs on: the HTTP client, long polling, the fake Bot API over loopback.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from benchmarks.timing import Rates, Script, Stopwatch, TimedSimpleProcessor, drive
from fakebot import FakeTelegram

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


async def bare_rates(
    fake: FakeTelegram,
    *,
    concurrent: int,
    lengths: Mapping[str, Sequence[int]],
    chats: Sequence[tuple[int, int]],
    script: Script,
    n: int,
) -> Rates:
    """Updates/s and update-to-answer of the bare bot, `concurrent` updates at once;
    each command gets messages of the `lengths` wgbot's answer had."""
    stopwatch = Stopwatch()
    processor = TimedSimpleProcessor(concurrent)
    processor.stopwatch = stopwatch
    app = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .concurrent_updates(processor)
        .build()
    )

    def answer(sizes: Sequence[int]) -> Handler:
        texts = ["x" * size for size in sizes]

        async def reply(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
            assert update.effective_message is not None
            for text in texts:
                await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)

        return reply

    for command, sizes in lengths.items():
        app.add_handler(CommandHandler(command, answer(sizes)))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            return await drive(fake, fake.token, stopwatch, chats, script, n)
        finally:
            await app.updater.stop()
            await app.stop()
