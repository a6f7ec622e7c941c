"""Minutes of a meeting, MeetBot style: opening, recording lines, closing, reading back.

Every line is written in the transaction of the command that recorded it, so minutes
survive a crash mid-meeting whole. Keyword-only functions taking the caller's session;
none of them commits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from domain.minutes import ATTACH_WITHIN, LineKind, nearest_occurrence, should_close
from domain.recurrence import occurrences
from domain.rules import MINUTES_CLOSED, Planned
from domain.text import clean_optional, clean_text
from storage.actions import ActionView, view
from storage.models import ActionItem, Meeting, Member, Minutes, MinutesLine, WorkingGroup
from storage.ogp import record_forum_meeting
from storage.outbox import store_planned
from storage.progress import reporter_name
from storage.reminders import meeting_schedule

TITLE_MAX = 500


@dataclasses.dataclass(frozen=True)
class LineView:
    kind: LineKind
    text: str
    url: str | None
    author: str
    at: dt.datetime
    action: ActionView | None = None


@dataclasses.dataclass(frozen=True)
class MinutesView:
    number: int
    title: str  # "" when neither typed nor taken from a scheduled meeting
    timezone: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    closed_automatically: bool
    chair: str
    participants: tuple[str, ...]
    lines: tuple[LineView, ...]


class Started(enum.Enum):
    STARTED = "started"
    ALREADY_OPEN = "already_open"


@dataclasses.dataclass(frozen=True)
class StartResult:
    outcome: Started
    minutes: Minutes
    meeting_title: str | None = None  # the scheduled meeting they belong to


_OPEN_MINUTES = (
    select(Minutes)
    .where(Minutes.working_group_id == bindparam("group_id"), Minutes.closed_at.is_(None))
    .order_by(Minutes.id.desc())
    .limit(1)
)


async def open_minutes(*, session: AsyncSession, group_id: int) -> Minutes | None:
    """The group's open minutes, if any (one at most)."""
    return await session.scalar(_OPEN_MINUTES, {"group_id": group_id})


async def _occurrence_near(
    session: AsyncSession, group: WorkingGroup, now: dt.datetime
) -> tuple[Meeting, dt.datetime] | None:
    meetings = {
        m.id: m
        for m in await session.scalars(
            select(Meeting).where(
                Meeting.working_group_id == group.id, Meeting.cancelled_at.is_(None)
            )
        )
    }
    starts = [
        (m.id, start)
        for m in meetings.values()
        for start in occurrences(
            meeting_schedule(m), after=now - ATTACH_WITHIN, until=now + ATTACH_WITHIN
        )
    ]
    found = nearest_occurrence(starts, now)
    return (meetings[found[0]], found[1]) if found is not None else None


async def start_minutes(
    *,
    session: AsyncSession,
    group: WorkingGroup,
    member: Member,
    chat_id: int,
    title: str | None,
    now: dt.datetime,
) -> StartResult:
    """Open the minutes in `chat_id`; a scheduled occurrence within 2 hours of now owns
    them and gives them its title (PRODUCT.md), else the typed title is theirs."""
    current = await open_minutes(session=session, group_id=group.id)
    if current is not None:
        return StartResult(Started.ALREADY_OPEN, current)
    near = await _occurrence_near(session, group, now)
    last = await session.scalar(
        select(func.max(Minutes.number)).where(Minutes.working_group_id == group.id)
    )
    typed = clean_optional(title)
    minutes = Minutes(
        working_group_id=group.id,
        number=(last or 0) + 1,
        title=(near[0].title if near else typed or "")[:TITLE_MAX],
        chat_id=chat_id,
        meeting_id=near[0].id if near else None,
        occurrence_start=near[1] if near else None,
        chair_member_id=member.id,
        chair_name=reporter_name(member)[:300],
        opened_at=now,
        closed_at=None,
        closed_automatically=False,
    )
    session.add(minutes)
    await session.flush()
    return StartResult(Started.STARTED, minutes, near[0].title if near else None)


