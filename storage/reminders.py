"""What the reminder rules read: a group's settings, meetings and open milestones, as facts."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import Status
from domain.recurrence import Schedule
from domain.rules import GroupFacts, MeetingFacts, MilestoneFacts, Window
from storage.models import (
    Chat,
    Commitment,
    Meeting,
    Milestone,
    ProgressUpdate,
    WorkingGroup,
)
from storage.quiet import quiet_calendar

_GROUP_CHAT = (
    select(Chat.id)
    .where(
        Chat.working_group_id == bindparam("group_id"),
        Chat.is_primary.is_(True),
        Chat.active.is_(True),
    )
    .order_by(Chat.linked_at.desc(), Chat.id)
    .limit(1)
)


async def group_chat(*, session: AsyncSession, group_id: int) -> int | None:
    """The group chat the bot writes its notices to: the latest linked active primary chat."""
    return await session.scalar(_GROUP_CHAT, {"group_id": group_id})


async def all_group_ids(*, session: AsyncSession) -> list[int]:
    return list(await session.scalars(select(WorkingGroup.id).order_by(WorkingGroup.id)))


def meeting_schedule(meeting: Meeting) -> Schedule:
    return Schedule(
        first_start_local=meeting.first_start_local,
        rrule=meeting.rrule,
        timezone=meeting.timezone,
        skipped_dates=frozenset(dt.date.fromisoformat(d) for d in meeting.skipped_dates or ()),
    )


async def group_facts(
    *, session: AsyncSession, group: WorkingGroup, window: Window | None = None
) -> GroupFacts:
    """With `window`, the group's quiet days around it too (storage.quiet)."""
    tz = zoneinfo.ZoneInfo(group.timezone)
    quiet = (
        await quiet_calendar(
            session=session,
            group=group,
            first=window.start.astimezone(tz).date(),
            last=window.end.astimezone(tz).date(),
        )
        if window is not None
        else None
    )
    return GroupFacts(
        id=group.id,
        timezone=group.timezone,
        chat_id=await group_chat(session=session, group_id=group.id),
        created_at=group.created_at,
        digest_weekday=group.digest_weekday,
        digest_time=group.digest_time,
        deadline_offsets_days=tuple(group.deadline_offsets_days or ()),
        meeting_offsets_minutes=tuple(group.meeting_offsets_minutes or ()),
        quiet_weeks=group.quiet_weeks,
        quiet=quiet,
    )


_MEETINGS = select(Meeting).where(
    Meeting.working_group_id == bindparam("group_id"), Meeting.cancelled_at.is_(None)
)


async def meeting_facts(*, session: AsyncSession, group_id: int) -> list[MeetingFacts]:
    meetings = await session.scalars(_MEETINGS, {"group_id": group_id})
    return [
        MeetingFacts(id=m.id, schedule=meeting_schedule(m), created_at=m.created_at)
        for m in meetings
    ]


_OPEN_MILESTONES = (
    select(Milestone.id, Milestone.due, Milestone.status, Milestone.responsible_agency_id)
    .join(Commitment, Commitment.id == Milestone.commitment_id)
    .where(
        Milestone.working_group_id == bindparam("group_id"),
        Milestone.archived.is_(False),
        Commitment.archived.is_(False),
        Milestone.status.in_([s for s in Status if s.is_open]),
    )
    .order_by(Milestone.id)
)
_LAST_UPDATES = (
    select(ProgressUpdate.milestone_id, func.max(ProgressUpdate.created_at))
    .join(Milestone, Milestone.id == ProgressUpdate.milestone_id)
    .where(Milestone.working_group_id == bindparam("group_id"))
    .group_by(ProgressUpdate.milestone_id)
)


async def milestone_facts(
    *, session: AsyncSession, group: WorkingGroup, private: dict[int, list[int]]
) -> list[MilestoneFacts]:
    """Open milestones of the current plan, with their latest update and who to tell
    (`private`: each agency's members' private chats, storage.actions).

    A milestone in progress without any update counts as started when the plan was first
    loaded (the group's creation): the bot knows no earlier moment.
    """
    milestones = (await session.execute(_OPEN_MILESTONES, {"group_id": group.id})).all()
    last_update = dict((await session.execute(_LAST_UPDATES, {"group_id": group.id})).all())
    return [
        MilestoneFacts(
            id=m.id,
            due=m.due,
            status=m.status,
            private_chats=tuple(private.get(m.responsible_agency_id or -1, ())),
            last_update_at=last_update.get(m.id),
            started_at=group.created_at,
        )
        for m in milestones
    ]
