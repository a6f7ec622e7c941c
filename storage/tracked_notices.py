"""What the notifications of action items, the OGP watch and self-closing minutes need
to be rendered, read when they are due (storage.notices hands these kinds over here).

None when the facts no longer call for the message: the action item was closed or its
due date moved, a newer OGP date moved the lapse date, the minutes are gone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from domain.ogp import Requirement, lapse_date
from domain.rules import ACTION_DEADLINE, ACTION_OVERDUE, MINUTES_CLOSED, OGP
from storage.actions import label
from storage.claims import Claimed
from storage.minutes import MinutesView, minutes_by_id, minutes_view
from storage.models import ActionItem, Agency, WorkingGroup
from storage.ogp import ogp_facts

if TYPE_CHECKING:
    from storage.notices import Head

TRACKED_KINDS = frozenset({ACTION_DEADLINE, ACTION_OVERDUE, OGP, MINUTES_CLOSED})


@dataclasses.dataclass(frozen=True)
class ActionNotice:
    """An action item's deadline reminder or overdue notice."""

    head: Head
    number: str  # A3
    text: str
    agency_code: str | None
    due: dt.date
    offset_days: int = 0
    private: bool = False


@dataclasses.dataclass(frozen=True)
class OgpNotice:
    head: Head
    requirement: Requirement
    last: dt.date | None  # None: never recorded (counted from the group's creation)
    lapses: dt.date
    days: int  # days left: 30, 7 or 0


@dataclasses.dataclass(frozen=True)
class MinutesNotice:
    """Minutes that closed themselves after 4 hours, posted with a notice."""

    head: Head
    minutes: MinutesView


TrackedNotice = ActionNotice | OgpNotice | MinutesNotice
TRACKED_NOTICES = (ActionNotice, OgpNotice, MinutesNotice)


async def gather_tracked(
    *, session: AsyncSession, row: Claimed, head: Head, group: WorkingGroup
) -> TrackedNotice | None:
    if row.kind in (ACTION_DEADLINE, ACTION_OVERDUE):
        return await _action(session, row, head, group)
    if row.kind == OGP:
        facts = await ogp_facts(session=session, group=group)
        requirement = Requirement(row.payload["requirement"])
        last = facts.forum if requirement is Requirement.FORUM else facts.repository
        lapses = lapse_date(last if last is not None else facts.created)
        if lapses.isoformat() != row.payload["lapses"]:
            return None  # a newer date was recorded: the planner has written new warnings
        return OgpNotice(
            head, requirement=requirement, last=last, lapses=lapses, days=int(row.payload["days"])
        )
    minutes = await minutes_by_id(session=session, minutes_id=int(row.payload["minutes_id"]))
    if minutes is None or minutes.working_group_id != group.id:
        return None
    return MinutesNotice(head, await minutes_view(session=session, group=group, minutes=minutes))


async def _action(
    session: AsyncSession, row: Claimed, head: Head, group: WorkingGroup
) -> ActionNotice | None:
    item = await session.get(ActionItem, int(row.payload["action_id"]))
    if item is None or item.working_group_id != group.id or not item.status.is_open:
        return None
    if item.due is None or item.due.isoformat() != row.payload.get("due"):
        return None
    agency = await session.get(Agency, item.agency_id) if item.agency_id is not None else None
    return ActionNotice(
        head,
        number=label(item.number),
        text=item.text,
        agency_code=agency.code if agency else None,
        due=item.due,
        offset_days=int(row.payload.get("offset", 0)),
        private=bool(row.payload.get("private")),
    )
