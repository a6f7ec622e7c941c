"""The public page and its twins with real data: what they show, what they never show
(asserted on the bytes), escaping, headers, and cheap refreshes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import FixedClock
from domain.enums import Status
from fakebot import FakeTelegram
from storage.actions import add_action, record_action_update
from storage.db import create_sessionmaker, transaction
from storage.models import Agency, Meeting, Member, WorkingGroup
from tests.bot.conftest import GROUP, NOW, OYUNA
from tests.bot.publishing import PEOPLE, TSETSEG, fetch, public_bot, real_reports, slug_of
from wgbot.harness import BotRun

SECRET_ROOM = "https://meet.example.org/wg-secret-room-4471"


async def add_call(engine: AsyncEngine) -> None:
    """A meeting whose place is a video call's link: private, never on the page."""
    async with transaction(create_sessionmaker(engine)) as session:
        group = await session.scalar(select(WorkingGroup))
        assert group is not None
        session.add(
            Meeting(
                working_group_id=group.id,
                title="Online check-in",
                first_start_local=dt.datetime(2022, 9, 5, 16, 0),  # noqa: DTZ001 - a wall time
                rrule="FREQ=WEEKLY;BYDAY=MO",
                timezone="Asia/Ulaanbaatar",
                place=SECRET_ROOM,
                skipped_dates=[],
                created_at=NOW,
            )
        )


async def published(run: BotRun) -> str:
    reply = await run.unique_reply(GROUP, OYUNA, "/settings publish on")
    return f"http://127.0.0.1:{run.bot.port}/p/{slug_of(reply.text)}"


def personal_traces(text: bytes) -> list[str]:
    """Every id, username and name of a person that shows up in `text`."""
    found = []
    for user_id, names in PEOPLE.items():
        for trace in (str(user_id), *names):
            if trace.encode() in text:
                found.append(trace)
    for trace in ("Oyuna", "oyuna", str(OYUNA) + ",", "1001500"):
        if trace.encode() in text:
            found.append(trace)
    return found


async def test_the_page_shows_the_plan_and_no_person_in_english_and_mongolian(
    fake: FakeTelegram, engine: AsyncEngine, db_url: str, clock: FixedClock
) -> None:
    async with public_bot(fake, db_url, clock) as run:
        await real_reports(run, engine)
        await add_call(engine)
        base = await published(run)
        english = await fetch(base)
        assert english.status == 200
        page = english.body
        assert page.startswith(b'<!doctype html>\n<html lang="en">')
        for shown in (
            "<h1>Mongolia OGP Working Group</h1>",
            "Overall progress",
            "1. Extractive Industry Transparency</h3>",
            "Submit the draft Mineral Resources Transparency Law to Parliament",
            "Mineral Resources and Petroleum Authority of Mongolia (MRPAM)",
            '<span class="status status-complete">complete</span>',
            '<span class="status status-substantial">substantial</span>',
            "Law submitted to parliament https://parliament.mn/laws/4471",
            'href="https://parliament.mn/laws/4471"',
            # Reports by agency: a member of no agency is "a member of the working group".
            "2022-09-01</time>, complete, Mineral Resources and Petroleum Authority of Mongolia",
            "limited, a member of the working group",
            "Upcoming meetings",
            "Working group meeting",
            "Place: Government House, Ulaanbaatar",
            "Online check-in",
            "Last updated: 2022-09-01 10:00 (Asia/Ulaanbaatar)",
            '<svg class="bar"',
            "Milestones by status: Complete: ",
        ):
            assert shown.encode() in page, shown
        assert personal_traces(page) == []
        assert SECRET_ROOM.encode() not in page and b"wg-secret-room" not in page

        mongolian = (await fetch(base + "?lang=mn")).body
        assert mongolian.startswith(b'<!doctype html>\n<html lang="mn">')
        for shown in (
            "Нийт явц",
            "Удахгүй болох хурал",
            '<span class="status status-complete">бүрэн хэрэгжсэн</span>',
            "Хариуцагч",
            "ажлын хэсгийн гишүүн",
            "Сүүлд шинэчилсэн: 2022-09-01 10:00 (Asia/Ulaanbaatar)",
            'aria-current="page">Монгол</a>',
        ):
            assert shown.encode() in mongolian, shown
        assert personal_traces(mongolian) == []

        for twin in (".json", ".csv", ".ics"):
            body = (await fetch(base + twin)).body.replace(b"\r\n ", b"")  # unfolded
            assert personal_traces(body) == [], twin
            assert b"wg-secret-room" not in body, twin
            assert b"Mineral Resources and Petroleum Authority of Mongolia" in body, twin


