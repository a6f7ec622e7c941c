"""What a notification needs to be rendered, read from the database as it is now.

The one query module for notifications: delivery calls `gather_notice` for a claimed
outbox row and hands the facts to the renderer the composition root gave it (the text
comes from the bot's catalogs). When the facts no longer call for the message (the
meeting was cancelled or skipped, the milestone completed or updated since, the member
stopped talking to the bot), the answer is None and the row is cancelled, not sent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.quiet import SNOOZE
from domain.recurrence import occurrences
from domain.rules import DEADLINE, DIGEST, DIGEST_NOW, IN_PROGRESS, MEETING, OVERDUE, QUIET
from storage.claims import Claimed
from storage.digest import DigestData, collect_digest
from storage.models import Agency, Meeting, Member, Milestone, ProgressUpdate, WorkingGroup
from storage.reminders import meeting_schedule
from storage.tracked_notices import TRACKED_KINDS, TrackedNotice, gather_tracked


@dataclasses.dataclass(frozen=True)
class Head:
    """What every notification shares: its kind, language, zone and when it was due."""

    kind: str
    language: str
    timezone: str
    group_name: str
    due_at: dt.datetime
    late: bool
    # The outbox row's id: a private reminder's snooze buttons name it (bot.snooze).
    notification_id: int = 0


@dataclasses.dataclass(frozen=True)
class MeetingNotice:
    head: Head
    title: str
    place: str | None
    start: dt.datetime
    offset_minutes: int  # 0: starting now


@dataclasses.dataclass(frozen=True)
class MilestoneNotice:
    """A deadline reminder, an overdue notice or a quiet-milestone nudge."""

    head: Head

    number: str
    title: str
    agency_code: str | None
    due: dt.date
    offset_days: int = 0  # deadline reminders: how many days are left
    private: bool = False  # sent to a member's private chat
    quiet_weeks: int = 0  # quiet nudges: weeks without an update


@dataclasses.dataclass(frozen=True)
class DigestNotice:
    head: Head
    data: DigestData


Notice = MeetingNotice | MilestoneNotice | DigestNotice | TrackedNotice


async def gather_notice(*, session: AsyncSession, row: Claimed) -> Notice | None:
    """The facts to render `row` with, or None when it no longer applies."""
    if row.kind == SNOOZE:  # a snoozed reminder renders, and lapses, as the one it was
        row = dataclasses.replace(row, kind=str(row.payload.get("of", "")))
    group = await session.get(WorkingGroup, row.group_id) if row.group_id is not None else None
    if group is None:
        return None
    language = group.language
    if row.payload.get("private"):
        member = await session.scalar(
            select(Member).where(
                Member.working_group_id == group.id, Member.telegram_user_id == row.chat_id
            )
        )
        if member is None or not member.private_chat or member.left_at is not None:
            return None
        language = member.language or language
    head = Head(
        kind=row.kind,
        language=language,
        timezone=group.timezone,
        group_name=group.name,
        due_at=row.due_at,
        late=row.late,
        notification_id=row.id,
    )
    if row.kind == MEETING:
        return await _meeting(session, row, head)
    if row.kind in TRACKED_KINDS:  # action items, the OGP watch, self-closing minutes
        return await gather_tracked(session=session, row=row, head=head, group=group)
    if row.kind in (DEADLINE, OVERDUE, QUIET):
        return await _milestone(session, row, head)
    if row.kind in (DIGEST, DIGEST_NOW):
        # The week ends when the digest was due, not when it went out: a late or retried
        # digest covers the same week, and renders the same each time.
        data = await collect_digest(session=session, group=group, now=row.due_at)
        return DigestNotice(head, data=data)
    raise ValueError(f"unknown notification kind {row.kind!r}")


async def _meeting(session: AsyncSession, row: Claimed, head: Head) -> MeetingNotice | None:
    meeting = await session.get(Meeting, int(row.payload["meeting_id"]))
    if meeting is None or meeting.cancelled_at is not None:
        return None
    start = dt.datetime.fromisoformat(row.payload["start"])
    if not occurrences(
        meeting_schedule(meeting), after=start, until=start + dt.timedelta(seconds=1)
    ):
        return None  # skipped, or the schedule changed
    return MeetingNotice(
        head,
        title=meeting.title,
        place=meeting.place,
        start=start,
        offset_minutes=int(row.payload["offset"]),
    )


async def _milestone(session: AsyncSession, row: Claimed, head: Head) -> MilestoneNotice | None:
    milestone = await session.get(Milestone, int(row.payload["milestone_id"]))
    if milestone is None or milestone.archived or not milestone.status.is_open:
        return None
    if "due" in row.payload and milestone.due.isoformat() != row.payload["due"]:
        return None  # the due date moved: the planner has written the new reminders
    agency = (
        await session.get(Agency, milestone.responsible_agency_id)
        if milestone.responsible_agency_id is not None
        else None
    )
    facts = MilestoneNotice(
        head,
        number=milestone.number,
        title=milestone.title,
        agency_code=agency.code if agency else None,
        due=milestone.due,
        private=bool(row.payload.get("private")),
    )
    if row.kind == DEADLINE:
        return dataclasses.replace(facts, offset_days=int(row.payload["offset"]))
    if row.kind == OVERDUE:
        return facts
    if milestone.status not in IN_PROGRESS:
        return None
    newest = await session.scalar(
        select(ProgressUpdate.created_at)
        .where(ProgressUpdate.milestone_id == milestone.id)
        .order_by(ProgressUpdate.created_at.desc())
        .limit(1)
    )
    since = dt.datetime.fromisoformat(row.payload["since"])
    if newest is not None and newest > since:
        return None  # an update arrived: the quiet period is over
    return dataclasses.replace(facts, quiet_weeks=max(1, (row.due_at - since).days // 7))
