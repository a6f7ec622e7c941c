"""`wgbot demo`: the real bot, offline, against the fake Bot API, with the example plan.

What a newcomer runs first: it starts the fake Telegram on a free loopback port, the
bot against it with SQLite in a temporary folder, links a group with the example plan
(as `wgbot import` does), plays a short conversation and prints the transcript.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import tempfile
from importlib import resources
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from fakebot import FakeTelegram
from scheduler.clock import FixedClock
from storage.db import create_engine, create_sessionmaker, migrate, transaction
from storage.plan_import import import_plan
from storage.planfile import load_plan
from wgbot.harness import BotRun, settings_for
from wgbot.logs import configure_logging
from wgbot.settings import Settings

EXAMPLE = "mongolia-2021-2023.yaml"
GROUP, OTHER_GROUP = -1001000000001, -1001000000002
COORDINATOR, MEMBER = 1001, 1002
# Mid-plan, so that some milestones are due and some overdue, as in a real term.
DEMO_NOW = dt.datetime(2022, 10, 3, 1, 0, tzinfo=dt.UTC)  # 09:00 in Ulaanbaatar

# (chat, user, text): the conversation, in order.
SCRIPT_UNLINKED = [(OTHER_GROUP, MEMBER, "/start")]
SCRIPT_LINKED = [
    (GROUP, MEMBER, "/start"),
    (GROUP, MEMBER, "/plan"),
    (GROUP, COORDINATOR, "/commitment 3"),
    (GROUP, MEMBER, "/commitment"),
    (GROUP, MEMBER, "/commitment 12"),
    (GROUP, MEMBER, "/frobnicate@wgbot_demo_bot"),
]


def example_plan_path() -> Path:
    """examples/ beside the source tree, or the copy shipped inside the package."""
    beside = Path(__file__).resolve().parent.parent / "examples" / EXAMPLE
    if beside.exists():
        return beside
    return Path(str(resources.files("wgbot") / "examples" / EXAMPLE))


def _say(line: str = "") -> None:
    print(line, flush=True)


async def run_demo(settings: Settings) -> int:
    """Play the scripted conversation and print it; 0 when every step was answered."""
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
                _say("wgbot demo: the real bot, offline, against a stand-in for Telegram.")
                _say(f"(a temporary SQLite database in {folder}; nothing is kept)")
                _say(f"(the demo's clock reads {DEMO_NOW:%Y-%m-%d}, in the middle of the plan)")
                _say()
                async with BotRun(fake, demo_settings, clock=FixedClock(DEMO_NOW)) as run:
                    await _play(run, SCRIPT_UNLINKED)
                    await _link(engine, settings)
                    await _play(run, SCRIPT_LINKED)
                _say("— transcript of the group that was never linked —")
                _say(fake.render_transcript(OTHER_GROUP))
                _say()
                _say(
                    f"$ wgbot import examples/{EXAMPLE} --chat {GROUP}   "
                    "# a coordinator links the working group's chat"
                )
                _say()
                _say("— transcript of the working group's chat —")
                _say(fake.render_transcript(GROUP))
            finally:
                await engine.dispose()
    _say()
    _say("Next: get a token from @BotFather, put it in WGBOT_TELEGRAM_TOKEN, then `make run`.")
    return 0


async def _link(engine: AsyncEngine, settings: Settings) -> None:
    plan = load_plan(example_plan_path())
    if plan.working_group is not None:
        # The demo speaks the reader's language (WGBOT_LANGUAGE), not the example's.
        spec = plan.working_group.model_copy(update={"language": settings.language})
        plan = plan.model_copy(update={"working_group": spec})
    async with transaction(create_sessionmaker(engine)) as session:
        await import_plan(session=session, plan=plan, chat_id=GROUP, now=DEMO_NOW)


async def _play(run: BotRun, script: list[tuple[int, int, str]]) -> None:
    for chat_id, user_id, text in script:
        replies = await run.say(chat_id, user_id, text)
        if not replies and chat_id == GROUP:
            print(f"wgbot demo: no answer to {text!r}", file=sys.stderr)
