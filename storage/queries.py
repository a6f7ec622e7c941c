"""Read models of a working group's plan, loaded eagerly for rendering and export.

Handlers and exporters get plain dataclasses, never ORM objects: nothing lazy-loads
outside the session, and the renderers stay pure functions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from domain.enums import Sector, Status
from storage.models import (
    Agency,
    Commitment,
    Milestone,
    ProgressUpdate,
    WorkingGroup,
    commitment_supporting_agency,
)


@dataclasses.dataclass(frozen=True)
class AgencyView:
    code: str
    name: str
    sector: Sector


@dataclasses.dataclass(frozen=True)
class UpdateView:
    at: dt.datetime
    reporter: str
    status: Status
    note: str | None
    evidence_url: str | None


@dataclasses.dataclass(frozen=True)
class MilestoneView:
    number: str
    title: str
    responsible: AgencyView | None
    start: dt.date | None
    due: dt.date
    status: Status
    last_update: UpdateView | None


@dataclasses.dataclass(frozen=True)
class CommitmentView:
    number: str
    title: str
    ogp_id: str | None
    description: str | None
    policy_area: str | None
    lead: AgencyView | None
    supporting: tuple[AgencyView, ...]
    start: dt.date | None
    end: dt.date | None
    milestones: tuple[MilestoneView, ...]

    @property
    def complete(self) -> int:
        return sum(1 for m in self.milestones if m.status is Status.COMPLETE)


@dataclasses.dataclass(frozen=True)
class PlanView:
    group_name: str
    country: str | None
    period: str | None
    timezone: str
    language: str
    agencies: tuple[AgencyView, ...]
    commitments: tuple[CommitmentView, ...]


def _agency(agency: Agency | None) -> AgencyView | None:
    if agency is None:
        return None
    return AgencyView(code=agency.code, name=agency.name, sector=agency.sector)


async def latest_updates(
    *, session: AsyncSession, group_id: int, commitment_id: int | None = None
) -> dict[int, UpdateView]:
    """The newest update of every milestone that has one, by milestone id."""
    newest = (
        select(func.max(ProgressUpdate.id))
        .join(Milestone, Milestone.id == ProgressUpdate.milestone_id)
        .where(Milestone.working_group_id == group_id)
        .group_by(ProgressUpdate.milestone_id)
    )
    if commitment_id is not None:
        newest = newest.where(Milestone.commitment_id == commitment_id)
    rows = await session.scalars(select(ProgressUpdate).where(ProgressUpdate.id.in_(newest)))
    return {
        u.milestone_id: UpdateView(
            at=u.created_at,
            reporter=u.reporter_name,
            status=u.status,
            note=u.note,
            evidence_url=u.evidence_url,
        )
        for u in rows
    }


def _commitment_view(c: Commitment, updates: dict[int, UpdateView]) -> CommitmentView:
    return CommitmentView(
        number=c.number,
        title=c.title,
        ogp_id=c.ogp_id,
        description=c.description,
        policy_area=c.policy_area,
        lead=_agency(c.lead_agency),
        supporting=tuple(a for a in map(_agency, c.supporting_agencies) if a is not None),
        start=c.start,
        end=c.end,
        milestones=tuple(
            MilestoneView(
                number=m.number,
                title=m.title,
                responsible=_agency(m.responsible_agency),
                start=m.start,
                due=m.due,
                status=m.status,
                last_update=updates.get(m.id),
            )
            for m in c.milestones
            if not m.archived
        ),
    )


def _commitments_query(group_id: int) -> Select[Commitment]:
    return (
        select(Commitment)
        .where(Commitment.working_group_id == group_id, Commitment.archived.is_(False))
        .options(
            selectinload(Commitment.lead_agency),
            selectinload(Commitment.supporting_agencies),
            selectinload(Commitment.milestones).selectinload(Milestone.responsible_agency),
        )
        .order_by(Commitment.position, Commitment.id)
    )


async def plan_view(*, session: AsyncSession, group: WorkingGroup) -> PlanView:
    """The whole current plan of a group, with each milestone's latest update."""
    updates = await latest_updates(session=session, group_id=group.id)
    commitments = await session.scalars(_commitments_query(group.id))
    agencies = await session.scalars(
        select(Agency).where(Agency.working_group_id == group.id).order_by(Agency.id)
    )
    return PlanView(
        group_name=group.name,
        country=group.country,
        period=group.period,
        timezone=group.timezone,
        language=group.language,
        agencies=tuple(AgencyView(code=a.code, name=a.name, sector=a.sector) for a in agencies),
        commitments=tuple(_commitment_view(c, updates) for c in commitments),
    )


@dataclasses.dataclass(frozen=True)
class PlanLine:
    """One commitment as /plan lists it."""

    number: str
    title: str
    lead: str | None  # the lead agency's code
    complete: int
    total: int


@dataclasses.dataclass(frozen=True)
class PlanSummary:
    group_name: str
    period: str | None
    commitments: tuple[PlanLine, ...]


