"""Importing a plan: all or nothing, and a re-import keeps every member's update."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.enums import Status
from storage.db import transaction
from storage.groups import get_or_create_member, group_for_chat, set_chat_active
from storage.models import Milestone, ProgressUpdate, WorkingGroup
from storage.plan_import import ImportSummary, import_plan
from storage.planfile import (
    AgencySpec,
    CommitmentSpec,
    MeetingSpec,
    MilestoneSpec,
    PlanFile,
    PlanFileError,
    WorkingGroupSpec,
)
from storage.queries import plan_view

NOW = dt.datetime(2022, 3, 1, 9, 0, tzinfo=dt.UTC)
CHAT = -1001234


def small_plan(
    *,
    title: str = "Extractive Industry Transparency",
    due: str = "2022-06-30",
    second_number: str = "1.2",
    second_status: str = "limited",
    with_second: bool = True,
) -> PlanFile:
    return PlanFile(
        working_group=WorkingGroupSpec(
            name="Mongolia OGP Working Group", timezone="Asia/Ulaanbaatar", language="mn"
        ),
        agencies=[
            AgencySpec(code="MRPAM", name="Mineral Resources and Petroleum Authority"),
            AgencySpec(code="DEC", name="Democracy Education Center", sector="civil society"),
        ],
        commitments=[
            CommitmentSpec(
                number="1",
                title=title,
                lead_agency="MRPAM",
                supporting_agencies=["DEC"],
                milestones=[
                    MilestoneSpec(number="1.1", title="Submit the draft law", due=due),
                    *(
                        [
                            MilestoneSpec(
                                number=second_number,
                                title="Publish open data",
                                due="2023-06-30",
                                responsible="DEC",
                                status=second_status,
                            )
                        ]
                        if with_second
                        else []
                    ),
                ],
            )
        ],
    )


async def load(sessionmaker: async_sessionmaker[AsyncSession], plan: PlanFile) -> ImportSummary:
    async with transaction(sessionmaker) as session:
        return await import_plan(session=session, plan=plan, chat_id=CHAT, now=NOW)


async def record_update(
    sessionmaker: async_sessionmaker[AsyncSession], number: str, status: Status
) -> None:
    """What a member's /update does, at the storage level."""
    async with transaction(sessionmaker) as session:
        group = await group_for_chat(session=session, chat_id=CHAT)
        assert group is not None
        member = await get_or_create_member(
            session=session, group=group, telegram_user_id=42, now=NOW, full_name="Bat"
        )
        milestone = await session.scalar(select(Milestone).where(Milestone.number == number))
        assert milestone is not None
        session.add(
            ProgressUpdate(
                milestone_id=milestone.id,
                member_id=member.id,
                reporter_name="Bat",
                created_at=NOW,
                status=status,
                note="Draft submitted",
            )
        )
        milestone.status = status


