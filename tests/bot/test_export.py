"""Transcripts: /export sends the plan as a document that reads back to the same plan."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.enums import Status
from fakebot import FakeTelegram, TranscriptEntry
from storage.db import create_sessionmaker, transaction
from storage.groups import get_or_create_member, group_for_chat
from storage.models import Milestone, ProgressUpdate
from storage.plan_export import ExportFormat, export_filename
from storage.planfile import (
    CommitmentSpec,
    MilestoneSpec,
    PlanFile,
    WorkingGroupSpec,
    load_plan,
    parse_plan_bytes,
)
from tests.bot.conftest import BAT, GROUP, NOW, OYUNA, link_example
from tests.conftest import EXAMPLES, import_into
from wgbot.harness import BotRun

FILE_STEM = "mongolia-ogp-working-group-2022-09-01"
NOTE = '=HYPERLINK("https://evil.example") draft law <b>submitted</b>'

Row = tuple[str, str, str | None, str, str, dt.date, str, str | None]


def rows(plan: PlanFile) -> list[Row]:
    """Every milestone with its commitment, as a spreadsheet row carries it."""
    return [
        (
            c.number,
            c.title,
            c.lead_agency,
            m.number,
            m.title,
            m.due,
            str(m.status),
            m.responsible or c.lead_agency,
        )
        for c in plan.commitments
        for m in c.milestones
    ]


async def report_progress(engine: AsyncEngine) -> None:
    """Bat reports milestone 3.2 as substantial (what /update stores)."""
    async with transaction(create_sessionmaker(engine)) as session:
        group = await group_for_chat(session=session, chat_id=GROUP)
        assert group is not None
        member = await get_or_create_member(
            session=session, group=group, telegram_user_id=BAT, now=NOW, full_name="Bat"
        )
        milestone = await session.scalar(
            select(Milestone).where(
                Milestone.working_group_id == group.id, Milestone.number == "3.2"
            )
        )
        assert milestone is not None
        session.add(
            ProgressUpdate(
                milestone_id=milestone.id,
                member_id=member.id,
                reporter_name="Bat",
                created_at=NOW,
                status=Status.SUBSTANTIAL,
                note=NOTE,
            )
        )
        milestone.status = Status.SUBSTANTIAL


def expected_rows() -> list[Row]:
    example = rows(load_plan(EXAMPLES / "mongolia-2021-2023.yaml"))
    return [(*r[:6], "substantial", *r[7:]) if r[3] == "3.2" else r for r in example]


def document(entry: TranscriptEntry) -> tuple[str, bytes]:
    assert entry.kind == "document" and entry.document is not None
    assert entry.document.filename is not None
    return entry.document.filename, entry.document.data


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_a_spreadsheet_export_reads_back_to_the_same_plan(
    run: BotRun, engine: AsyncEngine, fmt: str
) -> None:
    await link_example(engine)
    await report_progress(engine)
    reply = await run.unique_reply(GROUP, OYUNA, f"/export {fmt.upper()}")
    name, data = document(reply)
    assert name == f"{FILE_STEM}.{fmt}"
    assert reply.text == (
        f"Mongolia OGP Working Group: the plan with statuses and latest updates ({fmt.upper()})."
    )
    again = parse_plan_bytes(data, fmt)
    assert rows(again) == expected_rows()
    if fmt == "xlsx":
        example = load_plan(EXAMPLES / "mongolia-2021-2023.yaml")
        assert again.agencies == example.agencies
        assert again.working_group is not None
        assert again.working_group.timezone == "Asia/Ulaanbaatar"
    else:
        [row] = [
            r for r in csv.DictReader(io.StringIO(data.decode())) if r["milestone_number"] == "3.2"
        ]
        assert row["milestone_last_update"] == "2022-09-01"
        assert row["milestone_last_update_by"] == "Bat"
        assert row["milestone_last_note"] == "'" + NOTE  # never runs as a formula


async def test_the_calendar_export(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    await run.unique_reply(GROUP, OYUNA, "/meeting skip 1 2022-10-11")
    reply = await run.unique_reply(GROUP, OYUNA, "/export ics")
    name, data = document(reply)
    assert name == f"{FILE_STEM}.ics"
    assert reply.text is not None and "calendar of meetings and milestone due dates" in reply.text
    calendar = Calendar.from_ical(data)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Ulaanbaatar"]
    events = {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}
    meeting = events["meeting-1"]
    assert str(meeting["SUMMARY"]) == "Working group meeting"
    assert meeting["RRULE"].to_ical() == b"FREQ=MONTHLY;BYDAY=2TU"
    assert meeting["DTSTART"].to_ical() == b"20220913T100000"
    assert meeting["DTSTART"].params["TZID"] == "Asia/Ulaanbaatar"
    assert b"EXDATE;TZID=Asia/Ulaanbaatar:20221011T100000" in data
    milestones = [uid for uid in events if uid.startswith("milestone-")]
    example = load_plan(EXAMPLES / "mongolia-2021-2023.yaml")
    assert len(milestones) == sum(len(c.milestones) for c in example.commitments)
    assert any(uid.endswith("-3.2") for uid in milestones)

    await run.unique_reply(GROUP, OYUNA, "/meeting cancel 1")
    _, data = document(await run.unique_reply(GROUP, OYUNA, "/export ics"))
    assert b"UID:meeting-1@" not in data and b"UID:meeting-2@" in data


async def test_the_markdown_export(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    await report_progress(engine)
    name, data = document(await run.unique_reply(GROUP, OYUNA, "/export md"))
    assert name == f"{FILE_STEM}.md"
    report = data.decode()
    assert report.startswith("# Mongolia OGP Working Group")
    assert "| substantial | 2022-09-01 Bat: " in report
    assert "<b>" not in report


@pytest.mark.parametrize("arguments", ["", "pdf", "csv xlsx", "yaml"])
async def test_a_bad_format_gets_the_usage(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, arguments: str
) -> None:
    await link_example(engine)
    reply = await run.unique_reply(GROUP, OYUNA, f"/export {arguments}")
    assert reply.kind == "message"
    assert reply.text == (
        "Usage: /export <csv|xlsx|ics|md>\n"
        "Example: /export xlsx\n"
        "csv and xlsx open in a spreadsheet and can be imported again; ics is a calendar of the "
        "meetings and due dates; md is a readable report."
    )


async def test_a_member_is_refused(run: BotRun, engine: AsyncEngine, fake: FakeTelegram) -> None:
    await link_example(engine)
    reply = await run.unique_reply(GROUP, BAT, "/export csv")
    assert reply.kind == "message"
    assert reply.text is not None and reply.text.startswith("Only coordinators can do that")
    assert fake.calls("sendDocument") == []


async def test_export_in_mongolian(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine, language="mn")
    reply = await run.unique_reply(GROUP, OYUNA, "/export xlsx")
    name, data = document(reply)
    assert name == f"{FILE_STEM}.xlsx"
    assert reply.text == (
        "Mongolia OGP Working Group: төлөвлөгөө, үе шатуудын төлөв, сүүлийн мэдээллийн хамт (XLSX)."
    )
    assert len(rows(parse_plan_bytes(data, "xlsx"))) == len(expected_rows())
    usage = await run.unique_reply(GROUP, OYUNA, "/export")
    assert usage.text is not None and usage.text.startswith("Хэрэглээ: /export <csv|xlsx|ics|md>")
    refused = await run.unique_reply(GROUP, BAT, "/export md")
    assert refused.text is not None and refused.text.startswith("Үүнийг зөвхөн зохицуулагч хийнэ")


async def test_a_group_name_cannot_inject_into_the_caption(
    run: BotRun, engine: AsyncEngine
) -> None:
    plan = PlanFile(
        working_group=WorkingGroupSpec(name='<a href="https://evil.example">WG</a> & co'),
        commitments=[
            CommitmentSpec(
                number="1",
                title="Open data",
                milestones=[MilestoneSpec(number="1.1", title="Publish", due="2022-12-01")],
            )
        ],
    )
    await import_into(engine, plan, chat_id=GROUP, now=NOW, default_timezone="Asia/Ulaanbaatar")
    reply = await run.unique_reply(GROUP, OYUNA, "/export md")
    name, _ = document(reply)
    assert name == "a-href-https-evil-example-wg-a-co-2022-09-01.md"
    assert reply.text is not None
    assert reply.text.startswith('<a href="https://evil.example">WG</a> & co: the plan')
    assert reply.raw_text is not None and "&lt;a href" in reply.raw_text


@pytest.mark.parametrize(
    ("name", "fmt", "expected"),
    [
        (
            "Mongolia OGP Working Group",
            ExportFormat.CSV,
            "mongolia-ogp-working-group-2022-09-01.csv",
        ),
        ("Монголын НЗТ ажлын хэсэг", ExportFormat.ICS, "монголын-нзт-ажлын-хэсэг-2022-09-01.ics"),
        ("../../etc/passwd", ExportFormat.MD, "etc-passwd-2022-09-01.md"),
        ("***", ExportFormat.XLSX, "plan-2022-09-01.xlsx"),
    ],
)
def test_export_file_names(name: str, fmt: ExportFormat, expected: str) -> None:
    assert export_filename(name, dt.date(2022, 9, 1), fmt) == expected


async def test_the_report_and_the_calendar_speak_the_groups_language(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine, language="ru")
    await report_progress(engine)
    _, data = document(await run.unique_reply(GROUP, OYUNA, "/export md"))
    report = data.decode()
    assert "| # | Этап | Ответственный | Срок | Статус | Последнее обновление |" in report
    assert "| выполнено существенно | 2022-09-01 Bat: " in report
    assert "Ответственный орган:" in report
    for english in ("Milestone", "Lead agency", "Policy area", "complete:", "substantial"):
        assert english not in report
    _, data = document(await run.unique_reply(GROUP, OYUNA, "/export ics"))
    events = [e for e in Calendar.from_ical(data).walk("VEVENT") if "DESCRIPTION" in e]
    descriptions = [str(e["DESCRIPTION"]) for e in events]
    assert descriptions and all(d.startswith("Статус: ") for d in descriptions)
    assert not any("Status:" in d or "Responsible:" in d for d in descriptions)
