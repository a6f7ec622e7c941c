"""What the weekly digest says, read from the database as plain values.

`collect_digest` is shared by `/digest` and the scheduled weekly digest: it reads, never
writes, and returns a frozen `DigestData` that the pure renderers in `bot/digest.py` turn
into a chart and a message.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from domain.digest_window import (
    DEADLINE_DAYS,
    MEETING_DAYS,
    QUIET_DAYS,
    deadline_range,
    digest_week,
    local_today,
    meeting_range,
    quiet_since,
)
from domain.enums import Status
from domain.recurrence import Schedule, occurrences
from storage.actions import ActionUpdateRow, action_rows, action_updates_between
from storage.deadlines import DeadlineRow
from storage.models import Agency, Commitment, Meeting, Milestone, ProgressUpdate, WorkingGroup


@dataclasses.dataclass(frozen=True)
class DigestMilestone:
    """An open milestone that is due soon or overdue."""

    number: str
    title: str
    agency: str | None  # the responsible agency's code
    due: dt.date
    status: Status


@dataclasses.dataclass(frozen=True)
class DigestUpdate:
    """One progress update of the week."""

    number: str
    title: str
    status: Status
    reporter: str
    agency: str | None  # the reporter's agency code at the time, if they had said it
    at: dt.datetime  # in the group's zone


@dataclasses.dataclass(frozen=True)
class DigestMeeting:
    """One coming occurrence of a meeting."""

    meeting_id: int
    title: str
    start: dt.datetime  # in the group's zone
    place: str | None


@dataclasses.dataclass(frozen=True)
class QuietAgency:
    """An agency responsible for open milestones that has not reported lately."""

    code: str
    name: str
    last_report: dt.date | None  # local date of its latest update; None: never


@dataclasses.dataclass(frozen=True)
class DigestData:
    """Everything one digest shows, for one working group at one instant."""

    group_name: str
    timezone: str
    now: dt.datetime
    today: dt.date
    week_start: dt.datetime  # UTC; updates count when week_start < at <= week_end
    week_end: dt.datetime  # UTC, = now
    status_counts: tuple[tuple[Status, int], ...]  # every status, in IRM order
    updates: tuple[DigestUpdate, ...]  # oldest first
    deadlines: tuple[DigestMilestone, ...]  # soonest first
    overdue: tuple[DigestMilestone, ...]  # longest overdue first
    meetings: tuple[DigestMeeting, ...]  # soonest first
    quiet_agencies: tuple[QuietAgency, ...]  # by code
    deadline_days: int = DEADLINE_DAYS
    meeting_days: int = MEETING_DAYS
    quiet_days: int = QUIET_DAYS

    @property
    def total(self) -> int:
        return sum(count for _, count in self.status_counts)

    def count(self, status: Status) -> int:
        return dict(self.status_counts).get(status, 0)

    @property
    def week_dates(self) -> tuple[dt.date, dt.date]:
        """The week's first and last local dates, for display."""
        tz = zoneinfo.ZoneInfo(self.timezone)
        return self.week_start.astimezone(tz).date(), self.week_end.astimezone(tz).date()


async def collect_digest(
    *, session: AsyncSession, group: WorkingGroup, now: dt.datetime
) -> DigestData:
    """The digest of `group` as of `now` (aware); reads only."""
    tz = zoneinfo.ZoneInfo(group.timezone)
    week_start, week_end = digest_week(now, tz)
    today = local_today(now, tz)
    milestones = await _current_milestones(session, group.id)

    counts = dict.fromkeys(Status, 0)
    for m in milestones:
        counts[m.status] += 1
    first_due, last_due = deadline_range(today)
    open_ = [m for m in milestones if m.status.is_open]
    deadlines = sorted(
        (m for m in open_ if first_due <= m.due <= last_due), key=lambda m: m.due
    )  # sorted() is stable: equal dates keep plan order
    overdue = sorted((m for m in open_ if m.due < today), key=lambda m: m.due)

    return DigestData(
        group_name=group.name,
        timezone=group.timezone,
        now=now,
        today=today,
        week_start=week_start,
        week_end=week_end,
        status_counts=tuple(counts.items()),
        updates=_with_action_updates(
            await _updates(session, group.id, week_start, week_end, tz),
            await action_updates_between(
                session=session, group_id=group.id, start=week_start, end=week_end
            ),
            tz,
        ),
        # Action items are tracked like milestones: listed after them on the same date.
        deadlines=_with_actions(
            _milestones(deadlines),
            await action_rows(session=session, group_id=group.id, start=first_due, end=last_due),
        ),
        overdue=_with_actions(
            _milestones(overdue),
            await action_rows(session=session, group_id=group.id, end=today - dt.timedelta(days=1)),
        ),
        meetings=await _meetings(session, group.id, now, tz),
        quiet_agencies=await _quiet_agencies(session, group.id, open_, now, tz),
    )


async def _current_milestones(session: AsyncSession, group_id: int) -> list[Milestone]:
    """Milestones of the current plan (archived ones left out), in plan order."""
    rows = await session.scalars(
        select(Milestone)
        .join(Commitment, Commitment.id == Milestone.commitment_id)
        .where(
            Milestone.working_group_id == group_id,
            Milestone.archived.is_(False),
            Commitment.archived.is_(False),
        )
        .options(selectinload(Milestone.responsible_agency))
        .order_by(Commitment.position, Commitment.id, Milestone.position, Milestone.id)
    )
    return list(rows)


