"""Scenario b: N groups with a meeting reminder due in the same minute, against a fake
that counts like Telegram (30 messages a second, 20 a minute in a group; 429 past them).

Every group has one meeting, three days ahead at 15:00 UTC, reminded of one hour before
(and no weekly digest); the clock stands one hour before it, so each group's reminder
is due at once. The real planner writes
them (scheduler.planner.plan_all) and the real delivery sends them (the notification
service's DeliveryWorker with Telegram's RateLimits, rendering each with the bot's
renderer). The fake answers after 50 ms, Telegram's round trip.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections import Counter

from sqlalchemy import update
from telegram import Bot

from benchmarks.plans import link_groups
from bot.notices import render_notice
from domain.clock import FixedClock
from domain.ratelimit import RateLimits
from fakebot import FakeTelegram, FloodLimits
from scheduler.delivery import DeliveryConfig
from scheduler.planner import plan_all
from scheduler.service import NotificationService
from storage.db import create_engine, create_sessionmaker
from storage.models import WorkingGroup
from storage.planfile import PlanFile

GRACE = dt.timedelta(hours=6)
LATENCY = 0.05


def meeting_instant(today: dt.date) -> dt.datetime:
    """15:00 UTC three days ahead."""
    day = today + dt.timedelta(days=3)
    return dt.datetime.combine(day, dt.time(15, 0), tzinfo=dt.UTC)


def meeting_plan(start: dt.datetime) -> PlanFile:
    return PlanFile.model_validate(
        {
            "working_group": {"name": "Fan-out group", "timezone": "UTC", "language": "en"},
            "meetings": [
                {
                    "title": "Working group meeting",
                    "when": start.strftime("%Y-%m-%d %H:%M"),
                    "place": "Government House, room 4",
                }
            ],
        }
    )


@dataclasses.dataclass(frozen=True)
class Fanout:
    groups: int
    planned_s: float  # one planning pass writing the reminders
    first_s: float  # delivery start to the first message at the fake
    last_s: float  # … to the last
    rate: float  # messages a second, start to last
    refusals: int  # 429s the fake answered
    peak_per_s: int  # most messages at the fake in any 1 s
    delivered_once: bool  # every group got exactly one message


async def fanout(url: str, groups: int) -> Fanout:
    """The reminders of `groups` groups (linked in the empty database at `url`)."""
    now = dt.datetime.now(dt.UTC)
    start = meeting_instant(now.date())
    clock = FixedClock(start - dt.timedelta(hours=1))
    chats = [-3_000_000 - i for i in range(groups)]
    engine = create_engine(url)
    try:
        await link_groups(engine, meeting_plan(start), chats, now)
        async with engine.begin() as conn:  # what /settings would say: one reminder
            await conn.execute(
                update(WorkingGroup).values(digest_weekday=None, meeting_offsets_minutes=[60])
            )
        sessionmaker = create_sessionmaker(engine)
        began = time.perf_counter()
        written = await plan_all(sessionmaker, now=clock.now(), grace=GRACE)
        planned_s = time.perf_counter() - began
        if written != groups:  # one reminder per group, nothing else
            raise AssertionError(f"planned {written} reminders for {groups} groups")
        fake = FakeTelegram(flood=FloodLimits(), latency=LATENCY)
        for chat in chats:
            fake.add_group(chat, f"group {chat}")
        async with fake, Bot(fake.token, base_url=fake.base_url) as bot:
            service = NotificationService(
                sessionmaker=sessionmaker,
                bot=bot,
                clock=clock,
                grace=GRACE,
                render=render_notice,
                config=DeliveryConfig(limits=RateLimits(), grace=GRACE),
            )
            began_mono = time.monotonic()
            delivered = await service.worker.drain()
            sends = fake.send_log
            refusals = fake.flood_refusals
            peak = fake.max_sends_in_window(1.0)
    finally:
        await engine.dispose()
    times = [at for at, _, _ in sends]
    per_chat = Counter(chat for _, chat, _ in sends)
    last = max(times) - began_mono if times else 0.0
    return Fanout(
        groups=groups,
        planned_s=planned_s,
        first_s=min(times) - began_mono if times else 0.0,
        last_s=last,
        rate=len(times) / last if last else 0.0,
        refusals=refusals,
        peak_per_s=peak,
        delivered_once=delivered == groups
        and len(per_chat) == groups
        and set(per_chat.values()) == {1},
    )
