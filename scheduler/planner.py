"""Planning: the database says what should be sent; the outbox is brought in line with it.

Run every minute for every group (by the leader only), and at once for one group when a
change moves a time. Idempotent: planning twice changes nothing the second time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.rules import Window, plan_notifications
from domain.tracked import tracked_rules
from storage.actions import action_facts, private_chats_by_agency
from storage.db import transaction
from storage.minutes import close_expired
from storage.models import Notification, WorkingGroup
from storage.ogp import ogp_facts
from storage.outbox import clean_up as clean_up_outbox
from storage.outbox import drop_stale, reconcile, store_planned
from storage.reminders import all_group_ids, group_facts, meeting_facts, milestone_facts

log = logging.getLogger(__name__)

# How far ahead notifications are written: a downtime shorter than this finds its
# reminders already in the outbox, so nothing needs recomputing to know what was missed.
HORIZON = dt.timedelta(hours=48)
# A sending row whose worker has been silent this long is taken over by another.
LEASE = dt.timedelta(minutes=2)
# Settled notifications are kept this long (past their grace window), for the record.
KEEP = dt.timedelta(days=90)
# A chat's send window unused this long is forgotten (an empty window is the same).
IDLE_WINDOW = dt.timedelta(days=1)


@dataclasses.dataclass(frozen=True)
class PlanResult:
    written: list[str]
    cancelled: list[str]
    dropped: list[str]


def planning_window(now: dt.datetime, grace: dt.timedelta) -> Window:
    """From the grace window behind `now` to the horizon ahead."""
    return Window(start=now - grace, end=now + HORIZON)


async def plan_group(
    *,
    session: AsyncSession,
    group: WorkingGroup,
    now: dt.datetime,
    grace: dt.timedelta,
    drop: bool = True,
) -> PlanResult:
    """Write the group's notifications due within the window; cancel the unwanted ones;
    with `drop`, drop its rows past the grace window first (plan_all drops everyone's
    at once)."""
    window = planning_window(now, grace)
    # Minutes open for 4 hours close themselves first: closing counts as a forum meeting.
    await close_expired(session=session, group=group, now=now)
    facts = await group_facts(session=session, group=group, window=window)
    private = await private_chats_by_agency(session=session, group_id=group.id)
    planned = plan_notifications(
        facts,
        await meeting_facts(session=session, group_id=group.id),
        await milestone_facts(session=session, group=group, private=private),
        window,
        now=now,
        extra=tracked_rules(
            await action_facts(session=session, group_id=group.id, private=private),
            await ogp_facts(session=session, group=group),
        ),
    )
    dropped = (
        await drop_stale(session=session, now=now, grace=grace, lease=LEASE, group_id=group.id)
        if drop
        else []
    )
    followed = await reconcile(
        session=session, group_id=group.id, planned=planned, window=window, now=now
    )
    written = await store_planned(
        session=session,
        group_id=group.id,
        planned=[p for p in planned if p.key not in followed.present],
        now=now,
        grace=grace,
    )
    cancelled = followed.cancelled
    for key in cancelled:
        log.info("cancelled %s: no longer wanted", key)
    return PlanResult(written=written, cancelled=cancelled, dropped=dropped)


async def plan_one(
    sessionmaker: async_sessionmaker[AsyncSession],
    group_id: int,
    *,
    now: dt.datetime,
    grace: dt.timedelta,
    drop: bool = True,
) -> PlanResult | None:
    """Plan one group in its own transaction; None when the group is gone."""
    async with transaction(sessionmaker) as session:
        group = await session.get(WorkingGroup, group_id)
        if group is None:
            return None
        return await plan_group(session=session, group=group, now=now, grace=grace, drop=drop)


async def plan_all(
    sessionmaker: async_sessionmaker[AsyncSession], *, now: dt.datetime, grace: dt.timedelta
) -> int:
    """Plan every group, one transaction each (a broken group does not stop the others).

    Returns how many notifications were written.
    """
    async with sessionmaker() as session:
        group_ids = await all_group_ids(session=session)
    try:  # everyone's rows past the grace window in one statement, not one a group
        async with transaction(sessionmaker) as session:
            await drop_stale(session=session, now=now, grace=grace, lease=LEASE)
        drop = False
    except Exception:
        log.exception("dropping stale notifications failed; each group drops its own")
        drop = True
    written = 0
    for group_id in group_ids:
        try:
            result = await plan_one(sessionmaker, group_id, now=now, grace=grace, drop=drop)
        except Exception:
            log.exception("planning group %s failed", group_id)
            continue
        written += len(result.written) if result else 0
    return written


async def clean_up(
    sessionmaker: async_sessionmaker[AsyncSession], *, now: dt.datetime, grace: dt.timedelta
) -> tuple[int, int]:
    """Daily: forget notifications settled more than KEEP ago and idle send windows."""
    async with transaction(sessionmaker) as session:
        counts = await clean_up_outbox(
            session=session, before=now - grace - KEEP, idle_since=now - IDLE_WINDOW
        )
    if any(counts):
        log.info("clean-up: forgot %d old notifications and %d idle send windows", *counts)
    return counts


async def note_gap(
    sessionmaker: async_sessionmaker[AsyncSession], *, now: dt.datetime, grace: dt.timedelta
) -> tuple[dt.datetime, dt.datetime] | None:
    """At start: reminders due more than HORIZON after the last planning round were never
    queued, so they get no "dropped" line of their own; one line says what was missed.
    Returns the span that was never planned, if any."""
    async with sessionmaker() as session:
        last = await session.scalar(select(func.max(Notification.created_at)))
    if last is None or last + HORIZON >= now - grace:
        return None
    start, end = last + HORIZON, now - grace
    log.warning(
        "dropped: nothing was planned since %s (the bot was away longer than its %s "
        "horizon); notifications due between %s and %s were never queued and are not sent",
        last.isoformat(timespec="minutes"),
        HORIZON,
        start.isoformat(timespec="minutes"),
        end.isoformat(timespec="minutes"),
    )
    return start, end