def _with_actions(
    milestones: tuple[DigestMilestone, ...], actions: Iterable[DeadlineRow]
) -> tuple[DigestMilestone, ...]:
    rows = [
        DigestMilestone(
            number=a.number,
            title=a.title,
            agency=a.responsible.code if a.responsible else None,
            due=a.due,
            status=a.status,
        )
        for a in actions
    ]
    return tuple(sorted([*milestones, *rows], key=lambda m: m.due))


def _milestones(milestones: Iterable[Milestone]) -> tuple[DigestMilestone, ...]:
    return tuple(
        DigestMilestone(
            number=m.number,
            title=m.title,
            agency=m.responsible_agency.code if m.responsible_agency else None,
            due=m.due,
            status=m.status,
        )
        for m in milestones
    )


async def _updates(
    session: AsyncSession,
    group_id: int,
    start: dt.datetime,
    end: dt.datetime,
    tz: zoneinfo.ZoneInfo,
) -> tuple[DigestUpdate, ...]:
    rows = await session.execute(
        select(ProgressUpdate, Milestone.number, Milestone.title, Agency.code)
        .join(Milestone, Milestone.id == ProgressUpdate.milestone_id)
        .join(Commitment, Commitment.id == Milestone.commitment_id)
        .outerjoin(Agency, Agency.id == ProgressUpdate.agency_id)
        .where(
            Milestone.working_group_id == group_id,
            Milestone.archived.is_(False),
            Commitment.archived.is_(False),
            ProgressUpdate.created_at > start,
            ProgressUpdate.created_at <= end,
        )
        .order_by(ProgressUpdate.created_at, ProgressUpdate.id)
    )
    return tuple(
        DigestUpdate(
            number=number,
            title=title,
            status=update.status,
            reporter=update.reporter_name,
            agency=code,
            at=update.created_at.astimezone(tz),
        )
        for update, number, title, code in rows
    )


def _with_action_updates(
    updates: tuple[DigestUpdate, ...], actions: Iterable[ActionUpdateRow], tz: zoneinfo.ZoneInfo
) -> tuple[DigestUpdate, ...]:
    """The week's milestone updates and action items' updates together, oldest first."""
    rows = [
        DigestUpdate(
            number=a.number,
            title=a.text,
            status=a.status,
            reporter=a.reporter,
            agency=a.agency,
            at=a.at.astimezone(tz),
        )
        for a in actions
    ]
    return tuple(sorted([*updates, *rows], key=lambda u: u.at))


def _schedule(meeting: Meeting) -> Schedule:
    return Schedule(
        first_start_local=meeting.first_start_local,
        rrule=meeting.rrule,
        timezone=meeting.timezone,
        skipped_dates=frozenset(dt.date.fromisoformat(day) for day in meeting.skipped_dates),
    )


async def _meetings(
    session: AsyncSession, group_id: int, now: dt.datetime, tz: zoneinfo.ZoneInfo
) -> tuple[DigestMeeting, ...]:
    after, until = meeting_range(now)
    meetings = await session.scalars(
        select(Meeting)
        .where(Meeting.working_group_id == group_id, Meeting.cancelled_at.is_(None))
        .order_by(Meeting.id)
    )
    found = [
        DigestMeeting(
            meeting_id=meeting.id,
            title=meeting.title,
            start=start.astimezone(tz),
            place=meeting.place,
        )
        for meeting in meetings
        for start in occurrences(_schedule(meeting), after=after, until=until)
    ]
    return tuple(sorted(found, key=lambda m: (m.start, m.meeting_id)))


async def _quiet_agencies(
    session: AsyncSession,
    group_id: int,
    open_milestones: list[Milestone],
    now: dt.datetime,
    tz: zoneinfo.ZoneInfo,
) -> tuple[QuietAgency, ...]:
    """Agencies responsible for an open milestone with no update since `quiet_since(now)`.

    An agency has reported when an update was recorded on one of its milestones, or by a
    member who had said they belong to it (`/iam`).
    """
    responsible = {
        m.responsible_agency.id: m.responsible_agency
        for m in open_milestones
        if m.responsible_agency
    }
    if not responsible:
        return ()
    last: dict[int, dt.datetime] = {}
    on_its_milestones = (
        select(Milestone.responsible_agency_id, func.max(ProgressUpdate.created_at))
        .join(ProgressUpdate, ProgressUpdate.milestone_id == Milestone.id)
        .where(
            Milestone.working_group_id == group_id,
            Milestone.responsible_agency_id.in_(responsible),
        )
        .group_by(Milestone.responsible_agency_id)
    )
    by_its_members = (
        select(ProgressUpdate.agency_id, func.max(ProgressUpdate.created_at))
        .where(ProgressUpdate.agency_id.in_(responsible))
        .group_by(ProgressUpdate.agency_id)
    )
    for query in (on_its_milestones, by_its_members):
        for agency_id, at in await session.execute(query):
            # max() keeps the column's type, so `at` comes back aware on both databases.
            if agency_id is not None and at is not None:
                last[agency_id] = max(at, last.get(agency_id, at))
    since = quiet_since(now)
    quiet = [
        QuietAgency(
            code=agency.code,
            name=agency.name,
            last_report=last[agency.id].astimezone(tz).date() if agency.id in last else None,
        )
        for agency in responsible.values()
        if agency.id not in last or last[agency.id] < since
    ]
    return tuple(sorted(quiet, key=lambda a: a.code))
