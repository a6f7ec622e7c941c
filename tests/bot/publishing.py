"""What the public page's tests share: a bot whose WGBOT_PUBLIC_URL is its own web
server, a group with real data and real reports, and plain HTTP requests."""

from __future__ import annotations

import contextlib
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
from multidict import CIMultiDict
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import FixedClock
from fakebot import FakeTelegram
from tests.bot.conftest import BAT, GROUP, link_example
from wgbot.harness import BotRun, settings_for

# People whose traces must never reach the page: distinctive, so a stray byte is theirs.
TSETSEG, DORJ = 987_650_001, 987_650_002
PEOPLE = {
    TSETSEG: ("Tsetsegmaa", "Ganbaatarova", "tsetseg_ogp_mn"),
    DORJ: ("Dorjsurenov", "Batkhuyagiin", "dorj_cso_reporter"),
}
LINK = re.compile(r"http://127\.0\.0\.1:[0-9]+/p/([A-Za-z0-9_-]+)")


def free_port() -> int:
    """A port nobody listens on now, so WGBOT_PUBLIC_URL can name it before the start."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def public_bot(
    fake: FakeTelegram, db_url: str, clock: FixedClock, *, public_url: str | None = "own"
) -> AsyncIterator[BotRun]:
    """The bot with WGBOT_PUBLIC_URL set to its own web server (or to `public_url`)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}" if public_url == "own" else public_url
    extra: dict[str, object] = {"http_port": port}
    if url is not None:
        extra["public_url"] = url
    async with BotRun(fake, settings_for(fake, db_url, **extra), clock=clock) as run:
        yield run


def add_people(fake: FakeTelegram) -> None:
    for user_id, (first, last, username) in PEOPLE.items():
        fake.add_user(user_id, first, last_name=last, username=username, language_code="en")


async def real_reports(run: BotRun, engine: AsyncEngine, *, language: str = "en") -> None:
    """The example plan, linked, with members' reports: one with evidence, one from a
    member of no agency, one whose note is hostile HTML."""
    add_people(run.fake)
    await link_example(engine, language=language)
    await run.say(GROUP, TSETSEG, "/iam MRPAM")
    await run.say(GROUP, DORJ, "/iam SWB")
    await run.say(
        GROUP,
        TSETSEG,
        "/update 1.1 complete Law submitted to parliament https://parliament.mn/laws/4471",
    )
    await run.say(GROUP, DORJ, '/update 1.2 substantial Draft <b>bold</b> & "quoted" data')
    await run.say(GROUP, BAT, "/update 2.1 limited First hearing held")


@dataclass(frozen=True)
class Fetched:
    status: int
    body: bytes
    headers: CIMultiDict[str]


async def fetch(url: str, *, method: str = "GET", headers: dict[str, str] | None = None) -> Fetched:
    async with aiohttp.ClientSession() as http, http.request(method, url, headers=headers) as got:
        return Fetched(got.status, await got.read(), CIMultiDict(got.headers))


def slug_of(text: str | None) -> str:
    match = LINK.search(text or "")
    assert match is not None, text
    return match[1]
