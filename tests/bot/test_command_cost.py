"""A big plan answers as promptly as a small one: /plan, /commitment and /update send as
many SQL statements for a plan of 200 commitments as for one of 10."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.plans import generated_plan
from fakebot import FakeTelegram
from tests.bot.conftest import BAT, GROUP, NOW
from tests.conftest import import_into
from wgbot.harness import BotRun

BIG = -1001600


@contextmanager
def counting() -> Iterator[list[int]]:
    """Every SQL statement any engine sends meanwhile, counted in the list's one item."""
    seen = [0]

    def count(*_: Any) -> None:
        seen[0] += 1

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", count)


async def test_reading_and_updating_cost_the_same_whatever_the_plan_size(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram
) -> None:
    fake.add_group(BIG, "A working group with a long plan")
    await import_into(engine, generated_plan(10, today=NOW.date()), chat_id=GROUP, now=NOW)
    await import_into(engine, generated_plan(200, today=NOW.date()), chat_id=BIG, now=NOW)
    for chat in (GROUP, BIG):
        await run.unique_reply(chat, BAT, "/help")  # the member's first message makes them one

    costs: dict[int, list[int]] = {}
    for chat in (GROUP, BIG):
        costs[chat] = []
        for text, answer in [
            ("/plan", "Bench group"),
            ("/commitment 5", "Commitment 5. Commitment 5: open data"),
            ("/update 5.1 substantial Sent to the ministry", "5.1"),
            ("/commitment 5", "Sent to the ministry"),
        ]:
            with counting() as seen:
                reply = await run.unique_reply(chat, BAT, text)
            assert reply.text is not None and answer in reply.text, (text, reply.text)
            costs[chat].append(seen[0])
    assert costs[GROUP] == costs[BIG]
