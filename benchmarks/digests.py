"""Scenario d: what one weekly digest costs, for a plan of 10 and one of 200 commitments.

Each plan (3 milestones a commitment, a weekly meeting) is imported for a group of its
own, with one progress update a commitment during the week. Counted: the SQL statements
`storage.digest.collect_digest` sends (an SQLAlchemy `before_cursor_execute` listener on
the engine), which must be the same small number whatever the plan's size; timed: the
read alone, and the whole digest (read, chart and text: `bot.digest.digest_parts`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
import time
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.plans import generated_plan, import_one
from bot.digest import digest_parts
from bot.i18n import translator
from domain.enums import Status
from storage.db import create_engine, create_sessionmaker
from storage.digest import collect_digest
from storage.models import Milestone, ProgressUpdate, WorkingGroup

SIZES = (10, 200)


@dataclasses.dataclass(frozen=True)
class DigestCost:
    commitments: int
    statements: int  # SQL statements of one collect_digest
    read_ms: float  # median collect_digest
    whole_ms: float  # median collect_digest + chart + text


class StatementCounter:
    """Counts the statements an engine sends while `counting` is on."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        self.counting = False
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        if self.counting:
            self.count += 1


async def digest_costs(url: str, repeats: int) -> list[DigestCost]:
    """Both plans imported into the empty database at `url`; one cost for each."""
    now = dt.datetime.now(dt.UTC)
    engine = create_engine(url)
    try:
        groups = {}
        for i, size in enumerate(SIZES):
            group = await import_one(engine, generated_plan(size), -5_000_000 - i, now)
            await _week_of_updates(engine, group, now)
            groups[size] = group
        counter = StatementCounter(engine)
        return [await _cost(engine, counter, size, groups[size], now, repeats) for size in SIZES]
    finally:
        await engine.dispose()


async def _week_of_updates(engine: AsyncEngine, group: int, now: dt.datetime) -> None:
    """One update a commitment (on its first milestone) during the past week."""
    async with engine.begin() as conn:
        rows = (
            await conn.execute(
                select(Milestone.id, Milestone.number).where(Milestone.working_group_id == group)
            )
        ).all()
        firsts = [(mid, number) for mid, number in rows if number.endswith(".1")]
        await conn.execute(
            insert(ProgressUpdate),
            [
                {
                    "milestone_id": mid,
                    "member_id": None,
                    "reporter_name": "Bench reporter",
                    "agency_id": None,
                    "created_at": now - dt.timedelta(hours=1 + i % 150),
                    "status": Status.SUBSTANTIAL,
                    "note": f"Progress on {number}",
                }
                for i, (mid, number) in enumerate(firsts)
            ],
        )


async def _cost(
    engine: AsyncEngine,
    counter: StatementCounter,
    size: int,
    group_id: int,
    now: dt.datetime,
    repeats: int,
) -> DigestCost:
    sessionmaker = create_sessionmaker(engine)
    reads: list[float] = []
    wholes: list[float] = []
    statements = 0
    for _ in range(max(1, repeats)):
        async with sessionmaker() as session:
            group = await session.get(WorkingGroup, group_id)
            assert group is not None
            t = translator(group.language)
            counter.count, counter.counting = 0, True
            began = time.perf_counter()
            data = await collect_digest(session=session, group=group, now=now)
            read = time.perf_counter() - began
            counter.counting = False
            statements = counter.count
            digest_parts(t, data)
            whole = time.perf_counter() - began
        reads.append(read * 1000)
        wholes.append(whole * 1000)
    return DigestCost(
        commitments=size,
        statements=statements,
        read_ms=statistics.median(reads),
        whole_ms=statistics.median(wholes),
    )
