"""A burst of commands against a Bot API that counts like Telegram: every reply arrives,
no limit is broken, and one member cannot fill the group's windows.

The fake refuses what breaks its flood limits with 429 (fakebot.flood); the limits here
are Telegram's shape scaled down (20 a group in 1.5 s instead of 60 s), the bot's the
same with a wide margin, so the test takes seconds. How close replies come to the limits
is a benchmark figure.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import FixedClock
from domain.ratelimit import Limit, RateLimits
from fakebot import FakeTelegram, FloodLimits, Window
from scheduler.delivery import DeliveryConfig
from tests.bot.conftest import BAT, GROUP, OYUNA, link_example
from wgbot.harness import REPLY_TIMEOUT, BotRun, settings_for

MEMBERS = [601, 602, 603, 604, 605]
# The bot keeps a margin of a whole window (safety=1.0) over what the fake counts, so a
# message held up on a busy machine (between taking its slot and reaching the fake) by
# up to a window's length still arrives within the limit: no test of timing.
SCALED = RateLimits(overall=Limit(30, 1.0), group=Limit(20, 1.5), private=Limit(1, 0.3), safety=1.0)


def telegram_scaled() -> FloodLimits:
    """What the fake counts (a fresh count per test: it remembers what it admitted)."""
    return FloodLimits(overall=Window(30, 1.0), group=Window(20, 1.5), private=Window(1, 0.3))


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(bot_username="wgbot_test_bot", flood=telegram_scaled()) as fake:
        fake.add_user(OYUNA, "Oyuna", username="oyuna", language_code="mn")
        fake.add_user(BAT, "Bat", username="bat", language_code="en")
        for member in MEMBERS:
            fake.add_user(member, f"Member {member}", language_code="en")
        fake.add_group(GROUP, "Mongolia OGP Working Group", admins=[OYUNA])
        yield fake


@pytest.fixture
async def run(
    fake: FakeTelegram, engine: AsyncEngine, db_url: str, clock: FixedClock
) -> AsyncIterator[BotRun]:
    delivery = DeliveryConfig(limits=SCALED, grace=dt.timedelta(hours=6), poll_interval=0.2)
    settings = settings_for(fake, db_url)
    async with BotRun(
        fake, settings, clock=clock, services=True, delivery=delivery, throttles=True
    ) as run:
        yield run


async def test_a_burst_in_a_group_and_a_private_chat_is_answered_in_full_within_the_limits(
    run: BotRun, fake: FakeTelegram, engine: AsyncEngine
) -> None:
    await link_example(engine, language="en")
    sent = [
        fake.user_says(GROUP, member, "/deadlines 366", token=run.token)
        for _ in range(5)
        for member in MEMBERS
    ]
    sent += [fake.user_says(BAT, BAT, "/help", token=run.token) for _ in range(5)]
    async with asyncio.timeout(REPLY_TIMEOUT * 4):
        for update_id in sent:
            await run.wait(update_id)
    in_group = [m.text or "" for m in fake.bot_messages(GROUP)]
    parts = len(set(in_group))  # every answer is the same list, in the same parts
    assert len(in_group) == 25 * parts
    assert in_group[0].startswith("Due in the next 366 days")
    private = fake.bot_messages(BAT)
    assert len(private) == 5
    assert fake.flood_refusals == 0


async def test_a_member_past_the_limit_is_told_once_then_not_answered(
    run: BotRun, fake: FakeTelegram, engine: AsyncEngine
) -> None:
    await link_example(engine, language="en")
    sent = [fake.user_says(GROUP, BAT, "/help", token=run.token) for _ in range(25)]
    async with asyncio.timeout(REPLY_TIMEOUT * 2):
        for update_id in sent:
            await run.wait(update_id)
    texts = [m.text or "" for m in fake.bot_messages(GROUP)]
    assert len(texts) == 21
    assert texts[-1].startswith("You are sending commands faster than I can answer")
    assert fake.flood_refusals == 0


async def test_a_429_is_honoured_and_the_reply_still_arrives(
    run: BotRun, fake: FakeTelegram, engine: AsyncEngine
) -> None:
    await link_example(engine, language="en")
    fake.fail("sendMessage", kind="429", chat_id=GROUP, retry_after=1, times=1)
    answer = await run.unique_reply(GROUP, BAT, "/plan")
    assert answer.text is not None and answer.text.startswith("Mongolia OGP Working Group")
    refused = [c for c in fake.calls("sendMessage") if c.status == 429]
    assert len(refused) == 1


async def test_one_member_repeating_digest_gets_one_digest_and_a_clear_answer(
    run: BotRun, fake: FakeTelegram, engine: AsyncEngine
) -> None:
    await link_example(engine, language="en")
    sent = [fake.user_says(GROUP, BAT, "/digest", token=run.token) for _ in range(15)]
    async with asyncio.timeout(REPLY_TIMEOUT * 2):
        for update_id in sent:
            await run.wait(update_id)
        await run.tick()
    messages = fake.bot_messages(GROUP)
    assert [m.kind for m in messages].count("photo") == 1
    texts = [m.text or "" for m in messages if m.kind == "message"]
    assert sum("can be asked for again" in t for t in texts) == 14
    assert not any("faster than I can answer" in t for t in texts)
    assert fake.flood_refusals == 0