async def test_the_groups_language_is_the_pages_and_an_unknown_lang_keeps_it(
    fake: FakeTelegram, engine: AsyncEngine, db_url: str, clock: FixedClock
) -> None:
    async with public_bot(fake, db_url, clock) as run:
        await real_reports(run, engine, language="mn")
        base = await published(run)
        for address in (base, base + "?lang=xx", base + "?lang=MN"):
            assert b'<html lang="mn">' in (await fetch(address)).body, address
        assert b'<html lang="es">' in (await fetch(base + "?lang=es")).body
        russian = (await fetch(base + "?lang=ru")).body
        assert "Общий ход работы".encode() in russian


async def test_user_text_is_escaped(
    fake: FakeTelegram, engine: AsyncEngine, db_url: str, clock: FixedClock
) -> None:
    async with public_bot(fake, db_url, clock) as run:
        await real_reports(run, engine)
        base = await published(run)
        page = (await fetch(base)).body
        assert b"Draft &lt;b&gt;bold&lt;/b&gt; &amp; &#34;quoted&#34; data" in page
        assert b"<b>bold" not in page
        data = (await fetch(base + ".json")).body
        assert b'Draft <b>bold</b> & \\"quoted\\" data' in data


async def test_headers_refreshes_and_unknown_addresses(
    fake: FakeTelegram, engine: AsyncEngine, db_url: str, clock: FixedClock
) -> None:
    async with public_bot(fake, db_url, clock) as run:
        await real_reports(run, engine)
        base = await published(run)
        page = await fetch(base)
        headers = page.headers
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        csp = headers["Content-Security-Policy"]
        assert csp.startswith("default-src 'none'; style-src 'sha256-")
        assert "script-src" not in csp and "unsafe" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == "no-cache"
        assert headers["Last-Modified"] == "Thu, 01 Sep 2022 02:00:00 GMT"
        # No third party: nothing on the page is loaded from anywhere.
        assert b"<script" not in page.body and b"src=" not in page.body
        assert b'<link rel="stylesheet"' not in page.body

        etag = headers["ETag"]
        again = await fetch(base, headers={"If-None-Match": etag})
        assert again.status == 304 and again.body == b""
        assert (await fetch(base, headers={"If-None-Match": f'"other", W/{etag}'})).status == 304
        head = await fetch(base, method="HEAD")
        assert head.status == 200 and head.body == b"" and head.headers["ETag"] == etag

        expected = {
            ".ics": "text/calendar; charset=utf-8",
            ".csv": "text/csv; charset=utf-8; header=present",
            ".json": "application/json; charset=utf-8",
        }
        for twin, content_type in expected.items():
            got = await fetch(base + twin)
            assert got.headers["Content-Type"] == content_type
            assert got.headers["Content-Security-Policy"].startswith("default-src 'none'")
            assert got.headers["X-Content-Type-Options"] == "nosniff"
            assert 'filename="mongolia-ogp-working-group' in got.headers["Content-Disposition"]
            refreshed = await fetch(base + twin, headers={"If-None-Match": got.headers["ETag"]})
            assert refreshed.status == 304

        # A new report is a new page: the old ETag no longer matches.
        await run.say(GROUP, OYUNA, "/update 3.1 limited Started")
        changed = await fetch(base, headers={"If-None-Match": etag})
        assert changed.status == 200 and changed.headers["ETag"] != etag

        root = base.rsplit("/", 1)[0]
        for address in (
            root + "/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            root + "/short",
            base + ".exe",
            base + ".json.ics",
        ):
            missing = await fetch(address)
            assert missing.status == 404, address
            assert missing.headers["X-Content-Type-Options"] == "nosniff"
        assert (await fetch(base + "/")).status == 404


async def test_action_items_are_listed_open_and_closed(
    fake: FakeTelegram, engine: AsyncEngine, db_url: str, clock: FixedClock
) -> None:
    async with public_bot(fake, db_url, clock) as run:
        await real_reports(run, engine)
        async with transaction(create_sessionmaker(engine)) as session:
            group = await session.scalar(select(WorkingGroup))
            member = await session.scalar(select(Member).where(Member.telegram_user_id == TSETSEG))
            agency = await session.scalar(select(Agency).where(Agency.code == "DEC"))
            assert group is not None and member is not None and agency is not None
            for text, due in (("Invite <CSOs> & media", dt.date(2022, 8, 20)), ("Book it", None)):
                item = await add_action(
                    session=session,
                    group=group,
                    member=member,
                    agency=agency,
                    text=text,
                    due=due,
                    minutes_id=None,
                    now=NOW,
                )
            await record_action_update(
                session=session,
                item=item,
                member=member,
                status=Status.COMPLETE,
                note="Done",
                evidence_url=None,
                now=NOW,
            )
        base = await published(run)
        page = (await fetch(base)).body
        assert b'<h2 id="actions">Action items</h2>' in page
        assert b'<span class="number">A1</span> Invite &lt;CSOs&gt; &amp; media</h3>' in page
        assert b'<span class="status overdue">overdue</span>' in page  # due 2022-08-20
        assert b'<span class="number">A2</span> Book it</h3>' in page
        assert b"complete, Mineral Resources and Petroleum Authority of Mongolia" in page
        assert personal_traces(page) == []