async def record_line(
    *,
    session: AsyncSession,
    minutes: Minutes,
    member: Member,
    kind: LineKind,
    text: str,
    now: dt.datetime,
    url: str | None = None,
    action: ActionItem | None = None,
) -> MinutesLine:
    line = MinutesLine(
        minutes_id=minutes.id,
        kind=kind.value,
        text=clean_text(text),
        url=clean_optional(url),
        action_item_id=action.id if action is not None else None,
        member_id=member.id,
        author_name=reporter_name(member)[:300],
        created_at=now,
    )
    session.add(line)
    await session.flush()
    return line


async def close_minutes(
    *,
    session: AsyncSession,
    group: WorkingGroup,
    minutes: Minutes,
    now: dt.datetime,
    automatically: bool = False,
) -> MinutesView:
    """Close the minutes; the working group met on the day they were opened (local)."""
    minutes.closed_at = now
    minutes.closed_automatically = automatically
    await record_forum_meeting(session=session, group=group, minutes=minutes, now=now)
    await session.flush()
    return await minutes_view(session=session, group=group, minutes=minutes)


async def close_expired(
    *, session: AsyncSession, group: WorkingGroup, now: dt.datetime
) -> list[int]:
    """Minutes open for 4 hours close themselves, posted with a notice (through the
    outbox, written once); the ids closed. Run by the planner's minute pass, so it
    survives restarts: the opening time is in the database."""
    minutes = await open_minutes(session=session, group_id=group.id)
    if minutes is None or not should_close(minutes.opened_at, now):
        return []
    await close_minutes(session=session, group=group, minutes=minutes, now=now, automatically=True)
    closed = Planned(
        key=f"{MINUTES_CLOSED}:{minutes.id}",
        kind=MINUTES_CLOSED,
        chat_id=minutes.chat_id,
        due_at=now,
        payload={"minutes_id": minutes.id},
    )
    await store_planned(
        session=session, group_id=group.id, planned=[closed], now=now, grace=dt.timedelta(0)
    )
    return [minutes.id]


async def find_minutes(
    *, session: AsyncSession, group_id: int, number: int | None
) -> Minutes | None:
    """Minutes number `number`, or the latest ones."""
    query = select(Minutes).where(Minutes.working_group_id == group_id)
    if number is not None:
        query = query.where(Minutes.number == number)
    return await session.scalar(query.order_by(Minutes.number.desc()).limit(1))


async def minutes_by_id(*, session: AsyncSession, minutes_id: int) -> Minutes | None:
    return await session.get(Minutes, minutes_id)


async def minutes_view(
    *, session: AsyncSession, group: WorkingGroup, minutes: Minutes
) -> MinutesView:
    """Everything the minutes show, in the order the lines were recorded."""
    rows = await session.scalars(
        select(MinutesLine)
        .where(MinutesLine.minutes_id == minutes.id)
        .order_by(MinutesLine.created_at, MinutesLine.id)
    )
    lines = list(rows)
    action_ids = [line.action_item_id for line in lines if line.action_item_id is not None]
    actions = (
        {
            a.id: view(a)
            for a in await session.scalars(
                select(ActionItem)
                .where(ActionItem.id.in_(action_ids))
                .options(selectinload(ActionItem.agency))
            )
        }
        if action_ids
        else {}
    )
    participants = [minutes.chair_name]
    for line in lines:
        if line.author_name not in participants:
            participants.append(line.author_name)
    return MinutesView(
        number=minutes.number,
        title=minutes.title,
        timezone=group.timezone,
        opened_at=minutes.opened_at,
        closed_at=minutes.closed_at,
        closed_automatically=minutes.closed_automatically,
        chair=minutes.chair_name,
        participants=tuple(participants),
        lines=tuple(
            LineView(
                kind=LineKind(line.kind),
                text=line.text,
                url=line.url,
                author=line.author_name,
                at=line.created_at,
                action=actions.get(line.action_item_id) if line.action_item_id else None,
            )
            for line in lines
        ),
    )
