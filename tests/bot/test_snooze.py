"""Snooze buttons on a private deadline reminder, end to end with the clock moved: the
reminder comes back tomorrow (a working day), a double press plans it once, and the
button of a settled, forged or foreign reminder answers that it has expired."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import FixedClock
from domain.enums import Status
from fakebot import FakeTelegram, TranscriptEntry
from storage.db import create_sessionmaker, transaction
from storage.models import Agency, Member, Milestone, Notification
from tests.bot.conftest import BAT, GROUP, NOW, OYUNA
from tests.bot.test_reminder_transcripts import linked, ub
from wgbot.harness import BotRun

TOMORROW, NEXT_WEEK = "Remind me tomorrow", "Remind me next week"


@pytest.fixture
def services() -> bool:
    return True


async def bat_of_mojha(engine: AsyncEngine, fake: FakeTelegram) -> int:
    """The example plan with Bat, of the agency responsible for 4.1, talking privately."""
    group_id = await linked(engine)
    fake.private_chat(BAT)
    async with transaction(create_sessionmaker(engine)) as session:
        mojha = await session.scalar(select(Agency.id).where(Agency.code == "MOJHA"))
        session.add(
            Member(
                working_group_id=group_id,
                telegram_user_id=BAT,
                full_name="Bat",
                agency_id=mojha,
                private_chat=True,
                created_at=NOW,
            )
        )
    return group_id


async def forged(run: BotRun, user: int, message_id: int, data: str) -> list[TranscriptEntry]:
    """A press of a button the message does not show, as a modified client can send."""
    update_id = run.fake.press_button(user, user, message_id, data, token=run.token, forged=True)
    await run.wait(update_id)
    return run.fake.bot_messages(user, since_update=update_id)


def buttons(entry: TranscriptEntry) -> dict[str, str]:
    rows: list[list[dict[str, Any]]] = (entry.reply_markup or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def reminder_for_bat(run: BotRun, fake: FakeTelegram, clock: FixedClock) -> TranscriptEntry:
    clock.set(ub(10, 17, 9))  # Monday: 14 days before 4.1 is due
    await run.tick()
    [private] = fake.bot_messages(BAT)
    assert (private.text or "").startswith("⏰ Milestone 4.1 is due in 14 days")
    return private


async def snoozes(engine: AsyncEngine) -> list[Notification]:
    async with create_sessionmaker(engine)() as session:
        return list(
            await session.scalars(select(Notification).where(Notification.key.like("snooze:%")))
        )


async def test_remind_me_tomorrow_brings_the_reminder_back_tomorrow(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock
) -> None:
    await bat_of_mojha(engine, fake)
    private = await reminder_for_bat(run, fake, clock)
    offered = buttons(private)
    assert list(offered) == [TOMORROW, NEXT_WEEK]
    assert all(len(data.encode()) <= 64 for data in offered.values())
    # The group's copy has no buttons: only a member's own reminder can be snoozed.
    [in_group] = [m for m in fake.bot_messages(GROUP) if "4.1" in (m.text or "")]
    assert in_group.reply_markup is None

    clock.set(ub(10, 17, 9, 30))
    after = await run.press(BAT, BAT, private.message_id or 0, offered[TOMORROW])
    [edit] = [e for e in after if e.kind == "edit"]
    [answer] = [e for e in after if e.kind == "callback_answer"]
    assert (edit.text or "").startswith("⏰ Milestone 4.1 is due in 14 days")
    assert (edit.text or "").endswith("⏰ I'll remind you again on Tue 2022-10-18 09:00.")
    assert edit.reply_markup is None  # the buttons are gone
    assert answer.text == "⏰ I'll remind you again on Tue 2022-10-18 09:00."

    # A second press (a double tap, or a client that kept the button): planned once.
    again = await forged(run, BAT, private.message_id or 0, offered[TOMORROW])
    assert [e.text for e in again if e.kind == "callback_answer"] == [
        "⏰ Already planned: I'll remind you again on Tue 2022-10-18 09:00."
    ]
    # The other button, pressed by a client that kept it: still the one snooze.
    other = await forged(run, BAT, private.message_id or 0, offered[NEXT_WEEK])
    assert [e.text for e in other if e.kind == "callback_answer"] == [
        "⏰ Already planned: I'll remind you again on Tue 2022-10-18 09:00."
    ]
    [row] = await snoozes(engine)
    assert row.key.endswith(":tomorrow") and row.state == "pending"

    before = len(fake.bot_messages(BAT))
    clock.set(ub(10, 18, 8, 59))
    await run.tick()
    assert len(fake.bot_messages(BAT)) == before
    clock.set(ub(10, 18, 9))
    await run.tick()
    [back] = fake.bot_messages(BAT)[before:]
    assert (back.text or "").startswith("⏰ Milestone 4.1 is due in 13 days, on 2022-10-31")
    assert "Late" not in (back.text or "")
    assert list(buttons(back)) == [TOMORROW, NEXT_WEEK]  # and may be snoozed again
    assert [m for m in fake.bot_messages(GROUP) if "due in 13 days" in (m.text or "")] == []


async def test_remind_me_tomorrow_on_a_friday_means_the_next_working_day(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock
) -> None:
    await bat_of_mojha(engine, fake)
    clock.set(ub(10, 24, 9))  # Monday: the 7-day reminder
    await run.tick()
    [private] = fake.bot_messages(BAT)
    clock.set(ub(10, 28, 17))  # pressed on Friday afternoon
    after = await run.press(BAT, BAT, private.message_id or 0, buttons(private)[TOMORROW])
    [answer] = [e for e in after if e.kind == "callback_answer"]
    assert answer.text == "⏰ I'll remind you again on Mon 2022-10-31 09:00."
    week = await forged(run, BAT, private.message_id or 0, "z:0:w")
    assert [e.text for e in week if e.kind == "callback_answer"] == ["This reminder has expired."]


async def test_a_settled_forged_or_foreign_reminder_has_expired(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram, clock: FixedClock
) -> None:
    await bat_of_mojha(engine, fake)
    private = await reminder_for_bat(run, fake, clock)
    offered = buttons(private)
    for data in ("z:999999:t", "z:abc:t", "z:" + "9" * 40 + ":w"):
        pressed = await forged(run, BAT, private.message_id or 0, data)
        assert [e.text for e in pressed if e.kind == "callback_answer"] == [
            "This reminder has expired."
        ], data
    # Bat's button pressed by somebody else, under a message of their own private chat.
    fake.private_chat(OYUNA)
    [hello] = await run.say(OYUNA, OYUNA, "/start")
    pressed = await forged(run, OYUNA, hello.message_id or 0, offered[TOMORROW])
    assert [e.text for e in pressed if e.kind == "callback_answer"] == [
        "Энэ сануулгын хугацаа дууссан."  # Oyuna's Telegram speaks Mongolian
    ]
    async with transaction(create_sessionmaker(engine)) as session:
        milestone = await session.scalar(select(Milestone).where(Milestone.number == "4.1"))
        assert milestone is not None
        milestone.status = Status.COMPLETE
    pressed = await run.press(BAT, BAT, private.message_id or 0, offered[NEXT_WEEK])
    assert [e.text for e in pressed if e.kind == "callback_answer"] == [
        "This reminder has expired."
    ]
    assert [e.reply_markup for e in pressed if e.kind == "edit"] == [None]  # buttons off
    assert await snoozes(engine) == []
