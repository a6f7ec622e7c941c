"""The real bot against the fake Bot API, for the demo and the tests.

The bot runs through the same lifecycle as `wgbot run` (wgbot.lifecycle: migrations,
the web server on a free port, leadership, the scheduler, long polling over HTTP through
python-telegram-bot's own request stack); the only additions are an update processor
that reports when each update has been fully handled, so a conversation can be played
step by step without sleeping, and quick polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from types import TracebackType

from bot.context import Deps, WGApplication
from bot.processing import TrackingUpdateProcessor
from bot.throttle import Throttle
from domain.clock import Clock
from domain.ratelimit import Limit, RateLimits
from fakebot import FakeTelegram, TranscriptEntry
from scheduler.delivery import DeliveryConfig
from wgbot.lifecycle import Polling, Running, running
from wgbot.settings import Settings

ROOMY = RateLimits(overall=Limit(10_000, 1.0), group=Limit(10_000, 1.0), private=Limit(10_000, 1.0))
ROOMY_THROTTLE = Limit(10_000, 1.0)
TEST_TOKEN = "123456789:AAFakeTokenForWgbotTests_0123456789ab"
REPLY_TIMEOUT = 15.0


def settings_for(fake: FakeTelegram, database_url: str, **extra: object) -> Settings:
    """Settings pointing the bot at `fake`, ignoring the environment and any .env file;
    the web server takes any free port unless `extra` names one."""
    return Settings(
        _env_file=None,
        telegram_token=TEST_TOKEN,
        telegram_base_url=fake.base_url,
        database_url=database_url,
        **({"http_port": 0} | extra),  # type: ignore[arg-type]
    )


class BotRun:
    """`async with BotRun(fake, settings) as run:` — the bot polling `fake` until exit."""

    def __init__(
        self,
        fake: FakeTelegram,
        settings: Settings,
        clock: Clock | None = None,
        *,
        services: bool = False,
        delivery: DeliveryConfig | None = None,
        throttles: bool = False,
    ) -> None:
        """With `services`, the scheduler and the delivery worker run too, on `clock`;
        `await run.tick()` then plans and delivers everything due at the clock's time.
        With `throttles`, a member's commands and a group's exports are throttled as in
        production (a transcript test sends more in a minute than anyone types)."""
        self.fake = fake
        self.settings = settings
        self.clock = clock
        self.processor = TrackingUpdateProcessor(settings.concurrent_updates)
        self.token = settings.require_token().get_secret_value()
        self.services = services
        self.throttles = throttles
        # Telegram's windows would make a long transcript wait a minute for every 20
        # messages in one group; a test of the limits passes its own (scaled) ones.
        self.delivery = delivery or DeliveryConfig(
            limits=ROOMY, grace=dt.timedelta(minutes=settings.grace_minutes), poll_interval=0.2
        )
        self._stack = contextlib.AsyncExitStack()
        self._running: Running | None = None

    @property
    def bot(self) -> Running:
        if self._running is None:
            raise RuntimeError("the bot runs inside `async with BotRun(...)` only")
        return self._running

    @property
    def app(self) -> WGApplication:
        return self.bot.app

    @property
    def deps(self) -> Deps:
        return self.bot.deps

    async def __aenter__(self) -> BotRun:
        self._running = await self._stack.enter_async_context(
            running(
                self.settings,
                clock=self.clock,
                update_processor=self.processor,
                services=self.services,
                delivery=self.delivery,
                polling=Polling(interval=0.0, timeout=1),
            )
        )
        if not self.throttles:
            self.deps.member_throttle = Throttle(ROOMY_THROTTLE)
            self.deps.export_throttle = Throttle(ROOMY_THROTTLE)
        return self

    async def tick(self) -> int:
        """Plan every group and deliver what is due at the clock's time; rows handled."""
        service = self.bot.service
        if service is None:
            raise RuntimeError("BotRun(services=True) runs the scheduler; this one does not")
        return await asyncio.wait_for(service.tick(), REPLY_TIMEOUT)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._stack.aclose()
        self._running = None

    async def wait(self, update_id: int) -> None:
        """Until the bot has fully handled update `update_id` (replies sent)."""
        await asyncio.wait_for(self.processor.wait_for(update_id), REPLY_TIMEOUT)

    async def say(self, chat_id: int, user_id: int, text: str) -> list[TranscriptEntry]:
        """A user writes `text` in a chat; returns every bot message it caused there."""
        update_id = self.fake.user_says(chat_id, user_id, text, token=self.token)
        await self.wait(update_id)
        return self.fake.bot_messages(chat_id, since_update=update_id)

    async def press(
        self, chat_id: int, user_id: int, message_id: int, data: str
    ) -> list[TranscriptEntry]:
        """A user presses an inline button; returns what the bot sent or edited after."""
        update_id = self.fake.press_button(chat_id, user_id, message_id, data, token=self.token)
        await self.wait(update_id)
        return self.fake.bot_messages(chat_id, since_update=update_id)

    async def say_then_deliver(
        self, chat_id: int, user_id: int, text: str
    ) -> list[TranscriptEntry]:
        """A user writes `text`; the scheduler then delivers what is due (what /digest
        queued, say); returns every bot message it caused there."""
        update_id = self.fake.user_says(chat_id, user_id, text, token=self.token)
        await self.wait(update_id)
        await self.tick()
        return self.fake.bot_messages(chat_id, since_update=update_id)

    async def unique_reply(self, chat_id: int, user_id: int, text: str) -> TranscriptEntry:
        """Exactly one answer: a doubled or missing reply fails the test."""
        replies = await self.say(chat_id, user_id, text)
        if len(replies) != 1:
            shown = "\n---\n".join(r.text or f"<{r.kind}>" for r in replies) or "(nothing)"
            raise AssertionError(f"{text!r} got {len(replies)} replies, expected one:\n{shown}")
        return replies[0]
