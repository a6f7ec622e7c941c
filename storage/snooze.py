"""Snoozing a private reminder: the same reminder again, for that member, on a working day.

A snooze is a new outbox row of kind SNOOZE with the key
`snooze:<notification id>:<tomorrow|week>`, so a second press of the same button finds
the row already there and plans nothing more. Whether the reminder still applies is
decided as delivery decides it (storage.notices.gather_notice): a completed, withdrawn
or archived milestone, a moved due date or a member who left make the button expired.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import zoneinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.quiet import SNOOZE
from domain.recurrence import place
from domain.rules import ACTION_DEADLINE, DEADLINE, QUIET, Planned
from storage.claims import detached
from storage.models import Notification, WorkingGroup
from storage.notices import gather_notice
from storage.outbox import State, store_planned
from storage.quiet import quiet_calendar

# The kinds whose private messages carry the buttons.
SNOOZABLE = frozenset({DEADLINE, QUIET, ACTION_DEADLINE})  # action items: as milestones


class Later(enum.StrEnum):
    TOMORROW = "tomorrow"
    WEEK = "week"


@dataclasses.dataclass(frozen=True)
class Snoozed:
    """The reminder comes back at `at` (in `timezone`); `fresh` False: planned before."""

    at: dt.datetime
    timezone: str
    language: str
    fresh: bool


def _kind(row: Notification) -> str:
    return str(row.payload.get("of", "")) if row.kind == SNOOZE else row.kind


async def snooze(
    *,
    session: AsyncSession,
    notification_id: int,
    user_id: int,
    later: Later,
    now: dt.datetime,
) -> Snoozed | None:
    """Plan the reminder `notification_id` again for the member `user_id` (its private
    chat's recipient); None when the reminder is not theirs, unknown, or settled."""
    row = await session.get(Notification, notification_id)
    if (
        row is None
        or row.chat_id != user_id
        or row.working_group_id is None
        or not row.payload.get("private")
        or _kind(row) not in SNOOZABLE
        or row.state != State.SENT
    ):
        return None
    # The reminder as it would be sent afresh: on time, from its first part.
    claimed = dataclasses.replace(detached(row), late=False, attempts=0, parts_sent=0)
    notice = await gather_notice(session=session, row=claimed)
    group = await session.get(WorkingGroup, row.working_group_id)
    if notice is None or group is None:
        return None
    tz = zoneinfo.ZoneInfo(group.timezone)
    today = now.astimezone(tz).date()
    wall = row.due_at.astimezone(tz).time()
    ahead = 1 if later is Later.TOMORROW else 7
    calendar = await quiet_calendar(
        session=session, group=group, first=today, last=today + dt.timedelta(days=ahead)
    )
    day = calendar.working_day(today + dt.timedelta(days=ahead), 1) or (
        today + dt.timedelta(days=ahead)
    )
    at = place(dt.datetime.combine(day, wall), tz).astimezone(dt.UTC)
    # One snooze per reminder: a second press, of either button (a race, or a forged
    # one: the buttons are gone once pressed), finds the first.
    earlier = await session.scalar(
        select(Notification.due_at).where(Notification.key.like(f"{SNOOZE}:{row.id}:%"))
    )
    if earlier is not None:
        return Snoozed(
            at=earlier, timezone=group.timezone, language=notice.head.language, fresh=False
        )
    key = f"{SNOOZE}:{row.id}:{later.value}"
    planned = Planned(
        key=key,
        kind=SNOOZE,
        chat_id=row.chat_id,
        due_at=at,
        payload={**row.payload, "of": _kind(row), "snoozed": row.id},
    )
    written = await store_planned(
        session=session, group_id=group.id, planned=[planned], now=now, grace=dt.timedelta(0)
    )
    if not written:
        at = await session.scalar(select(Notification.due_at).where(Notification.key == key)) or at
    return Snoozed(
        at=at, timezone=group.timezone, language=notice.head.language, fresh=bool(written)
    )
