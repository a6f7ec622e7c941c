"""A working group's meetings: add, cancel, skip an occurrence, and read them back.

Every occurrence comes from domain.recurrence; this module only stores schedules and
asks it questions with an explicit `now`. Functions never commit (the edge does).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import zoneinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.recurrence import (
    FIRST_WITHIN,
    Schedule,
    endless,
    first_wall_within,
    next_occurrences,
    occurrences,
    place,
)
from domain.text import clean_text
from domain.when import When, WhenError
from storage.models import Meeting, WorkingGroup

DEFAULT_DURATION_MINUTES = 60
TITLE_MAX = 200
# Meeting.id is an INTEGER: a bigger number is no meeting (and PostgreSQL would refuse it).
_MAX_ID = 2**31 - 1


@dataclasses.dataclass(frozen=True)
class MeetingView:
    """A stored meeting as plain data, for rendering and calendar export."""

    id: int
    title: str
    first_start_local: dt.datetime
    rrule: str | None
    timezone: str
    duration_minutes: int | None
    place: str | None
    skipped_dates: frozenset[dt.date]

    @property
    def schedule(self) -> Schedule:
        return Schedule(
            first_start_local=self.first_start_local,
            rrule=self.rrule,
            timezone=self.timezone,
            skipped_dates=self.skipped_dates,
        )

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.duration_minutes or DEFAULT_DURATION_MINUTES)


@dataclasses.dataclass(frozen=True)
class Upcoming:
    meeting: MeetingView
    starts: list[dt.datetime]  # aware, in the meeting's time zone


class Outcome(enum.Enum):
    DONE = "done"
    NOT_FOUND = "not_found"  # no such meeting in this group, or cancelled already
    ALREADY = "already"  # the date was skipped already
    NOT_AN_OCCURRENCE = "not_an_occurrence"
    NO_FUTURE = "no_future"  # a schedule with nothing left from now on


@dataclasses.dataclass(frozen=True)
class Result:
    outcome: Outcome
    meeting: MeetingView | None = None
    # After add: the next starts; after a refused skip: the dates it does meet on.
    starts: list[dt.datetime] = dataclasses.field(default_factory=list)


def view(meeting: Meeting) -> MeetingView:
    return MeetingView(
        id=meeting.id,
        title=meeting.title,
        first_start_local=meeting.first_start_local,
        rrule=meeting.rrule,
        timezone=meeting.timezone,
        duration_minutes=meeting.duration_minutes,
        place=meeting.place,
        skipped_dates=frozenset(dt.date.fromisoformat(d) for d in meeting.skipped_dates),
    )


def first_wall(
    first_start_local: dt.datetime, rrule: str | None, tz: zoneinfo.ZoneInfo
) -> dt.datetime:
    """The first wall time the rule really produces (RFC 5545 wants DTSTART to be one).

    Looked for within domain.recurrence.FIRST_WITHIN (first_start made sure of one that
    soon); a stored start with none by then (its UNTIL passed, say) is kept as it is."""
    if rrule is None:
        return first_start_local
    return first_wall_within(rrule, first_start_local, tz) or first_start_local


def first_start(when: When, *, now: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The naive wall start to store: the one-off's, or the rule's first at or after now.

    A rule is anchored at its start (INTERVAL counts from there), so whether it happens
    at all is decided here, from the start it really gets: WhenError("too_far") when its
    pattern (COUNT and UNTIL aside: those make a NO_FUTURE meeting) has no date within
    five years of today, which is also what keeps every later walk through it short."""
    if when.date is not None:
        return dt.datetime.combine(when.date, when.time)
    today = now.astimezone(tz).date()
    candidate = dt.datetime.combine(today, when.time)
    if place(candidate, tz) < now:
        # Today's time has passed: a COUNT rule must not spend an occurrence on it.
        candidate = dt.datetime.combine(today + dt.timedelta(days=1), when.time)
    assert when.rrule is not None  # When has exactly one of date and rrule
    first = first_wall_within(endless(when.rrule), candidate, tz)
    if first is None:
        years = FIRST_WITHIN.days // 365
        raise WhenError(
            "too_far",
            f"Bad RRULE: started on {candidate.date()}, this rule has no date "
            f"in the next {years} years.",
        )
    return first


def example_day(today: dt.date) -> dt.date:
    """A date for usage examples that can be copied as they are: two weeks ahead."""
    return today + dt.timedelta(days=14)


