"""Transcripts: `/settings publish on|off|rotate`, and what its links answer at once."""

from __future__ import annotations

import csv
import io
import json

import icalendar
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import FixedClock
from fakebot import FakeTelegram
from storage.db import create_sessionmaker, transaction
from storage.models import WorkingGroup
from tests.bot.conftest import BAT, GROUP, OYUNA, link_example
from tests.bot.publishing import fetch, public_bot, slug_of
from wgbot.harness import BotRun

TWINS = ("", ".ics", ".csv", ".json")


async def stored_slug(engine: AsyncEngine) -> str | None:
    async with transaction(create_sessionmaker(engine)) as session:
        group = await session.scalar(select(WorkingGroup))
        assert group is not None
        slug: str | None = group.public_slug
        return slug


async def statuses(base: str) -> list[int]:
    return [(await fetch(base + twin)).status for twin in TWINS]


async def test_a_coordinator_publishes_and_every_address_answers_then_404s_when_off(
    fake: FakeTelegram, engine: AsyncEngine, db_url: str, clock: FixedClock
) -> None:
    async with public_bot(fake, db_url, clock) as run:
        await link_example(engine)
        reply = await run.unique_reply(GROUP, OYUNA, "/settings publish on")
        base = f"http://127.0.0.1:{run.bot.port}/p/"
        slug = slug_of(reply.text)
        assert reply.text == (
            "The public progress page of Mongolia OGP Working Group is on.\n"
            f"Page: {base}{slug}\n"
            f"Calendar: {base}{slug}.ics\n"
            f"Open data: {base}{slug}.csv and {base}{slug}.json\n\n"
            "Anyone with the link can read it. It names agencies, never the people who "
            "reported. /settings publish rotate gives it a new address; /settings publish off "
            "takes it down."
        )
        # At least 128 random bits, URL-safe: 32 characters of base64url are 192.
        assert len(slug) >= 22 and slug == await stored_slug(engine)
        page = await fetch(base + slug)
        assert page.status == 200 and b"Mongolia OGP Working Group" in page.body
        calendar = icalendar.Calendar.from_ical((await fetch(base + slug + ".ics")).body)
        assert calendar.walk("VEVENT")
        rows = list(csv.DictReader(io.StringIO((await fetch(base + slug + ".csv")).body.decode())))
        assert rows[0]["number"] == "1.1"
        data = json.loads((await fetch(base + slug + ".json")).body)
        assert data["working_group"]["name"] == "Mongolia OGP Working Group"

        shown = await run.unique_reply(GROUP, OYUNA, "/settings")
        assert shown.text is not None and "Public page: published\n" in shown.text

        again = await run.unique_reply(GROUP, OYUNA, "/settings publish on")
        assert again.text is not None
        assert again.text.startswith("The public progress page of Mongolia OGP Working Group")
        assert "is already on" in again.text and slug_of(again.text) == slug

        off = await run.unique_reply(GROUP, OYUNA, "/settings publish off")
        assert off.text == (
            "The public page of Mongolia OGP Working Group is off: its addresses no longer answer."
        )
        assert await statuses(base + slug) == [404, 404, 404, 404]
        assert await stored_slug(engine) is None
        hidden = await run.unique_reply(GROUP, OYUNA, "/settings")
        assert hidden.text is not None and "Public page: not published\n" in hidden.text
        gone = await fetch(base + slug)
        assert gone.body == b"404: no published page at this address\n"

        back = await run.unique_reply(GROUP, OYUNA, "/settings publish on")
        assert slug_of(back.text) != slug  # a page taken down never comes back at its old address
        assert await statuses(base + slug_of(back.text)) == [200, 200, 200, 200]


