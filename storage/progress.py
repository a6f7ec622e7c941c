"""Progress updates: recording one (append-only) and reading a milestone's history.

Keyword-only functions taking the caller's session; none of them commits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

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


async def find_milestone(
    *, session: AsyncSession, group: WorkingGroup, number: str
) -> Milestone | None:
    """A milestone of the group by its plan number, archived ones included."""
    return await session.scalar(
        select(Milestone)
        .where(Milestone.working_group_id == group.id, Milestone.number == number)
        .options(selectinload(Milestone.commitment))
    )


async def milestone_by_id(
    *, session: AsyncSession, group: WorkingGroup, milestone_id: int
) -> Milestone | None:
    """A milestone by database id, only if it belongs to the group (buttons carry ids)."""
    return await session.scalar(
        select(Milestone)
        .where(Milestone.working_group_id == group.id, Milestone.id == milestone_id)
        .options(selectinload(Milestone.commitment))
    )


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


async def record_update(
    *,
    session: AsyncSession,
    milestone: Milestone,
    member: Member,
    status: Status,
    note: str | None,
    evidence_url: str | None,
    now: dt.datetime,
) -> ProgressUpdate:
    """Append one update and make its status the milestone's current one."""
    update = ProgressUpdate(
        milestone_id=milestone.id,
        **report_fields(
            member=member, status=status, note=note, evidence_url=evidence_url, now=now
        ),
    )
    session.add(update)
    milestone.status = status
    await session.flush()
    return update


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


async def commitments_with_milestones(
    *, session: AsyncSession, group: WorkingGroup
) -> list[Choice]:
    """Current commitments that have at least one current milestone, in plan order."""
    has_milestone = (
        select(Milestone.id)
        .where(Milestone.commitment_id == Commitment.id, Milestone.archived.is_(False))
        .exists()
    )
    rows = await session.scalars(
        select(Commitment)
        .where(
            Commitment.working_group_id == group.id,
            Commitment.archived.is_(False),
            has_milestone,
        )
        .order_by(Commitment.position, Commitment.id)
    )
    return [Choice(id=c.id, number=c.number, title=c.title) for c in rows]


async def current_milestones(
    *, session: AsyncSession, group: WorkingGroup, commitment_id: int
) -> tuple[Choice, list[Choice]] | None:
    """A current commitment and its current milestones; None when it is gone."""
    commitment = await session.scalar(
        select(Commitment).where(
            Commitment.working_group_id == group.id,
            Commitment.id == commitment_id,
            Commitment.archived.is_(False),
        )
    )
    if commitment is None:
        return None
    rows = await session.scalars(
        select(Milestone)
        .where(Milestone.commitment_id == commitment.id, Milestone.archived.is_(False))
        .order_by(Milestone.position, Milestone.id)
    )
    milestones = [Choice(id=m.id, number=m.number, title=m.title, status=m.status) for m in rows]
    return Choice(id=commitment.id, number=commitment.number, title=commitment.title), milestones
