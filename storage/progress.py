"""Progress updates: recording one (append-only) and reading a milestone's history.

Keyword-only functions taking the caller's session; none of them commits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from domain.enums import Status
from domain.text import clean_optional
from storage.models import Agency, Commitment, Member, Milestone, ProgressUpdate, WorkingGroup


@dataclasses.dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    reporter: str
    agency_code: str | None
    status: Status
    note: str | None
    evidence_url: str | None


@dataclasses.dataclass(frozen=True)
class MilestoneHistory:
    number: str
    title: str
    status: Status
    archived: bool
    total: int  # every update ever recorded; `entries` holds the newest `limit`
    entries: tuple[HistoryEntry, ...]


@dataclasses.dataclass(frozen=True)
class Choice:
    """One button of the guided flow: a commitment or a milestone."""

    id: int
    number: str
    title: str
    status: Status | None = None


def reporter_name(member: Member) -> str:
    """How a report is signed: the Telegram name, else @username, else the member's
    number here, "#12" in every language (never the Telegram user id, which a group must
    not see)."""
    if member.full_name.strip():
        return member.full_name.strip()
    if member.username:
        return f"@{member.username}"
    return f"#{member.id}"


# Built once: the values are bound at execution (building a select costs more CPU than
# running it). Nothing reads a found milestone's commitment but its id, so it is not loaded.
_BY_NUMBER = select(Milestone).where(
    Milestone.working_group_id == bindparam("group_id"), Milestone.number == bindparam("number")
)
_BY_ID = select(Milestone).where(
    Milestone.working_group_id == bindparam("group_id"), Milestone.id == bindparam("milestone_id")
)


async def find_milestone(
    *, session: AsyncSession, group: WorkingGroup, number: str
) -> Milestone | None:
    """A milestone of the group by its plan number, archived ones included."""
    return await session.scalar(_BY_NUMBER, {"group_id": group.id, "number": number})


async def milestone_by_id(
    *, session: AsyncSession, group: WorkingGroup, milestone_id: int
) -> Milestone | None:
    """A milestone by database id, only if it belongs to the group (buttons carry ids)."""
    return await session.scalar(_BY_ID, {"group_id": group.id, "milestone_id": milestone_id})


def report_fields(
    *, member: Member, status: Status, note: str | None, evidence_url: str | None, now: dt.datetime
) -> dict[str, Any]:
    """What a progress report stores, whatever it reports on (a milestone, an action item):
    who, for which agency as it was then, when, the status, the note and the evidence."""
    return {
        "member_id": member.id,
        "reporter_name": reporter_name(member)[:300],
        "agency_id": member.agency_id,
        "created_at": now,
        "status": status,
        # The last guard before the database: whatever came in, no control characters.
        "note": clean_optional(note),
        "evidence_url": clean_optional(evidence_url),
    }


# Plain table statements: the ORM's unit of work costs more than both of them together.
_updates = ProgressUpdate.metadata.tables[ProgressUpdate.__tablename__]
_milestones = Milestone.metadata.tables[Milestone.__tablename__]
_APPEND = insert(_updates)
_SET_STATUS = (
    update(_milestones)
    .where(_milestones.c.id == bindparam("milestone_id"))
    .values(status=bindparam("new_status"))
)


async def record_update(
    *,
    session: AsyncSession,
    milestone: Milestone,
    member: Member,
    status: Status,
    note: str | None,
    evidence_url: str | None,
    now: dt.datetime,
) -> None:
    """Append one update and make its status the milestone's current one (in the
    database and on `milestone`)."""
    fields = report_fields(
        member=member, status=status, note=note, evidence_url=evidence_url, now=now
    )
    await session.execute(_APPEND, {"milestone_id": milestone.id, **fields})
    if milestone.status is not status:
        await session.execute(_SET_STATUS, {"milestone_id": milestone.id, "new_status": status})
        set_committed_value(milestone, "status", status)


async def reports_of(
    *, session: AsyncSession, subject: Any, subject_id: int, limit: int
) -> tuple[int, tuple[HistoryEntry, ...]]:
    """How many reports there are on one milestone or action item (`subject` is the
    update table's column naming it), and the newest `limit` of them, newest first."""
    model = subject.class_
    total = await session.scalar(select(func.count()).where(subject == subject_id))
    rows = await session.execute(
        select(model, Agency.code)
        .outerjoin(Agency, Agency.id == model.agency_id)
        .where(subject == subject_id)
        .order_by(model.created_at.desc(), model.id.desc())
        .limit(limit)
    )
    entries = tuple(
        HistoryEntry(
            at=u.created_at,
            reporter=u.reporter_name,
            agency_code=code,
            status=u.status,
            note=u.note,
            evidence_url=u.evidence_url,
        )
        for u, code in rows
    )
    return total or 0, entries


async def history(
    *, session: AsyncSession, group: WorkingGroup, number: str, limit: int
) -> MilestoneHistory | None:
    """The newest `limit` updates of one milestone, newest first; None if no such milestone."""
    milestone = await find_milestone(session=session, group=group, number=number)
    if milestone is None:
        return None
    total, entries = await reports_of(
        session=session, subject=ProgressUpdate.milestone_id, subject_id=milestone.id, limit=limit
    )
    return MilestoneHistory(
        number=milestone.number,
        title=milestone.title,
        status=milestone.status,
        archived=milestone.archived,
        total=total,
        entries=entries,
    )


_has_milestone = (
    select(Milestone.id)
    .where(Milestone.commitment_id == Commitment.id, Milestone.archived.is_(False))
    .exists()
)
_WITH_MILESTONES = (
    select(Commitment.id, Commitment.number, Commitment.title)
    .where(
        Commitment.working_group_id == bindparam("group_id"),
        Commitment.archived.is_(False),
        _has_milestone,
    )
    .order_by(Commitment.position, Commitment.id)
)
# The commitment, and a row per current milestone (one row without one when it has none).
_CURRENT_MILESTONES = (
    select(
        Commitment.id,
        Commitment.number,
        Commitment.title,
        Milestone.id.label("m_id"),
        Milestone.number.label("m_number"),
        Milestone.title.label("m_title"),
        Milestone.status.label("m_status"),
    )
    .outerjoin(
        Milestone, (Milestone.commitment_id == Commitment.id) & Milestone.archived.is_(False)
    )
    .where(
        Commitment.working_group_id == bindparam("group_id"),
        Commitment.id == bindparam("commitment_id"),
        Commitment.archived.is_(False),
    )
    .order_by(Milestone.position, Milestone.id)
)


async def commitments_with_milestones(
    *, session: AsyncSession, group: WorkingGroup
) -> list[Choice]:
    """Current commitments that have at least one current milestone, in plan order."""
    rows = await session.execute(_WITH_MILESTONES, {"group_id": group.id})
    return [Choice(id=i, number=number, title=title) for i, number, title in rows]


async def current_milestones(
    *, session: AsyncSession, group: WorkingGroup, commitment_id: int
) -> tuple[Choice, list[Choice]] | None:
    """A current commitment and its current milestones; None when it is gone."""
    rows = (
        await session.execute(
            _CURRENT_MILESTONES, {"group_id": group.id, "commitment_id": commitment_id}
        )
    ).all()
    if not rows:
        return None
    milestones = [
        Choice(id=m.m_id, number=m.m_number, title=m.m_title, status=m.m_status)
        for m in rows
        if m.m_id is not None
    ]
    c = rows[0]
    return Choice(id=c.id, number=c.number, title=c.title), milestones
