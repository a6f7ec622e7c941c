"""Load a validated plan file into a working group, keeping every update.

Re-importing updates titles, dates and agencies. A milestone's status in the file
is only its starting value: once members have reported on it, theirs stands.
Commitments and milestones missing from the new file are archived, not deleted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.when import WhenError, parse_when
from storage.groups import create_group, group_for_chat, set_chat_active
from storage.meetings import first_start
from storage.models import (
    Agency,
    Commitment,
    Meeting,
    Milestone,
    ProgressUpdate,
    WorkingGroup,
)
from storage.planfile import PlanFile, PlanFileError, Problem


@dataclasses.dataclass
class ImportSummary:
    """What an import changed, for the CLI's one-paragraph report."""

    group_id: int
    group_name: str
    created_group: bool
    agencies: int = 0
    commitments: int = 0
    milestones: int = 0
    meetings_added: int = 0
    statuses_kept: list[str] = dataclasses.field(default_factory=list)
    archived: list[str] = dataclasses.field(default_factory=list)


async def import_plan(
    *,
    session: AsyncSession,
    plan: PlanFile,
    chat_id: int,
    now: dt.datetime,
    name: str | None = None,
    default_name: str = "Working group",
    default_timezone: str = "UTC",
    default_language: str = "en",
) -> ImportSummary:
    """Create or update the working group linked to `chat_id` from `plan` (no commit).

    `name` (the CLI's --name) wins over the file's; the defaults apply to a new group
    whose file does not say (a CSV never does).
    """
    spec = plan.working_group
    group = await group_for_chat(session=session, chat_id=chat_id, include_inactive=True)
    created = group is None
    if group is None:
        group = await create_group(
            session=session,
            chat_id=chat_id,
            name=name or (spec.name if spec else default_name),
            timezone=(spec.timezone if spec and spec.timezone else default_timezone),
            language=str(spec.language) if spec and spec.language else default_language,
            now=now,
        )
    else:
        # Linking the chat again says the bot belongs there: deliveries resume.
        await set_chat_active(session=session, chat_id=chat_id, active=True)
        if name or spec:
            group.name = name or (spec.name if spec else group.name)
        if spec is not None:
            group.country = spec.country or group.country
            group.period = spec.period or group.period
            group.timezone = spec.timezone or group.timezone
            group.language = str(spec.language) if spec.language else group.language
        group.updated_at = now
    if spec is not None and created:
        group.country, group.period = spec.country, spec.period

    summary = ImportSummary(group_id=group.id, group_name=group.name, created_group=created)
    agencies = await _upsert_agencies(session, group, plan)
    summary.agencies = len(plan.agencies)
    await _upsert_commitments(session, group, plan, agencies, summary)
    summary.meetings_added = await _add_meetings(session, group, plan, now)
    await session.flush()
    return summary


async def _upsert_agencies(
    session: AsyncSession, group: WorkingGroup, plan: PlanFile
) -> dict[str, Agency]:
    rows = await session.scalars(select(Agency).where(Agency.working_group_id == group.id))
    by_code = {a.code: a for a in rows}
    for spec in plan.agencies:
        agency = by_code.get(spec.code)
        if agency is None:
            agency = Agency(working_group_id=group.id, code=spec.code)
            session.add(agency)
            by_code[spec.code] = agency
        agency.name = spec.name
        agency.sector = spec.sector
    await session.flush()
    return by_code


async def _upsert_commitments(
    session: AsyncSession,
    group: WorkingGroup,
    plan: PlanFile,
    agencies: dict[str, Agency],
    summary: ImportSummary,
) -> None:
    commitments = {
        c.number: c
        for c in await session.scalars(
            select(Commitment).where(Commitment.working_group_id == group.id)
        )
    }
    milestones = {
        m.number: m
        for m in await session.scalars(
            select(Milestone).where(Milestone.working_group_id == group.id)
        )
    }
    reported = set(
        await session.scalars(
            select(Milestone.number).where(
                Milestone.working_group_id == group.id,
                exists().where(ProgressUpdate.milestone_id == Milestone.id),
            )
        )
    )
    seen_commitments: set[str] = set()
    seen_milestones: set[str] = set()
    for position, spec in enumerate(plan.commitments):
        commitment = commitments.get(spec.number)
        if commitment is None:
            commitment = Commitment(working_group_id=group.id, number=spec.number)
            session.add(commitment)
            commitments[spec.number] = commitment
        commitment.position = position
        commitment.title = spec.title
        commitment.ogp_id = spec.ogp_id
        commitment.description = spec.description
        commitment.policy_area = spec.policy_area
        commitment.lead_agency = agencies[spec.lead_agency] if spec.lead_agency else None
        commitment.start, commitment.end = spec.start, spec.end
        commitment.archived = False
        await session.flush()
        await session.refresh(commitment, ["supporting_agencies"])
        commitment.supporting_agencies = [agencies[code] for code in spec.supporting_agencies]
        seen_commitments.add(spec.number)
        for m_position, m_spec in enumerate(spec.milestones):
            milestone = milestones.get(m_spec.number)
            if milestone is None:
                milestone = Milestone(working_group_id=group.id, number=m_spec.number)
                session.add(milestone)
                milestones[m_spec.number] = milestone
            milestone.commitment_id = commitment.id
            milestone.position = m_position
            milestone.title = m_spec.title
            responsible = m_spec.responsible or spec.lead_agency
            milestone.responsible_agency = agencies[responsible] if responsible else None
            milestone.start, milestone.due = m_spec.start, m_spec.due
            milestone.archived = False
            if m_spec.number in reported:
                if milestone.status != m_spec.status:
                    summary.statuses_kept.append(m_spec.number)
            else:
                milestone.status = m_spec.status
            seen_milestones.add(m_spec.number)
            summary.milestones += 1
        summary.commitments += 1
    for number, commitment in commitments.items():
        if number not in seen_commitments and not commitment.archived:
            commitment.archived = True
            summary.archived.append(number)
    for number, milestone in milestones.items():
        if number not in seen_milestones and not milestone.archived:
            milestone.archived = True
            summary.archived.append(number)


async def _add_meetings(
    session: AsyncSession, group: WorkingGroup, plan: PlanFile, now: dt.datetime
) -> int:
    """Meetings in the file are added once; a meeting already there (same title) is kept."""
    if not plan.meetings:
        return 0
    existing = set(
        await session.scalars(
            select(Meeting.title).where(
                Meeting.working_group_id == group.id, Meeting.cancelled_at.is_(None)
            )
        )
    )
    tz = zoneinfo.ZoneInfo(group.timezone)
    added = 0
    for index, spec in enumerate(plan.meetings):
        if spec.title in existing:
            continue
        when = parse_when(spec.when)
        try:
            # As /meeting add stores it: the rule's first date at or after now.
            start = first_start(when, now=now, tz=tz)
        except WhenError as exc:
            # Only now is known when the rule starts: `wgbot check` cannot see this.
            where = f"meetings[{index}].when"
            raise PlanFileError([Problem(where, str(exc), f"meeting '{spec.title}'")]) from None
        session.add(
            Meeting(
                working_group_id=group.id,
                title=spec.title,
                first_start_local=start,
                rrule=when.rrule,
                timezone=group.timezone,
                duration_minutes=spec.duration_minutes,
                place=spec.place,
                skipped_dates=[],
                created_at=now,
            )
        )
        existing.add(spec.title)
        added += 1
    return added
