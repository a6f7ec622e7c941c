"""/metrics: Prometheus's text format, and its counters move with what the bot does.

Through the real bot and the fake Bot API: commands typed in the group, a /digest
delivered by the outbox, 429s and a chat that threw the bot out.
"""

from __future__ import annotations

import datetime as dt

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import FixedClock
from fakebot import FakeTelegram
from tests.bot.conftest import BAT, GROUP, OYUNA, link_example
from tests.bot.test_health import add_pending
from wgbot.harness import BotRun
from wgbot.metrics import PrometheusMetrics

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def services() -> bool:
    """The scheduler runs: what it sends is counted too."""
    return True


async def scrape(run: BotRun) -> Samples:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{run.bot.port}/metrics") as answer,
    ):
        assert answer.status == 200
        assert answer.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        text = await answer.text()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def labels_of(samples: Samples, name: str) -> set[str]:
    return {value for sample, labels in samples if sample == name for _, value in labels}


async def test_commands_are_counted_by_name_and_the_rest_as_other(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine)
    before = await scrape(run)
    assert value(before, "wgbot_commands_total", command="plan") == 0
    assert ("wgbot_commands_total", frozenset({("command", "plan")})) in before  # at 0
    for text in (
        "/plan",
        "/PLAN@wgbot_test_bot",
        "/help",
        "/frobnicate",  # no such command
        "/plan@some_other_bot",  # another bot's
        "/<b>&'\"",  # what a user types never becomes a label
        "good morning",  # not a command
    ):
        await run.say(GROUP, BAT, text)
    after = await scrape(run)
    assert value(after, "wgbot_commands_total", command="plan") == 2
    assert value(after, "wgbot_commands_total", command="help") == 1
    assert value(after, "wgbot_commands_total", command="other") == 3
    # The labels are the command table's and "other", before and after.
    assert labels_of(after, "wgbot_commands_total") == labels_of(before, "wgbot_commands_total")
    assert "frobnicate" not in labels_of(after, "wgbot_commands_total")
    assert value(after, "wgbot_updates_total") - value(before, "wgbot_updates_total") == 7


async def test_sends_their_delay_and_429s_are_counted(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram
) -> None:
    await link_example(engine)
    # A reply that meets a 429 waits its retry_after and goes again.
    fake.fail("sendMessage", kind="429", chat_id=GROUP, retry_after=1)
    await run.unique_reply(GROUP, BAT, "/plan")
    samples = await scrape(run)
    assert value(samples, "wgbot_telegram_429_total", source="reply") == 1
    assert value(samples, "wgbot_telegram_429_total", source="outbox") == 0
    assert value(samples, "wgbot_notifications_sent_total", kind="digest_now") == 0
    # /digest goes through the outbox; its photo meets a 429 first.
    fake.fail("sendPhoto", kind="429", chat_id=GROUP, retry_after=1)
    await run.say_then_deliver(GROUP, OYUNA, "/digest")
    samples = await scrape(run)
    assert value(samples, "wgbot_notifications_sent_total", kind="digest_now") == 1
    assert value(samples, "wgbot_telegram_429_total", source="outbox") == 1
    assert value(samples, "wgbot_delivery_delay_seconds_count") == 1
    # The fixed clock did not move: it went at its due time.
    assert value(samples, "wgbot_delivery_delay_seconds_bucket", le="1.0") == 1


async def test_failures_and_pending_come_from_the_outbox(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock
) -> None:
    await link_example(engine)
    await add_pending(engine, due=clock.now() + dt.timedelta(hours=1))
    samples = await scrape(run)
    assert value(samples, "wgbot_notifications_pending") == 1
    assert value(samples, "wgbot_notifications_overdue") == 0
    # The bot was removed from the group: its digest fails, and so does the chat.
    fake.fail("sendPhoto", kind="403", chat_id=GROUP)
    await run.say_then_deliver(GROUP, OYUNA, "/digest")
    samples = await scrape(run)
    assert value(samples, "wgbot_notifications_failed_total", reason="chat_gone") == 1
    assert value(samples, "wgbot_notifications_sent_total", kind="digest_now") == 0
    # say_then_deliver ran a planning pass at the fixed clock's time.
    assert value(samples, "wgbot_planned_seconds_ago") == 0


def test_two_applications_count_apart() -> None:
    """Each application has a registry of its own: no clash, no shared counts."""
    one, two = PrometheusMetrics(), PrometheusMetrics()
    one.command("plan")
    one.command("drop table")
    assert b'wgbot_commands_total{command="plan"} 1.0' in one.exposition()
    assert b'wgbot_commands_total{command="other"} 1.0' in one.exposition()
    assert b'wgbot_commands_total{command="plan"} 0.0' in two.exposition()
