"""Scenario c: many working groups, each with 20 milestones and a weekly meeting.

The groups are inserted with bulk inserts (benchmarks.plans.clone_group). Then a fresh
process (`python -m benchmarks.scale --child`, so its memory is the bot's alone) runs
the bot's lifecycle against a fake served here: start to ready (`running(...)` entered
until it long-polls), then one planning pass over every group (scheduler.planner.plan_all,
the pass the leader runs every minute, writing what falls within 48 hours); at the
smallest size a second pass too (nothing new to write, as most minutes are). It reports
its peak RSS (VmHWM). That is done at 1,000 groups and again at N (the groups added to
the same database), so the growth per group is a ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import logging
import os
import resource
import sys
import time
from pathlib import Path

from benchmarks.plans import clone_group, generated_plan, import_one
from fakebot import FakeTelegram
from scheduler.planner import plan_all
from storage.db import create_engine, create_sessionmaker
from storage.planfile import PlanFile
from wgbot.lifecycle import Polling, running
from wgbot.settings import Settings

GRACE = dt.timedelta(minutes=360)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CHILD_TIMEOUT = 1800.0


def scale_plan(today: dt.date) -> PlanFile:
    """5 commitments x 4 milestones; the weekly meeting falls tomorrow, within 48 hours."""
    tomorrow = DAYS[(today.weekday() + 1) % 7]
    return generated_plan(5, 4, today=today, meeting=f"every {tomorrow} 10:00")


@dataclasses.dataclass(frozen=True)
class Measured:
    groups: int
    ready_s: float  # running(...) entered until polling
    first_pass_s: float  # plan_all right after start: writes the 48 hours ahead
    steady_pass_s: float | None  # plan_all again, nothing new (measured at the smallest size)
    written: int  # notifications the first pass wrote
    peak_rss_mb: float


@dataclasses.dataclass(frozen=True)
class Scale:
    insert_s: float  # bulk-inserting the groups (up to the largest size)
    sizes: list[Measured]


async def scale(url: str, sizes: tuple[int, ...]) -> Scale:
    """Groups added to the empty database at `url` up to each size, measured at each."""
    now = dt.datetime.now(dt.UTC)
    plan = scale_plan(now.date())
    measured: list[Measured] = []
    insert_s = 0.0
    async with FakeTelegram() as fake:
        have = 0
        template: int | None = None
        for size in sorted(sizes):
            engine = create_engine(url)
            began = time.perf_counter()
            try:
                if template is None:
                    template = await import_one(engine, plan, _chat(0), now)
                    have = 1
                await clone_group(engine, template, [_chat(i) for i in range(have, size)])
                have = size
            finally:
                await engine.dispose()
            insert_s += time.perf_counter() - began
            measured.append(await _child(url, fake, size, passes=1 if measured else 2))
    return Scale(insert_s=insert_s, sizes=measured)


def _chat(i: int) -> int:
    return -4_000_000 - i


async def _child(url: str, fake: FakeTelegram, groups: int, *, passes: int) -> Measured:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.scale",
        "--passes",
        str(passes),
        "--child",
        url,
        fake.base_url,
        fake.token,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PTB_TIMEDELTA": "true"},
    )
    out, _ = await asyncio.wait_for(process.communicate(), CHILD_TIMEOUT)
    if process.returncode != 0:
        raise RuntimeError(f"the scale child failed ({process.returncode})")
    data = json.loads(out.decode().strip().splitlines()[-1])
    return Measured(groups=groups, **data)


# --- the child ---------------------------------------------------------------------------


async def _measure(url: str, base_url: str, token: str, passes: int) -> dict[str, float | None]:
    settings = Settings(
        _env_file=None,
        telegram_token=token,
        telegram_base_url=base_url,
        database_url=url,
        http_port=0,
    )
    began = time.perf_counter()
    async with running(settings, polling=Polling(interval=0.0, timeout=1)):
        ready = time.perf_counter() - began
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    try:
        now = dt.datetime.now(dt.UTC)
        began = time.perf_counter()
        written = await plan_all(sessionmaker, now=now, grace=GRACE)
        first = time.perf_counter() - began
        steady = None
        if passes > 1:
            began = time.perf_counter()
            await plan_all(sessionmaker, now=now, grace=GRACE)
            steady = time.perf_counter() - began
    finally:
        await engine.dispose()
    return {
        "ready_s": ready,
        "first_pass_s": first,
        "steady_pass_s": steady,
        "written": written,
        "peak_rss_mb": _peak_rss_mb(),
    }


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=3, metavar=("URL", "BASE_URL", "TOKEN"), required=True)
    parser.add_argument("--passes", type=int, default=1)
    options = parser.parse_args()
    url, base_url, token = options.child
    logging.basicConfig(level=logging.ERROR)  # the planner's per-row lines are not ours
    print(json.dumps(asyncio.run(_measure(url, base_url, token, options.passes))))


if __name__ == "__main__":
    _child_main()