# The commands' statements are built once, here, with their values as bound parameters:
# building a select costs more CPU than running it, and an entity load more than both.
_counted = Milestone.archived.is_(False)
_PLAN_LINES = (
    select(
        Commitment.number,
        Commitment.title,
        Agency.code,
        func.count(Milestone.id).filter(_counted, Milestone.status == Status.COMPLETE),
        func.count(Milestone.id).filter(_counted),
    )
    .outerjoin(Agency, Agency.id == Commitment.lead_agency_id)
    .outerjoin(Milestone, Milestone.commitment_id == Commitment.id)
    .where(
        Commitment.working_group_id == bindparam("group_id"),
        Commitment.archived.is_(False),
    )
    .group_by(Commitment.id, Agency.code)
    .order_by(Commitment.position, Commitment.id)
)


async def plan_summary(*, session: AsyncSession, group: WorkingGroup) -> PlanSummary:
    """/plan's lines, in one query whatever the plan's size: each current commitment with
    its lead agency's code and how many of its current milestones are complete."""
    rows = await session.execute(_PLAN_LINES, {"group_id": group.id})
    return PlanSummary(
        group_name=group.name,
        period=group.period,
        commitments=tuple(
            PlanLine(number=n, title=title, lead=lead, complete=done, total=total)
            for n, title, lead, done, total in rows
        ),
    )


_lead = aliased(Agency, name="lead")
_responsible = aliased(Agency, name="responsible")
_older = aliased(ProgressUpdate, name="older")
# Each milestone's newest update: the one with the highest id, as in latest_updates().
_newest_id = (
    select(func.max(_older.id))
    .where(_older.milestone_id == Milestone.id)
    .correlate(Milestone)
    .scalar_subquery()
)
# One row per current milestone (one row with no milestone when it has none), each with
# the commitment, its lead agency, the milestone's agency and its newest update.
_COMMITMENT_ROWS = (
    select(
        Commitment.id,
        Commitment.number,
        Commitment.title,
        Commitment.ogp_id,
        Commitment.description,
        Commitment.policy_area,
        Commitment.start,
        Commitment.end,
        _lead.code.label("lead_code"),
        _lead.name.label("lead_name"),
        _lead.sector.label("lead_sector"),
        Milestone.number.label("m_number"),
        Milestone.title.label("m_title"),
        Milestone.start.label("m_start"),
        Milestone.due.label("m_due"),
        Milestone.status.label("m_status"),
        _responsible.code.label("r_code"),
        _responsible.name.label("r_name"),
        _responsible.sector.label("r_sector"),
        ProgressUpdate.id.label("u_id"),
        ProgressUpdate.created_at.label("u_at"),
        ProgressUpdate.reporter_name.label("u_reporter"),
        ProgressUpdate.status.label("u_status"),
        ProgressUpdate.note.label("u_note"),
        ProgressUpdate.evidence_url.label("u_evidence_url"),
    )
    .select_from(Commitment)
    .outerjoin(_lead, _lead.id == Commitment.lead_agency_id)
    .outerjoin(
        Milestone, (Milestone.commitment_id == Commitment.id) & Milestone.archived.is_(False)
    )
    .outerjoin(_responsible, _responsible.id == Milestone.responsible_agency_id)
    .outerjoin(ProgressUpdate, ProgressUpdate.id == _newest_id)
    .where(
        Commitment.working_group_id == bindparam("group_id"),
        Commitment.number == bindparam("number"),
        Commitment.archived.is_(False),
    )
    .order_by(Milestone.position, Milestone.id)
)
_SUPPORTING = (
    select(Agency.code, Agency.name, Agency.sector)
    .join(commitment_supporting_agency, commitment_supporting_agency.c.agency_id == Agency.id)
    .where(commitment_supporting_agency.c.commitment_id == bindparam("commitment_id"))
    .order_by(commitment_supporting_agency.c.position)
)


def _agency_of(code: str | None, name: str | None, sector: Sector | None) -> AgencyView | None:
    if code is None or name is None or sector is None:
        return None
    return AgencyView(code=code, name=name, sector=sector)


async def commitment_view(
    *, session: AsyncSession, group: WorkingGroup, number: str
) -> CommitmentView | None:
    """One commitment by its plan number, or None: two queries whatever its size."""
    rows = (await session.execute(_COMMITMENT_ROWS, {"group_id": group.id, "number": number})).all()
    if not rows:
        return None
    c = rows[0]
    supporting = await session.execute(_SUPPORTING, {"commitment_id": c.id})
    return CommitmentView(
        number=c.number,
        title=c.title,
        ogp_id=c.ogp_id,
        description=c.description,
        policy_area=c.policy_area,
        lead=_agency_of(c.lead_code, c.lead_name, c.lead_sector),
        supporting=tuple(AgencyView(code=a, name=n, sector=s) for a, n, s in supporting),
        start=c.start,
        end=c.end,
        milestones=tuple(
            MilestoneView(
                number=m.m_number,
                title=m.m_title,
                responsible=_agency_of(m.r_code, m.r_name, m.r_sector),
                start=m.m_start,
                due=m.m_due,
                status=m.m_status,
                last_update=(
                    None
                    if m.u_id is None
                    else UpdateView(
                        at=m.u_at,
                        reporter=m.u_reporter,
                        status=m.u_status,
                        note=m.u_note,
                        evidence_url=m.u_evidence_url,
                    )
                ),
            )
            for m in rows
            if m.m_number is not None
        ),
    )
