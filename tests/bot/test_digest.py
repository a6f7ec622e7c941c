"""Transcripts: /digest posts the weekly digest now, a chart and one short message."""

from __future__ import annotations

import dataclasses
import datetime as dt
import struct

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.digest import chart_png, digest_parts, render_caption, render_digest
from bot.i18n import translator
from bot.render import split_message
from domain.clock import FixedClock
from domain.enums import Status
from domain.rules import DIGEST_NOW
from fakebot import TranscriptEntry
from fakebot.html import parse_html, utf16_len
from storage.db import create_sessionmaker, transaction
from storage.digest import DigestData, DigestMeeting, DigestMilestone, DigestUpdate, QuietAgency
from storage.groups import get_or_create_member, group_for_chat
from storage.models import Agency, Meeting, Milestone, Notification, ProgressUpdate
from storage.planfile import AgencySpec, CommitmentSpec, MilestoneSpec, PlanFile
from tests.bot.conftest import BAT, GROUP, NOW, OYUNA, UNLINKED, link_example
from tests.conftest import import_into
from wgbot.harness import BotRun

# Thursday 20 October 2022, 10:00 in Ulaanbaatar: the week began on the 13th at 10:00.
LATER = dt.datetime(2022, 10, 20, 2, 0, tzinfo=dt.UTC)
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def services() -> bool:
    """The scheduler runs: what it delivers is what these tests are about."""
    return True


async def record_update(
    engine: AsyncEngine,
    number: str,
    status: Status,
    *,
    at: dt.datetime,
    reporter: str,
    user_id: int = BAT,
    agency: str | None = None,
) -> None:
    """What a member's /update does, at the storage level."""
    async with transaction(create_sessionmaker(engine)) as session:
        group = await group_for_chat(session=session, chat_id=GROUP)
        assert group is not None
        member = await get_or_create_member(
            session=session, group=group, telegram_user_id=user_id, now=at, full_name=reporter
        )
        milestone = await session.scalar(
            select(Milestone).where(
                Milestone.working_group_id == group.id, Milestone.number == number
            )
        )
        assert milestone is not None
        agency_id = await session.scalar(
            select(Agency.id).where(Agency.working_group_id == group.id, Agency.code == agency)
        )
        session.add(
            ProgressUpdate(
                milestone_id=milestone.id,
                member_id=member.id,
                reporter_name=reporter,
                agency_id=agency_id,
                created_at=at,
                status=status,
                note=None,
            )
        )
        milestone.status = status


async def add_meeting(
    engine: AsyncEngine, title: str, start: dt.datetime, place: str | None = None
) -> None:
    """A one-off meeting, as `/meeting add <YYYY-MM-DD HH:MM> <title>` stores it."""
    async with transaction(create_sessionmaker(engine)) as session:
        group = await group_for_chat(session=session, chat_id=GROUP)
        assert group is not None
        session.add(
            Meeting(
                working_group_id=group.id,
                title=title,
                first_start_local=start,
                rrule=None,
                timezone=group.timezone,
                place=place,
                skipped_dates=[],
                created_at=NOW,
            )
        )


async def a_busy_week(engine: AsyncEngine, clock: FixedClock, *, language: str = "en") -> None:
    """The example plan seven weeks on: one update this week, one earlier, a meeting ahead."""
    await link_example(engine, language=language)
    clock.set(LATER)
    await record_update(
        engine,
        "3.2",
        Status.SUBSTANTIAL,
        at=LATER - dt.timedelta(days=2),
        reporter="Bat",
        agency="PPA",
    )
    await record_update(
        engine,
        "1.2",
        Status.SUBSTANTIAL,
        at=LATER - dt.timedelta(days=19),
        reporter="Oyuna",
        user_id=OYUNA,
    )
    await add_meeting(
        engine,
        "Budget hearing",
        dt.datetime(2022, 10, 25, 15, 0),  # noqa: DTZ001 - a local wall time
        "Parliament, room 2",
    )


def photo_and_text(replies: list[TranscriptEntry]) -> tuple[TranscriptEntry, str]:
    """Exactly one PNG photo, then exactly one text message."""
    assert [r.kind for r in replies] == ["photo", "message"], replies
    photo, message = replies
    assert photo.photo is not None and photo.photo.data.startswith(PNG)
    assert photo.parse_mode == message.parse_mode == "HTML"
    assert message.text is not None
    return photo, message.text