async def test_import_creates_the_group_linked_to_the_chat(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    summary = await load(sessionmaker, small_plan())
    assert summary.created_group
    async with sessionmaker() as session:
        group = await group_for_chat(session=session, chat_id=CHAT)
        assert group is not None
        assert (group.name, group.timezone, group.language) == (
            "Mongolia OGP Working Group",
            "Asia/Ulaanbaatar",
            "mn",
        )
        view = await plan_view(session=session, group=group)
    [commitment] = view.commitments
    assert commitment.lead is not None and commitment.lead.code == "MRPAM"
    assert [a.code for a in commitment.supporting] == ["DEC"]
    # A milestone without `responsible` belongs to its commitment's lead agency.
    assert [
        (m.number, m.responsible and m.responsible.code, m.status) for m in commitment.milestones
    ] == [
        ("1.1", "MRPAM", Status.NOT_STARTED),
        ("1.2", "DEC", Status.LIMITED),
    ]


async def test_reimport_updates_titles_and_dates_and_keeps_members_updates(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await load(sessionmaker, small_plan())
    await record_update(sessionmaker, "1.1", Status.SUBSTANTIAL)

    summary = await load(
        sessionmaker, small_plan(title="Extractives transparency law", due="2022-09-30")
    )

    assert not summary.created_group
    assert summary.statuses_kept == ["1.1"]
    async with sessionmaker() as session:
        group = await group_for_chat(session=session, chat_id=CHAT)
        assert group is not None
        view = await plan_view(session=session, group=group)
        updates = await session.scalar(select(func.count()).select_from(ProgressUpdate))
        groups = await session.scalar(select(func.count()).select_from(WorkingGroup))
    [commitment] = view.commitments
    first = commitment.milestones[0]
    assert commitment.title == "Extractives transparency law"
    assert first.due == dt.date(2022, 9, 30)
    # The file says not_started; the member said substantial, and the member stands.
    assert first.status is Status.SUBSTANTIAL
    assert first.last_update is not None and first.last_update.note == "Draft submitted"
    assert (updates, groups) == (1, 1)


async def test_reimport_without_updates_takes_the_files_status(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await load(sessionmaker, small_plan())
    await load(sessionmaker, small_plan(second_status="complete"))
    async with sessionmaker() as session:
        status = await session.scalar(select(Milestone.status).where(Milestone.number == "1.2"))
    assert status is Status.COMPLETE


async def test_milestones_dropped_from_the_file_are_archived_with_their_history(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await load(sessionmaker, small_plan())
    await record_update(sessionmaker, "1.2", Status.LIMITED)
    summary = await load(sessionmaker, small_plan(with_second=False))

    assert summary.archived == ["1.2"]
    async with sessionmaker() as session:
        group = await group_for_chat(session=session, chat_id=CHAT)
        assert group is not None
        view = await plan_view(session=session, group=group)
        kept = await session.scalar(select(func.count()).select_from(ProgressUpdate))
    assert [m.number for m in view.commitments[0].milestones] == ["1.1"]
    assert kept == 1
    # Back in the file, back in the plan, history intact.
    await load(sessionmaker, small_plan())
    async with sessionmaker() as session:
        group = await group_for_chat(session=session, chat_id=CHAT)
        assert group is not None
        view = await plan_view(session=session, group=group)
    restored = view.commitments[0].milestones[1]
    assert restored.number == "1.2" and restored.last_update is not None


async def test_an_import_that_fails_half_way_writes_nothing(
    sessionmaker: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    await load(sessionmaker, small_plan())

    async def crash(*_: object) -> int:
        raise ConnectionResetError("the database went away")

    # Commitments and milestones are already written when the meetings step crashes.
    monkeypatch.setattr("storage.plan_import._add_meetings", crash)
    with pytest.raises(ConnectionResetError):
        await load(sessionmaker, small_plan(title="Renamed", with_second=False))
    async with sessionmaker() as session:
        group = await group_for_chat(session=session, chat_id=CHAT)
        assert group is not None
        view = await plan_view(session=session, group=group)
    assert view.commitments[0].title == "Extractive Industry Transparency"
    assert [m.number for m in view.commitments[0].milestones] == ["1.1", "1.2"]


async def test_progress_updates_cannot_be_edited_or_deleted(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await load(sessionmaker, small_plan())
    await record_update(sessionmaker, "1.1", Status.LIMITED)
    with pytest.raises(PermissionError, match="append-only"):
        async with transaction(sessionmaker) as session:
            update = await session.scalar(select(ProgressUpdate))
            assert update is not None
            update.note = "rewritten history"
    with pytest.raises(PermissionError, match="append-only"):
        async with transaction(sessionmaker) as session:
            update = await session.scalar(select(ProgressUpdate))
            await session.delete(update)
    async with sessionmaker() as session:
        note = await session.scalar(select(ProgressUpdate.note))
    assert note == "Draft submitted"


async def test_reimport_after_the_bot_was_removed_keeps_the_same_group(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    first = await load(sessionmaker, small_plan())
    await record_update(sessionmaker, "1.1", Status.SUBSTANTIAL)
    async with transaction(sessionmaker) as session:
        await set_chat_active(session=session, chat_id=CHAT, active=False)

    again = await load(sessionmaker, small_plan())

    assert not again.created_group
    assert again.group_id == first.group_id
    async with sessionmaker() as session:
        group = await group_for_chat(session=session, chat_id=CHAT)
        assert group is not None
        view = await plan_view(session=session, group=group)
    assert view.commitments[0].milestones[0].status is Status.SUBSTANTIAL


async def test_a_meeting_that_never_comes_from_today_is_a_located_problem_and_nothing_changes(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Every 7th day on a Saturday, added on a Tuesday (NOW): no date in five years.
    Only the import knows today, so it is the import that says so, with the place."""
    plan = small_plan().model_copy(
        update={
            "meetings": [
                MeetingSpec(title="Never", when="RRULE:FREQ=DAILY;INTERVAL=7;BYDAY=SA 10:00")
            ]
        }
    )
    with pytest.raises(PlanFileError) as raised:
        async with transaction(sessionmaker) as session:
            await import_plan(session=session, plan=plan, chat_id=CHAT, now=NOW)
    [problem] = raised.value.problems
    assert problem.location == "meetings[0].when"
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(WorkingGroup)) == 0
