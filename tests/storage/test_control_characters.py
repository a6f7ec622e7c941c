"""Control characters that came in through the chat never reach the database, and an old
row holding one does not break the group's spreadsheet export."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.i18n import translator
from domain.enums import Status
from domain.text import clean_text
from storage.db import create_sessionmaker, transaction
from storage.groups import get_or_create_member, group_for_chat
from storage.models import Member, Milestone, ProgressUpdate
from storage.plan_export import ExportFormat, export_group
from storage.planfile import load_plan
from storage.progress import find_milestone, record_update
from tests.conftest import EXAMPLES, import_into

CHAT = -100_777
NOW = dt.datetime(2022, 9, 1, 2, 0, tzinfo=dt.UTC)
HOSTILE = "Draft\x0bsent\x1b[31m to MoF\x00 \ud800ok\r\nnext line\tand a tab"

EN = translator("en")  # the words of English exports


async def member_and_milestone(
    engine: AsyncEngine, session: AsyncSession, name: str
) -> tuple[Member, Milestone]:
    """The example plan linked, a member called `name` and milestone 3.2."""
    await import_into(
        engine, load_plan(EXAMPLES / "mongolia-2021-2023.yaml"), chat_id=CHAT, now=NOW
    )
    group = await group_for_chat(session=session, chat_id=CHAT)
    assert group is not None
    member = await get_or_create_member(
        session=session, group=group, telegram_user_id=9, now=NOW, full_name=name
    )
    milestone = await find_milestone(session=session, group=group, number="3.2")
    assert milestone is not None
    return member, milestone


def test_clean_text_keeps_newlines_and_tabs_only() -> None:
    assert clean_text(HOSTILE) == "Draftsent[31m to MoF ok\nnext line\tand a tab"
    assert clean_text("\x7f\x85\x9f") == ""


async def test_a_note_and_a_name_with_control_characters_are_stored_clean(
    engine: AsyncEngine,
) -> None:
    sessionmaker = create_sessionmaker(engine)
    async with transaction(sessionmaker) as session:
        member, milestone = await member_and_milestone(engine, session, "Bat\x00\x1b")
        await record_update(
            session=session,
            milestone=milestone,
            member=member,
            status=Status.LIMITED,
            note=HOSTILE,
            evidence_url=None,
            now=NOW,
        )
    async with sessionmaker() as session:
        note = await session.scalar(select(ProgressUpdate.note))
        name = await session.scalar(select(Member.full_name))
    assert note == clean_text(HOSTILE) and name == "Bat"


async def test_an_old_note_with_a_vertical_tab_still_exports_as_a_spreadsheet(
    engine: AsyncEngine,
) -> None:
    sessionmaker = create_sessionmaker(engine)
    async with transaction(sessionmaker) as session:
        member, milestone = await member_and_milestone(engine, session, "Bat")
        # As a row written before the edge cleaned notes (a NUL PostgreSQL would refuse).
        session.add(
            ProgressUpdate(
                milestone_id=milestone.id,
                member_id=member.id,
                reporter_name="Bat",
                created_at=NOW,
                status=Status.LIMITED,
                note="old\x0bnote\x1b",
            )
        )
    async with transaction(sessionmaker) as session:
        group = await group_for_chat(session=session, chat_id=CHAT)
        assert group is not None
        data = await export_group(
            session=session, group=group, fmt=ExportFormat.XLSX, now=NOW, words=EN
        )
    book = openpyxl.load_workbook(io.BytesIO(data))
    values = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert "oldnote" in values