async def test_digest_posts_a_chart_and_the_week(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await a_busy_week(engine, clock)
    photo, text = photo_and_text(await run.say_then_deliver(GROUP, BAT, "/digest"))

    assert photo.text == (
        "📊 Mongolia OGP Working Group · weekly digest 2022-10-13 – 2022-10-20\n"
        "Complete: 3/21 · Updates this week: 1 · Overdue: 1 · Due in 14 days: 1"
    )
    assert text.startswith(
        "📊 Weekly digest · Mongolia OGP Working Group\n2022-10-13 – 2022-10-20\n\n"
        "Progress: 3/21 milestones complete\n"
        "🟢 complete 3 · 🟠 substantial 5 · 🟡 limited 6 · ⚪ not started 7\n\n"
    )
    # What changed this week and who reported it; the update of 1 October is older.
    assert (
        "Reported this week\n"
        "• 3.2 Adopt a corruption-risk check before contracts are awarded → substantial"
        " · Bat (PPA)\n\n"
    ) in text
    assert "1.2 Publish" not in text
    # Open milestones due by 3 November, soonest first; long titles are shortened.
    assert (
        "Due in the next 14 days\n"
        "• 2022-10-31 4.1 Revise the draft Law on Associations and Law on Foundations… · MOJHA"
    ) in text
    assert (
        "⚠️ Overdue\n"
        "• 1.1 Submit the draft Mineral Resources Transparency Law to Parl… · MRPAM"
        " · due 2022-06-30\n\n"
    ) in text
    assert "Next meetings\n• Tue 2022-10-25 15:00 Budget hearing · Parliament, room 2\n\n" in text
    # PPA and MRPAM reported within 30 days; SWB and DEC have nothing open.
    assert text.endswith(
        "No report in the last 30 days\n"
        "CABSEC (never), MDDC (never), MOF (never), MOH (never), MOJHA (never)"
    )


async def test_a_quiet_week_says_so(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    _, text = photo_and_text(await run.say_then_deliver(GROUP, OYUNA, "/digest"))
    assert "Reported this week\nNo progress updates this week." in text
    assert "Nothing is due in the next 14 days." in text
    # The plan's own recurring meeting: the second Tuesday of September, 10:00 local.
    assert (
        "Next meetings\n• Tue 2022-09-13 10:00 Working group meeting · Government House,"
        " Ulaanbaatar"
    ) in text


async def test_digest_in_mongolian(run: BotRun, engine: AsyncEngine, clock: FixedClock) -> None:
    await a_busy_week(engine, clock, language="mn")
    photo, text = photo_and_text(await run.say_then_deliver(GROUP, BAT, "/digest"))
    assert photo.text is not None
    assert "Mongolia OGP Working Group · долоо хоногийн тойм 2022-10-13 – 2022-10-20" in photo.text
    assert "Бүрэн: 3/21 · Энэ долоо хоногийн мэдээлэл: 1" in photo.text
    assert text.startswith("📊 Долоо хоногийн тойм · Mongolia OGP Working Group\n")
    assert "Явц: 21 үе шатаас 3 нь бүрэн хэрэгжсэн" in text
    assert (
        "🟢 бүрэн хэрэгжсэн 3 · 🟠 ихээхэн хэрэгжсэн 5 · 🟡 хязгаарлагдмал хэрэгжсэн 6 · "
        "⚪ хэрэгжилт эхлээгүй 7"
    ) in text
    assert "Энэ долоо хоногт ирсэн мэдээлэл\n• 3.2 " in text
    assert "→ ихээхэн хэрэгжсэн · Bat (PPA)" in text
    assert "Ойрын 14 хоногт хугацаа нь дуусах\n• 2022-10-31 4.1 " in text
    assert "Хугацаа хэтэрсэн\n• 1.1 " in text and "· хугацаа 2022-06-30" in text
    assert "Дараагийн хурлууд\n• Мя 2022-10-25 15:00 Budget hearing" in text
    assert "Сүүлийн 30 хоногт мэдээлэл ирүүлээгүй байгууллага\nCABSEC (огт ирүүлээгүй)" in text
    for english in ("Weekly", "Progress", "Reported", "Due in", "Overdue", "never", "Tue"):
        assert english not in text and english not in photo.text


async def test_digest_takes_no_arguments(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine)
    usage = await run.unique_reply(GROUP, BAT, "/digest now")
    assert usage.text == "Usage: /digest\nExample: /digest"
    assert await run.say(UNLINKED, BAT, "/digest") == []

    await link_example(engine, language="mn")
    usage = await run.unique_reply(GROUP, BAT, "/digest одоо")
    assert usage.text == "Хэрэглээ: /digest\nЖишээ: /digest"


async def test_plan_and_member_text_cannot_inject_formatting(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    hostile = '<b>Law</b> & <a href="http://evil.example">click</a>'
    plan = PlanFile(
        agencies=[AgencySpec(code="A&B", name="<i>Agency</i>")],
        commitments=[
            CommitmentSpec(
                number="1",
                title="x",
                lead_agency="A&B",
                milestones=[
                    MilestoneSpec(number="1.1", title=hostile, due="2022-08-01"),
                    MilestoneSpec(number="1.2", title="</i>soon", due="2022-09-05"),
                ],
            )
        ],
    )
    await import_into(
        engine,
        plan,
        chat_id=GROUP,
        now=NOW,
        name="Hostile <b>group</b>",
        default_timezone="Asia/Ulaanbaatar",
    )
    await record_update(
        engine, "1.1", Status.LIMITED, at=NOW, reporter="<b>Bat</b> & co", agency="A&B"
    )
    await add_meeting(engine, "<code>Meet", dt.datetime(2022, 9, 2, 9, 0), "<i>room</i>")  # noqa: DTZ001
    # The fake parses HTML strictly, as Telegram does: unescaped text would be refused.
    photo, text = photo_and_text(await run.say_then_deliver(GROUP, BAT, "/digest"))
    assert photo.text is not None and "Hostile <b>group</b>" in photo.text
    assert f"• 1.1 {hostile} → limited · <b>Bat</b> & co (A&B)" in text
    assert f"• 1.1 {hostile} · A&B · due 2022-08-01" in text
    assert "• 2022-09-05 1.2 </i>soon · A&B" in text
    assert "• Fri 2022-09-02 09:00 <code>Meet · <i>room</i>" in text


async def test_digest_goes_through_the_outbox_once_per_cool_down(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    """A member's repeated /digest posts one digest, then a clear answer until the
    cool-down has passed; each digest is an outbox row, paced like the weekly one."""
    await link_example(engine)
    photo_and_text(await run.say_then_deliver(GROUP, BAT, "/digest"))
    again = await run.say_then_deliver(GROUP, OYUNA, "/digest")
    assert [r.text for r in again] == [
        "The digest was posted here a few minutes ago: it can be asked for again in 10 min."
    ]
    clock.advance(dt.timedelta(minutes=9, seconds=30))
    soon = await run.say_then_deliver(GROUP, BAT, "/digest")
    assert [r.text for r in soon] == [
        "The digest was posted here a few minutes ago: it can be asked for again in 1 min."
    ]
    clock.advance(dt.timedelta(seconds=30))
    photo_and_text(await run.say_then_deliver(GROUP, BAT, "/digest"))
    async with create_sessionmaker(engine)() as session:
        asked = list(
            await session.scalars(select(Notification).where(Notification.kind == DIGEST_NOW))
        )
    assert [(n.state, n.chat_id, n.parts_sent) for n in asked] == [("sent", GROUP, 2)] * 2


async def test_digest_in_mongolian_cool_down(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine, language="mn")
    photo_and_text(await run.say_then_deliver(GROUP, BAT, "/digest"))
    again = await run.unique_reply(GROUP, BAT, "/digest")
    assert again.text == "Тоймыг саяхан энд нийтэлсэн: 10 минутын дараа дахин хүсч болно."


def _long_week() -> DigestData:
    many = "Нээлттэй засаг & <open> government " * 20
    now = dt.datetime(2026, 11, 2, 14, 0, tzinfo=dt.UTC)
    milestone = DigestMilestone("12.34", many, "X" * 64, dt.date(2026, 11, 9), Status.LIMITED)
    return DigestData(
        group_name=many,
        timezone="Asia/Ulaanbaatar",
        now=now,
        today=dt.date(2026, 11, 2),
        week_start=now - dt.timedelta(days=7),
        week_end=now,
        status_counts=tuple((s, 40) for s in Status),
        updates=tuple(
            DigestUpdate("12.34", many, Status.COMPLETE, many, "Y" * 64, now) for _ in range(50)
        ),
        deadlines=(milestone,) * 50,
        overdue=(milestone,) * 50,
        meetings=(DigestMeeting(1, many, now, many),) * 50,
        quiet_agencies=tuple(QuietAgency(f"A{n}" + "Z" * 60, many, None) for n in range(50)),
    )


def test_long_lists_stay_well_under_telegrams_limits() -> None:
    data = _long_week()
    for language in ("en", "mn"):
        t = translator(language)
        text = render_digest(t, data)
        # One message even at worst, and well under the 4,096 characters Telegram counts.
        assert split_message(text) == [text]
        assert utf16_len(parse_html(text).text) < 3200
        assert t("digest.more", count=44) in text  # updates: 6 shown
        assert text.count(t("digest.more", count=45)) == 2  # deadlines and overdue: 5 each
        assert t("digest.more", count=46) in text  # meetings: 4 shown
        assert t("digest.more", count=40) in text  # quiet agencies: 10 shown
        caption = render_caption(t, data)
        assert len(caption.encode("utf-16-le")) // 2 < 400


def test_the_chart_is_a_small_deterministic_png() -> None:
    data = _long_week()
    for language in ("en", "mn"):
        png = chart_png(data, translator(language))
        assert png.startswith(PNG)
        width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
        assert (width, height) == (600, 250)
        assert chart_png(data, translator(language)) == png
    empty = dataclasses.replace(data, status_counts=tuple((s, 0) for s in Status))
    assert chart_png(empty, translator("en")).startswith(PNG)


def test_one_builder_makes_the_chart_with_its_caption_then_the_text() -> None:
    """The weekly digest and /digest are built by digest_parts alone."""
    t, week = translator("en"), _long_week()
    parts = digest_parts(t, week, late="Late\n")
    assert parts[0].photo is not None and parts[0].photo.startswith(PNG)
    assert parts[0].text == "Late\n" + render_caption(t, week)
    assert [p.text for p in parts[1:]] == split_message(render_digest(t, week))
    assert all(p.photo is None for p in parts[1:])
