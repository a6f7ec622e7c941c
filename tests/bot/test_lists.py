"""Transcripts: /deadlines, /overdue and /mine through the fake Bot API over HTTP."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import FixedClock
from fakebot import FakeTelegram
from fakebot.html import utf16_len
from storage.planfile import AgencySpec, CommitmentSpec, MilestoneSpec, PlanFile
from tests.bot.conftest import BAT, GROUP, NOW, OYUNA, UNLINKED, link_example
from tests.conftest import import_into
from wgbot.harness import BotRun

DEADLINES_USAGE = (
    "Usage: /deadlines [days] — days from 1 to 366, 30 if left out\nExample: /deadlines 60"
)


def _numbers(text: str) -> list[str]:
    """Milestone numbers in the order a reply lists them."""
    return re.findall(r"^[⚪🟡🟠🟢⚫] ([0-9]+\.[0-9]+) ", text, flags=re.MULTILINE)


async def _import(engine: AsyncEngine, plan: PlanFile, *, timezone: str = "UTC") -> None:
    await import_into(
        engine, plan, chat_id=GROUP, now=NOW, name="Test plan", default_timezone=timezone
    )


async def test_deadlines_lists_open_milestones_soonest_first(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine)
    reply = await run.unique_reply(GROUP, BAT, "/deadlines 120")
    assert reply.text is not None
    assert reply.text.startswith("Due in the next 120 days (through 2022-12-30)")
    assert "4.1 Revise the draft Law on Associations" in reply.text
    assert "MOJHA · due 2022-10-31 (in 60 days) · limited" in reply.text
    assert "CABSEC · due 2022-11-30 (in 90 days) · substantial" in reply.text
    assert reply.text.index("4.1 ") < reply.text.index("5.1 ")
    # 2.1 and 9.1 fall in the window but are complete: counted, not listed.
    assert "2.1 " not in reply.text and "9.1 " not in reply.text
    assert "Not listed: 2 more due in this period, already complete or withdrawn." in reply.text

    default = await run.unique_reply(GROUP, BAT, "/deadlines")
    assert default.text is not None
    assert default.text.startswith(
        "No open milestone is due in the next 30 days (through 2022-10-01)."
    )


async def test_deadlines_says_today_and_tomorrow(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await link_example(engine)
    clock.set(dt.datetime(2022, 10, 30, 2, 0, tzinfo=dt.UTC))
    reply = await run.unique_reply(GROUP, BAT, "/deadlines 1")
    assert reply.text is not None and "MOJHA · due 2022-10-31 (tomorrow) · limited" in reply.text
    clock.advance(dt.timedelta(days=1))
    reply = await run.unique_reply(GROUP, BAT, "/deadlines 1")
    assert reply.text is not None and "MOJHA · due 2022-10-31 (today) · limited" in reply.text


async def test_deadlines_in_mongolian(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine, language="mn")
    reply = await run.unique_reply(GROUP, BAT, "/deadlines 60")
    assert reply.text is not None
    assert reply.text.startswith("Ойрын 60 хоногт хугацаа нь дуусах үе шатууд (2022-10-31 хүртэл)")
    assert "MOJHA · хугацаа 2022-10-31 (60 хоногийн дараа) · хязгаарлагдмал" in reply.text
    usage = await run.unique_reply(GROUP, BAT, "/deadlines маргааш")
    assert usage.text is not None and usage.text.startswith("Хэрэглээ: /deadlines [хоног]")


@pytest.mark.parametrize(
    "text", ["/deadlines 0", "/deadlines 367", "/deadlines x", "/deadlines 5 6"]
)
async def test_deadlines_with_a_bad_argument_answers_with_usage(
    run: BotRun, engine: AsyncEngine, text: str
) -> None:
    await link_example(engine)
    reply = await run.unique_reply(GROUP, BAT, text)
    assert reply.text == DEADLINES_USAGE


async def test_overdue_lists_days_overdue_most_overdue_first(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await link_example(engine)
    reply = await run.unique_reply(GROUP, BAT, "/overdue")
    assert reply.text is not None
    assert reply.text.startswith("Overdue milestones: 1 (today is 2022-09-01)")
    assert "MRPAM · due 2022-06-30 · substantial · ⚠️ 63 days overdue" in reply.text

    clock.set(dt.datetime(2023, 1, 1, 2, 0, tzinfo=dt.UTC))
    reply = await run.unique_reply(GROUP, BAT, "/overdue")
    assert reply.text is not None
    assert "1 day overdue" in reply.text  # the 2022-12-31 milestones
    numbers = _numbers(reply.text)
    assert numbers[:2] == ["1.1", "4.1"]
    assert "2.1" not in numbers and "9.1" not in numbers  # complete is never overdue

    usage = await run.unique_reply(GROUP, BAT, "/overdue now")
    assert usage.text == "Usage: /overdue (no arguments)\nExample: /overdue"


async def test_overdue_follows_the_groups_calendar(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    """17:00 UTC on the due date is already the next day in Ulaanbaatar."""
    await link_example(engine)
    clock.set(dt.datetime(2022, 10, 31, 17, 0, tzinfo=dt.UTC))
    reply = await run.unique_reply(GROUP, BAT, "/overdue")
    assert reply.text is not None and "4.1 " in reply.text and "(today is 2022-11-01)" in reply.text
    changed = await run.unique_reply(GROUP, OYUNA, "/settings timezone UTC")
    assert changed.text is not None and "UTC" in changed.text
    reply = await run.unique_reply(GROUP, BAT, "/overdue")
    assert reply.text is not None and "4.1 " not in reply.text


async def test_overdue_in_mongolian_and_when_nothing_is_late(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    await link_example(engine, language="mn")
    reply = await run.unique_reply(GROUP, BAT, "/overdue")
    assert reply.text is not None
    assert reply.text.startswith("Хугацаа хэтэрсэн үе шат: 1 (өнөөдөр 2022-09-01)")
    assert "MRPAM · хугацаа 2022-06-30 · ихээхэн хэрэгжсэн · ⚠️ 63 хоног хэтэрсэн" in reply.text
    clock.set(dt.datetime(2022, 1, 1, tzinfo=dt.UTC))
    calm = await run.unique_reply(GROUP, BAT, "/overdue")
    assert calm.text == "Хугацаа хэтэрсэн үе шат алга. 🎉"


async def test_mine_needs_an_agency_then_lists_its_milestones(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine)
    hint = await run.unique_reply(GROUP, BAT, "/mine")
    assert hint.text is not None and "/iam <agency code or name>" in hint.text
    await run.unique_reply(GROUP, BAT, "/iam MOJHA")
    mine = await run.unique_reply(GROUP, BAT, "/mine")
    assert mine.text is not None
    assert mine.text.startswith("MOJHA — Ministry of Justice and Home Affairs: its milestones")
    assert _numbers(mine.text) == ["4.1", "8.1", "2.2", "8.2", "4.3"]
    assert "due 2022-10-31 · limited" in mine.text
    usage = await run.unique_reply(GROUP, BAT, "/mine please")
    assert usage.text is not None and usage.text.startswith("Usage: /mine")


async def test_mine_in_mongolian_marks_overdue(run: BotRun, engine: AsyncEngine) -> None:
    await link_example(engine, language="mn")
    hint = await run.unique_reply(GROUP, BAT, "/mine")
    assert hint.text is not None and hint.text.startswith("Таны байгууллагыг би хараахан мэдэхгүй")
    await run.unique_reply(GROUP, BAT, "/iam MRPAM")
    mine = await run.unique_reply(GROUP, BAT, "/mine")
    assert mine.text is not None
    assert "хугацаа 2022-06-30 · ихээхэн хэрэгжсэн · ⚠️ 63 хоног хэтэрсэн" in mine.text


def _long_plan(title: str) -> PlanFile:
    return PlanFile(
        agencies=[AgencySpec(code="CS", name="Cabinet Secretariat")],
        commitments=[
            CommitmentSpec(
                number=str(n),
                title=f"Commitment {n}",
                lead_agency="CS",
                milestones=[
                    MilestoneSpec(
                        number=f"{n}.{k}",
                        title=f"{title}{n}.{k}",
                        due=dt.date(2022, 9, 2) + dt.timedelta(days=n),
                    )
                    for k in range(1, 5)
                ],
            )
            for n in range(1, 61)
        ],
    )


async def test_sixty_commitments_split_under_telegrams_limit(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram
) -> None:
    title = "Нээлттэй засаг & open <government> " * 4
    await _import(engine, _long_plan(title))
    replies = await run.say(GROUP, BAT, "/deadlines 90")
    assert len(replies) >= 3
    assert all(r.raw_text is not None and utf16_len(r.raw_text) <= 4096 for r in replies)
    for n in range(1, 61):
        for k in range(1, 5):
            # Each milestone arrives whole, in exactly one message.
            assert sum(f"{n}.{k} {title}{n}.{k}\n" in (r.text or "") for r in replies) == 1
    assert replies[0].text is not None and replies[0].text.startswith("Due in the next 90 days")


async def test_plan_text_is_shown_literally(
    run: BotRun, engine: AsyncEngine, clock: FixedClock
) -> None:
    hostile = '<b>Law</b> & "secrets" <a href="http://evil.example">x</a>'
    plan = PlanFile(
        agencies=[AgencySpec(code="A&B", name="<i>Agency</i>")],
        commitments=[
            CommitmentSpec(
                number="1",
                title="One",
                lead_agency="A&B",
                milestones=[
                    MilestoneSpec(number="1.1", title=hostile, due="2022-09-10"),
                    MilestoneSpec(number="1.2", title="</b>late", due="2022-08-01"),
                ],
            )
        ],
    )
    await _import(engine, plan)
    soon = await run.unique_reply(GROUP, BAT, "/deadlines")
    assert soon.text is not None and hostile in soon.text and "A&B · due 2022-09-10" in soon.text
    late = await run.unique_reply(GROUP, BAT, "/overdue")
    assert late.text is not None and "1.2 </b>late" in late.text
    await run.unique_reply(GROUP, BAT, "/iam <i>Agency</i>")
    mine = await run.unique_reply(GROUP, BAT, "/mine")
    assert mine.text is not None and mine.text.startswith("A&B — <i>Agency</i>: its milestones")


# --- in a private chat with the bot -----------------------------------------------------


async def test_private_lists_come_from_the_users_one_group_in_their_language(
    run: BotRun, engine: AsyncEngine
) -> None:
    await link_example(engine, language="mn")
    stranger = await run.unique_reply(BAT, BAT, "/deadlines")
    assert stranger.text is not None
    assert stranger.text.startswith("I don't know you from a working group's chat yet.")

    await run.say(GROUP, BAT, "/iam MOJHA")
    await run.say(GROUP, OYUNA, "/plan")
    # Bat's Telegram app speaks English, the group Mongolian: the private reply is English.
    soon = await run.unique_reply(BAT, BAT, "/deadlines 60")
    assert soon.text is not None
    assert soon.text.startswith("Mongolia OGP Working Group\n\nDue in the next 60 days")
    assert "MOJHA · due 2022-10-31 (in 60 days) · limited" in soon.text
    mine = await run.unique_reply(BAT, BAT, "/mine")
    assert mine.text is not None and "MOJHA — Ministry of Justice and Home Affairs" in mine.text
    usage = await run.unique_reply(BAT, BAT, "/deadlines 999")
    assert usage.text is not None and DEADLINES_USAGE in usage.text

    late = await run.unique_reply(OYUNA, OYUNA, "/overdue")
    assert late.text is not None
    assert "MRPAM · хугацаа 2022-06-30 · ихээхэн хэрэгжсэн · ⚠️ 63 хоног хэтэрсэн" in late.text
    no_agency = await run.unique_reply(OYUNA, OYUNA, "/mine")
    assert no_agency.text is not None and "Таны байгууллагыг би хараахан мэдэхгүй" in no_agency.text


async def test_private_lists_for_a_member_of_several_groups_name_them(
    run: BotRun, engine: AsyncEngine, fake: FakeTelegram
) -> None:
    await link_example(engine)
    second = PlanFile(agencies=[AgencySpec(code="X", name="X agency")], commitments=[])
    await import_into(engine, second, chat_id=UNLINKED, now=NOW, name="Second <b>group</b>")
    await run.say(GROUP, BAT, "/plan")
    await run.say(UNLINKED, BAT, "/plan")
    reply = await run.unique_reply(BAT, BAT, "/overdue")
    assert reply.text == (
        "You are a member of several working groups:\n"
        "• Mongolia OGP Working Group\n"
        "• Second <b>group</b>\n"
        "Send the command in the chat of the group you mean."
    )