async def test_rotate_gives_a_new_address_and_the_old_one_404s_at_once(
    fake: FakeTelegram, engine: AsyncEngine, db_url: str, clock: FixedClock
) -> None:
    async with public_bot(fake, db_url, clock) as run:
        await link_example(engine)
        not_yet = await run.unique_reply(GROUP, OYUNA, "/settings publish rotate")
        assert not_yet.text == (
            "The public page is not published, so there is no address to replace. "
            "/settings publish on publishes it."
        )
        assert await stored_slug(engine) is None
        old = slug_of((await run.unique_reply(GROUP, OYUNA, "/settings publish on")).text)
        base = f"http://127.0.0.1:{run.bot.port}/p/"
        assert (await fetch(base + old)).status == 200
        rotated = await run.unique_reply(GROUP, OYUNA, "/settings publish rotate")
        assert rotated.text is not None
        assert rotated.text.startswith(
            "The public progress page of Mongolia OGP Working Group has a new address; "
            "the old one no longer answers.\n"
        )
        new = slug_of(rotated.text)
        assert new != old
        assert await statuses(base + old) == [404, 404, 404, 404]
        assert await statuses(base + new) == [200, 200, 200, 200]


async def test_a_member_cannot_publish(
    fake: FakeTelegram, engine: AsyncEngine, db_url: str, clock: FixedClock
) -> None:
    async with public_bot(fake, db_url, clock) as run:
        await link_example(engine)
        for action in ("on", "rotate", "off"):
            reply = await run.unique_reply(GROUP, BAT, f"/settings publish {action}")
            assert reply.text is not None and reply.text.startswith("Only coordinators can do that")
        assert await stored_slug(engine) is None
        slug = slug_of((await run.unique_reply(GROUP, OYUNA, "/settings publish on")).text)
        refused = await run.unique_reply(GROUP, BAT, "/settings publish off")
        assert refused.text is not None and refused.text.startswith("Only coordinators")
        assert await stored_slug(engine) == slug


async def test_without_a_public_url_nothing_is_published(
    fake: FakeTelegram, engine: AsyncEngine, db_url: str, clock: FixedClock
) -> None:
    async with public_bot(fake, db_url, clock, public_url=None) as run:
        await link_example(engine)
        reply = await run.unique_reply(GROUP, OYUNA, "/settings publish on")
        assert reply.text == (
            "The public page needs the address at which this bot's web server is reachable: "
            "the operator must set WGBOT_PUBLIC_URL (e.g. https://wg.example.org) and restart "
            "the bot. Nothing was changed."
        )
        assert await stored_slug(engine) is None
        rotate = await run.unique_reply(GROUP, OYUNA, "/settings publish rotate")
        assert rotate.text == reply.text
        assert await stored_slug(engine) is None
        # Taking a page down needs no link: `off` still answers as itself.
        off = await run.unique_reply(GROUP, OYUNA, "/settings publish off")
        assert off.text is not None and off.text.startswith("The public page of ")
        assert "is not published" in off.text


async def test_links_start_with_the_configured_public_url(
    fake: FakeTelegram, engine: AsyncEngine, db_url: str, clock: FixedClock
) -> None:
    async with public_bot(fake, db_url, clock, public_url="https://wg.example.org/ogp/") as run:
        await link_example(engine, language="mn")
        reply = await run.unique_reply(GROUP, OYUNA, "/settings publish on")
        slug = await stored_slug(engine)
        assert reply.text is not None and slug is not None
        assert reply.text.startswith(
            "Mongolia OGP Working Group бүлгийн явцын нийтийн хуудас нээгдлээ.\n"
            f"Хуудас: https://wg.example.org/ogp/p/{slug}\n"
            f"Хуанли: https://wg.example.org/ogp/p/{slug}.ics\n"
        )


@pytest.mark.parametrize("words", ["", "maybe", "on now"])
async def test_a_bad_publish_word_answers_the_usage(
    run: BotRun, engine: AsyncEngine, words: str
) -> None:
    await link_example(engine)
    reply = await run.unique_reply(GROUP, OYUNA, f"/settings publish {words}".strip())
    assert reply.text is not None and reply.text.startswith(
        "Usage: /settings publish on|off|rotate\n"
    )
    assert await stored_slug(engine) is None
