"""A running bot against the fake Bot API, over HTTP, on each database."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import FixedClock
from fakebot import FakeTelegram
from storage.planfile import load_plan
from tests.conftest import EXAMPLES, import_into
from wgbot.harness import BotRun, settings_for

GROUP = -1001500
UNLINKED = -1009999
OYUNA, BAT = 501, 502  # a coordinator (chat admin) and a member
NOW = dt.datetime(2022, 9, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Ulaanbaatar


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(bot_username="wgbot_test_bot") as fake:
        fake.add_user(OYUNA, "Oyuna", username="oyuna", language_code="mn")
        fake.add_user(BAT, "Bat", username="bat", language_code="en")
        fake.add_group(GROUP, "Mongolia OGP Working Group", admins=[OYUNA])
        fake.add_group(UNLINKED, "Somebody else's group", admins=[OYUNA])
        yield fake


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def link_example(engine: AsyncEngine, *, language: str = "en") -> None:
    """What `wgbot import examples/mongolia-2021-2023.yaml --chat GROUP` does."""
    plan = load_plan(EXAMPLES / "mongolia-2021-2023.yaml")
    assert plan.working_group is not None
    plan = plan.model_copy(
        update={"working_group": plan.working_group.model_copy(update={"language": language})}
    )
    await import_into(engine, plan, chat_id=GROUP, now=NOW)


@pytest.fixture
def services() -> bool:
    """Whether the scheduler runs too; a module about what the bot sends on its own
    overrides this fixture with True."""
    return False


@pytest.fixture
async def run(
    fake: FakeTelegram, engine: AsyncEngine, db_url: str, clock: FixedClock, services: bool
) -> AsyncIterator[BotRun]:
    async with BotRun(fake, settings_for(fake, db_url), clock=clock, services=services) as run:
        yield run