def day_bounds(day: dt.date, tz: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The instants a local calendar day starts and ends."""
    start = dt.datetime.combine(day, dt.time(0, 0))
    return place(start, tz), place(start + dt.timedelta(days=1), tz)


async def add_meeting(
    *,
    session: AsyncSession,
    group: WorkingGroup,
    when: When,
    title: str,
    created_by_member_id: int | None,
    now: dt.datetime,
    count: int = 3,
) -> Result:
    """Store a meeting in the group's zone, unless it has no occurrence from `now` on.

    Raises WhenError("too_far") for a rule with no date within five years of its start
    (see first_start), WhenError("bad_rrule") for one dateutil cannot run from it.
    """
    tz = zoneinfo.ZoneInfo(group.timezone)
    try:
        schedule = Schedule(
            first_start_local=first_start(when, now=now, tz=tz),
            rrule=when.rrule,
            timezone=group.timezone,
        )
        starts = next_occurrences(schedule, now=now, count=count)
    except WhenError:
        raise
    except (ValueError, OverflowError) as exc:
        # dateutil may refuse a rule only once given a start.
        raise WhenError("bad_rrule", f"Bad RRULE: {exc}.") from None
    if not starts:
        return Result(Outcome.NO_FUTURE)
    meeting = Meeting(
        working_group_id=group.id,
        title=clean_text(title),
        first_start_local=schedule.first_start_local,
        rrule=schedule.rrule,
        timezone=schedule.timezone,
        skipped_dates=[],
        created_by_member_id=created_by_member_id,
        created_at=now,
    )
    session.add(meeting)
    await session.flush()
    return Result(Outcome.DONE, view(meeting), starts)


async def _active(*, session: AsyncSession, group: WorkingGroup, meeting_id: int) -> Meeting | None:
    """This group's meeting by id, if it exists and is not cancelled."""
    if not 0 < meeting_id <= _MAX_ID:
        return None
    return await session.scalar(
        select(Meeting).where(
            Meeting.id == meeting_id,
            Meeting.working_group_id == group.id,
            Meeting.cancelled_at.is_(None),
        )
    )


async def cancel_meeting(
    *, session: AsyncSession, group: WorkingGroup, meeting_id: int, now: dt.datetime
) -> Result:
    """Cancel this group's meeting; its future reminders go with it."""
    meeting = await _active(session=session, group=group, meeting_id=meeting_id)
    if meeting is None:
        return Result(Outcome.NOT_FOUND)
    meeting.cancelled_at = now
    return Result(Outcome.DONE, view(meeting))


async def skip_occurrence(
    *,
    session: AsyncSession,
    group: WorkingGroup,
    meeting_id: int,
    day: dt.date,
    now: dt.datetime,
    count: int = 3,
) -> Result:
    """Skip the meeting's occurrence on local `day`, which must still be to come."""
    meeting = await _active(session=session, group=group, meeting_id=meeting_id)
    if meeting is None:
        return Result(Outcome.NOT_FOUND)
    current = view(meeting)
    if day in current.skipped_dates:
        return Result(Outcome.ALREADY, current)
    tz = zoneinfo.ZoneInfo(current.timezone)
    start, end = day_bounds(day, tz)
    if not occurrences(current.schedule, after=max(start, now), until=end, limit=1):
        upcoming = next_occurrences(current.schedule, now=now, count=count)
        return Result(Outcome.NOT_AN_OCCURRENCE, current, upcoming)
    # A new list, so the JSON column is seen as changed.
    meeting.skipped_dates = sorted({*meeting.skipped_dates, day.isoformat()})
    skipped = view(meeting)
    return Result(Outcome.DONE, skipped, next_occurrences(skipped.schedule, now=now, count=count))


async def active_meetings(*, session: AsyncSession, group: WorkingGroup) -> list[MeetingView]:
    """The group's meetings that are not cancelled, oldest first."""
    rows = await session.scalars(
        select(Meeting)
        .where(Meeting.working_group_id == group.id, Meeting.cancelled_at.is_(None))
        .order_by(Meeting.id)
    )
    return [view(m) for m in rows]


async def upcoming_meetings(
    *, session: AsyncSession, group: WorkingGroup, now: dt.datetime, count: int = 3
) -> list[Upcoming]:
    """Each meeting with its next `count` starts, soonest first; finished ones left out."""
    found = [
        Upcoming(m, starts)
        for m in await active_meetings(session=session, group=group)
        if (starts := next_occurrences(m.schedule, now=now, count=count))
    ]
    return sorted(found, key=lambda u: (u.starts[0], u.meeting.id))
