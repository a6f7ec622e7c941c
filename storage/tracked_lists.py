"""/deadlines, /overdue and /mine: milestones and action items in one list, by due date."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from storage.actions import action_rows
from storage.deadlines import DeadlineRow, DueList, due_between, of_agency, overdue_at


def _by_due(rows: list[DeadlineRow]) -> list[DeadlineRow]:
    # Stable: on one date, milestones (in plan order) come before action items.
    return sorted(rows, key=lambda r: r.due)


async def tracked_due_between(
    *, session: AsyncSession, group_id: int, start: dt.date, end: dt.date
) -> DueList:
    """/deadlines: open milestones and action items due from `start` through `end`."""
    milestones = await due_between(session=session, group_id=group_id, start=start, end=end)
    actions = await action_rows(
        session=session, group_id=group_id, start=start, end=end, open_only=False
    )
    open_actions_ = [a for a in actions if a.status.is_open]
    return DueList(
        rows=tuple(_by_due([*milestones.rows, *open_actions_])),
        done=milestones.done + len(actions) - len(open_actions_),
    )


async def tracked_overdue_at(
    *, session: AsyncSession, group_id: int, today: dt.date
) -> list[DeadlineRow]:
    """/overdue: open milestones and action items past their due date."""
    milestones = await overdue_at(session=session, group_id=group_id, today=today)
    actions = await action_rows(
        session=session, group_id=group_id, end=today - dt.timedelta(days=1)
    )
    return _by_due([*milestones, *actions])


async def tracked_of_agency(
    *, session: AsyncSession, group_id: int, agency_id: int
) -> list[DeadlineRow]:
    """/mine: an agency's milestones and its action items with a due date."""
    milestones = await of_agency(session=session, group_id=group_id, agency_id=agency_id)
    actions = await action_rows(
        session=session, group_id=group_id, agency_id=agency_id, open_only=False
    )
    return _by_due([*milestones, *actions])
