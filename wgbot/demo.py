"""`wgbot demo`: the real bot, offline, against the fake Bot API, with the example plan.

What a newcomer runs first: it starts the fake Telegram on a free loopback port, the
bot against it with SQLite in a temporary folder, links a group with the example plan
(as `wgbot import` does), plays one Monday morning of a working group on a clock it
moves itself (commands, a progress update, a meeting reminder, the weekly digest with
its chart) and prints the chat as it happens. Seconds, not minutes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import tempfile
from importlib import resources
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.i18n import Translator, translator
from domain.clock import FixedClock
from fakebot import FakeTelegram
from fakebot.transcript import render
from storage.db import create_engine, create_sessionmaker, migrate, transaction
from storage.plan_import import import_plan
from storage.planfile import load_plan
from wgbot.harness import BotRun, settings_for
from wgbot.logs import configure_logging
from wgbot.settings import Settings

EXAMPLE = "mongolia-2021-2023.yaml"
GROUP, OTHER_GROUP = -1001000000001, -1001000000002
COORDINATOR, MEMBER = 1001, 1002
# A Monday in the middle of the plan: the weekly digest is due at 09:00 local.
START = dt.datetime(2022, 10, 3, 0, 30, tzinfo=dt.UTC)  # 08:30 in Ulaanbaatar


@dataclasses.dataclass(frozen=True)
class Say:
    chat_id: int
    user_id: int
    text: str


@dataclasses.dataclass(frozen=True)
class Link:
    """A coordinator runs `wgbot import` for the group's chat."""


@dataclasses.dataclass(frozen=True)
class Wait:
    """The clock moves on, and the scheduler plans and delivers what is due."""

    until_local: dt.time


SCRIPT: list[Say | Link | Wait] = [
    Say(OTHER_GROUP, MEMBER, "/start"),
    Link(),
    Say(GROUP, MEMBER, "/start"),
    Say(GROUP, MEMBER, "/plan"),
    Say(GROUP, COORDINATOR, "/commitment 3"),
    Say(GROUP, MEMBER, "/commitment"),
    Say(GROUP, MEMBER, "/commitment 12"),
    Say(GROUP, MEMBER, "/frobnicate@wgbot_demo_bot"),
    Say(
        GROUP,
        MEMBER,
        "/update 3.2 limited Draft regulation sent to the Ministry of Finance "
        "https://example.org/draft-regulation",
    ),
    Say(GROUP, MEMBER, "/meeting add 2022-10-03 10:00 Should fail: members cannot add"),
    Say(GROUP, COORDINATOR, "/meeting add 2022-10-03 10:00 Working group: procurement review"),
    Say(GROUP, MEMBER, "/meetings"),
    Wait(dt.time(9, 0)),
    Wait(dt.time(10, 0)),
]


def example_plan_path() -> Path:
    """examples/ beside the source tree, or the copy shipped inside the package."""
    beside = Path(__file__).resolve().parent.parent / "examples" / EXAMPLE
    if beside.exists():
        return beside
    return Path(str(resources.files("wgbot") / "examples" / EXAMPLE))


def _say(line: str = "") -> None:
    print(line, flush=True)


class _Printer:
    """Prints each chat's new lines as the story goes."""

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self.shown = 0

    def flush(self) -> None:
        entries = self.fake.transcript()
        fresh, self.shown = entries[self.shown :], len(entries)
        if fresh:
            _say(render(self.fake.state, fresh, show_chat=True))


async def run_demo(settings: Settings) -> int:
    """Play the scripted morning and print it; 0 when it ran through."""
    configure_logging(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="wgbot-demo-") as folder:
        database_url = f"sqlite+aiosqlite:///{Path(folder) / 'demo.db'}"
        async with FakeTelegram(bot_username="wgbot_demo_bot") as fake:
            fake.add_user(COORDINATOR, "Oyuna", username="oyuna_ogp")
            fake.add_user(MEMBER, "Bat", username="bat_dec")
            fake.add_group(GROUP, "Mongolia OGP Working Group", admins=[COORDINATOR])
            fake.add_group(OTHER_GROUP, "A group nobody linked yet", admins=[COORDINATOR])
            demo_settings = settings_for(
                fake, database_url, timezone=settings.timezone, language=settings.language
            )
            engine = create_engine(database_url)
            try:
                await migrate(engine)
                t = translator(settings.language)
                _say(t("demo.intro"))
                _say(t("demo.database", folder=folder))
                _say(t("demo.clock"))
                _say()
                clock = FixedClock(START)
                async with BotRun(fake, demo_settings, clock=clock, services=True) as run:
                    await _play(run, engine, clock, settings, _Printer(fake))
            finally:
                await engine.dispose()
    _say()
    _say(translator(settings.language)("demo.next"))
    return 0


async def _play(
    run: BotRun, engine: AsyncEngine, clock: FixedClock, settings: Settings, out: _Printer
) -> None:
    tz = dt.timezone(dt.timedelta(hours=8))  # Ulaanbaatar has no daylight saving
    t = translator(settings.language)
    for step in SCRIPT:
        if isinstance(step, Say):
            await run.say(step.chat_id, step.user_id, step.text)
        elif isinstance(step, Link):
            _say()
            _say(f"$ wgbot import examples/{EXAMPLE} --chat {GROUP}")
            await _link(engine, settings, clock.now(), t)
            _say()
        else:
            clock.set(dt.datetime.combine(START.astimezone(tz).date(), step.until_local, tz))
            _say()
            _say(t("demo.tick", time=f"{step.until_local:%H:%M}"))
            await run.tick()
        out.flush()


async def _link(engine: AsyncEngine, settings: Settings, now: dt.datetime, t: Translator) -> None:
    plan = load_plan(example_plan_path())
    if plan.working_group is not None:
        # The demo speaks the reader's language (WGBOT_LANGUAGE), not the example's.
        spec = plan.working_group.model_copy(update={"language": settings.language})
        plan = plan.model_copy(update={"working_group": spec})
    async with transaction(create_sessionmaker(engine)) as session:
        summary = await import_plan(session=session, plan=plan, chat_id=GROUP, now=now)
    _say(
        t(
            "demo.created",
            name=summary.group_name,
            commitments=summary.commitments,
            milestones=summary.milestones,
            agencies=summary.agencies,
        )
    )
